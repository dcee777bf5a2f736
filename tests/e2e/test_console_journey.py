"""The console in Debian's chromium at 360×740, in Vietnamese: an admin signs in and invites a
member; the member opens the one-time link, sets a password, signs in, sees the start page and
signs out. Screenshots of each page go to test-artifacts/screenshots/console-*.png."""

from __future__ import annotations

from datetime import UTC, datetime

from tracechain.app_services import app_services
from tracechain.services.accounts import passwords

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (fails under CI=true) and says why
    expect = None

ADMIN = ("quan-tri@tracechain.vn", "mat-khau-quan-tri-2026")
MEMBER_EMAIL, MEMBER_PASSWORD = "lan.nguyen@htx.vn", "hat-tieu-cam-lo-2026"


def _fits_the_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{page.url} scrolls sideways at 360 px ({width} px wide)"


def test_an_admin_invites_a_member_who_signs_in_and_out(scratch_site, phone, screenshot):
    app = scratch_site.app
    uow = app_services(app).unit_of_work()
    _, token = passwords.invite(None, ADMIN[0], "Quản Trị Viên", "admin", None, uow,
                                now=datetime.now(UTC))
    passwords.set_password(token, ADMIN[1], ADMIN[1], uow, now=datetime.now(UTC))

    admin = phone("vi")
    admin.goto(scratch_site.url("/app/"))
    expect(admin.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    screenshot(admin, "console-01-login")
    admin.get_by_label("Địa chỉ e-mail").fill(ADMIN[0])
    admin.get_by_label("Mật khẩu").fill(ADMIN[1])
    admin.get_by_role("button", name="Đăng nhập").click()
    expect(admin.get_by_test_id("greeting")).to_have_text("Xin chào, Quản Trị Viên")
    screenshot(admin, "console-02-admin-start")

    admin.get_by_role("link", name="Người dùng").first.click()
    expect(admin.get_by_role("heading", name="Người dùng", exact=True)).to_be_visible()
    invite = admin.get_by_test_id("invite")
    invite.get_by_label("Địa chỉ e-mail").fill(MEMBER_EMAIL)
    invite.get_by_label("Tên").fill("Nguyễn Thị Lan")
    invite.get_by_label("Vai trò").select_option("member")
    invite.get_by_label("Tổ chức").select_option(index=1)
    organisation = invite.get_by_label("Tổ chức").evaluate(
        "s => s.options[s.selectedIndex].text")
    invite.get_by_role("button", name="Mời").click()
    link = admin.get_by_test_id("one-time-link").locator("input").input_value()
    assert link.startswith(scratch_site.url("/app/set-password/"))
    _fits_the_phone(admin)
    screenshot(admin, "console-03-admin-invited")

    member = phone("vi")
    member.goto(link)
    expect(member.get_by_role("heading", name="Đặt mật khẩu của bạn")).to_be_visible()
    member.get_by_label("Mật khẩu mới").fill("ngan")
    member.get_by_label("Nhập lại mật khẩu").fill("ngan")
    member.get_by_role("button", name="Đặt mật khẩu").click()
    expect(member.locator("#password-error")).to_contain_text("ít nhất 10 ký tự")
    screenshot(member, "console-04-set-password-error")
    member.get_by_label("Mật khẩu mới").fill(MEMBER_PASSWORD)
    member.get_by_label("Nhập lại mật khẩu").fill(MEMBER_PASSWORD)
    member.get_by_role("button", name="Đặt mật khẩu").click()
    expect(member.get_by_role("status")).to_contain_text("Đã đặt mật khẩu")
    member.get_by_label("Địa chỉ e-mail").fill(MEMBER_EMAIL)
    member.get_by_label("Mật khẩu").fill(MEMBER_PASSWORD)
    member.get_by_role("button", name="Đăng nhập").click()
    expect(member.get_by_test_id("greeting")).to_have_text("Xin chào, Nguyễn Thị Lan")
    expect(member.get_by_test_id("organisation")).to_have_text(organisation)
    expect(member.get_by_test_id("role")).to_have_text("Thành viên")
    _fits_the_phone(member)
    screenshot(member, "console-05-member-start")
    member.get_by_test_id("sign-out").click()
    expect(member.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    # Seen once in a full run (not alone): the navigation's load event came after 15 s, with
    # the page already there; its content is what this checks (noted in docs/console/OFFLINE.md).
    member.goto(scratch_site.url("/app/"), wait_until="domcontentloaded")
    expect(member.get_by_role("heading", name="Đăng nhập")).to_be_visible()  # signed out
    # the link was used: it sets nothing a second time
    member.goto(link)
    expect(member.get_by_role("heading", name="Không dùng được liên kết này")).to_be_visible()
    screenshot(member, "console-06-link-used")
