"""QR codes of captured lots and items: public, cached, and decoding to the exact Digital Link."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from tests.integration.epcis_docs import BERRIES, document, harvest
from tests.support.qr_decode import decode_png, png_matrix, svg_matrix
from tracechain.app_services import app_services

# PostgreSQL runs the tests whose subject is the database (docs/TESTING.md); this module's is the
# QR images and their links.
DATABASES = ("sqlite",)

BASE = "https://trace.example.vn"
ODD_LOT = "P/25!(A)"   # '/', '!', '(' and ')' must be percent-encoded in the link
SERIAL = "S-0042"


def commissioned_item(serial: str) -> dict:
    return {"type": "ObjectEvent", "eventTime": "2025-02-11T07:30:00.000+07:00",
            "eventTimeZoneOffset": "+07:00", "action": "ADD", "bizStep": "commissioning",
            "disposition": "active",
            "epcList": [f"https://id.gs1.org/01/{BERRIES}/21/{quote(serial, safe='')}"]}


@pytest.fixture
def world(app, client, actions):
    app_services(app).reconfigure(public_base_url=BASE)
    token = actions.token("member", actions.org("HTX Vĩnh Linh"))
    doc = document(harvest("H1"), harvest(quote(ODD_LOT, safe="")), commissioned_item(SERIAL))
    r = client.post("/epcis/capture", data=json.dumps(doc), content_type="application/ld+json",
                    headers=actions.auth(token))
    assert r.status_code == 202 and r.json["success"] is True, r.json
    return client


def lot_url(lot: str, fmt: str, gtin: str = BERRIES) -> str:
    return f"/api/v1/lots/{gtin}/{quote(lot, safe='')}/qr.{fmt}"


def test_lot_png_decodes_to_its_link_without_a_token(world):
    r = world.get(lot_url("H1", "png"))
    assert r.status_code == 200, r.json
    assert r.mimetype == "image/png"
    assert r.headers["Cache-Control"] == "public, max-age=86400"
    assert decode_png(r.data) == [f"{BASE}/01/{BERRIES}/10/H1"]


@pytest.mark.parametrize("ec", ["L", "M", "Q", "H"])
@pytest.mark.parametrize("size, border", [(2, 4), (6, 4), (12, 10)])
def test_odd_lot_decodes_exactly_at_every_size_and_level(world, ec, size, border):
    link = f"{BASE}/01/{BERRIES}/10/P%2F25%21%28A%29"
    r = world.get(lot_url(ODD_LOT, "png") + f"?size={size}&border={border}&ec={ec}")
    assert r.status_code == 200, r.json
    assert decode_png(r.data) == [link]
    svg = world.get(lot_url(ODD_LOT, "svg") + f"?size={size}&border={border}&ec={ec}")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert svg_matrix(svg.text) == png_matrix(r.data, size)


def test_short_gtin_in_the_url_gives_the_gtin14_link(world):
    r = world.get(lot_url("H1", "png", gtin=BERRIES.lstrip("0")))
    assert r.status_code == 200, r.json
    assert decode_png(r.data) == [f"{BASE}/01/{BERRIES}/10/H1"]


def test_item_codes(world):
    link = f"{BASE}/01/{BERRIES}/21/{SERIAL}"
    png_r = world.get(f"/api/v1/items/{BERRIES}/{SERIAL}/qr.png?ec=H")
    assert png_r.status_code == 200, png_r.json
    assert png_r.headers["Cache-Control"] == "public, max-age=86400"
    assert decode_png(png_r.data) == [link]
    svg_r = world.get(f"/api/v1/items/{BERRIES}/{SERIAL}/qr.svg?ec=H")
    assert svg_matrix(svg_r.text) == png_matrix(png_r.data, 10)


def test_svg_references_nothing_and_captions_on_request(world):
    link = f"{BASE}/01/{BERRIES}/10/P%2F25%21%28A%29"
    plain = world.get(lot_url(ODD_LOT, "svg")).text
    captioned = world.get(lot_url(ODD_LOT, "svg") + "?caption=1").text
    namespace = 'xmlns="http://www.w3.org/2000/svg"'
    assert "http" not in plain.replace(namespace, "")
    rest = captioned.replace(namespace, "")
    assert rest.count("http") == 1 and f">{link}</text>" in rest
    assert "href" not in rest and "url(" not in rest


@pytest.mark.parametrize("query, field", [
    ("size=0", "size"), ("size=41", "size"), ("size=big", "size"),
    ("border=3", "border"), ("border=21", "border"),
    ("ec=X", "ec"), ("caption=maybe", "caption"),
])
@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_bad_parameters_are_400(world, query, field, fmt):
    r = world.get(lot_url("H1", fmt) + "?" + query)
    assert r.status_code == 400
    assert r.json["code"] == 400 and r.json["errors"][0]["path"] == f"$.query.{field}"


def test_png_caption_writes_the_link_under_a_code_that_still_decodes(world):
    plain = world.get(lot_url("H1", "png"))
    r = world.get(lot_url("H1", "png") + "?caption=1")
    assert r.status_code == 200 and r.mimetype == "image/png"
    assert decode_png(r.data) == decode_png(plain.data)


@pytest.mark.parametrize("url, message", [
    (f"/api/v1/lots/{BERRIES[:-1]}0/H1/qr.png", "wrong check digit"),
    ("/api/v1/lots/123/H1/qr.png", "must be 8, 12, 13 or 14 digits"),
    (f"/api/v1/lots/{BERRIES}/{'A' * 21}/qr.png", "at most 20"),
    (f"/api/v1/lots/{BERRIES}/A%20B/qr.svg", "outside the GS1 character set 82"),
    (f"/api/v1/items/{BERRIES}/L%C3%94/qr.svg", "outside the GS1 character set 82"),
])
def test_bad_identifiers_are_400(world, url, message):
    r = world.get(url)
    assert r.status_code == 400
    assert message in r.json["message"]


@pytest.mark.parametrize("url", [
    f"/api/v1/lots/{BERRIES}/NOPE/qr.png",
    f"/api/v1/lots/{BERRIES}/NOPE/qr.svg",
    f"/api/v1/items/{BERRIES}/H1/qr.png",     # a lot code is not a serial
    f"/api/v1/lots/{BERRIES}/{SERIAL}/qr.svg",  # nor a serial a lot code
])
def test_unknown_lot_or_item_is_404_json(world, url):
    r = world.get(url)
    assert r.status_code == 404
    assert r.json["code"] == 404 and r.json["status"] == 404 and r.json["title"] == "Not Found"
    assert "GTIN " + BERRIES in r.json["message"]
