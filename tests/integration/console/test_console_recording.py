"""Farms, plots and the recording forms (docs/console/RECORDING.md): each form × role, the
attacker naming another organisation's plot or lot, a form sent twice storing one event, the
offline queue's JSON contract (201/200/400/409), the EUDR plot rules in Vietnamese, the extra
fields per product kind reaching the stored event, and generated lot codes and SSCCs."""

from __future__ import annotations

import io
import json
import re

import pytest

from tracechain.app_services import app_services
from tracechain.gs1.keys import has_valid_check_digit
from tracechain.services.cooperative import form_choices

from ...support.cooperative import Coop

# PostgreSQL runs the tests whose subject is the database (docs/TESTING.md); this module's is the
# console's forms; what they store goes through the use cases tested on both
# (test_cooperative_api.py, test_cooperative_custody.py).
DATABASES = ("sqlite",)

KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')
JSON = {"Accept": "application/json"}
NOW = "2026-12-06T14:30"  # the console clock says 08:00 UTC = 15:00 in Vietnam


@pytest.fixture
def coops(app, console, actions, dataset):
    """A pepper cooperative with a plot and its products, an exporter, another cooperative with
    its own plot and lot, and a user of each role: made once per process and backend."""
    def build() -> dict:
        client = app.test_client()
        org = actions.org("HTX Tiêu Cam Lộ")
        exporter = actions.org("Công ty Xuất khẩu Hạt Tiêu", "exporter")
        other = actions.org("HTX Tiêu Vĩnh Linh")
        us = Coop(client, org, actions.token("member", org))
        them = Coop(client, other, actions.token("member", other))
        berries, black = us.product("pepper_berries", "Tiêu quả"), us.product("black_pepper",
                                                                              "Tiêu đen")
        plot = us.plot()
        their_berries = them.product("pepper_berries")
        their_plot = them.plot()
        them.harvest(their_plot, their_berries, "VL-1")
        return {"org": org, "exporter": exporter, "other": other, "berries": berries,
                "black": black, "plot": plot, "their_plot": their_plot,
                "their_berries": their_berries, "token": us.token,
                "member": console.user("member", org, email="an@cam-lo.vn"),
                "outsider": console.user("member", other, email="tam@vinh-linh.vn"),
                "buyer": console.user("member", exporter, email="mua@xuat-khau.vn"),
                "inspector": console.user("inspector", email="kiem-tra@example.vn"),
                "admin": console.user("admin", email="quan-tri@example.vn")}
    return dataset("console-recording", build)


def form_of(client, path: str) -> dict:
    page = client.get(path).get_data(as_text=True)
    return {"csrf": re.search(r'name="csrf" value="([^"]+)"', page).group(1),
            "idempotency_key": KEY.search(page).group(1), "event_time": NOW, "tz": "+07:00"}


def harvest_form(client, coops, **extra) -> dict:
    return {**form_of(client, "/app/record/harvest"), "plot": str(coops["plot"]),
            "product": coops["berries"], "lot": "H-CL-001", "quantity": "420", "unit": "KGM",
            "harvest_date": "2026-12-06", **extra}


def events(app, coops) -> list[dict]:
    client = app.test_client()
    doc = client.get("/epcis/events", headers={"Authorization": f"Bearer {coops['token']}"})
    return doc.get_json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]


def count_submissions(app) -> int:
    with app_services(app).engine.connect() as conn:
        from sqlalchemy import text
        return conn.execute(text("select count(*) from submissions")).scalar_one()


RECORD_PAGES = ("/app/record", "/app/record/harvest", "/app/record/process/drying",
                "/app/record/packing", "/app/record/shipping", "/app/record/receiving")


