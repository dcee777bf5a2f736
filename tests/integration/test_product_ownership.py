"""Only a product's owner (its GS1 company prefix, else its registration) commissions its lots and
items; custody covers every identifier an event names. Each refusal stores nothing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from tests.integration.epcis_docs import document
from tests.support.cooperative import Coop, coop, with_check_digit
from tracechain.domain.errors import Conflict, ValidationFailed
from tracechain.services.accounts import organisations as accounts
from tracechain.store.events import Event
from tracechain.store.lots import Lot

PREFIX = "8939876"  # licensed to the processor in these tests


def gtin_under(prefix: str, item: int) -> str:
    body = prefix + f"{item:0{12 - len(prefix)}d}"
    return "0" + with_check_digit(body)


def lot_uri(gtin: str, lot: str) -> str:
    return f"https://id.gs1.org/01/{gtin}/10/{lot}"


def capture(client, headers, *events):
    return client.post("/epcis/capture", data=json.dumps(document(*events)),
                       content_type="application/ld+json", headers=headers)


def commissioning(uri: str, kg: float = 100) -> dict:
    return {"type": "ObjectEvent", "eventTime": "2025-03-01T08:00:00.000+07:00",
            "eventTimeZoneOffset": "+07:00", "action": "ADD", "bizStep": "commissioning",
            "quantityList": [{"epcClass": uri, "quantity": kg, "uom": "KGM"}]}


def stored(actions) -> tuple[int, int]:
    with actions.uow as u:
        return tuple(u.session.scalar(select(func.count()).select_from(t)) for t in (Event, Lot))


@pytest.fixture
def world(client, actions):
    """Cooperative a (berries and black pepper registered), processor p (a company prefix)."""
    a = coop(client, actions, "HTX Cam Lộ")
    a.berries, a.black = a.product("pepper_berries"), a.product("black_pepper")
    a.plot_id = a.plot()
    a.harvest(a.plot_id, a.berries, "H1", 800)
    p_org = actions.org("Chế biến Quảng Trị", "processor", company_prefix=PREFIX)
    p = Coop(client, p_org, actions.token("member", p_org))
    return a, p


def test_the_owner_harvests_and_processes_its_products(world):
    a, _ = world
    a.transform("drying", [(a.berries, "H1", 800)], [(a.black, "D1", 300)])
    assert a.get(f"/api/v1/lots/{a.black}/D1")["ownerId"] == a.org["id"]


def test_another_cooperative_cannot_harvest_or_make_a_registered_product(world, client, actions):
    a, p = world
    b = coop(client, actions, "HTX Cam Thành")
    before = stored(actions)
    r = b.harvest(b.plot(), a.berries, "FAKE-1", expect=403)
    assert r["errors"] == [{"path": "$.gtin", "message":
                            f"GTIN {a.berries} is another organisation's product"}]
    assert "only a product's owner" in r["message"]
    b_berries = b.product("pepper_berries")
    b.harvest(b.plot(), b_berries, "B1", 500)
    before = stored(actions)
    r = b.transform("drying", [(b_berries, "B1", 500)], [(a.black, "FAKE-D", 200)], expect=403)
    assert r["errors"][0]["path"] == "$.outputs[0].gtin"
    # The raw EPCIS interface says the same, and stores nothing either.
    r = capture(client, b.headers, commissioning(lot_uri(a.berries, "FAKE-2")))
    assert r.status_code == 403, r.json
    assert "its GTIN belongs to another organisation" in r.json["errors"][0]["message"]
    assert stored(actions) == before


def test_a_company_prefix_makes_its_gtins_the_organisations_own(world, client, actions):
    a, p = world
    theirs = gtin_under(PREFIX, 42)
    before = stored(actions)
    # Not registered by anyone, but under p's prefix: a may neither register nor commission it.
    r = client.post("/api/v1/products", json={"gtin": theirs, "kind": "black_pepper",
                                              "nameVi": "x", "nameEn": "x"}, headers=a.headers)
    assert r.status_code == 403 and "company prefix" in r.json["message"], r.json
    r = capture(client, a.headers, commissioning(lot_uri(theirs, "X1")))
    assert r.status_code == 403, r.json
    assert stored(actions) == before
    # p does both; an admin may capture for anyone.
    r = capture(client, p.headers, commissioning(lot_uri(theirs, "P1")))
    assert r.status_code == 202 and r.json["success"], r.json
    admin = {"Authorization": "Bearer " + actions.token("admin")}
    r = capture(client, admin, commissioning(lot_uri(theirs, "ADM1")))
    assert r.status_code == 202 and r.json["success"], r.json
    p.post("products", {"gtin": theirs, "kind": "black_pepper", "nameVi": "Tiêu",
                        "nameEn": "Pepper"})


def test_company_prefixes_are_digits_and_never_overlap(world, actions):
    with pytest.raises(ValidationFailed):
        actions.org("X", company_prefix="89A")
    with pytest.raises(Conflict):
        actions.org("Y", company_prefix=PREFIX[:5])
    other = actions.org("Z")
    with pytest.raises(Conflict):
        accounts.set_company_prefix(other["gln"], PREFIX + "1", actions.uow)
    accounts.set_company_prefix(other["gln"], "8931111", actions.uow)
    accounts.set_company_prefix(other["gln"], None, actions.uow)


# --- custody of every identifier, through HTTP ------------------------------------------------

SSCC = "https://id.gs1.org/00/389300000000000010"


def aggregation(action: str, parent: str, child: str) -> dict:
    return {"type": "AggregationEvent", "eventTime": "2025-03-02T08:00:00.000+07:00",
            "eventTimeZoneOffset": "+07:00", "action": action, "parentID": parent,
            "childQuantityList": [{"epcClass": child, "quantity": 100, "uom": "KGM"}]}


def test_unpacking_goods_one_does_not_hold_is_refused(world, client, actions):
    a, p = world
    mine = capture(client, p.headers, commissioning(lot_uri(gtin_under(PREFIX, 7), "P7")),
                   aggregation("ADD", SSCC, lot_uri(gtin_under(PREFIX, 7), "P7")))
    assert mine.json["success"], mine.json["errors"]
    before = stored(actions)
    # a names its own container but p's lot as what comes out of it.
    theirs = capture(client, a.headers, aggregation("DELETE", SSCC,
                                                    lot_uri(gtin_under(PREFIX, 7), "P7")))
    assert theirs.status_code == 403
    paths = {e["path"] for e in theirs.json["errors"]}
    assert "$.epcisBody.eventList[0].childQuantityList" in paths
    assert stored(actions) == before


def test_a_forged_source_party_is_refused(world, client, actions):
    a, p = world
    event = {"type": "ObjectEvent", "eventTime": "2025-03-02T08:00:00.000+07:00",
             "eventTimeZoneOffset": "+07:00", "action": "OBSERVE", "bizStep": "shipping",
             "quantityList": [{"epcClass": lot_uri(a.berries, "H1"), "quantity": 800,
                               "uom": "KGM"}],
             "sourceList": [{"type": "owning_party",
                             "source": f"https://id.gs1.org/417/{p.org['gln']}"}],
             "destinationList": [{"type": "owning_party",
                                  "destination": f"https://id.gs1.org/417/{p.org['gln']}"}]}
    before = stored(actions)
    r = capture(client, a.headers, event)
    assert r.status_code == 403
    assert r.json["errors"][0]["path"] == "$.epcisBody.eventList[0].sourceList"
    assert stored(actions) == before
    event["sourceList"][0]["source"] = f"https://id.gs1.org/417/{a.org['gln']}"
    assert capture(client, a.headers, event).json["success"]
