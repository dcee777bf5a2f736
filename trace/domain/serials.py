"""Serialised items: unguessable serial numbers, and the lot a commissioning event makes them of.

Serials are random, not counted: a label printed with serial 1041 tells a counterfeiter that 1040
and 1042 exist too, and cloning them is trivial. Ten characters from a 31-letter alphabet give
about 8 x 10^14 (2^49) serials per GTIN, so guessing a real one is hopeless.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from ..gs1.keys import LotKey, parse_item
from ..gs1.resolver_paths import ai_value
from .errors import InvalidIdentifier
from .json_types import EpcisEvent
from .vocabulary import CBVMDA_NS, CBVMDA_PREFIX, LOT_NUMBER, cbv_word

# Upper-case letters and digits without 0/O, 1/I/L: read aloud or typed from a label, no serial
# is mistaken for another. All are in GS1's character set 82, so a serial is a valid AI (21).
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 10


def new_serial() -> str:
    """One random serial (``secrets``: a counterfeiter cannot predict the next one)."""
    return ai_value("".join(secrets.choice(ALPHABET) for _ in range(LENGTH)), "21")


def commissioned_lots(event: EpcisEvent, prefixes: dict[str, str],
                      canon: Callable[[str], str]) -> dict[str, str]:
    """Item URI -> URI of the lot it is of, for an ObjectEvent ADD commissioning items whose ILMD
    names their lot (``cbvmda:lotNumber``); empty for any other event.

    The lot is the one of the item's own GTIN with that lot number. ``prefixes`` are the
    document's inline @context bindings; ``cbvmda`` also counts without one, as the standard
    context binds it. A lot number that is no valid AI (10) value names no lot.
    """
    if (event.get("type") != "ObjectEvent" or event.get("action") != "ADD"
            or cbv_word("bizStep", event.get("bizStep")) != "commissioning"):
        return {}
    lot = _lot_number(event.get("ilmd"), prefixes)
    if lot is None:
        return {}
    out: dict[str, str] = {}
    for epc in event.get("epcList") or ():
        if not isinstance(epc, str):
            continue
        item_uri = canon(epc)
        item = parse_item(item_uri)
        if item is not None:
            out[item_uri] = canon(LotKey(item.gtin, lot).uri)
    return out


def _lot_number(ilmd: object, prefixes: dict[str, str]) -> str | None:
    if not isinstance(ilmd, dict):
        return None
    for key, value in ilmd.items():
        prefix, colon, local = key.partition(":")
        namespace = prefixes.get(prefix, CBVMDA_NS if prefix == CBVMDA_PREFIX else None)
        full = namespace + local if colon and namespace else key
        if full == LOT_NUMBER and isinstance(value, str):
            try:
                return ai_value(value, "10")
            except InvalidIdentifier:
                return None
    return None
