"""200 records queued offline on a phone sync in <= 10 s (issue #11).

Debian's chromium (Playwright's driver, never `playwright install`) at 360x740, a phone in
Asia/Ho_Chi_Minh, signs in as a cooperative member to the live demo site of the browser tests
(tests/e2e/live_site.py: a fresh SQLite database with the demo, served by Werkzeug's threaded
server in this process) and opens the REAL harvest form (/app/record/harvest). Offline, 200
harvests are submitted through it (the page's own submit path: offline.js keeps each in
IndexedDB); then the browser goes online and we time until the queue is empty, checking that
exactly 200 harvest events were stored, one per lot. Baseline in the same run: 200 plain
sequential fetch() POSTs of the same form from the same page (new lots each).

    .venv/bin/python benchmarks/bench_offline_sync.py [--records 200]
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from pathlib import Path

import _common as c

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE
from tests.e2e.live_site import LiveSite

TARGET_S = 10.0
FORM_PATH = "/app/record/harvest"
EMAIL, PASSWORD = "bench.offline@htx-cam-lo.vn", "hat-tieu-cam-lo-2026"

FILL = """async ([n, tag]) => {
  const form = document.querySelector("form[data-offline]");
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    form.elements.lot.value = `${tag}-Q${i}`;
    form.elements.quantity.value = String(100 + i);
    form.requestSubmit();
    while ((await tcOffline.all()).length < i + 1) await new Promise((r) => setTimeout(r, 1));
  }
  return performance.now() - t0;
}"""
DRAIN = """async () => {
  while ((await tcOffline.all()).length) await new Promise((r) => setTimeout(r, 5));
}"""
BASELINE = """async ([url, n, tag]) => {
  const form = document.querySelector("form[data-offline]");
  const token = document.querySelector('meta[name="csrf-token"]').content;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const body = new FormData(form);
    body.set("csrf", token);
    body.set("idempotency_key", crypto.randomUUID());
    body.set("lot", `${tag}-B${i}`);
    body.set("quantity", "100");
    const r = await fetch(url, {method: "POST", body, headers: {Accept: "application/json",
                                                                  "X-CSRF-Token": token}});
    if (r.status !== 201) throw new Error(`baseline: ${r.status} ${await r.text()}`);
  }
  return performance.now() - t0;
}"""


def _member(site: LiveSite) -> None:
    from datetime import UTC, datetime

    from tracechain.app_services import app_services
    from tracechain.services.accounts import passwords

    [(coop_id,)] = site.sql("SELECT id FROM organisations WHERE name LIKE '%Cam Lộ%'")
    uow = app_services(site.app).unit_of_work()
    _, token = passwords.invite(None, EMAIL, "Bench", "member", coop_id, uow,
                                now=datetime.now(UTC))
    passwords.set_password(token, PASSWORD, PASSWORD, uow, now=datetime.now(UTC))


def _events_per_lot(site: LiveSite, pattern: str) -> list[int]:
    return [r[1] for r in site.sql(
        "SELECT o.uri, count(DISTINCT e.id) FROM events e JOIN event_objects o "
        "ON o.event_pk = e.id WHERE o.uri LIKE :p GROUP BY o.uri", p=pattern)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--records", type=int, default=200)
    args = parser.parse_args()
    n = args.records
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line a request otherwise
    if not Path(CHROMIUM).is_file():
        raise c.BenchError(f"chromium is not installed ({CHROMIUM})")
    from playwright.sync_api import sync_playwright

    tag = f"S{int(time.time()) % 100000}"
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as pw:
        site = LiveSite.start(Path(folder))
        _member(site)
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(**PHONE, locale="vi-VN", bypass_csp=True,
                                          timezone_id="Asia/Ho_Chi_Minh",
                                          extra_http_headers={"Accept-Language": "vi"})
            page = context.new_page()
            page.set_default_timeout(120_000)
            page.goto(site.url(f"/app/login?next={FORM_PATH}"))
            page.get_by_label("Địa chỉ e-mail").fill(EMAIL)
            page.get_by_label("Mật khẩu").fill(PASSWORD)
            page.get_by_role("button", name="Đăng nhập").click()
            page.wait_for_url(site.url(FORM_PATH))
            if page.evaluate("tcOffline.ready") is not True:
                raise c.BenchError("the service worker did not start")
            # the member's choices, once: the first plot, the cooperative's fresh berries
            page.evaluate("""() => {
              const f = document.querySelector("form[data-offline]");
              f.elements.plot.value = [...f.elements.plot.options].map(o => o.value)
                .find(v => v);
              const berries = [...f.elements.product.options].find(
                o => /tươi|berr/i.test(o.textContent)) || f.elements.product.options[0];
              f.elements.product.value = berries.value;
              for (const el of f.elements) el.defaultValue !== undefined && el.type !== "hidden"
                && el.tagName === "INPUT" && (el.defaultValue = el.value);
              for (const s of f.querySelectorAll("select")) for (const o of s.options)
                o.defaultSelected = o.selected;
            }""")

            context.set_offline(True)
            fill_ms = page.evaluate(FILL, [n, tag])
            queued = page.evaluate("tcOffline.all().then(items => items.length)")
            if queued != n:
                raise c.BenchError(f"{queued} records queued, not {n}")
            t0 = time.perf_counter()
            context.set_offline(False)  # the "online" event starts the sync
            page.evaluate(DRAIN)
            sync_s = time.perf_counter() - t0
            per_lot = _events_per_lot(site, f"%/10/{tag}-Q%")
            stored = sum(per_lot)
            if stored != n or any(k != 1 for k in per_lot):
                raise c.BenchError(f"{stored} harvest events stored for {n} records; "
                                   f"{sum(1 for k in per_lot if k != 1)} lots stored twice")

            baseline_ms = page.evaluate(BASELINE, [site.url(FORM_PATH), n, tag])
            if sum(_events_per_lot(site, f"%/10/{tag}-B%")) != n:
                raise c.BenchError("the baseline's harvests were not all stored")
        finally:
            browser.close()
            site.stop()

    print(f"  chromium at 360x740, the real harvest form, Werkzeug's threaded server, SQLite "
          f"(the demo); {n} records")
    print(f"  queueing offline (submit -> IndexedDB)   {fill_ms / 1000:6.2f} s  "
          f"({fill_ms / n:.1f} ms a record)")
    print(f"  sync after going online                  {sync_s:6.2f} s  "
          f"({sync_s * 1000 / n:.1f} ms a record, {stored} stored once each)")
    print(f"  baseline: {n} sequential fetch() POSTs    {baseline_ms / 1000:6.2f} s  "
          f"({baseline_ms / n:.1f} ms a record) -> the queue costs "
          f"{sync_s * 1000 / baseline_ms:.2f}x")
    print(c.verdict(sync_s <= TARGET_S, f"{n} queued offline records sync in <= {TARGET_S:.0f} s "
                                        f"({sync_s:.2f} s)"))
    return 0


if __name__ == "__main__":
    c.run_main(main)
