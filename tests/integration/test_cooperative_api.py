"""The cooperative steps through HTTP: each answers 201 with the EPCIS event and its hash, the
query API returns the same event, and bad input is a precise 400 that stores nothing."""

from __future__ import annotations

import pytest

from tests.support.cooperative import auth, coop, sscc
from tracechain.domain.vocabulary import TC_BIZSTEP


@pytest.fixture
def pepper(client, actions):
    """A cooperative with berries and black pepper products, a plot, and one harvested lot."""
    a = coop(client, actions, "HTX Hồ tiêu Cam Lộ")
    a.berries, a.black = a.product("pepper_berries"), a.product("black_pepper")
    a.plot_id = a.plot()
    a.harvest(a.plot_id, a.berries, "H1", 800, variety="Vĩnh Linh")
    return a


def test_harvest_answers_the_event_the_query_api_returns(client, actions):
    a = coop(client, actions, "HTX Hồ tiêu Cam Lộ")
    berries, plot = a.product("pepper_berries"), a.plot()
    body = a.harvest(plot, berries, "CL25-001", 820, variety="Vĩnh Linh",
                     attributes={"moisture_pct": 62})
    assert body["eventID"] == body["eventHash"]
    assert body["eventHash"].startswith("ni:///sha-256;") and body["eventHash"].endswith(
        "?ver=CBV2.0")
    event = body["event"]
    assert (event["type"], event["action"], event["bizStep"], event["disposition"]) == (
        "ObjectEvent", "ADD", "commissioning", "active")
    assert event["eventTime"] == "2025-03-01T16:00:00.000+07:00"
    assert event["eventTimeZoneOffset"] == "+07:00"
    assert event["quantityList"] == [{"epcClass": f"https://id.gs1.org/01/{berries}/10/CL25-001",
                                      "quantity": 820.0, "uom": "KGM"}]
    assert event["bizLocation"] == {"id": f"https://id.gs1.org/414/{a.org['gln']}"}
    assert event["ilmd"] == {"tc:harvestDate": "2025-03-01",
                             "tc:plot": f"urn:tracechain:plot:{plot}",
                             "tc:cropKind": "pepper_berries", "tc:variety": "Vĩnh Linh",
                             "tc:moisturePercent": 62}
    assert a.events() == [event]
    lot = a.get(f"/api/v1/lots/{berries}/CL25-001")
    assert (lot["plotId"], lot["quantity"], lot["remaining"], lot["ownerId"]) == (
        plot, 820.0, 820.0, a.org["id"])


def test_harvest_refusals(client, actions, pepper):
    a = pepper
    other = coop(client, actions, "HTX Ea Tu")
    before = len(a.events())
    body = a.harvest(a.plot_id, a.black, "H2", expect=400)
    assert body["errors"] == [{"path": "$.gtin", "message": "black pepper is not harvested from "
                               "a plot; a harvest gives fresh pepper berries, robusta coffee "
                               "cherries"}]
    assert a.harvest(other.plot(), a.berries, "H2", expect=403)["errors"][0]["path"] == "$.plotId"
    assert a.harvest(9999, a.berries, "H2", expect=400)["errors"][0]["path"] == "$.plotId"
    coffee_plot = a.plot(crop="coffee")
    assert "grows coffee, not pepper" in a.harvest(coffee_plot, a.berries, "H2",
                                                   expect=400)["message"]
    assert a.harvest(a.plot_id, a.berries, "H1", expect=409)["errors"][0]["path"] == "$.lot"
    body = a.harvest(a.plot_id, a.berries, "H2", attributes={"screen_size": 16}, expect=400)
    assert body["errors"][0]["path"] == "$.attributes.screen_size"
    body = a.harvest(a.plot_id, a.berries, "H2", variety="12", expect=400)
    assert "reads as a number" in body["errors"][0]["message"]
    body = a.harvest(a.plot_id, a.berries, "H 2", expect=400)
    assert body["errors"][0]["path"] == "$.lot"
    body = a.harvest(a.plot_id, a.berries, "H2", quantity=-5, expect=400)
    assert body["errors"] == [{"path": "$.quantity", "message": "Must be greater than 0"}]
    body = a.harvest(a.plot_id, a.berries, "H2", eventTime="2025-03-01T16:00:00", expect=400)
    assert body["errors"][0]["path"] == "$.eventTime"
    body = a.harvest(a.plot_id, a.berries, "H2", eventTime="2099-01-01T00:00:00+07:00",
                     expect=400)
    assert body["errors"][0]["path"] == "$.eventTime" and "future" in body["message"]
    body = a.harvest(a.plot_id, a.berries, "H2", colour="red", expect=400)
    assert body["errors"][0]["path"] == "$.colour"
    assert len(a.events()) == before


def test_transformation_records_process_and_output_attributes(pepper):
    a = pepper
    body = a.transform("drying", [(a.berries, "H1", 800)], [(a.black, "D1", 300)],
                       attributes={"moisture_pct": 12.5, "drying_method": "sun_dried"})
    event = body["event"]
    assert event["type"] == "TransformationEvent"
    assert event["bizStep"] == TC_BIZSTEP + "drying"
    assert event["inputQuantityList"][0]["quantity"] == 800.0
    assert event["ilmd"] == {"tc:moisturePercent": 12.5, "tc:dryingMethod": "sun_dried"}
    assert a.get(f"/api/v1/lots/{a.berries}/H1")["remaining"] == 0.0
    assert a.get(f"/api/v1/lots/{a.black}/D1")["remaining"] == 300.0
    assert {lot["lot"] for lot in a.get("/api/v1/lots")} == {"H1", "D1"}


