"""GS1 Digital Link resolver paths: what a scanned QR code asks for, and the link we print.

A resolver request path names a trade item (``/01/<gtin>``), one of its lots
(``/01/<gtin>/10/<lot>``) or one serialised item (``/01/<gtin>/21/<serial>``, also written
``/01/<gtin>/10/<lot>/21/<serial>``); the short names
``gtin``, ``lot`` and ``ser`` are accepted too (GS1 Digital Link 1.1, section 4). GTIN-8/12/13 are
padded to GTIN-14 and the check digit is verified. Lot and serial values follow the GS1 General
Specifications for AI (10) and AI (21): 1-20 characters of the "encodable character set 82".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

from ..domain.errors import InvalidIdentifier
from .keys import DL_HOST, ItemKey, LotKey, normalise_gtin

# GS1 General Specifications, figure 7.11-1: the 82 characters AI (10) and AI (21) may hold.
CSET82 = frozenset("!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_"
                   "abcdefghijklmnopqrstuvwxyz")
MAX_AI_LENGTH = 20  # AI (10) and AI (21) are both X..20

_AI_NAMES = {"01": "01", "gtin": "01", "10": "10", "lot": "10", "21": "21", "ser": "21",
             "22": "22", "cpv": "22", "235": "235"}
_WHAT = {"10": "lot (AI 10)", "21": "serial (AI 21)", "22": "consumer product variant (AI 22)",
         "235": "third-party controlled serial (AI 235)"}
_MAX = {"22": 20, "10": MAX_AI_LENGTH, "21": MAX_AI_LENGTH, "235": 28}  # AI 235 is X..28
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


@dataclass(frozen=True, slots=True)
class GtinKey:
    """A trade item as a whole, with no lot or serial: a DL ``/01/<gtin>``."""

    gtin: str

    @property
    def uri(self) -> str:
        return f"{DL_HOST}/01/{self.gtin}"


Key = GtinKey | LotKey | ItemKey


def ai_value(value: str, ai: str) -> str:
    """``value`` checked as the (already decoded) value of AI 10, 21, 22 or 235.

    :raises InvalidIdentifier: empty, too long (20 characters; 28 for AI 235), or a character
        outside CSET 82.
    """
    what = _WHAT[ai]
    longest = _MAX[ai]
    if not value:
        raise InvalidIdentifier(f"the {what} is empty")
    if len(value) > longest:
        raise InvalidIdentifier(
            f"the {what} {value[:40]!r} has {len(value)} characters; at most {longest} allowed")
    bad = sorted({ch for ch in value if ch not in CSET82})
    if bad:
        shown = ", ".join(repr(ch) for ch in bad)
        raise InvalidIdentifier(
            f"the {what} {value!r} holds {shown}, outside the GS1 character set 82")
    return value


def lot_key(gtin: str, lot: str) -> LotKey:
    """A lot key from a GTIN (8/12/13/14 digits) and a decoded lot. :raises InvalidIdentifier:"""
    return LotKey(normalise_gtin(gtin), ai_value(lot, "10"))


def item_key(gtin: str, serial: str) -> ItemKey:
    """An item key from a GTIN and a decoded serial. :raises InvalidIdentifier:"""
    return ItemKey(normalise_gtin(gtin), ai_value(serial, "21"))


def _decode(segment: str, ai: str) -> str:
    if _BAD_ESCAPE.search(segment):
        raise InvalidIdentifier(f"the {_WHAT[ai]} {segment!r} has a malformed %-escape")
    try:
        return unquote(segment, errors="strict")
    except UnicodeDecodeError:
        raise InvalidIdentifier(
            f"the {_WHAT[ai]} {segment!r} does not decode as UTF-8") from None


@dataclass(frozen=True, slots=True)
class DLRequest:
    """What a Digital Link request path names: the GTIN and any of its key qualifiers (GS1
    Digital Link URI syntax 1.4: ``22`` consumer product variant, ``10`` lot, ``21`` serial, in
    that order, or ``235`` third-party controlled serial on its own)."""

    gtin: str
    cpv: str | None = None
    lot: str | None = None
    serial: str | None = None
    tpx: str | None = None

    @property
    def key(self) -> Key:
        """The most specific key we keep records under: the item, else the lot, else the
        product (a CPV or TPX we do not store walks up to the product)."""
        if self.serial is not None:
            return ItemKey(self.gtin, self.serial)
        if self.lot is not None:
            return LotKey(self.gtin, self.lot)
        return GtinKey(self.gtin)

    def levels(self) -> list[Key]:
        """Every level the request names, most specific first, down to the GTIN: an item of a
        named lot, that lot, the product."""
        out: list[Key] = []
        if self.serial is not None:
            out.append(ItemKey(self.gtin, self.serial))
        if self.lot is not None:
            out.append(LotKey(self.gtin, self.lot))
        out.append(GtinKey(self.gtin))
        return out

    @property
    def qualified(self) -> bool:
        """Whether the path holds a qualifier the key above leaves out (a CPV, a TPX, or the lot
        of a serialised item)."""
        return self.cpv is not None or self.tpx is not None or (
            self.serial is not None and self.lot is not None)

    def path(self) -> str:
        """The canonical path (numeric AIs, values in the one spelling ``spell`` gives)."""
        out = f"/01/{self.gtin}"
        for ai, value in (("22", self.cpv), ("10", self.lot), ("21", self.serial),
                          ("235", self.tpx)):
            if value is not None:
                out += f"/{ai}/{spell(value)}"
        return out


def spell(value: str) -> str:
    """The one spelling of a lot, serial, CPV or TPX in a Digital Link: every character but
    ``A-Z a-z 0-9 - . _`` percent-encoded, upper-case hex (GS1 DL URI syntax: the characters of
    CSET 82 outside RFC 3986's unreserved set are escaped; as ``LotKey.uri`` does)."""
    return quote(value, safe="")


def other_spellings(value: str) -> list[str]:
    """Spellings of ``value`` that name the same lot but that older captures or other tools may
    have stored: the path characters RFC 3986 allows unescaped left as they are, and lower-case
    hex. (Looked up only when the one spelling finds nothing.)"""
    canonical = spell(value)
    literal = quote(value, safe="!$&'()*+,;=:@")
    lower = re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), canonical)
    return [s for s in dict.fromkeys((literal, lower)) if s != canonical]


