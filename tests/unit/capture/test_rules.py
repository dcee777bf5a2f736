from __future__ import annotations

from tracechain.capture.rules import check_document


def test_our_fixtures_pass(harvest, drying, coffee, now):
    for doc in (harvest, drying, coffee):
        assert check_document(doc, capture_limit=100, max_yield=1.02, now=now) == []


def test_default_clock(harvest):
    assert check_document(harvest, capture_limit=100, max_yield=1.02) == []


def test_capture_limit_reached_exactly(coffee, now):
    assert check_document(coffee, capture_limit=4, max_yield=1.02, now=now) == []


def test_over_the_capture_limit(coffee, now):
    coffee["epcisBody"]["eventList"][0]["quantityList"][0]["quantity"] = -1  # not even looked at
    [problem] = check_document(coffee, capture_limit=3, max_yield=1.02, now=now)
    assert problem.path == "$.epcisBody.eventList"
    assert "4 events" in problem.message and "at most 3" in problem.message
    assert problem.event_index is None


def test_problems_come_in_event_order_with_ids(coffee, now):
    events = coffee["epcisBody"]["eventList"]
    events[3]["eventTimeZoneOffset"] = "+25:00"
    events[0]["quantityList"][0]["quantity"] = 0
    problems = check_document(coffee, capture_limit=100, max_yield=1.02, now=now)
    assert [(p.event_index, p.event_id) for p in problems] == [
        (0, "urn:uuid:9a0e1c2b-3d4f-4a5b-8c6d-7e8f9a0b1c21"),
        (3, "urn:uuid:9a0e1c2b-3d4f-4a5b-8c6d-7e8f9a0b1c24"),
    ]


def test_rules_survive_schema_invalid_shapes(harvest, now):
    ev = harvest["epcisBody"]["eventList"][0]
    ev["quantityList"] = [5, {"quantity": "x"}]
    ev["readPoint"] = "yard"
    ev["sourceList"] = {"type": "location"}
    ev["errorDeclaration"] = []
    harvest["epcisBody"]["eventList"].append(None)
    problems = check_document(harvest, capture_limit=100, max_yield=1.02, now=now)
    assert [p.path for p in problems] == ["$.epcisBody.eventList[0].quantityList[1].quantity"]


def test_single_event_body(harvest, now):
    ev = harvest["epcisBody"].pop("eventList")[0]
    ev["quantityList"][0]["uom"] = "kg"
    harvest["epcisBody"]["event"] = ev
    [problem] = check_document(harvest, capture_limit=100, max_yield=1.02, now=now)
    assert problem.path == "$.epcisBody.event.quantityList[0].uom"
