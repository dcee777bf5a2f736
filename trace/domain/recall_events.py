"""Recalls (and, with issue #12, holds) as EPCIS 2.0 events: the public notices of an authority
or a producer, signed and anchored like every other event (docs/RECALLS.md).

A recall is an ``ObjectEvent`` with ``action: OBSERVE`` (nothing is created or destroyed: the
goods are seen to be in a state), ``bizStep: holding`` and ``disposition: recalled``. Its
``quantityList`` names the class (LGTIN) of the recalled lot *and of every lot made from it*, so
a downstream partner's query on its own lot class (``MATCH_anyEPCClass``) or on the disposition
(``EQ_disposition=recalled``) finds it. Our extension (``tc:recall``) carries what the consumer
page shows: the recall's id, class, reasons and actions in Vietnamese and English, contact, who
ordered it.

Lifting records a second ``ObjectEvent`` (OBSERVE, ``holding``) whose disposition is
``conformant``: CBV 2.0's word for goods found to meet their requirements after a check, which
is what lifting a recall asserts (``active`` would say they were just commissioned, and is what
the CBV uses for a new object). It names the same classes as the recall it lifts and carries
``tc:lift`` with the recall's id and the lift's reason.

Issue #12 adds holds the same way (``disposition: in_quarantine`` / its release), through
``notice_event`` with another kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from ..gs1.keys import DL_HOST
from .json_types import EpcisEvent, JsonObject
from .step_events import CONTEXT, offset, timestamp
from .vocabulary import TC_PREFIX

# Bare CBV words, as every event we write them: the standard context expands them to CBV 2.0's
# web vocabulary (https://ref.gs1.org/cbv/BizStep-holding...), which is what is indexed.
HOLDING, RECALLED, CONFORMANT = "holding", "recalled", "conformant"
# Characters an EPC URI keeps as they are in a lot number (GS1 AI encodable set 82 without the
# ones TDS 2.1 §7 requires percent-escaped: " % & / < > ?).
_EPC_SAFE = "!'()*+,-.:;=_"


@dataclass(frozen=True, slots=True)
class NoticeLot:
    """A lot a notice names: its GTIN-14, lot number and, when known, the length of the GS1
    company prefix its GTIN is allocated under (which the LGTIN URN needs)."""

    gtin: str
    lot: str
    prefix_length: int | None = None


def lgtin_class(lot: NoticeLot) -> str:
    """The lot's class as an EPC URN (``urn:epc:class:lgtin:<prefix>.<indicator+item>.<lot>``)
    when its company prefix is known; else its GS1 Digital Link, which EPCIS 2.0 accepts for a
    class and which names the same lot (both read as one in queries: gs1.canonical)."""
    n = lot.prefix_length
    if n is None or not 6 <= n <= 12 or len(lot.gtin) != 14:
        return f"{DL_HOST}/01/{lot.gtin}/10/{quote(lot.lot, safe='')}"
    body = lot.gtin[1:13]
    return (f"urn:epc:class:lgtin:{body[:n]}.{lot.gtin[0]}{body[n:]}."
            f"{quote(lot.lot, safe=_EPC_SAFE)}")


def prefix_length(gtin14: str, prefixes: Iterable[str]) -> int | None:
    """The length of the longest of ``prefixes`` the GTIN-14 is allocated under (None: none)."""
    body = gtin14[1:]
    best = max((len(p) for p in prefixes if body.startswith(p)), default=0)
    return best or None


def _quantities(lots: Sequence[NoticeLot]) -> list[JsonObject]:
    seen: dict[str, None] = {}
    for lot in lots:
        seen.setdefault(lgtin_class(lot), None)
    return [{"epcClass": c} for c in seen]


def _texts(vi: str | None, en: str | None) -> JsonObject:
    return {k: v for k, v in (("vi", vi), ("en", en)) if v}


def recall_event(recall_id: int, when: datetime, lots: Sequence[NoticeLot],
                 notice: Mapping[str, Any], reason: str) -> EpcisEvent:
    """The recall's event. ``lots``: the recalled lot first, then every lot made from it;
    ``notice``: the recall's notice (recallClass, orderedBy, byAuthority, reasons, actions,
    contact: what ``services.lots.recalls`` shows)."""
    reasons = notice.get("reasons") or {}
    actions = notice.get("actions") or {}
    extension: JsonObject = {"id": recall_id, "class": notice.get("recallClass"),
                             "reason": reason, "byAuthority": bool(notice.get("byAuthority"))}
    for key, value in (("reasons", _texts(reasons.get("vi"), reasons.get("en"))),
                       ("actions", _texts(actions.get("vi"), actions.get("en"))),
                       ("contact", notice.get("contact")),
                       ("orderedBy", notice.get("orderedBy"))):
        if value:
            extension[key] = value
    return _event(when, lots, RECALLED, {f"{TC_PREFIX}:recall": extension})


def lift_event(recall_id: int, when: datetime, lots: Sequence[NoticeLot],
               reason: str | None) -> EpcisEvent:
    """The event that lifts recall ``recall_id`` (the lots its recall named)."""
    extension: JsonObject = {"recall": recall_id}
    if reason:
        extension["reason"] = reason
    return _event(when, lots, CONFORMANT, {f"{TC_PREFIX}:lift": extension})


def _event(when: datetime, lots: Sequence[NoticeLot], disposition: str,
           extension: JsonObject) -> EpcisEvent:
    if not lots:
        raise ValueError("a notice names at least one lot")
    return {"type": "ObjectEvent", "eventTime": timestamp(when),
            "eventTimeZoneOffset": offset(when), "epcList": [], "action": "OBSERVE",
            "bizStep": HOLDING, "disposition": disposition, "quantityList": _quantities(lots),
            **extension}


# The context notices are captured with (our prefix declared inline).
NOTICE_CONTEXT = CONTEXT
