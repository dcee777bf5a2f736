"""The standard's own examples must pass our schema check and business rules."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tracechain.capture import check_document, events_of, parse_json, validate_schema

SHARED = Path(__file__).resolve().parents[3].parent / "shared"
EXAMPLES = SHARED / "epcis" / "examples" / "JSON"


def _documents() -> list[tuple[str, dict]]:
    if not EXAMPLES.is_dir():
        pytest.skip(f"{SHARED} absent: the GS1 example documents live in ../shared/epcis/examples")
    docs = []
    for path in sorted(EXAMPLES.glob("**/*.jsonld")):
        doc = parse_json(path.read_bytes())
        if isinstance(doc, dict) and doc.get("type") == "EPCISDocument":
            docs.append((str(path.relative_to(EXAMPLES)), doc))
    return docs


@pytest.mark.shared
def test_every_official_example_passes_schema_and_rules():
    docs = _documents()
    assert len(docs) >= 40
    failures = {}
    for name, doc in docs:
        problems = validate_schema(doc) + check_document(doc, capture_limit=10000, max_yield=1.02)
        if problems:
            failures[name] = [p.as_dict() for p in problems]
    assert failures == {}


@pytest.mark.shared
def test_schema_validation_speed():
    docs = [doc for _, doc in _documents()]
    events = sum(len(events_of(doc)) for doc in docs)
    validate_schema(docs[0])  # compile outside the timing
    rounds = 20
    start = time.perf_counter()
    for _ in range(rounds):
        for doc in docs:
            validate_schema(doc)
    rate = events * rounds / (time.perf_counter() - start)
    # ~85k events/s on a laptop core; the floor only catches a collapse (e.g. errors collected
    # for valid documents, or the schema recompiled per call).
    assert rate > 10_000, f"{rate:.0f} events/s"
