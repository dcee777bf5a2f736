"""Minting serialised items of a lot: one commissioning event, items that trace back through the
lot's lineage, and refusals that store nothing."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from tests.integration.epcis_docs import document
from tests.support.cooperative import auth, coop
from tracechain.app_services import app_services
from tracechain.domain.serials import ALPHABET
from tracechain.gs1.resolver_paths import ai_value
from tracechain.services.lots.lineage import walk
from tracechain.services.verification.records import lineage_events, lineage_lots
from tracechain.store.events import Event
from tracechain.store.lots import Lot, LotLink

BASE = "https://trace.example.vn"


@pytest.fixture
def chain(app, client, actions):
    """A cooperative that harvested berries (H1) and dried them into black pepper (D1)."""
    app_services(app).reconfigure(public_base_url=BASE)
    a = coop(client, actions, "HTX Hồ tiêu Cam Lộ")
    a.berries, a.black = a.product("pepper_berries"), a.product("black_pepper")
    a.harvest(a.plot(), a.berries, "H1", 800)
    a.transform("drying", [(a.berries, "H1", 800)], [(a.black, "D1", 300)])
    b = coop(client, actions, "Công ty Chế biến Gia vị", "processor")
    return a, b


def mint_url(gtin: str, lot: str) -> str:
    return f"/api/v1/lots/{gtin}/{quote(lot, safe='')}/serials"


def stored(actions) -> tuple[int, int, int]:
    with actions.uow as u:
        return tuple(u.session.scalar(select(func.count()).select_from(t))
                     for t in (Event, Lot, LotLink))


def test_minting_records_one_commissioning_event_of_items_linked_to_the_lot(chain, actions):
    a, _ = chain
    events_before = len(a.events())
    body = a.post(f"lots/{a.black}/D1/serials",
                  {"count": 25, "eventTime": "2025-03-20T08:00:00.000+07:00"})
    assert (body["gtin"], body["lot"], body["count"]) == (a.black, "D1", 25)
    serials = [s["serial"] for s in body["serials"]]
    assert len(set(serials)) == 25
    for s in body["serials"]:
        serial = s["serial"]
        assert len(serial) == 10 and set(serial) <= set(ALPHABET)
        assert ai_value(serial, "21") == serial
        assert s["uri"] == f"https://id.gs1.org/01/{a.black}/21/{serial}"
        assert s["link"] == f"{BASE}/01/{a.black}/21/{serial}"
        assert s["eventID"] == body["eventID"]

    events = a.events()
    assert len(events) == events_before + 1
    event = next(e for e in events if e["eventID"] == body["eventID"])
    assert (event["type"], event["action"], event["bizStep"], event["disposition"]) == (
        "ObjectEvent", "ADD", "commissioning", "active")
    assert event["epcList"] == [s["uri"] for s in body["serials"]]
    assert event["ilmd"] == {"cbvmda:lotNumber": "D1"}
    where = {"id": f"https://id.gs1.org/414/{a.org['gln']}"}
    assert event["readPoint"] == where and event["bizLocation"] == where
    assert event["eventTime"] == "2025-03-20T08:00:00.000+07:00"
    assert body["eventHash"] == body["eventID"]

    with actions.uow as u:
        s = u.session
        lot_id = s.scalar(select(Lot.id).where(Lot.uri == f"https://id.gs1.org/01/{a.black}/10/D1"))
        items = s.execute(select(Lot.id, Lot.kind, Lot.gtin, Lot.code, Lot.owner_id)
                          .where(Lot.uri.in_([x["uri"] for x in body["serials"]]))).all()
        assert sorted(i.code for i in items) == sorted(serials)
        assert {(i.kind, i.gtin, i.owner_id) for i in items} == {("item", a.black, a.org["id"])}
        links = s.execute(select(LotLink.source_id, LotLink.target_id, LotLink.kind)
                          .where(LotLink.target_id.in_([i.id for i in items]))).all()
        assert sorted(links) == sorted((lot_id, i.id, "commissioning") for i in items)


def test_an_item_traces_back_to_the_lot_and_its_harvest(chain, actions):
    a, _ = chain
    body = a.post(f"lots/{a.black}/D1/serials", {"count": 3})
    harvest_lot = f"https://id.gs1.org/01/{a.berries}/10/H1"
    with actions.uow as u:
        s = u.session
        item_id = s.scalar(select(Lot.id).where(Lot.uri == body["serials"][0]["uri"]))
        uris = set(s.scalars(select(Lot.uri).where(Lot.id.in_(walk(u, item_id, "back")))))
        assert uris == {body["serials"][0]["uri"], f"https://id.gs1.org/01/{a.black}/10/D1",
                        harvest_lot}
        steps = set(s.scalars(select(Event.biz_step).where(
            Event.id.in_(lineage_events(u, lineage_lots(u, item_id, "back"))))))
        assert {"https://ref.gs1.org/cbv/BizStep-commissioning",
                "https://ns.tracechain.dev/bizstep/drying"} <= steps
    forward = a.get(f"/api/v1/lots/{a.berries}/H1/trace?direction=forward")
    assert {x["uri"] for x in body["serials"]} <= {x["uri"] for x in forward["lots"]}
    assert {(lk["source"], lk["kind"]) for lk in forward["links"]
            if lk["target"] == body["serials"][0]["uri"]} == {
        (f"https://id.gs1.org/01/{a.black}/10/D1", "commissioning")}


def test_the_lot_lists_its_serials_in_the_order_minted(chain, client, actions):
    a, b = chain
    first = a.post(f"lots/{a.black}/D1/serials", {"count": 4})
    second = a.post(f"lots/{a.black}/D1/serials", {"count": 2})
    listed = a.get(mint_url(a.black, "D1"))
    assert listed["count"] == 6
    assert listed["serials"] == first["serials"] + second["serials"]
    assert a.get(mint_url(a.berries, "H1"))["serials"] == []
    inspector = actions.token("inspector")
    assert client.get(mint_url(a.black, "D1"), headers=auth(inspector)).json["count"] == 6
    r = client.get(mint_url(a.black, "D1"), headers=b.headers)
    assert r.status_code == 403, r.json
    assert client.get(mint_url(a.black, "D1")).status_code == 401
    assert client.get(mint_url(a.black, "NOPE"), headers=a.headers).status_code == 404


@pytest.mark.parametrize("body, path", [
    ({"count": 0}, "$.count"),
    ({"count": 10_001}, "$.count"),
    ({"count": -3}, "$.count"),
    ({"count": 2.5}, "$.count"),
    ({"count": "5"}, "$.count"),
    ({"count": True}, "$.count"),
    ({}, "$.count"),
    ({"count": 2, "eventTime": "2025-03-20T08:00:00"}, "$.eventTime"),
    ({"count": 2, "eventTime": "2099-01-01T08:00:00+07:00"}, "$.eventTime"),
    ({"count": 2, "colour": "red"}, "$.colour"),
])
def test_bad_bodies_are_400_and_store_nothing(chain, client, actions, body, path):
    a, _ = chain
    before = stored(actions)
    r = client.post(mint_url(a.black, "D1"), json=body, headers=a.headers)
    assert r.status_code == 400, r.json
    assert path in [e["path"] for e in r.json["errors"]]
    assert stored(actions) == before


def test_refusals_store_nothing(chain, client, actions):
    a, b = chain
    before = stored(actions)
    bad_gtin = a.black[:-1] + str((int(a.black[-1]) + 1) % 10)
    cases = [
        (mint_url(bad_gtin, "D1"), a.headers, 400, "$.path.gtin"),
        (mint_url(a.black, "D" * 21), a.headers, 400, "$.path.lot"),
        (mint_url(a.black, "D1~"), a.headers, 400, "$.path.lot"),
        (mint_url(a.black, "NOPE"), a.headers, 404, None),
        (mint_url(a.black, "D1"), b.headers, 403, "$.path.gtin"),  # a's product
        (mint_url(a.black, "D1"), {}, 401, None),
        (mint_url(a.black, "D1"), auth(actions.token("inspector")), 403, None),
        (mint_url(a.black, "D1"), auth(actions.token("admin")), 400, "$"),  # no organisation
    ]
    for url, headers, status, path in cases:
        r = client.post(url, json={"count": 5}, headers=headers)
        assert r.status_code == status, (url, r.json)
        if path:
            assert path in [e["path"] for e in r.json["errors"]], (url, r.json)
    assert stored(actions) == before


def test_only_the_owner_holding_the_lot_mints_and_not_while_in_transit(chain, client,
                                                                       actions):
    a, b = chain
    minted = a.post(f"lots/{a.black}/D1/serials", {"count": 2})
    a.ship(b.org, [(a.black, "D1")])
    before = stored(actions)
    r = client.post(mint_url(a.black, "D1"), json={"count": 2}, headers=a.headers)
    assert r.status_code == 400 and "in transit" in r.json["message"], r.json
    assert client.post(mint_url(a.black, "D1"), json={"count": 2},
                       headers=b.headers).status_code == 403
    assert stored(actions) == before
    b.receive([(a.black, "D1")])
    before = stored(actions)
    # The new holder does not own the GTIN: serials of a's product are a's to allocate.
    r = client.post(mint_url(a.black, "D1"), json={"count": 2}, headers=b.headers)
    assert r.status_code == 403 and "another organisation's product" in r.json["message"]
    r = client.post(mint_url(a.black, "D1"), json={"count": 2}, headers=a.headers)
    assert r.status_code == 403 and r.json["errors"][0]["path"] == "$.path.lot"
    assert stored(actions) == before
    # Both see the lot's items: the producer made them, the holder holds them.
    assert a.get(mint_url(a.black, "D1"))["serials"] == minted["serials"]
    assert b.get(mint_url(a.black, "D1"))["serials"] == minted["serials"]
    admin = actions.token("admin", a.org)  # an admin acts for its own organisation
    assert client.post(mint_url(a.black, "D1"), json={"count": 1},
                       headers=auth(admin)).status_code == 403


def test_the_largest_run_is_one_event(chain, actions):
    a, _ = chain
    body = a.post(f"lots/{a.black}/D1/serials", {"count": 10_000})
    assert body["count"] == 10_000 == len({s["serial"] for s in body["serials"]})
    with actions.uow as u:
        assert u.session.scalar(select(func.count()).select_from(LotLink)
                                .where(LotLink.kind == "commissioning")) == 10_000


def commissioned(gtin: str, serials: list[str], ilmd: dict) -> dict:
    return {"type": "ObjectEvent", "eventTime": "2025-03-20T08:00:00.000+07:00",
            "eventTimeZoneOffset": "+07:00", "action": "ADD", "bizStep": "commissioning",
            "disposition": "active",
            "epcList": [f"https://id.gs1.org/01/{gtin}/21/{s}" for s in serials], "ilmd": ilmd}


def capture(client, headers, *events):
    doc = document(*events)
    return client.post("/epcis/capture", data=json.dumps(doc),
                       content_type="application/ld+json", headers=headers)


def test_a_captured_commissioning_event_links_its_items_to_the_lot_too(chain, client, actions):
    a, b = chain
    # cbvmda is bound by the standard context; the document need not declare it.
    r = capture(client, a.headers, commissioned(a.black, ["CAP-1", "CAP-2"],
                                                {"cbvmda:lotNumber": "D1"}))
    assert r.status_code == 202 and r.json["success"], r.json
    listed = a.get(mint_url(a.black, "D1"))
    assert [s["serial"] for s in listed["serials"]] == ["CAP-1", "CAP-2"]

    # A lot number of which we have no record: the items are stored, linked to nothing.
    r = capture(client, a.headers, commissioned(a.black, ["CAP-3"], {"cbvmda:lotNumber": "ZZ"}))
    assert r.status_code == 202 and r.json["success"], r.json
    with actions.uow as u:
        item = u.session.scalar(select(Lot.id).where(
            Lot.uri == f"https://id.gs1.org/01/{a.black}/21/CAP-3"))
        assert walk(u, item, "back") == [item]

    # Items claiming another organisation's lot: refused whole, nothing stored.
    before = stored(actions)
    r = capture(client, b.headers, commissioned(a.black, ["FAKE-1"], {"cbvmda:lotNumber": "D1"}))
    assert r.status_code == 403, r.json
    assert {e["path"] for e in r.json["errors"]} == {
        "$.epcisBody.eventList[0].epcList",  # a's GTIN
        "$.epcisBody.eventList[0].ilmd"}  # a's lot
    assert stored(actions) == before