def test_record_pages_by_role(app, console, coops):
    for path in RECORD_PAGES:
        r = console.client().get(path)
        assert r.status_code == 302 and r.location.startswith("/app/login?next="), path
        assert console.signed_in(coops["inspector"]).get(path).status_code == 403, path
    member = console.signed_in(coops["member"])
    for path in RECORD_PAGES:
        r = member.get(path)
        assert r.status_code == 200, path
        page = r.get_data(as_text=True)
        assert "Võ Văn" not in page and "VL-1" not in page  # nothing of the other cooperative
    harvest = member.get("/app/record/harvest").get_data(as_text=True)
    assert 'data-offline="record"' in harvest and 'name="device_time" value=""' in harvest
    assert '<meta name="csrf-token"' in harvest and "Thu hoạch" in harvest
    assert "Độ ẩm" in harvest and "Giống" in harvest  # the pepper harvest's extra fields
    assert f'value="{coops["plot"]}"' in harvest and f'value="{coops["their_plot"]}"' not in harvest
    assert 'value="2026-12-06T15:00"' in harvest  # now, in Vietnam


def test_a_harvest_sent_twice_is_stored_once_json(app, console, coops):
    member = console.signed_in(coops["member"])
    data = harvest_form(member, coops, attr_moisture_pct="62,5", attr_variety="Vĩnh Linh")
    first = member.post("/app/record/harvest", data=data, headers=JSON)
    assert first.status_code == 201, first.get_json()
    body = first.get_json()
    assert body["ok"] is True and body["message"] == "Đã ghi Thu hoạch."
    assert body["redirect"] == "/app/record/harvest?done=harvest" and len(body["eventIDs"]) == 1
    again = member.post("/app/record/harvest", data=data, headers=JSON)
    assert again.status_code == 200
    assert again.get_json()["eventIDs"] == body["eventIDs"]
    assert again.get_json()["redirect"] == body["redirect"]
    assert count_submissions(app) == 1
    stored = [e for e in events(app, coops) if e["eventID"] in body["eventIDs"]]
    assert len(stored) == 1
    ilmd = stored[0]["ilmd"]
    assert ilmd["tc:moisturePercent"] == 62.5 and ilmd["tc:variety"] == "Vĩnh Linh"
    assert stored[0]["eventTime"].startswith("2026-12-06T14:30:00")
    assert stored[0]["eventTimeZoneOffset"] == "+07:00"


def test_a_harvest_sent_twice_is_stored_once_html(app, console, coops):
    member = console.signed_in(coops["member"])
    data = harvest_form(member, coops)
    first = member.post("/app/record/harvest", data=data)
    second = member.post("/app/record/harvest", data=data)
    assert first.status_code == second.status_code == 303
    assert first.location == second.location == "/app/record/harvest?done=harvest"
    assert count_submissions(app) == 1
    assert len([e for e in events(app, coops) if e.get("bizStep") == "commissioning"]) == 1
    page = member.get(first.location).get_data(as_text=True)
    assert "Đã ghi Thu hoạch." in page


def test_the_json_contract_invalid_and_conflict(app, console, coops):
    member = console.signed_in(coops["member"])
    bad = member.post("/app/record/harvest", data=harvest_form(member, coops, quantity="nhiều"),
                      headers=JSON)
    assert bad.status_code == 400
    assert bad.get_json()["ok"] is False and "quantity" in bad.get_json()["errors"]
    moist = member.post("/app/record/harvest",
                        data=harvest_form(member, coops, attr_moisture_pct="130"), headers=JSON)
    assert moist.status_code == 400 and "attr_moisture_pct" in moist.get_json()["errors"]
    ok = member.post("/app/record/harvest", data=harvest_form(member, coops), headers=JSON)
    assert ok.status_code == 201
    clash = member.post("/app/record/harvest", data=harvest_form(member, coops), headers=JSON)
    assert clash.status_code == 409
    assert "mã lô" in clash.get_json()["message"] and "lot" in clash.get_json()["errors"]
    assert count_submissions(app) == 1
    # The page (not JSON): the same conflict, next to the field, in Vietnamese.
    page = member.post("/app/record/harvest", data=harvest_form(member, coops))
    assert page.status_code == 409 and "Mã lô này đã được dùng" in page.get_data(as_text=True)
    # Signed out, or a wrong CSRF token: JSON too, never the HTML page.
    signed_out = console.client().post("/app/record/harvest", data={}, headers=JSON)
    assert signed_out.status_code == 401 and signed_out.get_json()["ok"] is False
    forged = member.post("/app/record/harvest", data={**harvest_form(member, coops),
                                                      "csrf": "x" * 40}, headers=JSON)
    assert forged.status_code == 400 and forged.is_json
    # The token may come from the X-CSRF-Token header (the page's <meta name="csrf-token">).
    data = harvest_form(member, coops, lot="H-CL-HDR")
    token = data.pop("csrf")
    by_header = member.post("/app/record/harvest", data=data,
                            headers={**JSON, "X-CSRF-Token": token})
    assert by_header.status_code == 201


