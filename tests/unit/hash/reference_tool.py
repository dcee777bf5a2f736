"""The reference tool (epcis-event-hash-generator 1.9.3), called in-process, one event at a time.

Used to generate the committed vectors (make_own_vectors.py) and by the tests marked ``shared``;
the other tests never need it. Two adjustments, both documented in trace/hash:
- the tool keeps inline prefixes in a module-level dict for the life of the process; we clear it
  before each document so one document's prefixes never leak into the next;
- it cannot read an EPCISQueryDocument (it looks for epcisBody.eventList or .event only); we
  hand it the same document with the query results' events as epcisBody.eventList.
"""

from __future__ import annotations

import copy
import logging

try:
    from epcis_event_hash_generator import hash_generator, json_to_py
except ImportError:  # the tests that need it skip, saying so
    hash_generator = json_to_py = None

AVAILABLE = hash_generator is not None


def as_event_list_document(doc: dict) -> dict:
    doc = copy.deepcopy(doc)
    body = doc.get("epcisBody", {})
    results = body.get("queryResults")
    if "eventList" not in body and isinstance(results, dict):
        body["eventList"] = results.get("resultsBody", {}).get("eventList", [])
    return doc


def reference_prehashes(doc: dict) -> list[str | None]:
    """The reference's pre-hash of each event; None where it silently drops the event.

    :raises Exception: whatever the reference raises when it cannot read the document at all.
    """
    json_to_py._namespaces.clear()
    events = json_to_py.event_list_from_epcis_document_json(as_event_list_document(doc))
    out: list[str | None] = []
    logging.disable(logging.ERROR)  # it logs each dropped event at ERROR level
    try:
        for event in events[2]:
            found = hash_generator.derive_prehashes_from_events(("EventList", "", [event]))
            out.append(found[0] if found else None)
    finally:
        logging.disable(logging.NOTSET)
    return out


def reference_hash(prehash: str) -> str:
    return hash_generator.calculate_hashes_from_pre_hashes([prehash])[0]
