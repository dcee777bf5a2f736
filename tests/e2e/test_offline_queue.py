"""The offline queue, the service worker and the scanner's parser in Debian's chromium at 360×740,
in Vietnamese, against a small live console with a test-only recording form that implements the
recording forms' JSON contract (tests/e2e/offline_site.py). Screenshots: offline-*.png."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import qrcode
from PIL import Image

from tests.e2e.offline_site import EMAIL, FORM_PATH, OTHER_EMAIL, PASSWORD, start

try:
    from playwright.sync_api import Expect
except ImportError:  # the browser fixture skips (fails under CI=true) and says why
    expect = None
else:
    # this module's own expect: 20 s (the machine is shared;
    # a sync of a few records can wait for a busy core), other modules keep theirs
    expect = Expect()
    expect.set_options(timeout=20_000)

CASES = json.loads((Path(__file__).parents[1] / "unit" / "scan_cases.json").read_text())["cases"]


@pytest.fixture
def phone(phone):
    """The shared phone, with 30 s for navigations and actions: this machine's cores are
    shared, and a navigation may wait for the service worker to start."""
    def open_page(*args, **kwargs):
        page = phone(*args, bypass_csp=True, **kwargs)  # wait_for_function evaluates strings
        page.set_default_timeout(30_000)
        return page
    return open_page


@pytest.fixture(scope="module")
def offline_site(browser, tmp_path_factory):
    site = start(tmp_path_factory.mktemp("offline-site"))
    yield site
    site.stop()


def sign_in(page, site, next_path=FORM_PATH, email=EMAIL):
    page.goto(site.url(f"/app/login?next={next_path}"))
    page.get_by_label("Địa chỉ e-mail").fill(email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(site.url(next_path))


def ready_offline(page, site) -> None:
    """Signed in on the form, its worker active and the form and waiting pages in its cache."""
    sign_in(page, site)
    # this user's worker is active (the sign-in page registered the signed-out one)
    assert page.evaluate("tcOffline.ready") is True, page.evaluate(
        "navigator.serviceWorker.getRegistration().then(r => JSON.stringify({url: location.href,"
        " active: r && r.active && [r.active.scriptURL, r.active.state], waiting: r && !!r.waiting,"
        " installing: r && !!r.installing}))")
    page.goto(site.url("/app/waiting"))  # both pages now go through the worker
    page.goto(site.url(FORM_PATH))


def record(page, lot: str, quantity: str = "120") -> None:
    # The previous record's notice goes first: still on the page, it satisfied the wait below at
    # once, and the next fill raced the form's reset (a record was queued with an empty lot).
    page.evaluate("document.getElementById('tc-offline-notice')?.remove()")
    page.get_by_label("Lô").fill(lot)
    page.get_by_label("Khối lượng").fill(quantity)
    page.get_by_role("button", name="Ghi").click()
    expect(page.get_by_test_id("offline-notice")).to_contain_text("Đã lưu trên điện thoại này")


def stored_lots(site) -> list[str]:
    return sorted(s["fields"]["lot"] for s in site.stored.values())


def test_three_harvests_recorded_offline_are_stored_exactly_once(offline_site, phone, screenshot):
    site = offline_site
    page = phone("vi")
    ready_offline(page, site)
    before = len(site.stored)
    page.context.set_offline(True)
    page.reload()  # the page opens without signal, from the service worker
    expect(page.get_by_role("heading", name="Thu hoạch (test)")).to_be_visible()
    for lot in ("OFF-1", "OFF-2", "OFF-3"):
        record(page, lot)
    badge = page.get_by_test_id("waiting-badge")
    expect(badge).to_be_visible()
    expect(badge).to_contain_text("3")
    screenshot(page, "offline-01-saved-on-phone")
    page.goto(site.url("/app/waiting"))  # offline too
    expect(page.get_by_test_id("waiting-item")).to_have_count(3)
    expect(page.get_by_test_id("waiting-item").first).to_contain_text("OFF-1 · 120 kg")
    screenshot(page, "offline-02-waiting")
    # the device time went with each record; the event time left at "now" is when it was filled
    fields = page.evaluate("tcOffline.all().then(items => items.map(i => i.fields))")
    assert all(dict(f)["device_time"] and dict(f)["event_time"] for f in fields)
    assert len({dict(f)["idempotency_key"] for f in fields}) == 3
    # a second tab sends at the same moment: the lock lets one of them send each record
    other = page.context.new_page()
    other.goto(site.url("/app/waiting"))
    page.context.set_offline(False)
    page.evaluate("tcOffline.sync()")
    other.evaluate("tcOffline.sync()")
    expect(page.get_by_test_id("waiting-item")).to_have_count(0)
    expect(badge).to_be_hidden()
    assert len(site.stored) == before + 3
    assert stored_lots(site).count("OFF-2") == 1
    sent = [key for key, status in site.posts if status in (200, 201)]
    assert len(sent) == len(set(sent)), "a record was sent twice"
    screenshot(page, "offline-03-sent")
    # signing out forgets the pages kept for this user (the next user of the phone sees none)
    assert any(n.startswith("tc-pages-") for n in page.evaluate("caches.keys()"))
    page.get_by_test_id("sign-out").click()
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    assert not any(n.startswith("tc-pages-") for n in page.evaluate("caches.keys()"))


def test_a_conflict_is_kept_for_the_member_then_discarded(offline_site, phone, screenshot):
    site = offline_site
    page = phone("vi")
    ready_offline(page, site)
    page.context.set_offline(True)
    record(page, "SHIPPED")
    record(page, "", quantity="")  # incomplete: the server will list what is missing
    page.context.set_offline(False)
    page.goto(site.url("/app/waiting"))
    items = page.get_by_test_id("waiting-item")
    expect(items.and_(page.locator("[data-status=attention]"))).to_have_count(2)
    expect(items.first).to_contain_text("Cần xem lại")
    expect(items.first).to_contain_text("Lô SHIPPED đã được xuất đi")
    screenshot(page, "offline-04-needs-attention")
    # open to fix: the form comes back filled; sending it replaces the saved record
    items.nth(1).get_by_role("link", name="Mở để sửa").click()
    expect(page.get_by_label("Khối lượng")).to_have_value("")
    expect(page.locator("form[data-offline]")).to_contain_text("Hãy nhập khối lượng.")
    page.get_by_label("Lô").fill("FIXED-1")
    page.get_by_label("Khối lượng").fill("80")
    page.get_by_role("button", name="Ghi").click()
    expect(page.get_by_test_id("offline-notice")).to_contain_text("Đã ghi.")
    assert "FIXED-1" in stored_lots(site)
    page.goto(site.url("/app/waiting"))
    expect(items).to_have_count(1)
    page.once("dialog", lambda dialog: dialog.accept())
    items.first.get_by_role("button", name="Bỏ").click()
    expect(items).to_have_count(0)
    expect(page.get_by_test_id("waiting-list")).to_contain_text("Không có gì đang chờ")
    assert "SHIPPED" not in stored_lots(site)
    # a server that answers 503 keeps the record waiting (not "needs attention"); "Send now"
    page.goto(site.url(FORM_PATH))
    page.context.set_offline(True)
    record(page, "RETRY-1")
    site.unavailable = True
    try:
        page.context.set_offline(False)
        page.evaluate("tcOffline.sync()")
        page.goto(site.url("/app/waiting"))  # its load tries again: 503 again
        page.evaluate("tcOffline.sync()")
        expect(items.and_(page.locator("[data-status=waiting]"))).to_have_count(1)
        # the page's own look-again (planned while the page it left still held the queue's
        # lock) has run against the 503 too: from here only "Send now" sends
        page.wait_for_function("!tcOffline.retrying()")
        expect(items.and_(page.locator("[data-status=waiting]"))).to_have_count(1)
    finally:
        site.unavailable = False
    page.get_by_role("button", name="Gửi ngay").click()
    expect(page.get_by_test_id("waiting-list")).to_contain_text("Không có gì đang chờ")
    assert stored_lots(site).count("RETRY-1") == 1


def test_an_ended_session_keeps_the_queue_until_the_member_signs_in(offline_site, phone,
                                                                    screenshot):
    site = offline_site
    page = phone("vi")
    ready_offline(page, site)
    page.context.set_offline(True)
    record(page, "AFTER-SIGN-IN")
    site.end_sessions()
    page.context.set_offline(False)
    page.evaluate("tcOffline.sync()")
    expect(page.get_by_test_id("offline-notice")).to_contain_text(
        "Hãy đăng nhập để gửi 1 bản ghi đang chờ")
    screenshot(page, "offline-05-sign-in-to-send")
    assert "AFTER-SIGN-IN" not in stored_lots(site)
    # another account signing in on this phone does not send them under its name
    sign_in(page, site, "/app/waiting", email=OTHER_EMAIL)
    expect(page.get_by_test_id("waiting-list")).to_contain_text(
        "1 bản ghi do tài khoản khác lưu đang chờ tài khoản đó đăng nhập")
    page.evaluate("tcOffline.sync()")
    assert "AFTER-SIGN-IN" not in stored_lots(site)
    page.get_by_test_id("sign-out").click()
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    sign_in(page, site, "/app/waiting")
    expect(page.get_by_test_id("waiting-list")).to_contain_text("Không có gì đang chờ")
    assert stored_lots(site).count("AFTER-SIGN-IN") == 1
    # refused for its CSRF token (an HTML 400 before the view) with the session gone: the
    # same — kept, and "sign in to send"; not "needs attention"
    page.goto(site.url(FORM_PATH))
    page.context.set_offline(True)
    record(page, "AFTER-CSRF")
    site.end_sessions()
    site.signed_out_answer = "csrf"
    try:
        page.context.set_offline(False)
        page.evaluate("tcOffline.sync()")
        expect(page.get_by_test_id("offline-notice")).to_contain_text(
            "Hãy đăng nhập để gửi 1 bản ghi đang chờ")
        assert page.evaluate("tcOffline.all()")[0]["status"] == "waiting"
        sign_in(page, site, "/app/waiting")
        expect(page.get_by_test_id("waiting-list")).to_contain_text("Không có gì đang chờ")
        assert stored_lots(site).count("AFTER-CSRF") == 1
    finally:
        site.signed_out_answer = 401


def test_the_scanner_parses_what_the_server_parses(offline_site, phone, tmp_path):
    page = phone("vi")
    sign_in(page, offline_site)
    page.wait_for_function("window.tcScan !== undefined")
    expect(page.get_by_test_id("scan-lot")).to_have_text("Quét mã")
    # without BarcodeDetector (chromium on Linux): a photo, decoded by POST /app/scan
    assert page.evaluate("'BarcodeDetector' in window") is False
    photo = tmp_path / "label.png"
    qrcode.make("https://id.gs1.org/01/09506000134352/10/HT-2026-07").save(photo)
    with page.expect_file_chooser() as chooser:
        page.get_by_test_id("scan-lot").click()
    chooser.value.set_files(str(photo))
    expect(page.get_by_label("Lô")).to_have_value("HT-2026-07")
    blank = tmp_path / "blank.png"
    Image.new("L", (64, 64), 255).save(blank)
    with page.expect_file_chooser() as chooser:
        page.get_by_test_id("scan-lot").click()
    chooser.value.set_files(str(blank))
    expect(page.locator(".scan-message")).to_contain_text("Không tìm thấy mã trong ảnh")
    expect(page.get_by_label("Lô")).to_have_value("HT-2026-07")  # left as it was
    for case in CASES:
        got = page.evaluate("text => tcScan.parseScanned(text)", case["text"])
        if case.get("server_only"):
            assert got == {"error": "server_only", "detail": ""}, case
        elif "error" in case:
            assert got["error"] == case["error"], (case, got)
        else:
            want = {"kind": case["kind"], "gtin": case.get("gtin"), "lot": case.get("lot"),
                    "sscc": case.get("sscc"), "text": case["text"].strip(" \t\r\n")}
            assert got == want, case
