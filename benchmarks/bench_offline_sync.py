"""200 records queued offline on a phone sync in <= 10 s (issue #11).

Debian's chromium (Playwright's driver, never `playwright install`) at 360x740 signs in to a small
live console (tests/e2e/offline_site.py: a fresh SQLite database and a test-only recording form
implementing the recording forms' JSON contract, served by Werkzeug's threaded server in this
process). Offline, 200 harvests are submitted through the form (the page's own submit path:
offline.js keeps each in IndexedDB); then the browser goes online and we time until the queue
is empty, checking that the server stored exactly 200 records, once each. Baseline in the same
run: 200 plain sequential fetch() POSTs of the same form from the same page.

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
from tests.e2e.offline_site import EMAIL, FORM_PATH, PASSWORD, start

TARGET_S = 10.0

FILL = """async (n) => {
  const form = document.querySelector("form[data-offline]");
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    form.elements.lot.value = `BENCH-${i}`;
    form.elements.quantity.value = String(100 + i);
    form.requestSubmit();
    while ((await tcOffline.all()).length < i + 1) await new Promise((r) => setTimeout(r, 1));
  }
  return performance.now() - t0;
}"""
DRAIN = """async () => {
  while ((await tcOffline.all()).length) await new Promise((r) => setTimeout(r, 5));
}"""
BASELINE = """async ([url, n]) => {
  const token = document.querySelector('meta[name="csrf-token"]').content;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const body = new FormData();
    for (const [k, v] of [["csrf", token], ["idempotency_key", crypto.randomUUID()],
        ["device_time", "2026-12-06T10:00:00+07:00"], ["lot", `BASE-${i}`], ["quantity", "100"],
        ["unit", "kg"], ["event_time", "2026-12-06T10:00"]]) body.append(k, v);
    const r = await fetch(url, {method: "POST", body, headers: {Accept: "application/json",
                                                                  "X-CSRF-Token": token}});
    if (r.status !== 201) throw new Error(`baseline: ${r.status}`);
  }
  return performance.now() - t0;
}"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--records", type=int, default=200)
    args = parser.parse_args()
    n = args.records
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line a request otherwise
    if not Path(CHROMIUM).is_file():
        raise c.BenchError(f"chromium is not installed ({CHROMIUM})")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder, sync_playwright() as pw:
        site = start(Path(folder))
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(**PHONE, locale="vi-VN", bypass_csp=True,
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

            context.set_offline(True)
            fill_ms = page.evaluate(FILL, n)
            queued = page.evaluate("tcOffline.all().then(items => items.length)")
            if queued != n:
                raise c.BenchError(f"{queued} records queued, not {n}")
            before = len(site.stored)
            t0 = time.perf_counter()
            context.set_offline(False)  # the "online" event starts the sync
            page.evaluate(DRAIN)
            sync_s = time.perf_counter() - t0
            stored = len(site.stored) - before
            sent = [key for key, status in site.posts if status in (200, 201)]
            if stored != n or len(sent) != len(set(sent)):
                raise c.BenchError(f"{stored} stored of {n}; {len(sent) - len(set(sent))} "
                                   "sent twice")

            baseline_ms = page.evaluate(BASELINE, [site.url("/app/test-offline/record"), n])
        finally:
            browser.close()
            site.stop()

    print(f"  chromium at 360x740, Werkzeug's threaded server, SQLite; {n} records")
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
