"""Unusual records: flagged to the organisation and inspectors, explained and reviewed, and shown
to the consumer as "unusual, not verified by an inspector" (never as a refusal)."""

from __future__ import annotations

import orjson

from tests.integration.epcis_docs import BERRIES, document, harvest
from tests.support.cooperative import auth, coop
from tracechain.api.resolver import AnswerCache
from tracechain.app_services import app_services


def _flags(client, token, **query):
    r = client.get("/api/v1/flags", query_string=query, headers=auth(token))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def _page(client, gtin, lot, lang="en"):
    return client.get(f"/01/{gtin}/10/{lot}", headers={"Accept-Language": lang}).get_data(
        as_text=True)


def _summary(client, gtin, lot):
    return client.get(f"/01/{gtin}/10/{lot}", headers={"Accept": "application/json"}).get_json()


def test_an_impossible_harvest_is_recorded_flagged_explained_and_reviewed(client, actions):
    farm = coop(client, actions, "HTX Cam Lộ")
    other = coop(client, actions, "HTX Gio Linh")
    inspector = actions.token("inspector")
    berries, black = farm.product("pepper_berries"), farm.product("black_pepper")
    plot = farm.plot()  # 1.2 ha
    farm.harvest(plot, berries, "H1", quantity=12_000)  # 10 t/ha fresh: plausible
    assert _flags(client, farm.token) == []
    # A second harvest of the same plot and season takes it to 25 t/ha: recorded, not refused
    # (the limit for fresh pepper berries is 21 t/ha).
    farm.harvest(plot, berries, "H2", quantity=18_000)
    mine = _flags(client, farm.token)
    assert {f["rule"] for f in mine} == {"harvest-yield"} and len(mine) == 2
    assert mine[0]["measured"] == 25.0 and mine[0]["high"] == 21.0
    assert mine[0]["status"] == "open" and mine[0]["review"] is None
    assert _flags(client, other.token) == []  # another organisation sees none of it
    assert len(_flags(client, inspector)) == 2
    # A drying that keeps 90 % of fresh berries' mass is flagged too.
    farm.transform("drying", [(berries, "H2", 1000)], [(black, "D1", 900)])
    rules = sorted(f["rule"] for f in _flags(client, farm.token))
    assert rules == ["harvest-yield", "harvest-yield", "transformation-yield"]

    html = _page(client, berries, "H2")
    assert 'data-testid="flags"' in html and "Unusual, not verified by an inspector" in html
    assert 'data-tone="caution"' in html and 'data-caution="unusual-records"' in html
    assert "Bất thường, chưa được cán bộ kiểm tra xác minh" in _page(client, berries, "H2", "vi")
    summary = _summary(client, berries, "H2")
    assert summary["verdict"]["headline"]["tone"] == "caution"
    assert [s["unusual"] for s in summary["journey"]] == ["open"]
    dried = _summary(client, black, "D1")  # its harvest and its drying are both unusual
    assert {f["rule"] for f in dried["flags"]} == {"harvest-yield", "transformation-yield"}

    flag_id = next(f["id"] for f in mine if f["eventID"] == summary["journey"][0]["eventID"])
    # Another organisation may not explain it; a note must say something.
    r = client.post(f"/api/v1/flags/{flag_id}/notes", json={"text": "ours"},
                    headers=auth(other.token))
    assert r.status_code == 403 and r.get_json()["code"] == 403
    r = client.post(f"/api/v1/flags/{flag_id}/notes", json={"text": ""},
                    headers=auth(farm.token))
    assert r.status_code == 400 and r.get_json()["errors"][0]["path"] == "$.text"
    for bad in ("harvest-yield-999999", "nonsense", "harvest-yield-x"):
        r = client.post(f"/api/v1/flags/{bad}/notes", json={"text": "why not"},
                        headers=auth(inspector))
        assert r.status_code == 404, bad
    explained = client.post(f"/api/v1/flags/{flag_id}/notes",
                            json={"text": "Two plots were weighed into one lot by mistake"},
                            headers=auth(farm.token)).get_json()
    assert explained["explanation"]["text"].startswith("Two plots")
    assert explained["status"] == "open"
    reviewed = client.post(f"/api/v1/flags/{flag_id}/notes",
                           json={"text": "Checked the weighbridge slips: two plots"},
                           headers=auth(inspector))
    assert reviewed.status_code == 201 and reviewed.get_json()["status"] == "reviewed"
    assert [f["id"] for f in _flags(client, inspector, status="reviewed")] == [flag_id]
    r = client.get("/api/v1/flags", query_string={"status": "maybe"}, headers=auth(inspector))
    assert r.status_code == 400

    app_services(client.application).resolver_cache = AnswerCache()  # instead of STALE_AFTER
    html = _page(client, berries, "H2")
    assert "Reviewed by an inspector:" in html and "Checked the weighbridge slips" in html
    assert "Two plots were weighed" in html
    assert _summary(client, berries, "H2")["verdict"]["headline"]["cautions"] == []


def test_a_harvest_captured_through_epcis_is_judged_like_any_other(client, actions):
    farm = coop(client, actions, "HTX Cam Lộ")
    farm.post("products", {"gtin": BERRIES, "kind": "pepper_berries", "nameVi": "Tiêu tươi",
                           "nameEn": "Fresh pepper"})
    event = harvest("E1", kg=60_000)  # 50 t/ha on 1.2 ha
    event["ilmd"]["tc:plot"] = f"urn:tracechain:plot:{farm.plot()}"
    r = client.post("/epcis/capture", data=orjson.dumps(document(event)),
                    headers={**auth(farm.token), "Content-Type": "application/ld+json"})
    assert r.status_code == 202 and r.get_json()["success"] is True, r.get_json()
    flags = _flags(client, actions.token("inspector"))
    assert [f["rule"] for f in flags] == ["harvest-yield"] and flags[0]["measured"] == 50.0
    assert _summary(client, BERRIES, "E1")["flags"][0]["status"] == "open"


def test_flags_need_a_token(client):
    r = client.get("/api/v1/flags")
    assert r.status_code == 401 and r.get_json()["code"] == 401
