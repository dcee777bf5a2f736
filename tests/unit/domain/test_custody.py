"""Custody rules on plain data: no database."""

from __future__ import annotations

from tracechain.domain.custody import Holding, plan_custody
from tracechain.domain.epcis import event_refs

LOT = "https://id.gs1.org/01/08930000123457/10/H1"
OUT = "https://id.gs1.org/01/08930000123457/10/P1"
BOX = "https://id.gs1.org/00/389300000000000019"
A, B = 1, 2
PARTIES = {"https://id.gs1.org/417/A": A, "https://id.gs1.org/417/B": B}


def refs(event):
    return event_refs(event, lambda u: u)


def qty(uri, kg=100):
    return [{"epcClass": uri, "quantity": kg, "uom": "KGM"}]


def add(uri):
    return refs({"type": "ObjectEvent", "action": "ADD", "quantityList": qty(uri)})


def ship(uri, to):
    return refs({"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "shipping",
                 "quantityList": qty(uri),
                 "destinationList": [{"type": "owning_party", "destination": to}]})


def receive(uri):
    return refs({"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "receiving",
                 "quantityList": qty(uri)})


def test_harvest_creates_a_holding_of_the_actor():
    plan = plan_custody([(0, add(LOT))], A, {}, PARTIES)
    assert not plan.violations
    assert plan.holdings[LOT].owner == A and plan.holdings[LOT].new
    assert plan.holdings[LOT].quantity == 100


def test_cannot_use_what_another_org_holds_or_nobody_knows():
    plan = plan_custody([(3, ship(LOT, "https://id.gs1.org/417/B"))], A,
                        {LOT: Holding(owner=B)}, PARTIES)
    assert [v.event_index for v in plan.violations] == [3]
    assert plan.violations[0].path == "$.epcisBody.eventList[3].quantityList"
    assert "not held by your organisation" in plan.violations[0].message
    plan = plan_custody([(0, ship(LOT, "x"))], A, {}, PARTIES)
    assert "not known here" in plan.violations[0].message


def test_shipping_then_receiving_moves_custody_only_to_the_destination():
    known = {LOT: Holding(owner=A)}
    plan = plan_custody([(0, ship(LOT, "https://id.gs1.org/417/B"))], A, known, PARTIES)
    assert plan.holdings[LOT].in_transit_to == B and plan.holdings[LOT].owner == A
    third = plan_custody([(0, receive(LOT))], 3, plan.holdings, PARTIES)
    assert third.violations and "not shipped to your organisation" in third.violations[0].message
    got = plan_custody([(0, receive(LOT))], B, plan.holdings, PARTIES)
    assert not got.violations
    assert got.holdings[LOT].owner == B and got.holdings[LOT].in_transit_to is None


def test_transformation_links_inputs_to_outputs_and_creates_outputs():
    event = refs({"type": "TransformationEvent", "inputQuantityList": qty(LOT, 500),
                  "outputQuantityList": qty(OUT, 300)})
    plan = plan_custody([(1, event)], A, {LOT: Holding(owner=A)}, PARTIES)
    assert not plan.violations
    assert plan.holdings[OUT].owner == A and plan.holdings[OUT].created_by == 1
    assert [(lk.source, lk.target, lk.kind) for lk in plan.links] == [(LOT, OUT, "transformation")]


def test_packed_goods_travel_with_their_container():
    pack = refs({"type": "AggregationEvent", "action": "ADD", "parentID": BOX,
                 "childQuantityList": qty(OUT)})
    events = [(0, pack), (1, ship(BOX, "https://id.gs1.org/417/B"))]
    plan = plan_custody(events, A, {OUT: Holding(owner=A)}, PARTIES)
    assert not plan.violations and plan.holdings[OUT].container == BOX
    got = plan_custody([(0, refs({"type": "ObjectEvent", "action": "OBSERVE",
                                  "bizStep": "receiving", "epcList": [BOX]}))],
                       B, plan.holdings, PARTIES)
    assert not got.violations
    assert got.holdings[BOX].owner == B and got.holdings[OUT].owner == B


def test_admin_is_not_refused_and_owner_comes_from_the_document():
    event = refs({"type": "ObjectEvent", "action": "ADD", "quantityList": qty(LOT),
                  "destinationList": [{"type": "owning_party",
                                       "destination": "https://id.gs1.org/417/B"}]})
    plan = plan_custody([(0, event)], None, {}, PARTIES)
    assert not plan.violations and plan.holdings[LOT].owner == B
