"""What a farm lets the public see (farmer's name, exact plot location): chosen at registration
or later with PATCH /api/v1/farms/<id>, by the farm's own cooperative only."""

from __future__ import annotations

from sqlalchemy import select

from tests.support.cooperative import auth, coop
from tracechain.app_services import app_services
from tracechain.store.catalogue import Farm
from tracechain.store.uow import SqlUnitOfWork

FARM = {"code": "CL-003", "farmerName": "Lê Văn Tư", "commune": "Cam Nghĩa",
        "district": "Cam Lộ", "province": "Quảng Trị"}


def _flags(app) -> list[tuple]:
    with SqlUnitOfWork(app_services(app).sessions) as uow:
        return [tuple(r) for r in uow.session.execute(
            select(Farm.id, Farm.publish_farmer_name, Farm.publish_plot_location)
            .order_by(Farm.id))]


def _patch(client, headers: dict, farm_id: int, body, expect: int = 200) -> dict:
    r = client.patch(f"/api/v1/farms/{farm_id}", json=body, headers=headers)
    assert r.status_code == expect, r.get_json()
    return r.get_json()


def _published(farm: dict) -> tuple:
    return farm["publishFarmerName"], farm["publishPlotLocation"]


def test_nothing_is_published_unless_the_cooperative_says_so(client, actions):
    a = coop(client, actions, "HTX Hồ tiêu Cam Lộ")
    private = a.post("farms", FARM)
    assert _published(private) == (False, False)
    public = a.post("farms", {**FARM, "code": "CL-004", "publishFarmerName": True,
                              "publishPlotLocation": True})
    assert _published(public) == (True, True)
    named_only = a.post("farms", {**FARM, "code": "CL-005", "publishFarmerName": True})
    assert _published(named_only) == (True, False)
    assert [_published(f) for f in a.get("/api/v1/farms")] == [
        (False, False), (True, True), (True, False)]


def test_change_what_is_published(client, actions):
    a = coop(client, actions, "HTX Hồ tiêu Cam Lộ")
    farm = a.post("farms", FARM)
    changed = _patch(client, a.headers, farm["id"], {"publishFarmerName": True})
    assert _published(changed) == (True, False)
    assert {k: v for k, v in changed.items() if not k.startswith("publish")} == {
        k: v for k, v in farm.items() if not k.startswith("publish")}
    changed = _patch(client, a.headers, farm["id"], {"publishPlotLocation": True})
    assert _published(changed) == (True, True)
    changed = _patch(client, a.headers, farm["id"], {"publishFarmerName": False,
                                                     "publishPlotLocation": False})
    assert _published(changed) == (False, False)
    assert _published(a.get("/api/v1/farms")[0]) == (False, False)


def test_refusals_are_precise_and_change_nothing(app, client, actions):
    a = coop(client, actions, "HTX Hồ tiêu Cam Lộ")
    b = coop(client, actions, "HTX Cà phê Ea Tu")
    farm = a.post("farms", FARM)
    before = _flags(app)
    fid = farm["id"]
    assert _patch(client, a.headers, fid, {}, 400)["errors"] == [
        {"path": "$", "message": "send publishFarmerName, publishPlotLocation or both"}]
    for bad in ("yes", "true", None, [True]):
        body = _patch(client, a.headers, fid, {"publishFarmerName": bad}, 400)
        assert body["errors"][0]["path"] == "$.publishFarmerName", bad
    body = _patch(client, a.headers, fid, {"publishPlotLocation": True, "farmerName": "X"}, 400)
    assert body["errors"][0]["path"] == "$.farmerName"  # only the publication choices change
    body = a.post("farms", {**FARM, "code": "CL-009", "publishPlotLocation": "no"}, expect=400)
    assert body["errors"][0]["path"] == "$.publishPlotLocation"

    on = {"publishFarmerName": True}
    assert "own cooperative" in _patch(client, b.headers, fid, on, 403)["message"]
    _patch(client, auth(actions.token("inspector")), fid, on, 403)
    # The farmer's consent is the cooperative's to record: not even an admin elsewhere.
    _patch(client, auth(actions.token("admin")), fid, on, 403)
    _patch(client, {}, fid, on, 401)
    _patch(client, {}, fid, {}, 401)  # authentication before the body
    _patch(client, a.headers, 999_999, on, 404)
    assert _flags(app) == before
