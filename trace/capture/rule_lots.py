"""Lot numbers and serials a QR code can carry: GS1 AI (10) and AI (21) hold 1-20 characters of
the encodable character set 82. A longer lot (or a character outside the set) would be stored
and then be unreachable through its Digital Link, so it is refused at capture, naming the field.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import unquote

from ..domain.errors import InvalidIdentifier
from ..gs1.canonical import canonicalise
from ..gs1.resolver_paths import ai_value

_LOT_OR_SERIAL = re.compile(r"^https://id\.gs1\.org/01/\d{14}/(10|21)/([^/?#]+)$")


@lru_cache(maxsize=65536)
def lot_or_serial_problem(uri: str) -> str | None:
    """What is wrong with the lot or serial a GS1 key URI names, or None."""
    # Most identifiers arrive as canonical Digital Links already: canonicalise only the others.
    m = _LOT_OR_SERIAL.match(uri) or _LOT_OR_SERIAL.match(canonicalise(uri))
    if m is None:
        return None
    try:
        ai_value(unquote(m.group(2)), m.group(1))
    except InvalidIdentifier as exc:
        return f"{exc}: it could never be reached through its QR code"
    return None
