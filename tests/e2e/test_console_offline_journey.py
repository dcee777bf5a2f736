"""The offline journey on the real harvest form (issue #11's must-show), in Debian's chromium at
360×740, in Vietnamese: a member signs in and opens the harvest form; the browser goes offline;
she records three harvests, which wait on the phone (the badge says 3); back online the queue
sends them, "Send now" pressed during the sync, and exactly three events are stored. Then a
harvest form sent twice (the same fields, the same idempotency key) stores one event.
The JS edge cases stay on the test-only form (test_offline_queue.py).
Screenshots: test-artifacts/screenshots/console-offline-*.png."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from tracechain.app_services import app_services
from tracechain.services.accounts import passwords

try:
    from playwright.sync_api import Expect
except ImportError:  # the browser fixture skips (fails under CI=true) and says why
    expect = None
else:
    expect = Expect()  # 20 s: the machine's cores are shared; a sync can wait for one
    expect.set_options(timeout=20_000)

PASSWORD = "hat-tieu-cam-lo-2026"
EMAIL = "mai.offline@htx-cam-lo.vn"
FORM = "/app/record/harvest"
LOTS = ("H-OFF-1", "H-OFF-2", "H-OFF-3")


def _member(site, org_id: int) -> None:
    uow = app_services(site.app).unit_of_work()
    _, token = passwords.invite(None, EMAIL, "Nguyễn Thị Mai", "member", org_id, uow,
                                now=datetime.now(UTC))
    passwords.set_password(token, PASSWORD, PASSWORD, uow, now=datetime.now(UTC))


def _harvest_events(site) -> list[str]:
    """The events that name one of this test's offline harvest lots (one row per event and
    lot: a harvest names its one lot)."""
    return [row[0] for row in site.sql(
        "SELECT e.event_id FROM events e JOIN event_objects o ON o.event_pk = e.id "
        "WHERE o.uri LIKE '%/10/H-OFF-%'")]


def _fill(page, plot: str, product: str, lot: str) -> None:
    page.get_by_label("Thửa đất").select_option(plot)
    page.get_by_label("Sản phẩm").select_option(product)
    page.get_by_label("Khối lượng", exact=True).fill("120")
    page.get_by_label("Ngày thu hoạch").fill("2026-11-21")
    page.get_by_label("Mã lô (ghi lên bao)").fill(lot)


def test_three_harvests_recorded_offline_on_the_real_form_are_stored_once(scratch_site, phone,
                                                                           screenshot):
    site = scratch_site
    [(coop_id,)] = site.sql("SELECT id FROM organisations WHERE name LIKE '%Cam Lộ%'")
    [(berries,)] = site.sql("SELECT gtin FROM products WHERE owner_id = :o "
                            "AND kind = 'pepper_berries'", o=coop_id)
    _member(site, coop_id)
    # A Vietnamese phone: its clock in Asia/Ho_Chi_Minh, as the form's default time is. (A phone
    # in another zone meets a known bug: the form reset after queueing puts back the server's
    # +07:00 default time while the zone field keeps the phone's, so the second record reads
    # "in the future"; see the report of branch journeys.)
    page = phone("vi", bypass_csp=True, timezone_id="Asia/Ho_Chi_Minh")  # evaluate() runs strings
    page.set_default_timeout(30_000)
    page.goto(site.url(f"/app/login?next={FORM}"))
    page.get_by_label("Địa chỉ e-mail").fill(EMAIL)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(site.url(FORM))
    assert page.evaluate("tcOffline.ready") is True  # this member's worker is active
    page.goto(site.url("/app/waiting"))  # both pages now kept by the worker
    page.goto(site.url(FORM))
    plot = page.evaluate("[...document.querySelectorAll('select[name=plot] option')]"
                         ".map(o => o.value).find(v => v)")
    assert plot, "the cooperative has a plot to harvest from"
    before = len(_harvest_events(site))

    page.context.set_offline(True)
    page.reload()  # the form opens without signal, from the service worker
    expect(page.get_by_role("heading", name="Thu hoạch")).to_be_visible()
    generated = page.get_by_label("Mã lô (ghi lên bao)").input_value()
    for lot in LOTS:
        # the previous record's notice goes first, so that the wait below is for this one's
        # (a stale notice let the next fill race the form's reset)
        page.evaluate("document.getElementById('tc-offline-notice')?.remove()")
        _fill(page, plot, berries, lot)
        page.get_by_role("button", name="Ghi thu hoạch").click()
        expect(page.get_by_test_id("offline-notice")).to_contain_text(
            "Đã lưu trên điện thoại này")
    # The form is ready for the next record: a fresh lot code of the same form, not the one
    # the page came with (a record kept on the phone may have used it).
    lot_field = page.get_by_label("Mã lô (ghi lên bao)")
    expect(lot_field).to_have_value(re.compile(re.escape(generated[:-4]) + "[A-Z2-9]{4}$"))
    assert lot_field.input_value() != generated
    badge = page.get_by_test_id("waiting-badge")
    expect(badge).to_contain_text("3")
    screenshot(page, "console-offline-01-three-waiting")
    page.goto(site.url("/app/waiting"))  # offline too
    items = page.get_by_test_id("waiting-item")
    expect(items).to_have_count(3)
    expect(items.first).to_contain_text("H-OFF-1")
    screenshot(page, "console-offline-02-waiting")
    assert site.sql("SELECT count(*) FROM lots WHERE code LIKE 'H-OFF-%'") == [(0,)]

    # Back online: the `online` event starts a sync; "Send now" pressed meanwhile starts another.
    page.context.set_offline(False)
    page.get_by_role("button", name="Gửi ngay").click()
    page.evaluate("tcOffline.sync()")
    expect(items).to_have_count(0)
    expect(page.get_by_test_id("waiting-list")).to_contain_text("Không có gì đang chờ")
    expect(badge).to_be_hidden()
    screenshot(page, "console-offline-03-sent")
    stored = _harvest_events(site)
    assert len(stored) == before + 3 and len(set(stored)) == len(stored), stored
    assert sorted(r[0] for r in site.sql("SELECT code FROM lots WHERE code LIKE 'H-OFF-%'")) \
        == list(LOTS)

    # A form sent twice (a double tap, a retry after a lost answer): the same fields and key,
    # posted twice as the queue posts them; one event, the second answer names it.
    page.goto(site.url(FORM))
    _fill(page, plot, berries, "H-TWICE")
    fields = page.evaluate("Object.fromEntries(new FormData("
                           "document.querySelector('form[data-offline]')))")
    token = page.evaluate("document.querySelector('meta[name=csrf-token]').content")
    answers = [page.context.request.post(site.url(FORM), multipart=fields, headers={
        "Accept": "application/json", "X-CSRF-Token": token}) for _ in range(2)]
    assert [a.status for a in answers] == [201, 200], [a.text() for a in answers]
    assert answers[0].json()["eventIDs"] == answers[1].json()["eventIDs"]
    twice = site.sql("SELECT count(*) FROM events e JOIN event_objects o ON o.event_pk = e.id "
                     "WHERE o.uri LIKE '%/10/H-TWICE'")
    assert twice == [(1,)]
