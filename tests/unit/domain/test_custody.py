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


# --- every identifier, whatever its role ------------------------------------------------------

def pack(parent, children, action="ADD"):
    return refs({"type": "AggregationEvent", "action": action, "parentID": parent,
                 "childQuantityList": qty(children[0]) if children else []})


def test_unpacking_children_one_does_not_hold_is_refused():
    known = {BOX: Holding(owner=A), LOT: Holding(owner=B)}
    plan = plan_custody([(0, pack(BOX, [LOT], "DELETE"))], A, known, PARTIES)
    assert [v.path for v in plan.violations] == ["$.epcisBody.eventList[0].childQuantityList"]
    mine = {BOX: Holding(owner=A), LOT: Holding(owner=A, container=BOX)}
    plan = plan_custody([(0, pack(BOX, [LOT], "DELETE"))], A, mine, PARTIES)
    assert not plan.violations and plan.holdings[LOT].container is None


def associate(parent, child, action="ADD"):
    return refs({"type": "AssociationEvent", "action": action, "parentID": parent,
                 "childQuantityList": qty(child)})


def test_association_parent_is_custody_checked():
    sensor = "https://id.gs1.org/8004/0893000000012ABC"
    plan = plan_custody([(0, associate(sensor, LOT))], A,
                        {LOT: Holding(owner=A), sensor: Holding(owner=B)}, PARTIES)
    assert [v.path for v in plan.violations] == ["$.epcisBody.eventList[0].parentID"]
    plan = plan_custody([(0, associate(sensor, LOT))], A, {LOT: Holding(owner=A)}, PARTIES)
    assert not plan.violations and plan.holdings[sensor].owner == A
    plan = plan_custody([(0, associate(sensor, LOT, "DELETE"))], A, {LOT: Holding(owner=A)},
                        PARTIES)
    assert "not known here" in plan.violations[0].message


def transform(inputs, outputs):
    return refs({"type": "TransformationEvent", "inputQuantityList": qty(inputs),
                 "outputQuantityList": qty(outputs)})


def test_transformation_inputs_and_outputs_are_checked():
    plan = plan_custody([(0, transform(LOT, OUT))], A,
                        {LOT: Holding(owner=A), OUT: Holding(owner=B)}, PARTIES)
    assert [v.path for v in plan.violations] == [
        "$.epcisBody.eventList[0].outputQuantityList"]
    plan = plan_custody([(0, transform(LOT, OUT))], A, {LOT: Holding(owner=B)}, PARTIES)
    assert [v.path for v in plan.violations] == ["$.epcisBody.eventList[0].inputQuantityList"]


def test_goods_in_transit_take_part_in_nothing_until_received():
    known = {LOT: Holding(owner=A, in_transit_to=B)}
    plan = plan_custody([(0, transform(LOT, OUT))], A, known, PARTIES)
    assert "in transit" in plan.violations[0].message


# --- source and destination lists -------------------------------------------------------------

PA, PB = "https://id.gs1.org/417/A", "https://id.gs1.org/417/B"


def with_parties(event, sources=(), destinations=()):
    event["sourceList"] = [{"type": t, "source": p} for t, p in sources]
    event["destinationList"] = [{"type": t, "destination": p} for t, p in destinations]
    return refs(event)


def ship_event(uri):
    return {"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "shipping",
            "quantityList": qty(uri)}


def test_a_shipment_comes_from_the_actor_and_may_go_anywhere():
    known = {LOT: Holding(owner=A)}
    ok = with_parties(ship_event(LOT), [("owning_party", PA)],
                      [("owning_party", "https://id.gs1.org/417/OUTSIDE")])
    assert not plan_custody([(0, ok)], A, known, PARTIES).violations
    forged = with_parties(ship_event(LOT), [("owning_party", PB)], [("owning_party", PA)])
    plan = plan_custody([(0, forged)], A, known, PARTIES)
    assert [v.path for v in plan.violations] == ["$.epcisBody.eventList[0].sourceList"]
    assert "must be your own organisation" in plan.violations[0].message


