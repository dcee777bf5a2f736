"""Serial numbers, the lot a commissioning event makes items of, and the lineage links that
custody derives from it: plain data, no database."""

from __future__ import annotations

import pytest

from tracechain.domain.custody import Holding, plan_custody
from tracechain.domain.epcis import event_refs
from tracechain.domain.serials import ALPHABET, LENGTH, commissioned_lots, new_serial
from tracechain.domain.step_events import CONTEXT_WITH_MDA, document, item_commissioning_event
from tracechain.gs1.resolver_paths import ai_value
from tracechain.hash import HashContext, event_hash

GTIN = "08930000123457"
OTHER_GTIN = "08930000123464"
LOT = f"https://id.gs1.org/01/{GTIN}/10/H1"
ITEMS = [f"https://id.gs1.org/01/{GTIN}/21/S{i}" for i in range(3)]
A, B = 1, 2


def same(uri: str) -> str:
    return uri


def commissioning(ilmd: dict | None, *, items=ITEMS, action="ADD", step="commissioning"):
    event = {"type": "ObjectEvent", "action": action, "bizStep": step, "epcList": list(items)}
    if ilmd is not None:
        event["ilmd"] = ilmd
    return event


def test_serials_are_ten_unambiguous_characters_valid_as_ai_21():
    drawn = {new_serial() for _ in range(20_000)}
    assert len(drawn) == 20_000  # 2^49 possibilities: a clash here would mean a broken source
    for serial in list(drawn)[:2000]:
        assert len(serial) == LENGTH and set(serial) <= set(ALPHABET)
        assert ai_value(serial, "21") == serial
    assert not set(ALPHABET) & set("01ILO")


def test_serials_use_the_whole_alphabet_in_every_position():
    drawn = [new_serial() for _ in range(3000)]
    for position in range(LENGTH):
        assert {s[position] for s in drawn} == set(ALPHABET)


@pytest.mark.parametrize("ilmd, prefixes", [
    ({"cbvmda:lotNumber": "H1"}, {"cbvmda": "urn:epcglobal:cbv:mda:"}),
    ({"cbvmda:lotNumber": "H1"}, {}),  # the standard context binds cbvmda
    ({"urn:epcglobal:cbv:mda:lotNumber": "H1"}, {}),
    ({"mda:lotNumber": "H1", "tc:note": "x"}, {"mda": "urn:epcglobal:cbv:mda:"}),
])
def test_items_are_of_the_lot_of_their_gtin_named_in_ilmd(ilmd, prefixes):
    assert commissioned_lots(commissioning(ilmd), prefixes, same) == {i: LOT for i in ITEMS}


def test_items_of_two_gtins_are_of_two_lots():
    other = f"https://id.gs1.org/01/{OTHER_GTIN}/21/X1"
    got = commissioned_lots(commissioning({"cbvmda:lotNumber": "H1"}, items=[ITEMS[0], other]),
                            {}, same)
    assert got == {ITEMS[0]: LOT, other: f"https://id.gs1.org/01/{OTHER_GTIN}/10/H1"}


@pytest.mark.parametrize("event", [
    commissioning(None),
    commissioning({"tc:harvestDate": "2025-03-01"}),
    commissioning({"cbvmda:lotNumber": "H1"}, action="OBSERVE"),
    commissioning({"cbvmda:lotNumber": "H1"}, step="shipping"),
    commissioning({"cbvmda:lotNumber": "H1"}, items=[LOT]),  # a lot is no serialised item
    commissioning({"cbvmda:lotNumber": "x" * 21}),  # no valid AI (10)
    commissioning({"cbvmda:lotNumber": 12}),
    commissioning({"other:lotNumber": "H1"}),
    {"type": "TransformationEvent", "ilmd": {"cbvmda:lotNumber": "H1"}},
])
def test_other_events_name_no_lot(event):
    assert commissioned_lots(event, {"other": "https://example.com/"}, same) == {}


def refs(event):
    return event_refs(event, same)


def plan(holdings, actor):
    event = commissioning({"cbvmda:lotNumber": "H1"})
    return plan_custody([(0, refs(event))], actor, holdings, {},
                        {0: commissioned_lots(event, {}, same)})


def test_commissioning_links_the_held_lot_to_each_item():
    got = plan({LOT: Holding(owner=A)}, A)
    assert not got.violations
    assert [(lk.source, lk.target, lk.kind) for lk in got.links] == [
        (LOT, item, "commissioning") for item in ITEMS]
    assert all(got.holdings[item].owner == A and got.holdings[item].new for item in ITEMS)


def test_commissioning_items_of_another_organisations_lot_is_refused():
    got = plan({LOT: Holding(owner=B)}, A)
    assert len(got.violations) == 1 and not got.links
    assert got.violations[0].path == "$.epcisBody.eventList[0].ilmd"
    assert "not held by your organisation" in got.violations[0].message


def test_a_lot_number_we_have_no_record_of_links_nothing():
    got = plan({}, A)
    assert not got.violations and not got.links


def test_an_admin_capture_links_whoever_holds_the_lot():
    assert len(plan({LOT: Holding(owner=B)}, None).links) == 3


def test_the_commissioning_event_hashes_its_lot_number_under_the_cbv_namespace():
    from datetime import datetime, timedelta, timezone

    when = datetime(2025, 3, 20, 8, 0, tzinfo=timezone(timedelta(hours=7)))
    event = item_commissioning_event(ITEMS, "H1", when, gln="8930000000019")
    assert event["ilmd"] == {"cbvmda:lotNumber": "H1"}
    assert event["bizStep"] == "commissioning" and event["disposition"] == "active"
    doc = document(event, when, CONTEXT_WITH_MDA)
    assert doc["@context"][1]["cbvmda"] == "urn:epcglobal:cbv:mda:"
    hashed = event_hash(event, HashContext.from_document(doc))
    assert "{urn:epcglobal:cbv:mda:}lotNumber=H1" in hashed.prehash
