from __future__ import annotations

import pytest

from tracechain.capture.document import (
    event_path,
    events_of,
    inline_context,
    json_path,
    located_events,
    parse_json,
)
from tracechain.domain.errors import ValidationFailed


def test_parse_json_reads_bytes_and_text():
    assert parse_json(b'{"a": [1, 2]}') == {"a": [1, 2]}
    assert parse_json('{"tên": "Cà phê"}') == {"tên": "Cà phê"}


def test_parse_json_drops_a_utf8_byte_order_mark():
    assert parse_json(b'\xef\xbb\xbf{"type": "EPCISDocument"}') == {"type": "EPCISDocument"}


def test_malformed_json_says_where():
    with pytest.raises(ValidationFailed) as caught:
        parse_json(b'{\n  "type": "EPCISDocument",\n}')
    error = caught.value
    assert str(error).startswith("malformed JSON: ")
    assert len(error.problems) == 1
    problem = error.problems[0]
    assert problem.path == "$"
    assert "line 2 column 26" in problem.message
    assert problem.event_index is None


def test_empty_body_is_malformed_json():
    with pytest.raises(ValidationFailed) as caught:
        parse_json(b"")
    assert "empty" in caught.value.problems[0].message


def test_events_of_event_list(coffee):
    events = events_of(coffee)
    assert [e["type"] for e in events] == [
        "ObjectEvent", "TransformationEvent", "AggregationEvent", "ObjectEvent",
    ]
    assert event_path(coffee, 2) == "$.epcisBody.eventList[2]"


def test_events_of_single_event_body():
    event = {"type": "ObjectEvent"}
    doc = {"type": "EPCISDocument", "epcisBody": {"event": event}}
    assert events_of(doc) == [event]
    assert event_path(doc, 0) == "$.epcisBody.event"
    assert located_events(doc)[0].path == "$.epcisBody.event"


@pytest.mark.parametrize("doc", [None, [], {}, {"epcisBody": []}, {"epcisBody": {"eventList": {}}}])
def test_events_of_nothing_usable(doc):
    assert events_of(doc) == []


def test_located_events_skip_non_objects_but_keep_indexes():
    doc = {"epcisBody": {"eventList": ["oops", {"type": "ObjectEvent", "eventID": "urn:uuid:1"}]}}
    [ref] = located_events(doc)
    assert (ref.index, ref.path, ref.event_id) == (1, "$.epcisBody.eventList[1]", "urn:uuid:1")


def test_inline_context_from_array(harvest):
    assert inline_context(harvest) == {"tc": "https://tracechain.vn/ns/epcis/"}


def test_inline_context_from_object_and_string():
    assert inline_context({"@context": {"ex": "https://ex.vn/", "@vocab": "x"}}) == {
        "ex": "https://ex.vn/"
    }
    standard = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
    assert inline_context({"@context": standard}) == {}
    assert inline_context({}) == {}


def test_inline_context_later_objects_win_and_term_definitions_count():
    doc = {"@context": ["https://x", {"a": "https://one/"}, {"a": "https://two/"},
                        {"b": {"@id": "https://b/"}}, {"c": {"@type": "@id"}}]}
    assert inline_context(doc) == {"a": "https://two/", "b": "https://b/"}


def test_json_path_brackets_odd_keys():
    assert json_path([]) == "$"
    assert json_path(["epcisBody", "eventList", 3, "action"]) == "$.epcisBody.eventList[3].action"
    assert json_path(["@context", 1]) == "$['@context'][1]"
    assert json_path(["epcisBody", "eventList", 0, "tc:dryingDays"]) == (
        "$.epcisBody.eventList[0]['tc:dryingDays']"
    )
