"""GS1 keys: GTIN check digits and the GS1 Digital Link paths that name lots and items."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

from ..domain.errors import InvalidIdentifier

DL_HOST = "https://id.gs1.org"
_DIGITS = re.compile(r"^\d+$")


def check_digit(body: str) -> int:
    """The GS1 mod-10 check digit of ``body`` (all digits but the last of a GTIN, GLN, SSCC...)."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        total += int(ch) * (3 if i % 2 == 0 else 1)
    return (10 - total % 10) % 10


def has_valid_check_digit(key: str) -> bool:
    return bool(_DIGITS.match(key)) and len(key) >= 2 and check_digit(key[:-1]) == int(key[-1])


def normalise_gtin(gtin: str) -> str:
    """A GTIN-8/12/13/14 as GTIN-14, its check digit verified.

    :raises InvalidIdentifier: not 8, 12, 13 or 14 digits, or a wrong check digit.
    """
    if not _DIGITS.match(gtin or "") or len(gtin) not in (8, 12, 13, 14):
        raise InvalidIdentifier(f"GTIN {gtin!r} must be 8, 12, 13 or 14 digits")
    gtin14 = gtin.zfill(14)
    if not has_valid_check_digit(gtin14):
        raise InvalidIdentifier(
            f"GTIN {gtin} has a wrong check digit: expected {check_digit(gtin14[:-1])}"
        )
    return gtin14


@dataclass(frozen=True, slots=True)
class LotKey:
    """A lot (batch) of one trade item: what an LGTIN class or a DL `/01/…/10/…` names."""

    gtin: str
    lot: str

    @property
    def uri(self) -> str:
        return f"{DL_HOST}/01/{self.gtin}/10/{quote(self.lot, safe='')}"


@dataclass(frozen=True, slots=True)
class ItemKey:
    """One serialised item: an SGTIN or a DL `/01/…/21/…`."""

    gtin: str
    serial: str

    @property
    def uri(self) -> str:
        return f"{DL_HOST}/01/{self.gtin}/21/{quote(self.serial, safe='')}"


_DL_LOT = re.compile(r"^https://id\.gs1\.org/01/(\d{14})/10/([^/?#]+)$")
_DL_ITEM = re.compile(r"^https://id\.gs1\.org/01/(\d{14})/21/([^/?#]+)$")


def parse_lot(canonical_uri: str) -> LotKey | None:
    """The lot a canonical Digital Link URI names, or None if it names no lot."""
    m = _DL_LOT.match(canonical_uri)
    return LotKey(m.group(1), unquote(m.group(2))) if m else None


def lot_gtin(canonical_uri: str) -> str | None:
    """The GTIN of the lot a canonical Digital Link URI names (``parse_lot(uri).gtin``, without
    decoding the lot), or None if it names no lot."""
    m = _DL_LOT.match(canonical_uri)
    return m.group(1) if m else None


def parse_item(canonical_uri: str) -> ItemKey | None:
    m = _DL_ITEM.match(canonical_uri)
    return ItemKey(m.group(1), unquote(m.group(2))) if m else None


_DL_GTIN = re.compile(r"^https://id\.gs1\.org/01/(\d{14})(?:/|$)")


def gtin_of(canonical_uri: str) -> str | None:
    """The GTIN-14 of a canonical Digital Link naming a trade item (class, lot or item)."""
    m = _DL_GTIN.match(canonical_uri)
    return m.group(1) if m else None


def company_prefix_owner(gtin14: str, prefixes: dict[str, int]) -> int | None:
    """The organisation whose GS1 company prefix the GTIN is allocated under (longest match).

    A GTIN-14 is an indicator digit followed by the GTIN-13 (company prefix, item reference,
    check digit); GTIN-12/8 are zero-padded, so their prefixes are given zero-padded too.
    """
    body = gtin14[1:]
    best: tuple[int, int] | None = None
    for prefix, org in prefixes.items():
        if body.startswith(prefix) and (best is None or len(prefix) > best[0]):
            best = (len(prefix), org)
    return best[1] if best else None
