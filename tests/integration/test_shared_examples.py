"""Every official EPCIS 2.0 example document (../shared/epcis/examples/JSON) round-trips.

An admin (who may capture any document) captures each EPCISDocument, one file per test and
database, on SQLite and PostgreSQL (25-35 s for the whole file on 2 cores). Then every event
comes back through `GET /epcis/events?EQ_eventID=…` and `GET /epcis/events/{eventID}` exactly as
it was sent, except for the two members the repository owns: `eventID` (added when absent: our
CBV 2.0 event hash) and `recordTime` (the capture time). A document whose ni: eventIDs are not
its events' hashes (GS1's are illustrative) is first refused, naming them (issue #10). The
answer's `@context` must carry every inline prefix binding the document declared.

The file list is read at collection time; when ../shared is absent the list is empty and
`test_examples_are_present` skips, saying why.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pytest

from tracechain.hash import hash_document

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = Path("epcis") / "examples" / "JSON"
STANDARD_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
EXPECTED_DOCUMENTS = 46  # and one EPCISQueryDocument, which is not for capture


def example_files() -> list[str]:
    """The EPCISDocument examples, as paths under shared/epcis/examples/JSON; [] without shared."""
    root = REPO_ROOT.parent / "shared" / EXAMPLES
    if not root.is_dir():
        return []
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.jsonld")
                  if _type(p) == "EPCISDocument")


def _type(path: Path) -> str | None:
    try:
        return json.loads(path.read_bytes()).get("type")
    except (OSError, ValueError, AttributeError):
        return None  # not ours to judge here: test_examples_are_present counts the files


def test_examples_are_present(shared_dir):
    root = shared_dir / EXAMPLES
    assert root.is_dir(), f"{root} is missing"
    everything = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.jsonld"))
    documents = example_files()
    assert len(documents) == EXPECTED_DOCUMENTS, documents
    left_out = [f for f in everything if f not in documents]
    assert [_type(root / f) for f in left_out] == ["EPCISQueryDocument"], left_out


def _utc_ms(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace(
        "+00:00", "Z")


def _canonical(value) -> str:
    """JSON text with sorted keys: equal only when types agree too (1 ≠ 1.0 ≠ true)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


@pytest.mark.parametrize("name", example_files())
def test_example_round_trips(name, shared_dir, client, actions):
    raw = (shared_dir / EXAMPLES / name).read_bytes()
    doc = json.loads(raw)
    sent = doc["epcisBody"]["eventList"]
    auth = actions.auth(actions.token("admin"))

    # Issue #10: a caller's ni: eventID must be its event's hash. GS1 writes illustrative ones:
    # such a document is refused whole, naming exactly those events, and stores nothing; the
    # same document without them round-trips.
    hashes = [h.id for h in hash_document(doc)]
    false_ids = [i for i, (event, h) in enumerate(zip(sent, hashes, strict=True))
                 if str(event.get("eventID", "")).startswith("ni:") and event["eventID"] != h]
    if false_ids:
        r = client.post("/epcis/capture", data=raw, content_type="application/ld+json",
                        headers=auth)
        assert r.status_code == 400, r.json
        assert [e["eventIndex"] for e in r.json["errors"]] == false_ids
        assert client.get("/epcis/events", headers=auth).json[
            "epcisBody"]["queryResults"]["resultsBody"]["eventList"] == []
        for i in false_ids:
            del sent[i]["eventID"]
        raw = json.dumps(doc).encode()

    before = _utc_ms(datetime.now(UTC))
    r = client.post("/epcis/capture", data=raw, content_type="application/ld+json", headers=auth)
    after = _utc_ms(datetime.now(UTC))
    assert r.status_code == 202, r.json
    assert r.json["success"] is True, r.json
    assert r.json["storedCount"] == r.json["eventCount"] == len(sent), r.json

    expected_ids = [event.get("eventID") or h for event, h in zip(sent, hashes, strict=True)]
    assert r.json["eventIDs"] == expected_ids

    declared = [item for item in doc["@context"] if isinstance(item, dict)] \
        if isinstance(doc["@context"], list) else []
    for event, event_id in zip(sent, expected_ids, strict=True):
        expected = {**event, "eventID": event_id}
        expected.pop("recordTime", None)
        by_query = client.get("/epcis/events", query_string={"EQ_eventID": event_id},
                              headers=auth)
        by_path = client.get("/epcis/events/" + quote(event_id, safe=""), headers=auth)
        for answer in (by_query, by_path):
            assert answer.status_code == 200, answer.json
            [got] = answer.json["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
            record_time = got.pop("recordTime")
            assert before <= record_time <= after, (record_time, before, after)
            assert got == expected
            assert _canonical(got) == _canonical(expected)
            context = answer.json["@context"]
            assert context[0] == STANDARD_CONTEXT
            bound = {k: v for item in context if isinstance(item, dict) for k, v in item.items()}
            for item in declared:
                assert item.items() <= bound.items(), (item, context)
