"""The screenshots of the README's "How a cooperative starts", regenerated
after a UI change with `make screenshots`.

On a fresh machine's state: a new, migrated SQLite database in a temporary directory, no demo,
the console served on 127.0.0.1 (Werkzeug's threaded server in this process). The first admin's
one-time link comes from the real CLI (`tracechain user invite ... --role admin`, as the README
says); everything after it is done in Debian's chromium (Playwright's driver, never
`playwright install`) at 360x740 in Vietnamese, as a person would: the admin sets a password,
signs in, registers the cooperative, invites a member; the member opens the link, sets a
password and signs in. Each step's page goes to docs/screenshots/starting-*.png, 360 CSS pixels
wide, reduced to a 64-colour palette (each well under 60 KB; commit them).

    .venv/bin/python benchmarks/screenshots.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import _common as c

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, LANGUAGES, PHONE
from tracechain import create_app
from tracechain.app_services import app_services
from tracechain.store import migrate

OUT = c.REPO_ROOT / "docs" / "screenshots"
MAX_BYTES = 60 * 1024
SHOWN_BASE_URL = "http://192.168.1.10:5000"  # a LAN address, in the links the pages show
MAX_HEIGHT = 1480  # CSS pixels: two phone screens at most
ADMIN = ("quan-tri@htx-camlo.vn", "Lê Văn Quản", "quan-tri-cam-lo-2026")
MEMBER = ("lan.nguyen@htx-camlo.vn", "Nguyễn Thị Lan", "hat-tieu-cam-lo-2026")
COOPERATIVE = {"name": "HTX Hồ tiêu Cam Lộ", "kind": "cooperative", "gln": "8936100000010",
               "province": "Quảng Trị"}


def shrink(png: bytes, colours: int = 64) -> bytes:
    """The screenshot as a palette PNG: text and flat colours survive 64 colours well."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    if image.height > MAX_HEIGHT:
        image = image.crop((0, 0, image.width, MAX_HEIGHT))
    out = io.BytesIO()
    image.quantize(colors=colours, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
                   ).save(out, format="PNG", optimize=True)
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    if not Path(CHROMIUM).is_file():
        raise c.BenchError(f"chromium is not installed ({CHROMIUM})")
    from playwright.sync_api import expect, sync_playwright
    from werkzeug.serving import make_server

    args.out.mkdir(parents=True, exist_ok=True)
    written: list[tuple[Path, int]] = []

    def shot(page, name: str) -> None:
        page.wait_for_load_state("load")
        path = args.out / f"starting-{name}.png"
        png = page.screenshot(full_page=True, scale="css", animations="disabled")
        path.write_bytes(shrink(png))
        written.append((path, path.stat().st_size))

    with tempfile.TemporaryDirectory() as folder, sync_playwright() as pw:
        url = f"sqlite:///{Path(folder) / 'trace.db'}"
        migrate.upgrade(url)
        app = create_app({"DATABASE_URL": url, "VAR_DIR": folder,
                          "SIGNING_SECRET": "screenshots-0123456789", "SIGNING_KDF_N": 2**14})
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{server.server_port}"
        # the address phones reach, as `make run` would name it: the links show it; the
        # browser here opens them on the local server
        app_services(app).reconfigure(public_base_url=SHOWN_BASE_URL)
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            # the first admin, through the CLI as the README says
            env = {**os.environ, "TRACE_DATABASE_URL": url,
                   "TRACE_PUBLIC_BASE_URL": SHOWN_BASE_URL}
            cli = Path(sys.executable).with_name("tracechain")
            answer = subprocess.run([str(cli), "user", "invite", "--email", ADMIN[0],
                                     "--name", ADMIN[1], "--role", "admin"], env=env,
                                    capture_output=True, text=True, timeout=120)
            link = answer.stdout.strip().splitlines()[-1] if answer.stdout.strip() else ""
            if answer.returncode != 0 or not link.startswith(SHOWN_BASE_URL + "/app/set-"):
                raise c.BenchError(f"`tracechain user invite` answered {answer.returncode}: "
                                   f"{answer.stdout}{answer.stderr}")

            def phone():
                context = browser.new_context(**PHONE, locale="vi-VN", service_workers="block",
                                              extra_http_headers={"Accept-Language":
                                                                  LANGUAGES["vi"]})
                page = context.new_page()
                page.set_default_timeout(30_000)
                return page

            def set_password_and_sign_in(page, link: str, who: tuple, prefix: str) -> None:
                page.goto(link.replace(SHOWN_BASE_URL, base, 1))
                page.get_by_label("Mật khẩu mới").fill(who[2])
                page.get_by_label("Nhập lại mật khẩu").fill(who[2])
                shot(page, f"{prefix}-set-password")
                page.get_by_role("button", name="Đặt mật khẩu").click()
                expect(page.get_by_role("status")).to_contain_text("Đã đặt mật khẩu")
                page.get_by_label("Địa chỉ e-mail").fill(who[0])
                page.get_by_label("Mật khẩu").fill(who[2])
                shot(page, f"{prefix}-sign-in")
                page.get_by_role("button", name="Đăng nhập").click()
                expect(page.get_by_test_id("greeting")).to_have_text(f"Xin chào, {who[1]}")

            admin = phone()
            set_password_and_sign_in(admin, link, ADMIN, "1-admin")
            shot(admin, "1-admin-start")

            admin.get_by_role("link", name="Tổ chức").first.click()
            form = admin.locator("form[method=post]").filter(has=admin.locator("[name=gln]"))
            for name, value in COOPERATIVE.items():
                field = form.locator(f"[name={name}]")
                if name == "kind":
                    field.select_option(value)
                else:
                    field.fill(value)
            form.get_by_role("button", name="Đăng ký").click()
            expect(admin.get_by_test_id("organisations")).to_contain_text(COOPERATIVE["name"])
            shot(admin, "2-cooperative-registered")

            admin.get_by_role("link", name="Người dùng").first.click()
            invite = admin.get_by_test_id("invite")
            invite.get_by_label("Địa chỉ e-mail").fill(MEMBER[0])
            invite.get_by_label("Tên").fill(MEMBER[1])
            invite.get_by_label("Vai trò").select_option("member")
            invite.get_by_label("Tổ chức").select_option(label=COOPERATIVE["name"])
            invite.get_by_role("button", name="Mời").click()
            member_link = admin.get_by_test_id("one-time-link").locator("input").input_value()
            admin.get_by_test_id("one-time-link").scroll_into_view_if_needed()
            shot(admin, "3-member-invited")

            member = phone()
            set_password_and_sign_in(member, member_link, MEMBER, "4-member")
            expect(member.get_by_test_id("organisation")).to_have_text(COOPERATIVE["name"])
            shot(member, "4-member-start")
        finally:
            browser.close()
            server.shutdown()
            server.server_close()

    for path, size in written:
        print(f"  {path.relative_to(c.REPO_ROOT) if path.is_relative_to(c.REPO_ROOT) else path}"
              f"  {size:>6} bytes")
    too_big = [str(p.name) for p, size in written if size > MAX_BYTES]
    print(c.verdict(not too_big, f"every screenshot <= {MAX_BYTES // 1024} KB"
                                 + (f"; over: {', '.join(too_big)}" if too_big else "")))
    return 0


if __name__ == "__main__":
    c.run_main(main)