def test_transformation_refusals_store_nothing(pepper):
    a = pepper
    before = len(a.events())
    body = a.transform("drying", [(a.berries, "H1", 800)], [(a.black, "D1", 900)], expect=400)
    assert body["errors"][0]["path"] == "$.outputs"
    assert "outputs weigh 900 kg but its inputs only 800 kg" in body["message"]
    body = a.transform("drying", [(a.berries, "H1", 801)], [(a.black, "D1", 300)], expect=400)
    assert body["errors"] == [{"path": "$.inputs[0].quantity", "message":
                               "lot H1 has only 800 KGM left; this step takes 801 KGM"}]
    body = a.transform("roasting", [(a.berries, "H1", 800)], [(a.black, "D1", 300)], expect=400)
    assert {e["path"] for e in body["errors"]} == {"$.inputs[0]", "$.outputs[0]"}
    body = a.transform("drying", [(a.berries, "H1", 800)], [(a.black, "D1", 300)],
                       attributes={"moisture_pct": "dry"}, expect=400)
    assert body["errors"][0]["path"] == "$.attributes.moisture_pct"
    body = a.transform("drying", [(a.berries, "NOPE", 800)], [(a.black, "D1", 300)], expect=400)
    assert body["errors"][0] == {"path": "$.inputs[0]", "message":
                                 f"no lot NOPE of GTIN {a.berries} is recorded"}
    body = a.transform("drying", [(a.berries, "H1", 800)], [(a.berries, "H1", 300)], expect=400)
    assert body["errors"][0]["path"] == "$.outputs[0]"
    body = a.post("transformations", {"process": "drying", "inputs": [],
                                      "outputs": [{"gtin": a.black, "lot": "D1",
                                                   "quantity": 300}]}, expect=400)
    assert body["errors"][0]["path"] == "$.inputs"
    assert len(a.events()) == before
    a.transform("drying", [(a.berries, "H1", 500)], [(a.black, "D1", 200)])
    body = a.transform("drying", [(a.berries, "H1", 400)], [(a.black, "D2", 100)], expect=400)
    assert "only 300 KGM left" in body["errors"][0]["message"]


def test_pack_and_unpack(pepper):
    a = pepper
    unit = sscc(1)
    body = a.post("packings", {"sscc": unit, "lots": [{"gtin": a.berries, "lot": "H1",
                                                       "quantity": 800}],
                               "eventTime": "2025-03-02T08:00:00.000+07:00"})
    event = body["event"]
    assert (event["type"], event["action"], event["bizStep"]) == (
        "AggregationEvent", "ADD", "packing")
    assert event["parentID"] == f"https://id.gs1.org/00/{unit}"
    assert event["childQuantityList"][0]["epcClass"].endswith(f"{a.berries}/10/H1")
    assert a.get(f"/api/v1/lots/{a.berries}/H1")["container"] == event["parentID"]
    body = a.post("unpackings", {"sscc": unit, "eventTime": "2025-03-03T08:00:00.000+07:00"})
    assert (body["event"]["action"], body["event"]["bizStep"]) == ("DELETE", "unpacking")
    assert a.get(f"/api/v1/lots/{a.berries}/H1")["container"] is None
    bad = a.post("packings", {"sscc": unit[:-1] + "0" if unit[-1] != "0" else unit[:-1] + "1",
                              "lots": [{"gtin": a.berries, "lot": "H1", "quantity": 1}]},
                 expect=400)
    assert bad["errors"][0]["path"] == "$.sscc"
    assert a.post("unpackings", {"sscc": sscc(2)}, expect=400)["errors"][0]["path"] == "$.sscc"
    too_much = a.post("packings", {"sscc": unit, "lots": [{"gtin": a.berries, "lot": "H1",
                                                          "quantity": 900}]}, expect=400)
    assert too_much["errors"][0]["path"] == "$.lots[0].quantity"


def test_an_admin_records_steps_for_their_organisation_under_its_custody(client, actions,
                                                                         pepper):
    a = pepper
    admin = actions.token("admin", a.org)
    body = {"process": "drying", "eventTime": "2025-03-08T10:00:00.000+07:00",
            "inputs": [{"gtin": a.berries, "lot": "H1", "quantity": 800}],
            "outputs": [{"gtin": a.black, "lot": "D1", "quantity": 300}]}
    r = client.post("/api/v1/transformations", json=body, headers=auth(admin))
    assert r.status_code == 201
    assert a.get(f"/api/v1/lots/{a.black}/D1")["ownerId"] == a.org["id"]
    loose = actions.token("admin")  # an admin of no organisation: nobody to record for
    r = client.post("/api/v1/harvests", json={"plotId": a.plot_id, "gtin": a.berries,
                                              "lot": "H9", "quantity": 1}, headers=auth(loose))
    assert r.status_code == 400 and "organisation" in r.get_json()["message"]


def test_steps_need_a_writer(client, actions, pepper):
    inspector = actions.token("inspector")
    body = {"process": "drying", "inputs": [], "outputs": []}
    for path in ("harvests", "transformations", "packings", "unpackings", "shipments",
                 "receipts"):
        assert client.post(f"/api/v1/{path}", json=body).status_code == 401
        r = client.post(f"/api/v1/{path}", json=body, headers=auth(inspector))
        assert r.status_code == 403 and r.get_json()["code"] == 403
    assert client.get("/api/v1/lots").status_code == 401
    everything = client.get("/api/v1/lots", headers=auth(inspector)).get_json()
    assert [lot["lot"] for lot in everything] == ["H1"]
