"""The inspector's journeys (issue #12, "Must show"), in Debian's chromium, in Vietnamese.

**Desktop** (1280×800, Vietnam's time zone): the exporter's member subscribes a webhook to the
lot it holds (the use case of ``/app/subscriptions``); an inspector of the demo's authority
signs in, finds the demo's pepper export lot by a partial code (``g550``), runs the bulk
verification (all verified), reads the lot's dossier and verifies it now, takes its files away
from the dossier (EPCIS 2.0 JSON-LD against the EPCIS schema, the CTE table parsed as CSV, the
EUDR geolocation file against the EU's rules, the PDF's text read back with pypdf), opens the
exports page and downloads the statement draft (asked for the EORI first; then valid against the
EU's V3 schema), follows the lineage graph to a harvest lot and its act page, holds it (asked
for a reason first) — the export lot's dossier and consumer page show the hold —, releases it,
recalls it (class II, texts in both languages): the export lot's consumer page and dossier show
the recall, and the exporter's webhook receives the hold, the release and the recall, signed;
the lift asks why, and the dossier marks it as a recall's lift. The bulk verification and act
pages are also laid out at 360 px: neither scrolls sideways.

**Phone** (360×740): sign in, find the green coffee by a partial code, open its dossier, open
its exports page from the start page's form, download the EUDR geolocation file (checked against
the EU's rules); no page scrolls sideways.

One live demo for the module (the desktop journey changes it; the phone journey reads a chain
the desktop one never touches). Screenshots: test-artifacts/screenshots/inspector-*.png.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pypdf
import pytest
from lxml import etree

from tests.e2e.live_site import LiveSite
from tests.support.eudr_rules import violations
from tests.support.webhooks import Receiver
from tracechain.app_services import app_services
from tracechain.capture.schema import validate_schema
from tracechain.domain.actor import Actor
from tracechain.services.accounts import passwords
from tracechain.services.inspection.partner_subscriptions import subscribe_to_lot
from tracechain.services.subscriptions.deliverer import (
    DeliverySettings,
    Urllib3Transport,
    deliver_once,
)

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (fails under CI=true) and says why
    expect = None

INSPECTOR = ("thanh.tra@sokhcn-daklak.gov.vn", "kiem-tra-lo-hang-2026", "Lê Văn Thanh")
EXPORTER = ("thu.mua@xnk-mientrung.vn", "xuat-khau-tieu-2026", "Phạm Thị Mai")
EXPORT = ("08936101000217", "QT25-G550-01")  # the pepper the exporter holds (the demo)
HARVEST = ("08936100000119", "CL25-001")  # one of the harvests it was made from
COFFEE = ("08936103000338", "ET24-GC01")  # the green coffee (EUDR's commodity)
HOOK_TOKEN = "hook-secret-2026"
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
XSD = (Path(__file__).resolve().parents[2] / "trace" / "present" / "eudr_schema"
       / "xsd4-due-diligence-statement-v3.xsd")


@pytest.fixture(scope="module")
def inspect_site(browser, tmp_path_factory):
    """The demo of its own (holds and recalls are recorded), with an inspector of the authority
    (with a password) and a member of the exporter; webhooks to 127.0.0.1 allowed."""
    site = LiveSite.start(tmp_path_factory.mktemp("e2e-inspector"))
    try:
        app_services(site.app).reconfigure(webhook_allow="127.0.0.1")
        for (email, password, name), gln, role in ((INSPECTOR, "8936105000015", "inspector"),
                                                   (EXPORTER, "8936102000018", "member")):
            [(org,)] = site.sql("SELECT id FROM organisations WHERE gln = :g", g=gln)
            _, token = passwords.invite(None, email, name, role, org, site.uow,
                                        now=datetime.now(UTC))
            if role == "inspector":  # the exporter's member does not sign in here
                passwords.set_password(token, password, password, site.uow,
                                       now=datetime.now(UTC))
        yield site
    finally:
        site.stop()


@pytest.fixture
def desktop(browser):
    """``desktop()``: a new page on a 1280×800 context in Vietnamese, in Vietnam's time zone
    (the console's script tells the server, which writes every time in it), downloads
    accepted."""
    contexts = []

    def open_page():
        context = browser.new_context(**DESKTOP, locale="vi-VN", accept_downloads=True,
                                      timezone_id="Asia/Ho_Chi_Minh",
                                      extra_http_headers={"Accept-Language": "vi-VN,vi;q=0.9"})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def _sign_in(page, site: LiveSite, who: tuple[str, str, str]) -> None:
    page.goto(site.url("/app/"))  # → the sign-in page, then back here
    page.get_by_label("Địa chỉ e-mail").fill(who[0])
    page.get_by_label("Mật khẩu").fill(who[1])
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_test_id("greeting")).to_contain_text(who[2])


def _fits(page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} scrolls sideways at {width} px ({scroll} px wide)"


def _fits_a_phone(page) -> None:
    """The page laid out at 360 px does not scroll sideways (then back to the desktop)."""
    page.set_viewport_size({"width": 360, "height": 740})
    try:
        _fits(page, 360)
    finally:
        page.set_viewport_size(DESKTOP["viewport"])


def _download(page, locator) -> tuple[str, bytes]:
    with page.expect_download() as got:
        locator.click()
    return got.value.suggested_filename, Path(got.value.path()).read_bytes()


def _find(page, code: str) -> None:
    page.get_by_test_id("inspect-find-links").get_by_role("link", name="Tìm lô hàng").click()
    page.get_by_label("Mã lô (một phần)").fill(code)
    page.get_by_role("button", name="Tìm").click()
    expect(page.get_by_test_id("result-count")).to_have_text("Tìm thấy 1 lô")


def _dossier_path(gtin: str, lot: str) -> str:
    return f"/app/inspect/lots/{gtin}/{lot}"


def test_an_inspector_finds_reads_verifies_exports_holds_and_recalls(
        inspect_site, desktop, phone, screenshot):
    site = inspect_site
    rx = Receiver(token=HOOK_TOKEN)
    try:
        _journey(site, desktop, phone, screenshot, rx)
    finally:
        rx.close()


def _journey(site: LiveSite, desktop, phone, screenshot, rx: Receiver) -> None:
    # The exporter watches the lot it holds: the use case behind its console's subscriptions
    # page (that page's form: tests/integration/console/test_console_inspect_act.py).
    [(user_id, org_id)] = site.sql("SELECT id, organisation_id FROM users WHERE email = :e",
                                   e=EXPORTER[0])
    subscribe_to_lot(Actor(user_id, "member", org_id, EXPORTER[0]), "tieu-g550", *EXPORT,
                     rx.url, HOOK_TOKEN, site.uow, allow=("127.0.0.1",))

    # The inspector signs in and finds the export lot by a part of its code.
    page = desktop()
    _sign_in(page, site, INSPECTOR)
    screenshot(page, "inspector-01-start")
    _find(page, "g550")
    result = page.get_by_test_id("results").get_by_role("link", name=EXPORT[1])
    expect(result).to_have_attribute("href", _dossier_path(*EXPORT))
    _fits(page, 1280)
    screenshot(page, "inspector-02-find")
    found = page.url

    # Every event of the demo verifies in bulk (before anything is recorded below).
    page.get_by_role("link", name="Kiểm tra hàng loạt").click()
    page.get_by_role("button", name="Kiểm tra", exact=True).click()
    expect(page.get_by_test_id("all-verified")).to_be_visible()
    expect(page.get_by_test_id("counts")).to_contain_text("đã xác minh")
    _fits_a_phone(page)
    screenshot(page, "inspector-03-bulk-verified")
    page.goto(found)

    # The dossier: the lot, its lineage back to the plots, its timeline; verified now.
    page.get_by_test_id("results").get_by_role("link", name=EXPORT[1]).click()
    expect(page.get_by_test_id("dossier-title")).to_contain_text(EXPORT[1])
    expect(page.get_by_test_id("dossier-status")).to_contain_text("đã xác minh")
    expect(page.get_by_test_id("lineage-graph").locator("svg")).to_be_visible()
    expect(page.get_by_test_id("plot")).to_have_count(3)
    expect(page.get_by_test_id("timeline").get_by_test_id("event")).to_have_count(9)
    expect(page.get_by_test_id("timeline")).to_contain_text("+07:00")  # the viewer's zone
    _fits(page, 1280)
    page.get_by_test_id("verify-now").click()
    expect(page.get_by_test_id("verify-report")).to_contain_text("Vừa xác minh")
    expect(page.get_by_test_id("report-clean")).to_be_visible()
    screenshot(page, "inspector-04-dossier-verified-now")

    # Take away, from the dossier: each file read as its reader's tool reads it.
    exports = page.get_by_test_id("exports")
    exports.locator("summary").click()
    stem = f"{EXPORT[0]}-{EXPORT[1]}"
    name, data = _download(page, exports.get_by_role("link", name="EPCIS 2.0 (JSON-LD)"))
    assert name == f"epcis-{stem}.jsonld"
    document = orjson.loads(data)
    assert validate_schema(document) == []
    assert len(document["epcisBody"]["eventList"]) == 9
    name, data = _download(page, exports.get_by_role("link", name="Sự kiện (CSV)"))
    assert name == f"cte-{stem}.csv"
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0]["CTE Type"] == "Harvesting" and rows[0]["Traceability Lot Code"] == HARVEST[1]
    assert {r["CTE Type"] for r in rows} >= {"Harvesting", "Transformation", "Shipping",
                                              "Receiving"}
    name, data = _download(page, exports.get_by_role("link", name="Định vị EUDR (GeoJSON)"))
    assert name == f"eudr-{stem}.geojson"
    assert violations(data.decode()) == []
    assert len(orjson.loads(data)["features"]) == 3
    name, data = _download(page, exports.get_by_role("link", name="Hồ sơ để in (PDF)"))
    assert name == f"dossier-{stem}.pdf"
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)
    assert EXPORT[1] in text and "Hồ sơ truy xuất nguồn gốc lô hàng" in text

    # The exports page: the statement draft asks for the EORI, then passes the EU's schema.
    exports.get_by_role("link", name="Tờ khai EUDR và số tham chiếu EU").click()
    expect(page.get_by_role("heading", name="Xuất dữ liệu và EUDR")).to_be_visible()
    page.get_by_label("Nước thành viên nơi diễn ra hoạt động (ví dụ DE)").fill("DE")
    page.get_by_role("button", name="Tải bản nháp tờ khai (XML)").click()  # no EORI: asked
    expect(page.locator("#eori-error")).to_contain_text("cần số EORI")
    screenshot(page, "inspector-05-exports-eori-asked")
    page.get_by_label("Số EORI của nhà điều hành (ví dụ DE123456789012345)").fill(
        "DE123456789012345")
    name, data = _download(page, page.get_by_role("button", name="Tải bản nháp tờ khai (XML)"))
    assert name == f"dds-{stem}.xml"
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    assert schema.validate(etree.fromstring(data)), schema.error_log.last_error

    # Down the lineage graph to a harvest lot, then to its act page.
    page.goto(site.url(_dossier_path(*EXPORT)))
    page.get_by_test_id("lineage-graph").locator(
        f"a[href='{_dossier_path(*HARVEST)}']").click()
    expect(page.get_by_test_id("dossier-title")).to_contain_text(HARVEST[1])
    page.get_by_test_id("act-link").click()
    expect(page.get_by_test_id("state")).to_contain_text("Không bị tạm giữ, không bị thu hồi.")
    expect(page.get_by_test_id("affected")).to_contain_text(EXPORT[1])
    _fits(page, 1280)
    _fits_a_phone(page)

    # A hold: asked for a reason first, nothing kept; then kept, shown on the dossier.
    page.get_by_role("button", name="Tạm giữ").click()
    expect(page.locator("#hold_reason-error")).to_contain_text("3 đến 1000 ký tự")
    page.get_by_label("Vì sao tạm giữ?").fill("Aflatoxin vượt ngưỡng trong mẫu S-12")
    page.get_by_role("button", name="Tạm giữ").click()
    expect(page.get_by_test_id("done")).to_contain_text("Lô đang bị tạm giữ.")
    expect(page.get_by_test_id("on-hold")).to_contain_text("Aflatoxin vượt ngưỡng")
    screenshot(page, "inspector-06-act-on-hold")
    act = page.url

    # The harvest's dossier, then the export lot's, say it is on hold (its harvest is).
    page.get_by_test_id("dossier-link").click()
    expect(page.get_by_test_id("holds-recalls").get_by_test_id("active-hold")).to_contain_text(
        HARVEST[1])
    page.goto(site.url(_dossier_path(*EXPORT)))
    holds = page.get_by_test_id("holds-recalls")
    expect(holds.get_by_test_id("active-hold")).to_contain_text(HARVEST[1])
    expect(holds.get_by_test_id("active-hold")).to_contain_text("Aflatoxin vượt ngưỡng")
    expect(holds.locator("[data-marker='hold']")).to_have_count(1)

    # The pepper's consumer page says it is made from a lot on hold, in red.
    shopper = phone("vi")
    shopper.goto(site.url(f"/01/{EXPORT[0]}/10/{EXPORT[1]}"))
    expect(shopper.get_by_test_id("hold-banner")).to_contain_text(f"Làm từ lô {HARVEST[1]}")
    assert shopper.get_by_test_id("verdict").get_attribute("data-tone") == "danger"

    # Released with a reason: the consumer page clears.
    page.goto(act)
    page.get_by_label("Vì sao cho phép lưu hành?").fill("Kiểm nghiệm lại: đạt")
    page.get_by_role("button", name="Cho phép lưu hành").click()
    expect(page.get_by_test_id("done")).to_contain_text("Đã dỡ bỏ tạm giữ.")
    shopper.reload()
    expect(shopper.get_by_test_id("hold-banner")).to_have_count(0)

    # A recall with its class, explained, and its texts in both languages.
    page.get_by_label("Cấp II: có thể gây bệnh tạm thời hoặc nhẹ").check()
    page.get_by_label("Lý do (để lưu hồ sơ)").fill("Aflatoxin B1 vượt ngưỡng")
    page.get_by_label("Lý do bằng tiếng Việt").fill("Phát hiện aflatoxin vượt ngưỡng")
    page.get_by_label("Lý do bằng tiếng Anh").fill("Aflatoxin above the limit")
    page.get_by_label("Cần làm gì, bằng tiếng Việt").fill("Không sử dụng; trả lại nơi mua.")
    page.get_by_label("Cần làm gì, bằng tiếng Anh").fill("Do not use it; return it.")
    page.get_by_role("button", name="Thu hồi").click()
    expect(page.get_by_test_id("done")).to_contain_text("Lô đã bị thu hồi")
    expect(page.get_by_test_id("recalled")).to_contain_text("cấp II")
    screenshot(page, "inspector-07-act-recalled")

    # The export lot's consumer page shows the recall at once, and so does its dossier.
    shopper.reload()
    banner = shopper.get_by_test_id("recall-banner")
    expect(banner).to_have_attribute("data-class", "II")
    expect(banner).to_contain_text("Không sử dụng; trả lại nơi mua.")
    screenshot(shopper, "inspector-08-consumer-recalled")
    page.goto(site.url(_dossier_path(*EXPORT)))
    holds = page.get_by_test_id("holds-recalls")
    expect(holds.get_by_test_id("recall")).to_contain_text(HARVEST[1])
    expect(holds.get_by_test_id("active-hold")).to_have_count(0)  # released
    expect(holds.get_by_test_id("marker")).to_have_count(3)  # hold, release, recall

    # The exporter's webhook hears of the hold, its release and the recall, each signed.
    report = deliver_once(app_services(site.app).unit_of_work, Urllib3Transport(),
                          DeliverySettings(allow=("127.0.0.1",), workers=1))
    assert report.failures == 0, report.errors
    sent = [e for doc in rx.received
            for e in doc["epcisBody"]["queryResults"]["resultsBody"]["eventList"]]
    assert [(e["bizStep"], e["disposition"]) for e in sent] == [
        ("holding", "non_sellable_other"), ("holding", "conformant"), ("holding", "recalled")]
    assert rx.bad_signatures == 0
    assert all(h["GS1-Signature"].startswith("sha256=") for h in rx.headers)

    # Lifting the recall asks why.
    page.goto(act)
    page.get_by_role("button", name="Dỡ bỏ thu hồi").click()
    expect(page.locator("#lift_reason-error")).to_be_visible()
    page.get_by_label("Vì sao dỡ bỏ?").fill("Kiểm nghiệm lại: đạt")
    page.get_by_role("button", name="Dỡ bỏ thu hồi").click()
    expect(page.get_by_test_id("done")).to_contain_text("Đã dỡ bỏ thu hồi.")

    # The dossier: no recall any more, and the lift marked as a recall's lift.
    page.goto(site.url(_dossier_path(*EXPORT)))
    holds = page.get_by_test_id("holds-recalls")
    expect(holds.get_by_test_id("recall")).to_have_count(0)
    expect(holds.locator("[data-marker='lift']")).to_contain_text("Đã dỡ bỏ thu hồi")


def test_an_inspector_on_a_phone_finds_a_lot_and_takes_its_eudr_file(
        inspect_site, phone, screenshot):
    page = phone("vi", accept_downloads=True)
    _sign_in(page, inspect_site, INSPECTOR)
    _fits(page, 360)
    _find(page, "gc01")
    _fits(page, 360)
    screenshot(page, "inspector-phone-01-find")
    page.get_by_test_id("results").get_by_role("link", name=COFFEE[1]).click()
    expect(page.get_by_test_id("dossier-title")).to_contain_text(COFFEE[1])
    _fits(page, 360)
    screenshot(page, "inspector-phone-02-dossier")
    # every plot of the lot on a page of its own (the dossier shows a long list's first 100)
    page.goto(inspect_site.url(_dossier_path(*COFFEE) + "/list/plots"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("thửa")
    expect(page.get_by_test_id("whole-list").locator("li").first).to_be_visible()
    _fits(page, 360)
    screenshot(page, "inspector-phone-02-plots")
    page.get_by_test_id("dossier-link").click()
    expect(page.get_by_test_id("dossier-title")).to_contain_text(COFFEE[1])
    exports = page.get_by_test_id("exports")
    exports.locator("summary").click()
    expect(exports.get_by_role("link", name="Tờ khai EUDR và số tham chiếu EU")).to_have_attribute(
        "href", _dossier_path(*COFFEE) + "/eudr")
    # The exports page, the way the start page leads to it: a GTIN and a lot code.
    page.get_by_role("link", name="tracechain").click()
    page.get_by_role("link", name="Xuất dữ liệu và EUDR của một lô").click()
    page.get_by_label("GTIN").fill(COFFEE[0])
    page.get_by_label("Mã lô").fill(COFFEE[1])
    page.get_by_role("button", name="Mở").click()
    expect(page.get_by_role("heading", name="Xuất dữ liệu và EUDR")).to_be_visible()
    assert page.url == inspect_site.url(_dossier_path(*COFFEE) + "/eudr")
    _fits(page, 360)
    screenshot(page, "inspector-phone-03-exports")
    name, data = _download(page, page.get_by_role("link", name="Tệp định vị EUDR (GeoJSON)"))
    assert name == f"eudr-{COFFEE[0]}-{COFFEE[1]}.geojson"
    assert violations(data.decode()) == []
