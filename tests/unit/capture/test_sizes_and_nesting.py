"""Lengths the store keeps and how deep a document may nest: refused with the path, up front."""

from __future__ import annotations

import pytest

from tracechain.capture.document import parse_json
from tracechain.capture.nesting import MAX_DEPTH, check_depth
from tracechain.capture.sizes import EVENT_ID, IDENTIFIER, LOT, size_problems
from tracechain.domain.errors import ValidationFailed


def _doc(**event) -> dict:
    return {"type": "EPCISDocument", "epcisBody": {"eventList": [
        {"type": "ObjectEvent", "action": "OBSERVE", **event}]}}


def _nest(levels: int) -> object:
    """``levels`` arrays, one inside the other."""
    value: object = 1
    for _ in range(levels):
        value = [value]
    return value


def test_a_document_exactly_at_the_depth_limit_passes_one_level_more_does_not():
    check_depth(_nest(MAX_DEPTH))
    with pytest.raises(ValidationFailed) as refused:
        check_depth(_nest(MAX_DEPTH + 1))
    assert refused.value.problems[0].path == "$" + "[0]" * MAX_DEPTH  # the first level too many


def test_parse_json_refuses_deep_documents_and_keeps_the_rest():
    assert parse_json(b'{"a": [[1]]}') == {"a": [[1]]}
    with pytest.raises(ValidationFailed, match="nests deeper"):
        parse_json(b'{"a": ' + b"[" * 300 + b"]" * 300 + b"}")


def test_sane_events_have_no_size_problem():
    assert size_problems(_doc(eventID="urn:uuid:1", bizStep="shipping",
                              epcList=["https://id.gs1.org/01/08936100000119/21/1"],
                              readPoint={"id": "https://id.gs1.org/414/8936100000010"})) == []
    assert size_problems({"no": "events"}) == [] and size_problems(["odd"]) == []


def test_each_bounded_member_is_named_when_too_long():
    long_id = "https://id.gs1.org/01/08936100000119/21/" + "9" * IDENTIFIER
    doc = _doc(eventID="x" * (EVENT_ID + 1), parentID=long_id, epcList=["ok", long_id],
               bizLocation={"id": long_id}, disposition="d" * 251,
               childQuantityList=[{"epcClass": "https://id.gs1.org/01/08936100000119/10/"
                                   + "L" * (LOT + 1)}])
    paths = sorted(p.path for p in size_problems(doc))
    base = "$.epcisBody.eventList[0]"
    assert paths == sorted(base + s for s in (".eventID", ".parentID", ".epcList[1]",
                                              ".bizLocation.id", ".disposition",
                                              ".childQuantityList[0].epcClass"))
    assert all(p.event_index == 0 for p in size_problems(doc))