def test_the_attacker_names_another_organisations_plot_and_lot(app, console, coops):
    outsider = console.signed_in(coops["outsider"])
    r = outsider.post("/app/record/harvest", headers=JSON, data={
        **form_of(outsider, "/app/record/harvest"), "plot": str(coops["plot"]),
        "product": coops["their_berries"], "lot": "STOLEN-1", "quantity": "10"})
    assert r.status_code == 403 and r.get_json()["ok"] is False
    member = console.signed_in(coops["member"])
    r = member.post("/app/record/process/drying", headers=JSON, data={
        **form_of(member, "/app/record/process/drying"),
        "input": f"{coops['their_berries']}|VL-1", "input_quantity": "100",
        "product": coops["black"], "output_lot": "D-STOLEN", "quantity": "30"})
    assert r.status_code == 403
    r = member.post("/app/record/harvest", headers=JSON, data=harvest_form(
        member, coops, product=coops["their_berries"], lot="H-THEIRS"))
    assert r.status_code in (400, 403)
    theirs = f"{coops['their_berries']}|VL-1"
    packing = member.post("/app/record/packing", headers=JSON, data={
        **form_of(member, "/app/record/packing"), "lots": theirs, "sscc": "089300000000000014"})
    assert packing.status_code == 409  # "not in your stock": nothing said of whose it is
    assert "VL-1 không còn trong kho" in packing.get_json()["errors"]["lots"]
    shipping = member.post("/app/record/shipping", headers=JSON, data={
        **form_of(member, "/app/record/shipping"), "lots": theirs,
        "to_gln": coops["exporter"]["gln"]})
    assert shipping.status_code == 403
    # The other cooperative's lot is still where it was: nothing recorded, nothing moved.
    assert "VL-1" in console.signed_in(coops["outsider"]).get(
        "/app/record/shipping").get_data(as_text=True)
    assert count_submissions(app) == 0
    # An inspector records nothing.
    inspector = console.signed_in(coops["inspector"])
    r = inspector.post("/app/record/harvest", data={**harvest_form(member, coops),
                                                    "csrf": console.csrf(inspector, "/app/")})
    assert r.status_code == 403 and count_submissions(app) == 0


