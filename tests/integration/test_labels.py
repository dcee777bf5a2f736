"""Label sheets over HTTP: A4 PDFs whose every QR code decodes to the exact Digital Link, with
the product, lot, weight, date and producer written on each label; and who may print them."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from tests.integration.epcis_docs import document
from tests.support.cooperative import auth, coop, new_gtin
from tests.support.pdf_labels import A4_POINTS, Grid, read_pdf
from tracechain.app_services import app_services

# PostgreSQL runs the tests whose subject is the database (docs/TESTING.md); this module's is
# label sheets' layout and text (serials are minted on both: test_serials.py).
DATABASES = ("sqlite",)

BASE = "https://trace.example.vn"
NAME_VI = "Tiêu đen Cam Lộ phơi nắng"
NAME_EN = "Cam Lộ sun-dried black pepper"


@pytest.fixture
def chain(app, client, actions):
    """A cooperative that harvested berries on 1 March and dried them into 300 kg of black
    pepper (D1); a processor; 30 serialised items of D1."""
    app_services(app).reconfigure(public_base_url=BASE)
    a = coop(client, actions, "HTX Hồ tiêu Cam Lộ")
    a.berries = a.product("pepper_berries", "Hồ tiêu quả tươi")
    a.black = register(a, NAME_VI, NAME_EN)
    a.harvest(a.plot(), a.berries, "H1", 800)
    a.transform("drying", [(a.berries, "H1", 800)], [(a.black, "D1", 300)])
    a.minted = a.post(f"lots/{a.black}/D1/serials", {"count": 30})["serials"]
    b = coop(client, actions, "Công ty Chế biến Gia vị Quảng Trị", "processor")
    return a, b


def register(member, name_vi: str, name_en: str) -> str:
    """A black pepper product with its Vietnamese and English names (Coop.product gives one)."""
    gtin = new_gtin()
    member.post("products", {"gtin": gtin, "kind": "black_pepper", "nameVi": name_vi,
                             "nameEn": name_en})
    return "0" + gtin


def url(gtin: str, lot: str, query: str = "") -> str:
    return f"/api/v1/lots/{gtin}/{quote(lot, safe='')}/labels.pdf" + (f"?{query}" if query else "")


def get_pdf(client, member, query: str = "", lot: str = "D1"):
    r = client.get(url(member.black, lot, query), headers=member.headers)
    assert r.status_code == 200, r.get_json()
    assert r.mimetype == "application/pdf"
    return r


def codes_by_cell(pages, grid: Grid, count: int) -> list[list[str]]:
    """The QR codes read in each label's cell, label by label across pages."""
    return [pages[i // grid.per_page].codes_in(grid.cell(i % grid.per_page))
            for i in range(count)]


def test_a_page_of_the_lots_label_by_default(chain, client):
    a, _ = chain
    r = get_pdf(client, a)
    assert r.headers["Content-Disposition"] == f"attachment; filename=labels-{a.black}-D1.pdf"
    pages = read_pdf(r.data)
    assert len(pages) == 1 and pages[0].size == pytest.approx(A4_POINTS, abs=0.01)
    grid = Grid(70, 37)
    link = f"{BASE}/01/{a.black}/10/D1"
    assert codes_by_cell(pages, grid, 24) == [[link]] * 24
    assert len(pages[0].codes()) == 24
    text = pages[0].flat_text()
    for expected in (NAME_VI, NAME_EN, "Lô / Lot: D1",
                     "Thu hoạch / Harvested: 2025-03-01", "HTX Hồ tiêu Cam Lộ"):
        assert text.count(expected) == 24, expected
    # never the whole lot's 300 kg on each bag: no net weight unless the caller gives one
    assert "Net wt" not in text and "300 kg" not in text


def test_count_copies_run_onto_more_pages(chain, client):
    a, _ = chain
    pages = read_pdf(get_pdf(client, a, "count=30&net=25%20kg&ec=H").data)
    assert [len(p.codes()) for p in pages] == [24, 6]
    grid = Grid(70, 37)
    assert codes_by_cell(pages, grid, 30) == [[f"{BASE}/01/{a.black}/10/D1"]] * 30
    assert pages[1].flat_text().count("KL tịnh / Net wt: 25 kg") == 6


def test_one_label_per_serial_in_the_order_minted(chain, client):
    a, _ = chain
    r = get_pdf(client, a, "serials=true&net=500%20g")
    assert r.headers["Content-Disposition"] == (
        f"attachment; filename=labels-{a.black}-D1-serials.pdf")
    pages = read_pdf(r.data)
    grid = Grid(70, 37)
    assert codes_by_cell(pages, grid, 30) == [[s["link"]] for s in a.minted]
    assert [len(p.codes()) for p in pages] == [24, 6]
    text = " ".join(p.flat_text() for p in pages)
    for s in a.minted:
        assert f"Serial: {s['serial']}" in text
    assert text.count("KL tịnh / Net wt: 500 g") == 30
    assert text.count("Lô / Lot: D1") == 30 and text.count(NAME_VI) == 30


def test_serials_from_start_at_most_count(chain, client):
    a, _ = chain
    pages = read_pdf(get_pdf(client, a, "serials=true&start=28&count=5").data)
    assert pages[0].codes() and len(pages) == 1
    assert codes_by_cell(pages, Grid(70, 37), 2) == [[s["link"]] for s in a.minted[28:]]
    assert "Net wt" not in pages[0].text  # an item is not the whole lot: no weight unless given


@pytest.mark.parametrize("query, size, grid", [
    ("width=105&height=74", (105, 74), (2, 4)),
    ("width=63.5&height=38.1&gapX=2.5", (63.5, 38.1, 2.5), (3, 7)),
    ("width=45&height=25", (45, 25), (4, 11)),
])
def test_other_sheet_layouts(chain, client, query, size, grid):
    a, _ = chain
    layout = Grid(*size)
    assert (layout.columns, layout.rows) == grid
    pages = read_pdf(get_pdf(client, a, query).data)
    assert len(pages) == 1
    assert codes_by_cell(pages, layout, layout.per_page) == [
        [f"{BASE}/01/{a.black}/10/D1"]] * layout.per_page
    assert pages[0].flat_text().count("Lô / Lot: D1") == layout.per_page


def test_a_lot_without_harvest_shows_the_day_it_was_made(chain, client, actions):
    """Lots created by capture without a harvest in their lineage: the creating event's date."""
    a, _ = chain
    event = {"type": "ObjectEvent", "eventTime": "2025-04-02T23:30:00.000+07:00",
             "eventTimeZoneOffset": "+07:00", "action": "ADD", "bizStep": "commissioning",
             "disposition": "active", "quantityList": [
                 {"epcClass": f"https://id.gs1.org/01/{a.black}/10/P%2F7", "quantity": 20,
                  "uom": "KGM"}]}
    r = client.post("/epcis/capture", data=json.dumps(document(event)),
                    content_type="application/ld+json", headers=a.headers)
    assert r.status_code == 202 and r.json["success"], r.json
    r = get_pdf(client, a, "count=1", lot="P/7")
    assert r.headers["Content-Disposition"] == (
        f"attachment; filename=labels-{a.black}-P_7.pdf")
    page = read_pdf(r.data)[0]
    assert page.codes() == [f"{BASE}/01/{a.black}/10/P%2F7"]
    text = page.flat_text()
    assert "Đóng gói / Packed: 2025-04-02" in text and "Lô / Lot: P/7" in text
    assert "Net wt" not in text  # the lot holds 20 kg: not printed unless asked


@pytest.mark.parametrize("query, path", [
    ("width=10", "$.query.width"),
    ("width=abc", "$.query.width"),
    ("height=400", "$.query.height"),
    ("gapX=-1", "$.query.gapX"),
    ("count=0", "$.query.count"),
    ("count=1001", "$.query.count"),
    ("count=2.5", "$.query.count"),
    ("ec=X", "$.query.ec"),
    ("net=" + "9" * 31, "$.query.net"),
    ("start=3", "$.query.start"),
    ("serials=maybe", "$.query.serials"),
    ("serials=true&start=30", "$.query.start"),
    ("colour=red", "$.query.colour"),
])
def test_bad_options_are_400(chain, client, query, path):
    a, _ = chain
    r = client.get(url(a.black, "D1", query), headers=a.headers)
    assert r.status_code == 400, r.get_json()
    assert path in [e["path"] for e in r.json["errors"]], r.json


def test_bad_keys_and_unknown_lots(chain, client):
    a, _ = chain
    bad_gtin = a.black[:-1] + str((int(a.black[-1]) + 1) % 10)
    r = client.get(url(bad_gtin, "D1"), headers=a.headers)
    assert r.status_code == 400 and r.json["errors"][0]["path"] == "$.path.gtin"
    r = client.get(url(a.black, "D" * 21), headers=a.headers)
    assert r.status_code == 400 and r.json["errors"][0]["path"] == "$.path.lot"
    assert client.get(url(a.black, "NOPE"), headers=a.headers).status_code == 404
    r = client.get(url(a.berries, "H1", "serials=true"), headers=a.headers)
    assert r.status_code == 400 and r.json["errors"][0]["path"] == "$.query.serials"


def test_who_may_print(chain, client, actions):
    a, b = chain
    assert client.get(url(a.black, "D1")).status_code == 401
    assert client.get(url(a.black, "D1"), headers=b.headers).status_code == 403
    inspector = auth(actions.token("inspector"))
    assert client.get(url(a.black, "D1"), headers=inspector).status_code == 403
    assert client.get(url(a.black, "D1", "count=1"),
                      headers=auth(actions.token("admin"))).status_code == 200
    # Sold on: the cooperative that produced the lot and owns its GTIN still prints; the new
    # holder does not, for the product is not its own (labels are the brand owner's).
    a.ship(b.org, [(a.black, "D1")])
    b.receive([(a.black, "D1")])
    r = client.get(url(a.black, "D1", "count=1"), headers=a.headers)
    assert r.status_code == 200, r.get_json()
    assert "HTX Hồ tiêu Cam Lộ" in read_pdf(r.data)[0].flat_text()  # the producer
    r = client.get(url(a.black, "D1", "count=1"), headers=b.headers)
    assert r.status_code == 403
    assert "another organisation's product" in r.json["message"]
    c = coop(client, actions, "Công ty Xuất khẩu", "exporter")
    assert client.get(url(a.black, "D1"), headers=c.headers).status_code == 403


def test_a_missing_font_is_a_clear_503(app, chain, client, tmp_path):
    a, _ = chain
    app_services(app).reconfigure(label_font_dir=str(tmp_path / "no-fonts"))
    r = client.get(url(a.black, "D1"), headers=a.headers)
    assert r.status_code == 503, r.get_json()
    assert "fonts-dejavu-core" in r.json["message"]
    assert "TRACE_LABEL_FONT_DIR" in r.json["message"]


def test_best_before_and_the_readers_date_format_and_the_written_link(chain, client):
    a, _ = chain
    text = read_pdf(get_pdf(client, a, "count=2&net=500%20g&bestBefore=2026-03-01&lang=en")
                    .data)[0].flat_text()
    assert text.count("Thu hoạch / Harvested: 1 Mar 2025") == 2
    assert text.count("HSD / Best before: 1 Mar 2026") == 2
    assert f"trace.example.vn/01/{a.black}/10/D1" in "".join(text.split())
    vi = read_pdf(get_pdf(client, a, "count=1&net=500%20g&lang=vi").data)[0].flat_text()
    assert "Thu hoạch / Harvested: 01/03/2025" in vi and "Best before" not in vi
    r = client.get(url(a.black, "D1", "net=1%20kg&bestBefore=2025-02-01"), headers=a.headers)
    assert r.status_code == 400 and r.get_json()["errors"][0]["path"] == "$.query.bestBefore"
    r = client.get(url(a.black, "D1", "lang=fr"), headers=a.headers)
    assert r.status_code == 400
