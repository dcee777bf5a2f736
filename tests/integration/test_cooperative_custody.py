"""Custody through the cooperative API: only the holder acts on a lot, a shipment puts it in
transit to one organisation, and only that organisation's receipt moves it into its custody."""

from __future__ import annotations

import pytest

from tests.support.cooperative import coop, sscc


@pytest.fixture
def chain(client, actions):
    """A cooperative holding dried black pepper, a processor and a third organisation."""
    a = coop(client, actions, "HTX Hồ tiêu Cam Lộ")
    a.berries, a.black = a.product("pepper_berries"), a.product("black_pepper")
    a.harvest(a.plot(), a.berries, "H1", 800)
    a.transform("drying", [(a.berries, "H1", 800)], [(a.black, "D1", 300)])
    b = coop(client, actions, "Công ty Chế biến Gia vị", "processor")
    b.graded = b.product("black_pepper")
    c = coop(client, actions, "Công ty Xuất khẩu", "exporter")
    return a, b, c


def test_another_organisation_cannot_process_pack_or_ship_my_lot(chain):
    a, b, c = chain
    before = len(a.events())
    body = b.transform("grading", [(a.black, "D1", 300)], [(b.graded, "G1", 290)], expect=403)
    assert body["errors"] == [{"path": "$.inputs[0]", "message":
                               f"lot D1 of GTIN {a.black} is not held by your organisation"}]
    b.ship(c.org, [(a.black, "D1")], expect=403)
    b.post("packings", {"sscc": sscc(10), "lots": [{"gtin": a.black, "lot": "D1",
                                                    "quantity": 10}]}, expect=403)
    assert len(a.events()) == before and b.events() == []


def test_ship_receive_then_the_receiver_processes(chain):
    a, b, c = chain
    body = a.ship(b.org, [(a.black, "D1")],
                  transactions=[{"type": "desadv", "id": "DA-2025-014"},
                                {"type": "po", "id": "PO-77"}])
    event = body["event"]
    assert (event["action"], event["bizStep"], event["disposition"]) == (
        "OBSERVE", "shipping", "in_transit")
    assert event["sourceList"] == [{"type": "owning_party",
                                    "source": f"https://id.gs1.org/417/{a.org['gln']}"}]
    assert event["destinationList"] == [{"type": "owning_party", "destination":
                                         f"https://id.gs1.org/417/{b.org['gln']}"}]
    assert sorted(event["bizTransactionList"], key=lambda t: t["type"]) == [
        {"type": "desadv", "bizTransaction": f"urn:epcglobal:cbv:bt:{a.org['gln']}:DA-2025-014"},
        {"type": "po", "bizTransaction": f"urn:epcglobal:cbv:bt:{b.org['gln']}:PO-77"}]
    lot = a.get(f"/api/v1/lots/{a.black}/D1")
    assert (lot["ownerId"], lot["inTransitToId"]) == (a.org["id"], b.org["id"])
    # Still the sender's until received, but on its way: the sender can no longer use it.
    assert "in transit" in a.transform("grading", [(a.black, "D1", 10)], [(a.black, "G9", 9)],
                                       expect=400)["errors"][0]["message"]
    a.ship(c.org, [(a.black, "D1")], expect=400)
    b.transform("grading", [(a.black, "D1", 300)], [(b.graded, "G1", 290)], expect=403)

    refused = c.receive([(a.black, "D1")], expect=403)
    assert "not shipped to your organisation" in refused["errors"][0]["message"]
    received = b.receive([(a.black, "D1")])["event"]
    assert (received["bizStep"], received["disposition"]) == ("receiving", "in_progress")
    assert received["sourceList"][0]["source"].endswith(a.org["gln"])
    assert received["destinationList"][0]["destination"].endswith(b.org["gln"])
    lot = b.get(f"/api/v1/lots/{a.black}/D1")
    assert (lot["ownerId"], lot["inTransitToId"], lot["remaining"]) == (b.org["id"], None, 300)

    graded = b.transform("grading", [(a.black, "D1", 300)], [(b.graded, "G1", 290)],
                         attributes={"grade": "FAQ 550", "density_g_l": 550})
    assert graded["event"]["ilmd"] == {"tc:densityGramsPerLitre": 550, "tc:grade": "FAQ 550"}
    assert [x["lot"] for x in b.get("/api/v1/lots")] == ["D1", "G1"]
    assert [x["lot"] for x in a.get("/api/v1/lots")] == ["H1"]
    a.transform("grading", [(a.black, "D1", 1)], [(a.black, "G2", 1)], expect=403)
    assert b.receive([(a.black, "D1")], expect=400)["message"] == "nothing to receive"


def test_a_packed_unit_moves_with_its_contents(chain):
    a, b, _ = chain
    unit = sscc(20)
    a.post("packings", {"sscc": unit, "lots": [{"gtin": a.black, "lot": "D1",
                                                "quantity": 300}]})
    body = a.post("shipments", {"toGln": b.org["gln"], "ssccs": [unit]})
    assert body["event"]["epcList"] == [f"https://id.gs1.org/00/{unit}"]
    b.post("receipts", {"ssccs": [unit]})
    assert b.get(f"/api/v1/lots/{a.black}/D1")["ownerId"] == b.org["id"]
    b.post("unpackings", {"sscc": unit, "lots": [{"gtin": a.black, "lot": "D1"}]})
    b.transform("grading", [(a.black, "D1", 300)], [(b.graded, "G1", 290)])


