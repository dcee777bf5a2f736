"""Products, farms and plots through HTTP: registration, listing, validation and who may write."""

from __future__ import annotations

from tests.support.cooperative import POINT, auth, coop, new_gtin

POLYGON_5HA = {"type": "Polygon", "coordinates": [[
    [107.021437, 16.794512], [107.023877, 16.794592], [107.023957, 16.79632],
    [107.022169, 16.796424], [107.021381, 16.795597], [107.021437, 16.794512]]]}


def _product(gtin: str, **extra) -> dict:
    return {"gtin": gtin, "kind": "black_pepper", "nameVi": "Tiêu đen", "nameEn": "Black pepper",
            **extra}


def test_products_register_list_and_read(client, actions):
    a = coop(client, actions, "HTX Cam Lộ")
    gtin = new_gtin()
    created = a.post("products", _product(gtin, attributes={"grade": "FAQ 550"}))
    assert created == {"gtin": "0" + gtin, "kind": "black_pepper", "crop": "pepper",
                       "nameVi": "Tiêu đen", "nameEn": "Black pepper",
                       "ownerId": a.org["id"], "attributes": {"grade": "FAQ 550"}}
    a.product("green_coffee")
    assert [p["gtin"] for p in a.get("/api/v1/products?kind=black_pepper")] == ["0" + gtin]
    assert len(a.get("/api/v1/products")) == 2
    assert a.get(f"/api/v1/products/{gtin}")["nameVi"] == "Tiêu đen"  # GTIN-13 finds GTIN-14
    assert client.get(f"/api/v1/products/{gtin}").status_code == 401
    missing = a.get(f"/api/v1/products/{new_gtin()}", expect=404)
    assert missing["message"].startswith("no product with GTIN")


def test_product_validation_is_precise_and_stores_nothing(client, actions):
    a = coop(client, actions, "HTX Cam Lộ")
    gtin = new_gtin()
    bad_digit = gtin[:-1] + str((int(gtin[-1]) + 1) % 10)
    body = a.post("products", _product(bad_digit), expect=400)
    assert body["code"] == 400 and "wrong check digit" in body["message"]
    assert body["errors"][0]["path"] == "$.gtin"
    body = a.post("products", _product(gtin, kind="tea"), expect=400)
    assert body["errors"][0]["path"] == "$.kind"
    body = a.post("products", _product(gtin, attributes={"moisture_pct": 130}), expect=400)
    assert body["errors"] == [{"path": "$.attributes.moisture_pct",
                               "message": "must be at most 100"}]
    r = client.post("/api/v1/products", data="{not json", headers={
        **a.headers, "Content-Type": "application/json"})
    assert r.status_code == 400 and r.get_json()["message"].startswith("malformed JSON")
    body = a.post("products", {"gtin": gtin}, expect=400)
    assert {e["path"] for e in body["errors"]} == {"$.kind", "$.nameVi", "$.nameEn"}
    assert a.get("/api/v1/products") == []
    a.post("products", _product(gtin))
    assert a.post("products", _product(gtin), expect=409)["errors"][0]["path"] == "$.gtin"


def test_who_may_register(client, actions):
    a = coop(client, actions, "HTX Cam Lộ")
    other = actions.org("HTX Ea Tu")
    inspector = actions.token("inspector")
    assert client.post("/api/v1/products", json=_product(new_gtin())).status_code == 401
    # Authentication comes before the body: no token and a bad body is still 401.
    assert client.post("/api/v1/farms", json={}).status_code == 401
    r = client.post("/api/v1/products", json=_product(new_gtin()), headers=auth(inspector))
    assert r.status_code == 403
    a.post("products", _product(new_gtin(), organisationId=other["id"]), expect=403)
    admin = actions.token("admin")
    r = client.post("/api/v1/products", json=_product(new_gtin(), organisationId=other["id"]),
                    headers=auth(admin))
    assert r.status_code == 201 and r.get_json()["ownerId"] == other["id"]
    r = client.post("/api/v1/products", json=_product(new_gtin()), headers=auth(admin))
    assert r.status_code == 400 and r.get_json()["errors"][0]["path"] == "$.organisationId"


def test_farms_and_plots(client, actions):
    a = coop(client, actions, "HTX Cam Lộ")
    b = coop(client, actions, "HTX Ea Tu")
    farm = a.post("farms", {"code": "CL-001", "farmerName": "Nguyễn Văn Hùng",
                            "commune": "Cam Thành", "district": "Cam Lộ",
                            "province": "Quảng Trị"})
    assert farm["organisationId"] == a.org["id"] and farm["farmerName"] == "Nguyễn Văn Hùng"
    point = a.post(f"farms/{farm['id']}/plots", {"code": "A", "areaHa": 1.5,
                                                 "geometry": POINT, "crop": "pepper"})
    polygon = a.post(f"farms/{farm['id']}/plots", {"code": "B", "areaHa": 5.08,
                                                   "geometry": POLYGON_5HA})
    assert point["geometry"] == POINT and polygon["areaHa"] == 5.08
    assert [p["code"] for p in a.get(f"/api/v1/farms/{farm['id']}/plots")] == ["A", "B"]
    assert [f["code"] for f in a.get("/api/v1/farms")] == ["CL-001"]
    assert b.get("/api/v1/farms") == []
    inspector = actions.token("inspector")
    assert len(client.get("/api/v1/farms", headers=auth(inspector)).get_json()) == 1
    assert client.get(f"/api/v1/farms/{farm['id']}/plots",
                      headers=auth(inspector)).status_code == 200
    b.get(f"/api/v1/farms/{farm['id']}/plots", expect=403)
    b.post(f"farms/{farm['id']}/plots", {"code": "C", "areaHa": 1, "geometry": POINT},
           expect=403)
    a.post("farms/999/plots", {"code": "C", "areaHa": 1, "geometry": POINT}, expect=404)
    again = a.post("farms", {"code": "CL-001", "farmerName": "X", "commune": "Y",
                             "province": "Quảng Trị"}, expect=409)
    assert again["errors"][0]["path"] == "$.code"


def test_plot_geometry_is_checked_for_eudr(client, actions):
    a = coop(client, actions, "HTX Cam Lộ")
    farm = a.post("farms", {"code": "F1", "farmerName": "Lê Văn Tư", "commune": "Cam Nghĩa",
                            "province": "Quảng Trị"})
    path = f"farms/{farm['id']}/plots"
    big_point = a.post(path, {"code": "A", "areaHa": 6, "geometry": POINT}, expect=400)
    assert big_point["errors"][0]["path"] == "$.geometry.type"
    assert "needs a Polygon" in big_point["errors"][0]["message"]
    wrong_area = a.post(path, {"code": "A", "areaHa": 9, "geometry": POLYGON_5HA}, expect=400)
    assert wrong_area["errors"][0]["path"] == "$.areaHa"
    negative = a.post(path, {"code": "A", "areaHa": -1, "geometry": POINT}, expect=400)
    assert negative["errors"][0]["path"] == "$.areaHa"
    assert a.get(f"/api/v1/{path}") == []