_QUALIFIERS = ("22", "10", "21")


def parse_request(path: str) -> DLRequest:
    """What a resolver request path names, e.g. ``/01/09506000134352/22/2A/10/AB%2F12``.

    ``path`` is the raw (still percent-encoded) path; a single trailing slash is ignored.

    :raises InvalidIdentifier: the path is not ``/01/<gtin>`` with its qualifiers in the
        standard's order, the GTIN is malformed or has a wrong check digit, or a value breaks
        its AI's rules (length, CSET 82).
    """
    if any(c in path for c in "?#"):
        raise InvalidIdentifier("a Digital Link path has no query string or fragment here")
    trimmed = path[1:] if path.startswith("/") else path
    trimmed = trimmed[:-1] if trimmed.endswith("/") else trimmed
    parts = trimmed.split("/")
    if len(parts) not in (2, 4, 6, 8) or "" in parts:
        raise InvalidIdentifier(
            f"{path[:100]!r} is not /01/<gtin>, /01/<gtin>/10/<lot> or /01/<gtin>/21/<serial>"
            " (optionally /22/<cpv> before them, or /235/<tpx> alone)")
    names = [_AI_NAMES.get(p, "") for p in parts[::2]]  # "": no AI of that name
    if names[0] != "01":
        raise InvalidIdentifier(f"{path[:100]!r} must start with /01/<gtin> (or /gtin/<gtin>)")
    gtin = normalise_gtin(parts[1])
    qualifiers = names[1:]
    in_order = qualifiers == ["235"] or (
        "" not in qualifiers and "235" not in qualifiers and "01" not in qualifiers
        and qualifiers == sorted(set(qualifiers), key=_QUALIFIERS.index))
    if not in_order:
        raise InvalidIdentifier(
            f"{'/'.join(parts[2::2])[:60]!r} after the GTIN must be 10 (lot), 21 (serial), or "
            "10 then 21 (or the short names lot, ser), each optionally after 22 (cpv); or 235 "
            "alone")
    values = {ai: ai_value(_decode(v, ai), ai)
              for v, ai in zip(parts[3::2], qualifiers, strict=True)}
    return DLRequest(gtin, values.get("22"), values.get("10"), values.get("21"),
                     values.get("235"))


