from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tracechain.capture import schema
from tracechain.capture.rule_structure import COMMON_FIELDS, STANDARD_FIELDS
from tracechain.capture.schema import validate_schema

REPO_ROOT = Path(__file__).resolve().parents[3]


def first_event(doc: dict) -> dict:
    return doc["epcisBody"]["eventList"][0]


@pytest.mark.parametrize(
    "name", ["pepper_harvest.jsonld", "pepper_drying.jsonld", "coffee_chain.jsonld"]
)
def test_our_fixtures_conform(load_doc, name):
    assert validate_schema(load_doc(name)) == []


def test_schema_is_compiled_on_first_use_not_at_import():
    code = (
        "import tracechain.capture.schema as s\n"
        "assert s._validator.cache_info().currsize == 0\n"
        "s.validate_schema({'type': 'EPCISDocument'})\n"
        "assert s._validator.cache_info().currsize == 1\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=REPO_ROOT)


@pytest.mark.parametrize("doc_type", ["EPCISQueryDocument", "ObjectEvent", None, 2])
def test_only_epcis_documents_are_accepted(harvest, doc_type):
    harvest["type"] = doc_type
    [problem] = validate_schema(harvest)
    assert problem.path == "$.type"
    assert '"EPCISDocument"' in problem.message


def test_a_list_is_not_a_document():
    [problem] = validate_schema([])
    assert problem.path == "$"


def test_one_precise_problem_for_a_bad_quantity(harvest):
    first_event(harvest)["quantityList"][0]["quantity"] = "850"
    [problem] = validate_schema(harvest)  # not also the event-level "anyOf" echo
    assert problem.path == "$.epcisBody.eventList[0].quantityList[0].quantity"
    assert "must be a number" in problem.message
    assert problem.event_index == 0
    assert problem.event_id == "urn:uuid:6f1c2a9e-4b1d-4c3e-9a57-0b2d3e4f5a61"


def test_missing_member_points_at_the_member(coffee):
    del coffee["epcisBody"]["eventList"][3]["action"]
    [problem] = validate_schema(coffee)
    assert problem.path == "$.epcisBody.eventList[3].action"
    assert "ADD, OBSERVE or DELETE" in problem.message
    assert problem.event_index == 3


def test_bad_action_is_reported_once(harvest):
    first_event(harvest)["action"] = "add"
    [problem] = validate_schema(harvest)
    assert problem.path == "$.epcisBody.eventList[0].action"
    assert "OBSERVE, ADD or DELETE" in problem.message


def test_vocabulary_typo_gets_a_suggestion(coffee):
    coffee["epcisBody"]["eventList"][3]["disposition"] = "in_transt"
    [problem] = validate_schema(coffee)
    assert problem.path == "$.epcisBody.eventList[3].disposition"
    assert 'did you mean "in_transit"?' in problem.message


def test_cbv_urn_vocabulary_is_explained(harvest):
    first_event(harvest)["bizStep"] = "urn:epcglobal:cbv:bizstep:commissioning"
    [problem] = validate_schema(harvest)
    assert '"commissioning"' in problem.message and "bare words" in problem.message


def test_event_without_required_content(harvest):
    del first_event(harvest)["quantityList"]
    [problem] = validate_schema(harvest)
    assert problem.path == "$.epcisBody.eventList[0]"
    assert "needs an epcList, a quantityList" in problem.message


def test_missing_content_and_a_bad_time_are_both_reported(harvest):
    event = first_event(harvest)
    del event["quantityList"]
    event["eventTime"] = "02/12/2024 08:30"
    problems = validate_schema(harvest)
    assert [p.path for p in problems] == [
        "$.epcisBody.eventList[0]",
        "$.epcisBody.eventList[0].eventTime",
    ]
    assert "2024-11-05T07:30:00.000+07:00" in problems[1].message


def test_ilmd_on_an_observe_event(harvest):
    first_event(harvest)["action"] = "OBSERVE"
    [problem] = validate_schema(harvest)
    assert problem.path == "$.epcisBody.eventList[0].ilmd"
    assert "action ADD" in problem.message


def test_unnamespaced_member_is_named(harvest):
    first_event(harvest)["harvestDate"] = "2024-12-02"
    [problem] = validate_schema(harvest)
    assert problem.path == "$.epcisBody.eventList[0].harvestDate"
    assert '"myco:harvestDate"' in problem.message


def test_lowercase_uom(harvest):
    first_event(harvest)["quantityList"][0]["uom"] = "kg"
    [problem] = validate_schema(harvest)
    assert problem.path == "$.epcisBody.eventList[0].quantityList[0].uom"
    assert "KGM" in problem.message


@pytest.mark.parametrize(
    ("event_type", "expected"),
    [("ObjectEvnt", 'did you mean "ObjectEvent"?'), (None, "has no type")],
)
def test_event_with_a_wrong_type_gets_one_problem(harvest, event_type, expected):
    event = first_event(harvest)
    if event_type is None:
        del event["type"]
    else:
        event["type"] = event_type
    [problem] = validate_schema(harvest)
    assert problem.path == "$.epcisBody.eventList[0].type"
    assert expected in problem.message


def test_non_object_event(harvest):
    harvest["epcisBody"]["eventList"].append("ObjectEvent")
    [problem] = validate_schema(harvest)
    assert problem.path == "$.epcisBody.eventList[1]"
    assert problem.event_index == 1 and problem.event_id is None


def test_document_level_problems(harvest):
    harvest["schemaVersion"] = "v2"
    del harvest["creationDate"]
    problems = validate_schema(harvest)
    assert [p.path for p in problems] == ["$.creationDate", "$.schemaVersion"]
    assert all(p.event_index is None for p in problems)


def test_problems_are_sorted_by_event_then_path(coffee):
    events = coffee["epcisBody"]["eventList"]
    events[3]["eventTimeZoneOffset"] = "+7"
    events[1]["outputQuantityList"][0]["uom"] = "kilo"
    events[1]["eventTimeZoneOffset"] = "7"
    coffee["schemaVersion"] = "2.0.x"
    problems = validate_schema(coffee)
    assert [(p.event_index, p.path) for p in problems] == [
        (None, "$.schemaVersion"),
        (1, "$.epcisBody.eventList[1].eventTimeZoneOffset"),
        (1, "$.epcisBody.eventList[1].outputQuantityList[0].uom"),
        (3, "$.epcisBody.eventList[3].eventTimeZoneOffset"),
    ]
    assert validate_schema(coffee) == problems  # deterministic


def test_many_events_with_the_same_mistake(harvest):
    event = first_event(harvest)
    event["quantityList"][0]["quantity"] = "850"
    harvest["epcisBody"]["eventList"] = [dict(event) for _ in range(200)]
    problems = validate_schema(harvest)
    assert [p.event_index for p in problems] == list(range(200))


def test_rule_field_lists_match_the_schema():
    text = (REPO_ROOT / "trace" / "capture" / "schema" / schema.SCHEMA_FILE).read_text()
    definitions = json.loads(text)["definitions"]
    common = definitions["common-event-properties"]["anyOf"][0]["enum"]
    assert set(common) == COMMON_FIELDS
    for event_type, fields in STANDARD_FIELDS.items():
        names = definitions[event_type]["allOf"][1]["propertyNames"]["anyOf"][1]["enum"]
        assert set(names) == fields, event_type