def test_drying_packing_shipping_and_receiving_through_the_forms(app, console, coops):
    member = console.signed_in(coops["member"])
    assert member.post("/app/record/harvest", data=harvest_form(member, coops)).status_code == 303
    drying = member.get("/app/record/process/drying").get_data(as_text=True)
    assert "H-CL-001" in drying and "420 kg" in drying  # the lot in stock, with what is left
    data = {**form_of(member, "/app/record/process/drying"),
            "input": f"{coops['berries']}|H-CL-001",
            "input_quantity": "420", "product": coops["black"], "output_lot": "D-CL-001",
            "quantity": "140", "unit": "KGM", "attr_moisture_pct": "12.5",
            "attr_drying_method": "sun_dried"}
    r = member.post("/app/record/process/drying", data=data, headers=JSON)
    assert r.status_code == 201, r.get_json()
    packing = member.get("/app/record/packing").get_data(as_text=True)
    sscc = re.search(r'name="sscc" type="text" value="(\d{18})"', packing).group(1)
    assert has_valid_check_digit(sscc)
    r = member.post("/app/record/packing", headers=JSON, data={
        **form_of(member, "/app/record/packing"), "sscc": sscc,
        "lots": f"{coops['black']}|D-CL-001"})
    assert r.status_code == 201, r.get_json()
    shipping = member.get("/app/record/shipping", query_string={"q": "xuất"}).get_data(as_text=True)
    assert coops["exporter"]["gln"] in shipping and sscc in shipping
    r = member.post("/app/record/shipping", headers=JSON, data={
        **form_of(member, "/app/record/shipping"), "to_gln": coops["exporter"]["gln"],
        "ssccs": sscc})
    assert r.status_code == 201, r.get_json()
    # Shipped meanwhile: the queue's second shipping (a new key) is a readable conflict.
    again = member.post("/app/record/shipping", headers=JSON, data={
        **form_of(member, "/app/record/shipping"), "to_gln": coops["exporter"]["gln"],
        "ssccs": sscc})
    assert again.status_code == 409, again.get_json()
    assert "đã được xuất đi" in again.get_json()["message"]
    buyer = console.signed_in(coops["buyer"])
    receiving = buyer.get("/app/record/receiving").get_data(as_text=True)
    assert sscc in receiving and "HTX Tiêu Cam Lộ" in receiving
    r = buyer.post("/app/record/receiving", headers=JSON, data={
        **form_of(buyer, "/app/record/receiving"), "ssccs": sscc})
    assert r.status_code == 201, r.get_json()
    assert sscc not in buyer.get("/app/record/receiving").get_data(as_text=True)
    # The partners each has traded with come first in the directory, marked.
    from tracechain.domain.actor import Actor

    uow = app_services(app).unit_of_work()
    theirs = form_choices.partners(Actor(coops["buyer"]["id"], "member",
                                         coops["exporter"]["id"]), uow)
    assert [p.name for p in theirs if p.traded] == ["HTX Tiêu Cam Lộ"]
    assert theirs[0].name == "HTX Tiêu Cam Lộ"
    ours = member.get("/app/record/shipping").get_data(as_text=True)
    assert f"★ Công ty Xuất khẩu Hạt Tiêu · {coops['exporter']['gln']}" in ours


def test_farms_and_plots_with_the_eudr_rules_in_vietnamese(app, console, coops):
    member = console.signed_in(coops["member"])
    csrf = console.csrf(member, "/app/farms")
    r = member.post("/app/farms", data={"csrf": csrf, "farmer_name": "Lê Thị Hoa",
                                        "code": "F-HOA", "commune": "Cam Thành",
                                        "province": "Quảng Trị"})
    assert r.status_code == 303
    farm = r.location.split("?")[0]
    assert "Lê Thị Hoa" in member.get("/app/farms").get_data(as_text=True)

    def plot(**data):
        return member.post(farm, data={"csrf": console.csrf(member, farm), "code": "P1",
                                       "crop": "pepper", "area_ha": "1.2", **data},
                           content_type="multipart/form-data")
    too_big = plot(area_ha="5", lat="16.781234", lon="107.004512")
    assert too_big.status_code == 400
    assert "lớn hơn 4 ha cần ranh giới" in too_big.get_data(as_text=True)
    coarse = plot(lat="16.78", lon="107.00")
    assert coarse.status_code == 400 and "6 chữ số thập phân" in coarse.get_data(as_text=True)
    crossing = {"type": "Polygon", "coordinates": [[
        [107.0, 16.7], [107.001, 16.701], [107.001, 16.7], [107.0, 16.701], [107.0, 16.7]]]}
    r = plot(boundary=json.dumps(crossing))
    assert r.status_code == 400 and "ranh giới tự cắt" in r.get_data(as_text=True).lower()
    assert plot(lat="16.781234", lon="107.004512").status_code == 303
    upload = {"type": "Feature", "properties": {}, "geometry": {
        "type": "Point", "coordinates": [107.004612, 16.781334]}}
    r = plot(code="P2", geojson=(io.BytesIO(json.dumps(upload).encode()), "p2.geojson"))
    assert r.status_code == 303
    page = member.get(farm).get_data(as_text=True)
    assert "P1" in page and "P2" in page and "16.781234" in page
    # Another cooperative's member: its farm is not theirs to see or change.
    outsider = console.signed_in(coops["outsider"])
    assert outsider.get(farm).status_code == 403
    r = outsider.post(farm, data={"csrf": console.csrf(outsider, "/app/"), "code": "X",
                                  "area_ha": "1", "lat": "16.781234", "lon": "107.004512"})
    assert r.status_code == 403
    assert "Lê Thị Hoa" not in outsider.get("/app/farms").get_data(as_text=True)


