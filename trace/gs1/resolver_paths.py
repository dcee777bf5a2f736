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

_AI_NAMES = {"01": "01", "gtin": "01", "10": "10", "lot": "10", "21": "21", "ser": "21"}
_WHAT = {"10": "lot (AI 10)", "21": "serial (AI 21)"}
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
    """``value`` checked as the (already decoded) value of AI 10 or AI 21.

    :raises InvalidIdentifier: empty, longer than 20 characters, or a character outside CSET 82.
    """
    what = _WHAT[ai]
    if not value:
        raise InvalidIdentifier(f"the {what} is empty")
    if len(value) > MAX_AI_LENGTH:
        raise InvalidIdentifier(
            f"the {what} {value!r} has {len(value)} characters; at most {MAX_AI_LENGTH} allowed")
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


def parse_path(path: str) -> Key:
    """The key a resolver request path names, e.g. ``/01/09506000134352/10/AB%2F12``.

    ``path`` is the raw (still percent-encoded) path; a single trailing slash is ignored.

    :raises InvalidIdentifier: the path is not one of the shapes above, the GTIN is malformed or
        has a wrong check digit, or the lot or serial breaks the AI 10 / AI 21 rules.
    """
    if any(c in path for c in "?#"):
        raise InvalidIdentifier("a Digital Link path has no query string or fragment here")
    trimmed = path[1:] if path.startswith("/") else path
    trimmed = trimmed[:-1] if trimmed.endswith("/") else trimmed
    parts = trimmed.split("/")
    if len(parts) not in (2, 4, 6) or "" in parts:
        raise InvalidIdentifier(
            f"{path!r} is not /01/<gtin>, /01/<gtin>/10/<lot> or /01/<gtin>/21/<serial>")
    names = [_AI_NAMES.get(p, "") for p in parts[::2]]  # "": no AI of that name
    if names[0] != "01":
        raise InvalidIdentifier(f"{path!r} must start with /01/<gtin> (or /gtin/<gtin>)")
    gtin = normalise_gtin(parts[1])
    if len(parts) == 2:
        return GtinKey(gtin)
    if names[1:] not in (["10"], ["21"], ["10", "21"]):
        raise InvalidIdentifier(
            f"{'/'.join(parts[2::2])!r} after the GTIN must be 10 (lot), 21 (serial), or 10 then "
            "21 (or the short names lot, ser)")
    values = [ai_value(_decode(v, ai), ai) for v, ai in zip(parts[3::2], names[1:], strict=True)]
    # /10/<lot>/21/<serial> (GS1 DL's qualifier order): the serial names the item on its own.
    return LotKey(gtin, values[0]) if names[1:] == ["10"] else ItemKey(gtin, values[-1])


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
