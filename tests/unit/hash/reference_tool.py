"""The reference tool (epcis-event-hash-generator 1.9.3), called in-process, one event at a time.

Used to generate the committed vectors (make_own_vectors.py) and by the tests marked ``shared``;
the other tests never need it. ``offline_contexts()`` serves the JSON-LD contexts the reference
would fetch from the web (GS1's simple context) from ../shared. Two adjustments, both documented
in trace/hash:
- the tool keeps inline prefixes in a module-level dict for the life of the process; we clear it
  before each document so one document's prefixes never leak into the next;
- it cannot read an EPCISQueryDocument (it looks for epcisBody.eventList or .event only); we
  hand it the same document with the query results' events as epcisBody.eventList.
"""

from __future__ import annotations

import contextlib
import copy
import json
import logging
from collections.abc import Iterator
from pathlib import Path

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


# -- offline JSON-LD contexts ---------------------------------------------------------------------
# The reference JSON-LD-expands every document; its own loader knows only the two full EPCIS
# contexts and fetches anything else from the web. Documents in GS1's simple context (and the
# modular contexts it is built from) are served here from ../shared/epcis/context instead.
SHARED_CONTEXTS = Path(__file__).resolve().parents[4] / "shared" / "epcis" / "context"


def _context_files() -> dict[str, Path]:
    files = {
        "https://gs1.github.io/EPCIS/epcis-context-simple.jsonld":
            SHARED_CONTEXTS / "epcis-context-simple.jsonld",
        "https://gs1.github.io/EPCIS/epcis-context.jsonld":
            SHARED_CONTEXTS / "epcis-context.jsonld",
        "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld": SHARED_CONTEXTS
            / "e532647e8eb371379b8b0e8602d8981c8566bc60f7351f22c76a5bc865962008.jsonld",
    }
    for path in sorted((SHARED_CONTEXTS / "JSON-LD-Context").glob("*.jsonld")):
        files["https://gs1.github.io/EPCIS/" + path.name] = path
    return files


@contextlib.contextmanager
def offline_contexts() -> Iterator[None]:
    """The reference's JSON-LD loader, for the duration, reads contexts from the shared folder
    only (a context it does not have there is an error, never a download)."""
    from pyld import jsonld

    files = _context_files()

    def loader(url: str, options: dict | None = None) -> dict:
        if url not in files or not files[url].is_file():
            raise jsonld.JsonLdError(f"offline: no local copy of {url}",
                                     "jsonld.LoadDocumentError", code="loading document failed")
        return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
                "document": json.loads(files[url].read_text(encoding="utf-8"))}

    previous = jsonld.get_document_loader()
    jsonld.set_document_loader(loader)
    try:
        yield
    finally:
        jsonld.set_document_loader(previous)