def test_shipment_refusals(chain):
    a, b, _ = chain
    body = a.post("shipments", {"toGln": "8930000099999", "lots": [{"gtin": a.black,
                                                                      "lot": "D1"}]}, expect=400)
    assert body["errors"][0]["path"] == "$.toGln"
    assert a.ship(a.org, [(a.black, "D1")], expect=400)["errors"][0]["path"] == "$.toGln"
    assert a.post("shipments", {"toGln": b.org["gln"]}, expect=400)["errors"][0]["path"] == "$"
    body = a.ship(b.org, [(a.black, "D1")], transactions=[{"type": "invoice", "id": "1"}],
                  expect=400)
    assert body["errors"][0]["path"] == "$.transactions[0].type"
    body = a.ship(b.org, [(a.black, "D1")], transactions=[{"type": "po", "id": "PO 1 !"}],
                  expect=400)
    assert body["errors"][0]["path"] == "$.transactions[0].id"
    body = a.post("shipments", {"toGln": b.org["gln"], "ssccs": [sscc(30)]}, expect=400)
    assert body["errors"][0] == {"path": "$.ssccs[0]",
                                 "message": f"no logistic unit {sscc(30)} is recorded"}
    assert b.events() == [] and a.get(f"/api/v1/lots/{a.black}/D1")["inTransitToId"] is None
    b.get(f"/api/v1/lots/{a.black}/D1", expect=403)


# A lot packed inside a logistic unit travels with it: once the unit is shipped, the sender can
# no longer ship or use the lot on its own (the bug: shipping the content after its container
# was accepted). Unpacking first is the way, and only while the unit is still at home.


def _capture(client, token: str, *events: dict):
    import json

    from tests.integration.epcis_docs import document

    return client.post("/epcis/capture", data=json.dumps(document(*events)),
                       content_type="application/ld+json",
                       headers={"Authorization": f"Bearer {token}"})


def _ship_event(gtin: str, lot: str, from_gln: str, to_gln: str) -> dict:
    return {"type": "ObjectEvent", "eventTime": "2025-03-12T10:00:00.000+07:00",
            "eventTimeZoneOffset": "+07:00", "action": "OBSERVE", "bizStep": "shipping",
            "disposition": "in_transit",
            "quantityList": [{"epcClass": f"https://id.gs1.org/01/{gtin}/10/{lot}",
                              "quantity": 10, "uom": "KGM"}],
            "sourceList": [{"type": "owning_party",
                            "source": f"https://id.gs1.org/417/{from_gln}"}],
            "destinationList": [{"type": "owning_party",
                                 "destination": f"https://id.gs1.org/417/{to_gln}"}]}


def test_the_content_of_a_shipped_unit_cannot_be_shipped_or_used_on_its_own(chain):
    a, b, c = chain
    unit = sscc(40)
    a.post("packings", {"sscc": unit, "lots": [{"gtin": a.black, "lot": "D1",
                                                "quantity": 300}]})
    a.post("shipments", {"toGln": b.org["gln"], "ssccs": [unit]})
    before = len(a.events())
    # The attacker's moves: ship the bag's content to a third organisation, through the steps
    # API and through an EPCIS capture; process it; pack it into another bag; unpack the bag.
    refused = a.ship(c.org, [(a.black, "D1")], expect=403)
    assert refused["errors"][0]["path"] == "$.lots"
    assert f"packed in https://id.gs1.org/00/{unit}" in refused["errors"][0]["message"]
    r = _capture(a.client, a.token, _ship_event(a.black, "D1", a.org["gln"], c.org["gln"]))
    assert r.status_code == 403, r.get_json()
    assert "unpack it first" in r.get_json()["errors"][0]["message"]
    a.transform("grading", [(a.black, "D1", 10)], [(a.black, "G9", 9)], expect=403)
    a.post("packings", {"sscc": sscc(41), "lots": [{"gtin": a.black, "lot": "D1",
                                                    "quantity": 10}]}, expect=403)
    a.post("unpackings", {"sscc": unit}, expect=400)
    # Neither may the destination act on it before it records receipt.
    b.ship(c.org, [(a.black, "D1")], expect=403)
    assert len(a.events()) == before and c.events() == []
    lot = a.get(f"/api/v1/lots/{a.black}/D1")
    assert (lot["ownerId"], lot["inTransitToId"]) == (a.org["id"], None)
    # Received, the bag and its content are the destination's; the sender still may not.
    b.post("receipts", {"ssccs": [unit]})
    a.ship(c.org, [(a.black, "D1")], expect=403)
    b.post("unpackings", {"sscc": unit})
    b.ship(c.org, [(a.black, "D1")])


def test_unpack_then_ship_the_content(chain):
    a, b, c = chain
    unit = sscc(50)
    a.post("packings", {"sscc": unit, "lots": [{"gtin": a.black, "lot": "D1",
                                                "quantity": 300}]})
    a.post("unpackings", {"sscc": unit})
    a.ship(b.org, [(a.black, "D1")])
    b.receive([(a.black, "D1")])
    b.transform("grading", [(a.black, "D1", 300)], [(b.graded, "G1", 290)])


def test_content_shipped_on_its_own_from_a_unit_at_home_leaves_the_unit(chain):
    """While the unit is still at home the sender may ship what is inside on its own; received
    alone, it has left the unit, and the receiver uses it."""
    a, b, _ = chain
    unit = sscc(60)
    a.post("packings", {"sscc": unit, "lots": [{"gtin": a.black, "lot": "D1",
                                                "quantity": 300}]})
    a.ship(b.org, [(a.black, "D1")])
    b.receive([(a.black, "D1")])
    b.transform("grading", [(a.black, "D1", 300)], [(b.graded, "G1", 290)])
