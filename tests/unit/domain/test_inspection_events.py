"""Inspection records and holds as EPCIS events, and who may record them: pure rules."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tracechain.capture.rules import check_document
from tracechain.capture.schema import validate_schema
from tracechain.domain import policy
from tracechain.domain.actor import Actor
from tracechain.domain.consumer_verdict import headline
from tracechain.domain.errors import Forbidden
from tracechain.domain.inspection_events import (
    InspectionFacts,
    hold_event,
    holds_in,
    inspection_event,
    inspection_problems,
    reason_problems,
    release_event,
)
from tracechain.domain.recall_events import NOTICE_CONTEXT, NoticeLot
from tracechain.domain.step_events import document

WHEN = datetime(2025, 3, 6, 9, 30, tzinfo=timezone(timedelta(hours=7)))
H1 = NoticeLot("08936100000119", "CL25-001", 7)
D1 = NoticeLot("08936100000218", "D/1")


def _valid(event) -> None:
    doc = document(event, WHEN + timedelta(days=3), NOTICE_CONTEXT)
    assert not validate_schema(doc)
    assert not check_document(doc, capture_limit=1, max_yield=1.0)


@pytest.mark.parametrize("facts, step, disposition", [
    (InspectionFacts("inspection", "Warehouse visit"), "inspecting", None),
    (InspectionFacts("sample", sample_id="S-12"), "sampling", None),
    (InspectionFacts("result", result="pass", sample_id="S-12"), "inspecting", "conformant"),
    (InspectionFacts("result", result="fail"), "inspecting", "non_conformant"),
])
def test_each_inspection_record_is_a_valid_observe_event(facts, step, disposition):
    assert inspection_problems(facts) == []
    event = inspection_event(facts, WHEN, H1, [{"tc:sha256": "0" * 64}])
    assert (event["action"], event["bizStep"], event.get("disposition")) == (
        "OBSERVE", step, disposition)
    assert event["quantityList"] == [{"epcClass": "urn:epc:class:lgtin:8936100.000011.CL25-001"}]
    assert event["tc:inspection"]["kind"] == facts.kind and event["tc:evidence"]
    _valid(event)


def test_bad_inspection_records_are_refused_field_by_field():
    paths = {p.path for p in inspection_problems(InspectionFacts("result"))}
    assert paths == {"$.result"}
    assert {p.path for p in inspection_problems(InspectionFacts("sample"))} == {"$.sampleId"}
    assert {p.path for p in inspection_problems(InspectionFacts("inspection"))} == {"$.note"}
    assert {p.path for p in inspection_problems(InspectionFacts("visit", "x"))} == {"$.kind"}
    assert {p.path for p in inspection_problems(InspectionFacts("inspection", "x",
                                                                result="pass"))} == {"$.result"}
    assert reason_problems("") and reason_problems("ab") and reason_problems("x" * 1001)
    assert not reason_problems("  Aflatoxin  ")


def test_a_hold_and_its_release_name_the_lots_and_each_other():
    hold = hold_event(7, WHEN, [H1, D1], "Aflatoxin")
    release = release_event(7, WHEN + timedelta(days=2), [H1, D1], "Re-tested")
    assert (hold["bizStep"], hold["disposition"]) == ("holding", "non_sellable_other")
    assert (release["bizStep"], release["disposition"]) == ("holding", "conformant")
    assert len(hold["quantityList"]) == 2 and "D%2F1" in hold["quantityList"][1]["epcClass"]
    _valid(hold)
    _valid(release)
    [only] = holds_in([hold]).values()
    assert (only.id, only.reason, only.released) == (7, "Aflatoxin", False)
    assert holds_in([hold, release])[7].released
    assert holds_in([release]) == {}  # a release alone names no hold to show
    with pytest.raises(ValueError):
        hold_event(1, WHEN, [], "x")


def test_a_lot_on_hold_is_red_and_says_so():
    h = headline("verified", recalled=False, clone_warning=False, open_flags=0, held=True)
    assert h["tone"] == "danger" and h["cautions"] == ["on-hold"]
    assert headline("verified", recalled=False, clone_warning=False, open_flags=0)[
        "tone"] == "ok"


def test_only_authorities_record_inspections_and_holds():
    member, inspector, admin = Actor(1, "member", 1), Actor(2, "inspector", 9), Actor(3, "admin",
                                                                                      None)
    with pytest.raises(Forbidden, match="inspector or an admin"):
        policy.require_inspect(member)
    with pytest.raises(Forbidden, match="release a hold"):
        policy.require_release_hold(member)
    for actor in (inspector, admin):
        policy.require_inspect(actor)
        policy.require_release_hold(actor)
    assert policy.may_subscribe(member) and policy.may_subscribe(admin)
    assert not policy.may_subscribe(Actor(4, "inspector", None))
