"""Correcting a record on the console, in Debian's chromium at 360×740, in Vietnamese: a member
of the pepper cooperative finds a harvest of the lot, says it did not happen; once anchored, the
consumer page shows the step struck out. On the way, the bulk harvest page lists a spreadsheet's
problem rows. Screenshots go to test-artifacts/screenshots/console-corrections-*.png."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.e2e.live_site import LiveSite
from tests.e2e.test_consumer_page import HARVEST, PEPPER, nfc, open_page, verdict_status
from tracechain.api.resolver import AnswerCache
from tracechain.app_services import app_services
from tracechain.services.accounts import passwords

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (fails under CI=true) and says why
    expect = None

EMAIL, PASSWORD = "thu.tran@htx-camlo.vn", "tieu-do-cam-lo-2026"


@pytest.fixture(scope="module")
def own_site(browser, tmp_path_factory):
    """A live demo of its own: a declaration is final, no other test should see it."""
    site = LiveSite.start(tmp_path_factory.mktemp("e2e-console-corrections"))
    try:
        [(org_id,)] = site.sql("SELECT id FROM organisations WHERE name LIKE '%Cam Lộ%'")
        _, token = passwords.invite(None, EMAIL, "Trần Thị Thu", "member", org_id, site.uow,
                                    now=datetime.now(UTC))
        passwords.set_password(token, PASSWORD, PASSWORD, site.uow, now=datetime.now(UTC))
        yield site
    finally:
        site.stop()


def _fits_the_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{page.url} scrolls sideways at 360 px ({width} px wide)"


def test_a_member_says_a_harvest_did_not_happen_and_the_product_page_shows_it(
        own_site, phone, screenshot):
    member = phone("vi")
    member.goto(own_site.url("/app/login"))
    member.get_by_label("Địa chỉ e-mail").fill(EMAIL)
    member.get_by_label("Mật khẩu").fill(PASSWORD)
    member.get_by_role("button", name="Đăng nhập").click()
    expect(member.get_by_test_id("greeting")).to_have_text("Xin chào, Trần Thị Thu")

    member.get_by_role("link", name="Nhập thu hoạch từ bảng tính").click()
    member.get_by_label("Tệp mẫu đã điền").set_input_files({
        "name": "mua-vu.csv", "mimeType": "text/csv",
        "buffer": ("\ufeffNgày thu hoạch;Mã vườn/lô đất;Sản phẩm;Khối lượng\n"
                   "2025-03-01;X/Y;Tiêu;abc\n").encode()})
    member.get_by_role("button", name="Kiểm tra và ghi nhận").click()
    expect(member.get_by_test_id("not-stored")).to_contain_text("Không ghi nhận gì")
    expect(member.get_by_test_id("problems").locator("tbody tr")).to_have_count(3)
    _fits_the_phone(member)
    screenshot(member, "console-corrections-01-bulk-problems")

    member.goto(own_site.url(f"/app/corrections?gtin={HARVEST[0]}&lot={HARVEST[1]}"))
    harvest = member.get_by_test_id("events").locator("li", has_text="commissioning")
    expect(harvest).to_have_count(1)
    _fits_the_phone(member)
    screenshot(member, "console-corrections-02-list")
    harvest.get_by_role("link", name="Đính chính bản ghi này").click()
    expect(member.get_by_role("heading", name="Đính chính bản ghi")).to_be_visible()
    member.get_by_label("Việc này đã không xảy ra").check()
    _fits_the_phone(member)
    screenshot(member, "console-corrections-03-form")
    member.get_by_role("button", name="Ghi nhận đính chính").click()
    expect(member.get_by_test_id("corrected")).to_contain_text("Đã ghi nhận đính chính")
    screenshot(member, "console-corrections-04-done")

    own_site.anchor()
    app_services(own_site.app).resolver_cache = AnswerCache()
    consumer = phone("vi")
    open_page(consumer, own_site.url(PEPPER.path))
    assert verdict_status(consumer) == "verified"
    note = consumer.locator("[data-testid=corrected-step]")
    expect(note).to_have_count(1)
    assert "Bước này đã không diễn ra" in nfc(note.inner_text())
    screenshot(consumer, "console-corrections-05-consumer-page")


def test_a_member_attaches_a_delivery_note_that_an_inspector_sees(own_site, phone, screenshot):
    """Evidence: a photo of a delivery note recorded for a lot the cooperative holds, sealed into
    an evidence event; an inspector opens the lot's evidence and the photo itself."""
    [(org_id,)] = own_site.sql("SELECT id FROM organisations WHERE name LIKE '%Cam Lộ%'")
    uri = own_site.sql("SELECT uri FROM lots WHERE owner_id = :o AND in_transit_to_id IS NULL "
                       "AND kind = 'lot' ORDER BY id DESC", o=org_id)[0][0]
    gtin, lot = uri.split("/01/")[1].split("/10/")
    _, token = passwords.invite(None, "thanh-tra@so-nn.vn", "Thanh Tra Viên", "inspector", None,
                                own_site.uow, now=datetime.now(UTC))
    passwords.set_password(token, PASSWORD, PASSWORD, own_site.uow, now=datetime.now(UTC))
    photo = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
             b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00"
             b"\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82")
    member = phone("vi")
    member.goto(own_site.url("/app/login"))
    member.get_by_label("Địa chỉ e-mail").fill(EMAIL)
    member.get_by_label("Mật khẩu").fill(PASSWORD)
    member.get_by_role("button", name="Đăng nhập").click()
    member.goto(own_site.url(f"/app/lots/{gtin}/{lot}/evidence"))
    member.get_by_label("Loại tài liệu").select_option("delivery-note")
    member.get_by_label("Ảnh hoặc tệp").set_input_files({
        "name": "phieu-giao-hang.png", "mimeType": "image/png", "buffer": photo})
    member.get_by_role("button", name="Ghi nhận").click()
    expect(member.get_by_role("status")).to_contain_text("Đã ghi nhận bằng chứng")
    _fits_the_phone(member)
    screenshot(member, "console-evidence-01-member")

    inspector = phone("vi")
    inspector.goto(own_site.url("/app/login"))
    inspector.get_by_label("Địa chỉ e-mail").fill("thanh-tra@so-nn.vn")
    inspector.get_by_label("Mật khẩu").fill(PASSWORD)
    inspector.get_by_role("button", name="Đăng nhập").click()
    inspector.goto(own_site.url(f"/app/lots/{gtin}/{lot}/evidence"))
    note = inspector.locator("p.file[data-status=ok]")
    expect(note).to_have_count(1)
    assert "khớp với dấu vân tay" in nfc(note.inner_text())
    expect(inspector.get_by_role("button", name="Ghi nhận")).to_have_count(0)
    screenshot(inspector, "console-evidence-02-inspector")
    response = inspector.goto(own_site.url("/app/evidence/" + note.get_attribute("data-sha256")))
    assert response is not None and response.status == 200
    assert response.headers["content-type"] == "image/png"
