"""The inspector's exports in Debian's chromium at 360×740, in Vietnamese (docs/inspector/
EXPORTS.md): the demo's inspector signs in, opens the green coffee lot's exports from the start
page, downloads the CTE table, the EUDR geolocation file and the PDF dossier, is asked for the
EORI the statement draft lacks, then downloads a draft the EU's V3 schema accepts. Each file is
read as its reader's tool reads it. Screenshots: test-artifacts/screenshots/inspect-exports-*."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pypdf
from lxml import etree

from tests.support.eudr_rules import violations
from tracechain.app_services import app_services
from tracechain.services.accounts import passwords

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (fails under CI=true) and says why
    expect = None

EMAIL, PASSWORD = "thanh.tra@sokhcn-daklak.gov.vn", "kiem-tra-lo-ca-phe-2026"
XSD = (Path(__file__).resolve().parents[2] / "trace" / "present" / "eudr_schema"
       / "xsd4-due-diligence-statement-v3.xsd")


def test_an_inspector_takes_the_coffee_lots_files_away(scratch_site, phone, screenshot):
    app = scratch_site.app
    authority = scratch_site.sql("select id from organisations where kind = 'authority'")[0][0]
    uow = app_services(app).unit_of_work()
    _, token = passwords.invite(None, EMAIL, "Lê Thị Thanh", "inspector", authority, uow,
                                now=datetime.now(UTC))
    passwords.set_password(token, PASSWORD, PASSWORD, uow, now=datetime.now(UTC))

    page = phone("vi", accept_downloads=True)
    page.goto(scratch_site.url("/app/login"))
    page.get_by_label("Địa chỉ e-mail").fill(EMAIL)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("link", name="Xuất dữ liệu và EUDR của một lô").click()
    page.get_by_label("GTIN").fill("08936103000338")
    page.get_by_label("Mã lô").fill("ET24-GC01")
    page.get_by_role("button", name="Mở").click()
    expect(page.get_by_role("heading", name="Xuất dữ liệu và EUDR")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the exports page scrolls sideways at 360 px ({width} px)"
    screenshot(page, "inspect-exports-01-page")

    def download(link: str) -> tuple[str, bytes]:
        with page.expect_download() as got:
            page.get_by_role("link", name=link).click()
        return got.value.suggested_filename, Path(got.value.path()).read_bytes()

    name, data = download("Sự kiện truy xuất then chốt (CSV, FSMA 204)")
    assert name == "cte-08936103000338-ET24-GC01.csv"
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0]["CTE Type"] == "Harvesting" and rows[0]["Traceability Lot Code"] == "ET24-101"

    name, data = download("Tệp định vị EUDR (GeoJSON)")
    assert name == "eudr-08936103000338-ET24-GC01.geojson"
    assert violations(data.decode()) == []

    name, data = download("Hồ sơ (PDF, tiếng Việt và tiếng Anh)")
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)
    assert "ET24-GC01" in text and "Hồ sơ truy xuất nguồn gốc lô hàng" in text

    page.get_by_label("Nước thành viên nơi diễn ra hoạt động (ví dụ DE)").fill("DE")
    page.get_by_role("button", name="Tải bản nháp tờ khai (XML)").click()  # no EORI: asked
    expect(page.locator("#eori-error")).to_contain_text("cần số EORI")
    screenshot(page, "inspect-exports-02-eori-asked")
    page.get_by_label("Số EORI của nhà điều hành (ví dụ DE123456789012345)").fill(
        "DE123456789012345")
    with page.expect_download() as got:
        page.get_by_role("button", name="Tải bản nháp tờ khai (XML)").click()
    assert got.value.suggested_filename == "dds-08936103000338-ET24-GC01.xml"
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    assert schema.validate(etree.parse(got.value.path())), schema.error_log.last_error