def parse_path(path: str) -> Key:
    """The key a resolver request path names (``parse_request(path).key``): the item when the
    path holds a serial (``/10/<lot>/21/<serial>``, GS1 DL's qualifier order, names the item on
    its own), else the lot, else the product.

    :raises InvalidIdentifier: see ``parse_request``.
    """
    return parse_request(path).key


def link_for(key: Key, base_url: str) -> str:
    """The Digital Link to print for ``key`` on our resolver at ``base_url``.

    The lot or serial is percent-encoded with only ``A-Z a-z 0-9 - . _`` left as they are (as
    ``LotKey.uri`` does), so one value always gives the same link, whichever character it holds.
    """
    base = base_url.rstrip("/")
    if isinstance(key, LotKey):
        return f"{base}/01/{key.gtin}/10/{quote(key.lot, safe='')}"
    if isinstance(key, ItemKey):
        return f"{base}/01/{key.gtin}/21/{quote(key.serial, safe='')}"
    return f"{base}/01/{key.gtin}"


@dataclass(frozen=True, slots=True)
class StoredLotKey(LotKey):
    """A lot found under another spelling of its Digital Link than the one ``spell`` gives (an
    older capture): its records are read under the stored URI, which is left as it was."""

    stored_uri: str = ""

    @property
    def uri(self) -> str:
        return self.stored_uri


@dataclass(frozen=True, slots=True)
class StoredItemKey(ItemKey):
    """As ``StoredLotKey``, for a serialised item."""

    stored_uri: str = ""

    @property
    def uri(self) -> str:
        return self.stored_uri


def spellings(key: LotKey | ItemKey) -> list[str]:
    """Every spelling of ``key``'s canonical URI a record may be stored under, the one spelling
    first."""
    value = key.lot if isinstance(key, LotKey) else key.serial
    uri = key.uri
    prefix = uri[:len(uri) - len(spell(value))]
    return [uri, *(prefix + s for s in other_spellings(value))]


def stored_as(key: LotKey | ItemKey, uri: str) -> LotKey | ItemKey:
    """``key`` read under the stored ``uri`` (``key`` itself when that is its own spelling)."""
    if uri == key.uri:
        return key
    if isinstance(key, LotKey):
        return StoredLotKey(key.gtin, key.lot, uri)
    return StoredItemKey(key.gtin, key.serial, uri)


_KEY_AIS = ("01", "22", "10", "21", "235")


def request_from_ais(ais: dict[str, str]) -> tuple[DLRequest, list[tuple[str, str]]]:
    """The Digital Link request a decompressed link's AIs name, and its other AIs (data
    attributes such as (17) or (7003)) for the query string.

    :raises InvalidIdentifier: no GTIN (01) as the primary key, a qualifier mix the URI syntax
        does not allow, or a value breaking its AI's rules.
    """
    if "01" not in ais:
        raise InvalidIdentifier("a compressed Digital Link here must name a GTIN (AI 01)")
    gtin = normalise_gtin(ais["01"])
    if "235" in ais and any(ai in ais for ai in ("22", "10", "21")):
        raise InvalidIdentifier("AI (235) is a qualifier of the GTIN on its own")
    values = {ai: ai_value(ais[ai], ai) for ai in _KEY_AIS[1:] if ai in ais}
    rest = [(ai, value) for ai, value in ais.items() if ai not in _KEY_AIS]
    return DLRequest(gtin, values.get("22"), values.get("10"), values.get("21"),
                     values.get("235")), rest
