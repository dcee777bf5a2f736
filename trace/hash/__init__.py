"""The GS1 CBV 2.0 EPCIS event hash (``ni:///sha-256;…?ver=CBV2.0``), as the reference computes it.

Ground truth is the reference tool epcis-event-hash-generator 1.9.3 (RalphTro, MIT): the same
JSON document gives the same pre-hash string and hash here, quirks included (see
/shared/epcis/EVENT_HASH.md and the module docstrings of prehash, model, normalise, context,
digital_link). Where the reference crashes or silently drops an event, we still hash every event
deterministically; each such place is documented where it is handled.

    ctx = HashContext.from_document(doc)
    hashes = [event_hash(e, ctx) for e in events_of(doc)]   # or: hash_document(doc)
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from ..domain.json_types import EpcisDocument, EpcisEvent
from .context import HashContext, ignore_fields
from .prehash import prehash as _prehash

__all__ = ["EventHash", "HashContext", "event_hash", "events_of", "hash_document",
           "ignore_fields"]

_sha256 = hashlib.sha256
_NI, _VERSION = "ni:///sha-256;", "?ver=CBV2.0"  # RFC 6920 name; CBV 2.0, as the reference


@dataclass(frozen=True, slots=True)
class EventHash:
    id: str  # ni:///sha-256;<hex>?ver=CBV2.0
    prehash: str  # the exact UTF-8 text that was hashed, kept so a verifier can see it


def event_hash(event: EpcisEvent, ctx: HashContext) -> EventHash:
    text = _prehash(event, ctx)
    return EventHash(_NI + _sha256(text.encode()).hexdigest() + _VERSION, text)


def events_of(doc: EpcisDocument) -> list[Any]:
    """The events of an EPCISDocument, an EPCISQueryDocument, or a body with a single ``event``.

    :raises ValueError: ``doc`` has none of these shapes.
    """
    body = doc.get("epcisBody") if isinstance(doc, dict) else None
    if isinstance(body, dict):
        events = body.get("eventList")
        if isinstance(events, list):
            return events
        results = body.get("queryResults")
        if isinstance(results, dict) and isinstance(results.get("resultsBody"), dict):
            events = results["resultsBody"].get("eventList")
            if isinstance(events, list):
                return events
        if isinstance(body.get("event"), dict):
            return [body["event"]]
    raise ValueError("it has no epcisBody.eventList, epcisBody.queryResults.resultsBody"
                     ".eventList or epcisBody.event")


def hash_document(doc: EpcisDocument, *, honour_ignore_fields: bool = False,
                  legacy_vocabulary: bool = False) -> list[EventHash]:
    """One hash per event, in document order.

    ``honour_ignore_fields``, ``legacy_vocabulary``: see :meth:`HashContext.from_document` (both
    off for everything that is stored or anchored).

    :raises ValueError: ``doc`` is not an EPCIS document (see :func:`events_of`), or its
        ignoreFields list is malformed (only when honoured).
    """
    events = events_of(doc)
    ctx = HashContext.from_document(doc, honour_ignore_fields=honour_ignore_fields,
                                    legacy_vocabulary=legacy_vocabulary)
    out: list[EventHash] = []
    for event in events:
        if not isinstance(event, dict):
            raise ValueError(f"event {len(out)} is a JSON {type(event).__name__}, not an object")
        text = _prehash(event, ctx)
        out.append(EventHash(_NI + _sha256(text.encode()).hexdigest() + _VERSION, text))
    return out
