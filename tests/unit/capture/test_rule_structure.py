from __future__ import annotations

import pytest

from tracechain.capture.rule_structure import is_full_iri
from tracechain.capture.rules import check_document

LIMITS = {"capture_limit": 100, "max_yield": 1.02}


def event(doc: dict, index: int = 0) -> dict:
    return doc["epcisBody"]["eventList"][index]


# --- ilmd -------------------------------------------------------------------------------------

def test_ilmd_on_harvest_and_on_transformation(harvest, drying, now):
    assert check_document(harvest, now=now, **LIMITS) == []
    assert check_document(drying, now=now, **LIMITS) == []


@pytest.mark.parametrize("action", ["OBSERVE", "DELETE"])
def test_ilmd_on_object_event_without_add(harvest, now, action):
    event(harvest)["action"] = action
    [problem] = check_document(harvest, now=now, **LIMITS)
    assert problem.path == "$.epcisBody.eventList[0].ilmd"
    assert "action ADD" in problem.message


def test_ilmd_on_aggregation_event(coffee, now):
    event(coffee, 2)["ilmd"] = {"tc:note": "x"}
    [problem] = check_document(coffee, now=now, **LIMITS)
    assert problem.path == "$.epcisBody.eventList[2].ilmd"
    assert problem.event_index == 2


# --- AggregationEvent parentID ----------------------------------------------------------------

def test_packing_names_its_container(coffee, now):
    assert check_document(coffee, now=now, **LIMITS) == []


@pytest.mark.parametrize("action", ["ADD", "OBSERVE"])
def test_aggregation_without_parent(coffee, now, action):
    packing = event(coffee, 2)
    packing["action"] = action
    del packing["parentID"]
    [problem] = check_document(coffee, now=now, **LIMITS)
    assert problem.path == "$.epcisBody.eventList[2].parentID"
    assert f"action {action} needs a parentID" in problem.message


def test_unpacking_without_parent_is_allowed(coffee, now):
    unpacking = event(coffee, 2)
    unpacking["action"] = "DELETE"
    del unpacking["parentID"]
    assert check_document(coffee, now=now, **LIMITS) == []


# --- bizTransaction type ----------------------------------------------------------------------

def test_biz_transaction_with_type(coffee, now):
    assert check_document(coffee, now=now, require_biz_transaction_type=True, **LIMITS) == []


def test_biz_transaction_without_type(coffee, now):
    del event(coffee, 3)["bizTransactionList"][0]["type"]
    [problem] = check_document(coffee, now=now, require_biz_transaction_type=True, **LIMITS)
    assert problem.path == "$.epcisBody.eventList[3].bizTransactionList[0].type"
    assert "reference tool" in problem.message
    # The standard allows it (an official example omits it), so it is opt-in.
    assert check_document(coffee, now=now, **LIMITS) == []


# --- extensions -------------------------------------------------------------------------------

def test_declared_extension_prefix(drying, now):
    assert "tc:dryingDays" in event(drying)
    assert check_document(drying, now=now, **LIMITS) == []


def test_full_iri_extension(drying, now):
    event(drying)["https://tracechain.vn/ns/epcis/dryingDays"] = 6
    event(drying)["urn:example:dryingYard"] = "sân 2"
    assert check_document(drying, now=now, **LIMITS) == []


def test_undeclared_extension_prefix(drying, now):
    event(drying)["coop:inspector"] = "Lê Thị Hoa"
    [problem] = check_document(drying, now=now, **LIMITS)
    assert problem.path == "$.epcisBody.eventList[0]['coop:inspector']"
    assert 'prefix "coop" is not declared' in problem.message


def test_prefix_from_the_standard_context_alone_is_not_enough(drying, now):
    # The reference hash tool expands only inline prefixes (EVENT_HASH.md section 7).
    event(drying)["cbvmda:lotNumber"] = "QT24-CL-0157-D"
    [problem] = check_document(drying, now=now, **LIMITS)
    assert 'prefix "cbvmda"' in problem.message
    drying["@context"].append({"cbvmda": "urn:epcglobal:cbv:mda:"})
    assert check_document(drying, now=now, **LIMITS) == []


def test_unnamespaced_member(drying, now):
    event(drying)["moisture"] = 12.5
    [problem] = check_document(drying, now=now, **LIMITS)
    assert problem.path == "$.epcisBody.eventList[0].moisture"
    assert '"myco:moisture"' in problem.message


def test_field_of_another_event_type(harvest, now):
    event(harvest)["parentID"] = "https://id.gs1.org/00/089361000000000010"
    [problem] = check_document(harvest, now=now, **LIMITS)
    assert problem.path == "$.epcisBody.eventList[0].parentID"
    assert "not a field of ObjectEvent" in problem.message


@pytest.mark.parametrize(
    ("name", "full"),
    [("https://ns.example.com/x", True), ("urn:example:x", True), ("tc:x", False),
     ("x", False), ("http:x", False)],
)
def test_full_iri(name, full):
    assert is_full_iri(name) is full