def test_a_receipt_comes_from_the_shipper_and_goes_to_the_actor():
    known = {LOT: Holding(owner=A, in_transit_to=B)}
    event = {"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "receiving",
             "quantityList": qty(LOT)}
    ok = with_parties(dict(event), [("owning_party", PA)], [("owning_party", PB)])
    assert not plan_custody([(0, ok)], B, dict(known), PARTIES).violations
    known = {LOT: Holding(owner=A, in_transit_to=B)}
    lie = with_parties(dict(event), [("possessing_party", "https://id.gs1.org/417/C")],
                       [("owning_party", PA)])
    plan = plan_custody([(0, lie)], B, known, PARTIES)
    assert sorted(v.path.rsplit(".", 1)[1] for v in plan.violations) == [
        "destinationList", "sourceList"]


def test_other_events_may_not_hand_goods_to_or_take_them_from_others():
    event = {"type": "ObjectEvent", "action": "ADD", "quantityList": qty(LOT)}
    plan = plan_custody([(0, with_parties(event, (), [("owning_party", PB)]))], A, {}, PARTIES)
    assert "destination party must be your own" in plan.violations[0].message
    location = with_parties(dict(event), (), [("location", "https://id.gs1.org/414/B")])
    assert not plan_custody([(0, location)], A, {}, PARTIES).violations


# --- who may commission a GTIN ----------------------------------------------------------------

def test_only_the_gtin_owner_commissions_new_lots_of_it():
    owners = {"08930000123457": B}
    plan = plan_custody([(0, add(LOT))], A, {}, PARTIES, gtin_owners=owners)
    assert "GTIN belongs to another organisation" in plan.violations[0].message
    assert LOT not in plan.holdings
    assert not plan_custody([(0, add(LOT))], B, {}, PARTIES, gtin_owners=owners).violations
    plan = plan_custody([(0, transform(BOX, OUT))], A, {BOX: Holding(owner=A)}, PARTIES,
                        gtin_owners=owners)
    assert plan.violations[0].path == "$.epcisBody.eventList[0].outputQuantityList"
    assert not plan_custody([(0, add(LOT))], None, {}, PARTIES, gtin_owners=owners).violations
    # Unclaimed GTINs (no registration, no company prefix) stay open, as before.
    assert not plan_custody([(0, add(LOT))], A, {}, PARTIES).violations


def test_content_travels_with_its_container_even_nested_and_within_one_document():
    pallet = "https://id.gs1.org/00/389300000000000026"
    to_b = "https://id.gs1.org/417/B"
    # a lot in a bag on a pallet: the pallet is in transit, so neither the bag nor the lot
    # may be shipped or used on their own by the sender
    known = {LOT: Holding(owner=A, container=BOX), BOX: Holding(owner=A, container=pallet),
             pallet: Holding(owner=A, in_transit_to=B)}
    plan = plan_custody([(0, ship(LOT, to_b)), (1, ship(BOX, to_b))], A, known, PARTIES)
    assert [v.event_index for v in plan.violations] == [0, 1]
    assert f"packed in {pallet}" in plan.violations[0].message
    # the container held by another organisation: the same
    known = {LOT: Holding(owner=A, container=BOX), BOX: Holding(owner=B)}
    assert plan_custody([(0, ship(LOT, to_b))], A, known, PARTIES).violations
    # shipped earlier in the same document: the content is refused after it
    known = {LOT: Holding(owner=A, container=BOX), BOX: Holding(owner=A)}
    plan = plan_custody([(0, ship(BOX, to_b)), (1, ship(LOT, to_b))], A, known, PARTIES)
    assert [v.event_index for v in plan.violations] == [1]
    # a container at home does not hold its content back; received alone, it has left it
    # (plans change the holdings they are given: a fresh state)
    known = {LOT: Holding(owner=A, container=BOX), BOX: Holding(owner=A)}
    plan = plan_custody([(0, ship(LOT, to_b))], A, known, PARTIES)
    assert not plan.violations
    got = plan_custody([(0, receive(LOT))], B, plan.holdings, PARTIES)
    assert not got.violations and got.holdings[LOT].container is None
    # an admin's capture is refused nothing
    known = {LOT: Holding(owner=A, container=BOX), BOX: Holding(owner=A, in_transit_to=B)}
    assert not plan_custody([(0, ship(LOT, to_b))], None, known, PARTIES).violations