def test_generated_lot_codes_and_ssccs(app, coops):
    from datetime import datetime

    codes = {form_choices.new_lot_code("harvest", datetime(2026, 12, 6)) for _ in range(20)}
    assert len(codes) == 20 and all(re.fullmatch(r"H261206-[A-Z2-9]{4}", c) for c in codes)
    from tracechain.domain.actor import Actor

    actor = Actor(coops["member"]["id"], "member", coops["org"]["id"])
    for _ in range(20):
        sscc = form_choices.new_sscc(actor, app_services(app).unit_of_work())
        assert len(sscc) == 18 and has_valid_check_digit(sscc)
        assert sscc[1:8] == coops["org"]["gln"][:7]


def test_the_steps_api_takes_an_idempotency_key(app, coops):
    client = app.test_client()
    headers = {"Authorization": f"Bearer {coops['token']}",
               "Idempotency-Key": "5b7c0f0e-3d1a-4c43-9f57-0d6b8a1e2f11"}
    body = {"plotId": coops["plot"], "gtin": coops["berries"], "lot": "API-1", "quantity": 10,
            "eventTime": "2026-12-06T10:00:00+07:00"}
    first = client.post("/api/v1/harvests", json=body, headers=headers)
    second = client.post("/api/v1/harvests", json=body, headers=headers)
    assert first.status_code == 201 and second.status_code == 200
    assert first.get_json()["eventID"] == second.get_json()["eventID"]
    assert count_submissions(app) == 1
    bad = client.post("/api/v1/harvests", json=body, headers={**headers,
                                                              "Idempotency-Key": "x"})
    assert bad.status_code == 400


def test_the_recording_pages_are_small_on_the_wire(app, console, coops):
    """Each page with its lists filled (a plot, lots in stock, partners) ≤ 30 KB compressed."""
    import gzip

    import brotli

    member = console.signed_in(coops["member"])
    assert member.post("/app/record/harvest", data=harvest_form(member, coops)).status_code == 303
    farm = re.search(r'href="(/app/farms/\d+)"', member.get("/app/farms").get_data(
        as_text=True)).group(1)
    sizes = {}
    for path in (*RECORD_PAGES, "/app/farms", farm, "/app/static/geo.js"):
        for coding, decode in (("br", brotli.decompress), ("gzip", gzip.decompress)):
            r = member.get(path, headers={"Accept-Encoding": coding})
            assert r.status_code == 200 and r.headers["Content-Encoding"] == coding, path
            sizes[(path, coding)] = (len(decode(r.data)), len(r.data))
    print(sizes)
    assert max(wire for _plain, wire in sizes.values()) <= 30 * 1024, sizes


def test_two_sendings_racing_store_one_event(app, coops):
    """The second sending passed the first look-up before the first was stored (two workers):
    it finds the key inside its own storing transaction, rolls its event back and answers the
    first's outcome."""
    from tracechain.console.recording import _settings
    from tracechain.domain.actor import Actor
    from tracechain.services.cooperative import lot_making, submissions

    actor = Actor(coops["member"]["id"], "member", coops["org"]["id"])
    uow = app_services(app).unit_of_work()
    key = "race-0d6b8a1e2f11"

    def harvest(lot: str):
        h = lot_making.Harvest(plot_id=coops["plot"], gtin=coops["berries"], lot=lot,
                               quantity=5.0)
        with app.app_context():
            return lot_making.record_harvest(h, actor, _settings(), uow)

    def second_sending():
        # The first sending is stored while the second is on its way.
        submissions.once(actor, key, "harvest", "/first", lambda: harvest("RACE-1"), uow)
        return harvest("RACE-2")

    with app.app_context():
        outcome = submissions.once(actor, key, "harvest", "/second", second_sending, uow)
    assert outcome.repeated and outcome.redirect == "/first"
    lots = {e.get("ilmd", {}).get("cbvmda:lotNumber") for e in events(app, coops)}
    uris = " ".join(str(e.get("epcList", "")) + str(e.get("quantityList", ""))
                    for e in events(app, coops))
    assert "RACE-1" in uris and "RACE-2" not in uris, lots
    assert count_submissions(app) == 1
