"""Every console page on a slow 3G phone: bytes on the wire and first contentful paint (issue #11).

A live demo site (tests/e2e/live_site.py: fresh SQLite, the demo signed and anchored on an
in-process eth-tester chain, Werkzeug's threaded server on 127.0.0.1) with a member of the pepper
cooperative and an admin. The pages are every GET route of the ``console`` blueprint
(tests/e2e/console_pages.py: parameters filled from the demo, downloads and scripts skipped), so
a page added later is measured without touching this file. Each page is opened ``--runs`` times
in Debian's chromium (Playwright's driver, never `playwright install`) at 360x740 in Vietnamese,
each time in a new browser context (cold cache; the session cookie of its user only), throttled
through CDP: ``Network.emulateNetworkConditions`` (400 ms latency, 400 kbit/s = 50,000 bytes/s
down and up) and ``Emulation.setCPUThrottlingRate`` 4. Measured: the bytes on the wire (the sum
of ``Network.loadingFinished``'s ``encodedDataLength`` until the load event: headers and
compressed bodies), first paint and first contentful paint (``performance.getEntriesByType
('paint')``) and DOMContentLoaded. Baseline in the same run, same server, same throttling: a
page with one word and nothing else (the floor the network sets).

    .venv/bin/python benchmarks/bench_console.py [--runs 3] [--only NAME]
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import _common as c

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, LANGUAGES, PHONE
from tests.e2e.console_pages import Fill, Page, console_pages
from tests.e2e.live_site import LiveSite
from tracechain.services.accounts import passwords

BYTES_TARGET = 30 * 1024
FCP_TARGET_MS = 1500
TIME_LIMIT_S = 600  # the whole measuring loop
SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 50_000,
           "uploadThroughput": 50_000}
CPU_SLOWDOWN = 4
USERS = {"member": ("lan.nguyen@htx-camlo.vn", "Nguyễn Thị Lan", "member"),
         "admin": ("quan-tri@tracechain.vn", "Quản Trị Viên", "admin")}
PASSWORD = "hat-tieu-cam-lo-2026"
BASELINE_PATH = "/bench/empty"
BASELINE_HTML = ('<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport"'
                 ' content="width=device-width, initial-scale=1"><title>.</title></head>'
                 "<body><p>tracechain</p></body></html>")
TIMINGS = """() => {
  const paint = {};
  for (const e of performance.getEntriesByType('paint')) paint[e.name] = e.startTime;
  const nav = performance.getEntriesByType('navigation')[0];
  return {fp: paint['first-paint'] ?? null, fcp: paint['first-contentful-paint'] ?? null,
          dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd};
}"""


def prepare(site: LiveSite) -> Fill:
    """The member and the admin (with passwords), an unused one-time link, and the demo's
    values the pages' parameters take: a lot the member's cooperative owns, an event it
    recorded."""
    [(org_id,)] = site.sql("SELECT id FROM organisations WHERE name LIKE '%Cam Lộ%'")
    now = datetime.now(UTC)
    for who, (email, name, role) in USERS.items():
        _, token = passwords.invite(None, email, name, role, org_id if who == "member" else None,
                                    site.uow, now=now)
        passwords.set_password(token, PASSWORD, PASSWORD, site.uow, now=now)
    _, unused = passwords.invite(None, "moi@htx-camlo.vn", "Người Mới", "member", org_id,
                                 site.uow, now=now)
    rows = site.sql("SELECT l.gtin, l.code, e.event_id FROM lots l JOIN events e "
                    "ON e.id = l.created_event_pk WHERE l.owner_id = :org AND l.kind = 'lot' "
                    "AND l.gtin IS NOT NULL ORDER BY l.id", org=org_id)
    if not rows:
        raise c.BenchError("the demo's pepper cooperative owns no lot")
    gtin, lot, event_id = rows[0]
    farms = site.sql("SELECT id FROM farms WHERE organisation_id = :org ORDER BY id", org=org_id)
    if not farms:
        raise c.BenchError("the demo's pepper cooperative has no farm")
    return Fill(gtin=gtin, lot=lot, event_id=event_id, invite_token=unused, farm_id=farms[0][0])


def sign_in(browser, site: LiveSite, who: str) -> dict:
    """The signed-in browser state (cookies) of ``who``, through the sign-in page."""
    context = browser.new_context(**PHONE, locale="vi-VN",
                                  extra_http_headers={"Accept-Language": LANGUAGES["vi"]})
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(site.url("/app/login"))
        page.get_by_label("Địa chỉ e-mail").fill(USERS[who][0])
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        page.get_by_test_id("greeting").wait_for()
        return context.storage_state()
    finally:
        context.close()


def measure(browser, url: str, state: dict | None, blocked: list[str] = ()) -> dict:
    """One cold load of ``url`` under slow 3G and a 4x slower CPU."""
    context = browser.new_context(**PHONE, locale="vi-VN", storage_state=state,
                                  service_workers="block",
                                  extra_http_headers={"Accept-Language": LANGUAGES["vi"]})
    try:
        page = context.new_page()
        page.set_default_timeout(60_000)
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", SLOW_3G)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
        if blocked:  # --block: what a page would cost without these (to find why it is slow)
            cdp.send("Network.setBlockedURLs", {"urls": list(blocked)})
        urls: dict[str, str] = {}
        sizes: dict[str, float] = {}
        cdp.on("Network.responseReceived",
               lambda e: urls.__setitem__(e["requestId"], e["response"]["url"]))
        cdp.on("Network.loadingFinished",
               lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
        response = page.goto(url, wait_until="load")
        if response is None or response.status != 200:
            raise c.BenchError(f"{url} answered {response.status if response else 'nothing'}, "
                               "not 200")
        kind = response.headers.get("content-type", "")
        if not kind.startswith("text/html"):
            raise c.BenchError(f"{url} answered {kind!r}, not an HTML page")
        # polled with evaluate(): wait_for_function() evaluates a string, which the CSP refuses
        waited = time.monotonic() + 10
        while (timings := page.evaluate(TIMINGS))["fcp"] is None:
            if time.monotonic() > waited:
                raise c.BenchError(f"{url}: no first contentful paint 10 s after the load")
            time.sleep(0.05)
        cdp.detach()
        by_url: dict[str, int] = {}
        document = response.url.split("?", 1)[0]
        for request_id, size in sizes.items():
            name = urls.get(request_id, request_id).split("?", 1)[0]
            if name.startswith("data:"):  # inside the HTML's or the CSS's bytes
                continue
            name = "HTML" if name == document else name.rsplit("/", 1)[-1]
            by_url[name] = by_url.get(name, 0) + int(size)
        return {**timings, "bytes": sum(by_url.values()), "resources": by_url,
                "encoding": response.headers.get("content-encoding", "-")}
    finally:
        context.close()


def median_of(runs: list[dict]) -> dict:
    out = {key: statistics.median(r[key] for r in runs) for key in ("fp", "fcp", "dcl", "bytes")}
    out["resources"] = max(runs, key=lambda r: r["bytes"])["resources"]
    out["encoding"] = runs[0]["encoding"]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=3, help="cold loads per page (median)")
    parser.add_argument("--only", default="", help="only the pages whose endpoint contains this")
    parser.add_argument("--block", action="append", default=[], metavar="PATTERN",
                        help="URL pattern the pages may not fetch (e.g. '*offline.js'): to see "
                             "what a resource costs; the verdicts then say so")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line a request otherwise
    if not Path(CHROMIUM).is_file():
        raise c.BenchError(f"chromium is not installed ({CHROMIUM})")
    from playwright.sync_api import sync_playwright

    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as pw:
        t0 = time.perf_counter()
        site = LiveSite.start(Path(folder))
        site.app.add_url_rule(BASELINE_PATH, "bench_empty",
                              lambda: (BASELINE_HTML, 200, {"Content-Type":
                                                            "text/html; charset=utf-8"}))
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            fill = prepare(site)
            pages = [p for p in console_pages(site.app, fill) if args.only in p.endpoint]
            print(f"live demo site ready in {time.perf_counter() - t0:.1f} s; "
                  f"{len(pages)} console pages")
            states = {who: sign_in(browser, site, who) for who in USERS}
            states["anonymous"] = None
            baseline = Page("baseline", BASELINE_PATH, "anonymous")
            deadline = time.monotonic() + TIME_LIMIT_S
            runs: dict[str, list[dict]] = {p.key: [] for p in [baseline, *pages]}
            for _ in range(args.runs):  # rounds: each page once per round, baseline first
                for page in [baseline, *pages]:
                    if time.monotonic() > deadline:
                        raise c.BenchError(f"cut short: more than {TIME_LIMIT_S} s of loads")
                    runs[page.key].append(measure(browser, site.url(page.path),
                                                       states[page.who], args.block))
            results = {p.key: median_of(runs[p.key]) for p in [baseline, *pages]}
        finally:
            browser.close()
            site.stop()

    base = results.pop(baseline.key)
    if base["fcp"] < SLOW_3G["latency"]:  # one round trip at least, or nothing was throttled
        raise c.BenchError(f"the baseline painted in {base['fcp']:.0f} ms, under one emulated "
                           f"round trip ({SLOW_3G['latency']} ms): the throttling did not apply")
    if args.block:
        print(f"  NOT the pages as served: blocked {', '.join(args.block)}")
    print(f"  chromium at 360x740, vi; slow 3G ({SLOW_3G['latency']} ms, "
          f"{SLOW_3G['downloadThroughput'] * 8 // 1000} kbit/s), CPU x{CPU_SLOWDOWN}, cold cache; "
          f"median of {args.runs} loads")
    print(f"  {'page':<34} {'who':<9} {'bytes':>7} {'FP ms':>6} {'FCP ms':>6} {'DCL ms':>6}"
          f"  {'FCP - baseline':>14}")
    print(f"  {'baseline: one word of HTML':<34} {'-':<9} {base['bytes']:>7.0f} {base['fp']:>6.0f}"
          f" {base['fcp']:>6.0f} {base['dcl']:>6.0f}")
    pages_by_key = {p.key: p for p in pages}
    for key, r in results.items():
        page = pages_by_key[key]
        print(f"  {page.path[:34]:<34} {page.who:<9} {r['bytes']:>7.0f} {r['fp']:>6.0f} "
              f"{r['fcp']:>6.0f} {r['dcl']:>6.0f}  {r['fcp'] - base['fcp']:>+14.0f}")
    print("  what each page fetched (bytes on the wire, its heaviest load):")
    for key, r in results.items():
        parts = ", ".join(f"{name} {size}"
                          for name, size in sorted(r["resources"].items(), key=lambda x: -x[1]))
        print(f"    {pages_by_key[key].path[:40]}: {parts}")
    heaviest = max(results.items(), key=lambda kv: kv[1]["bytes"])
    slowest = max(results.items(), key=lambda kv: kv[1]["fcp"])
    over_bytes = [pages_by_key[k].path for k, r in results.items() if r["bytes"] > BYTES_TARGET]
    over_fcp = [pages_by_key[k].path for k, r in results.items() if r["fcp"] > FCP_TARGET_MS]
    print(c.verdict(not over_bytes, f"every console page <= {BYTES_TARGET // 1024} KB on the wire "
                                    f"(heaviest {pages_by_key[heaviest[0]].path}: "
                                    f"{heaviest[1]['bytes']:.0f} bytes)"
                                    + (f"; over: {', '.join(over_bytes)}" if over_bytes else "")))
    print(c.verdict(not over_fcp, f"every console page's first contentful paint <= "
                                  f"{FCP_TARGET_MS} ms under slow 3G (slowest "
                                  f"{pages_by_key[slowest[0]].path}: {slowest[1]['fcp']:.0f} ms; "
                                  f"baseline {base['fcp']:.0f} ms)"
                                  + (f"; over: {', '.join(over_fcp)}" if over_fcp else "")))
    return 0


if __name__ == "__main__":
    c.run_main(main)
