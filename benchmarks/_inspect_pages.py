"""The dossier page and the EUDR export on the inspector's dataset (``bench_inspect.py``'s
second half; docs/inspector/DOSSIER.md, EXPORTS.md).

- **dossier**: ``GET /app/inspect/lots/<gtin>/<lot>`` as a signed-in inspector (rendered,
  brotli-compressed, as a phone asks for it), each lot's **first** page, twice: **cold** first
  (the baseline: no kept dossier in the database and none written; the dossier is built), the
  app's verification caches as a running server keeps them (warmed by one other lot first);
  then, after a dataset step that keeps the big lineages' dossiers as the anchorer or
  ``tracechain dossiers keep`` does in a deployment (``kept_refresh.keep_big``), each lot's
  first page again with nothing of it in the process's memory: the **kept** dossier read,
  checked and rendered (the target's figure). Lots: one of the export lot's dried lots and
  one of its sorted lots, then ``Info.sample_codes`` (every 997th lot: harvests and dried
  lots, some of the export lot's), and the export lot (2,111 lots, 2,000 plots). Then the
  export lot's dossier built **in a new process** (fresh verification caches: every
  batch's tree and every seal checked again), reported apart. Baseline in the same run: the
  lot's JSON lineage answer (``services.lots.lineage.trace_lot``, back to the plots).
- **EUDR export** of the export lot: the geolocation file and the statement draft (V3 XML,
  schema-checked), as the console's ``eudr.geojson`` and ``dds.xml`` build them; baseline the
  lineage answer back to the plots. Checked: 2,000 plots in each.

The SQLite dataset is copied to a temporary directory first (the app writes a user and its
session): the cached file stays as generated.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import _common as c
import inspect_dataset as d

from tracechain import create_app
from tracechain.app_services import app_services
from tracechain.console import inspect_dossier as console_dossier
from tracechain.console import web
from tracechain.domain.actor import Actor
from tracechain.domain.eudr import StatementChoices
from tracechain.present import eudr_dds
from tracechain.services.accounts import passwords
from tracechain.services.inspection import eudr_export
from tracechain.services.inspection.dossier import dossier
from tracechain.services.inspection.kept_dossier import keeper
from tracechain.services.inspection.kept_refresh import keep_big
from tracechain.services.inspection.lot_exports import gather
from tracechain.services.lots.lineage import trace_lot
from tracechain.services.lots.plausibility import Limits
from tracechain.services.verification.verdicts import VerificationCaches

DOSSIER_P99_MS = 100.0
LATER_PAGE = "?harvests=11"  # of 20 (100 harvests a page)
EXPORT_S = 1.0
CHOICES = StatementChoices(country_of_activity="DE", border_cross_country="DE",
                           hs_heading="0904", eori="DE123456789012345")


@dataclass
class Site:
    app: Any
    client: Any
    inspector: Actor


def site(url: str, info: d.Info, tmp: Path) -> Site:
    """The app on ``url`` with an inspector of the authority signed in."""
    app = create_app({"DATABASE_URL": url, "TESTING": True, "VAR_DIR": str(tmp),
                      "SIGNING_SECRET": "bench-inspect-0123456789"})
    services = app_services(app)
    services.chain_reader = None  # the dataset's roots were never sent to a chain
    email, password = "inspector-bench@example.vn", "ca-phe-sua-da-2026"
    now = datetime.now(UTC)
    user_id, token = passwords.invite(None, email, "Bench", "inspector", info.authority,
                                      services.unit_of_work(), now=now)
    passwords.set_password(token, password, password, services.unit_of_work(), now=now)
    client = app.test_client()
    page = client.get("/app/login").get_data(as_text=True)
    csrf = page.split('name="csrf" value="')[1].split('"')[0]
    r = client.post("/app/login", data={"email": email, "password": password, "csrf": csrf})
    if r.status_code != 303:
        raise c.BenchError(f"the inspector could not sign in: {r.status_code}")
    return Site(app, client, Actor(user_id, "inspector", info.authority, email))


def sqlite_copy(info: d.Info, tmp: Path) -> str:
    source = Path(info.url.removeprefix("sqlite:///"))
    target = tmp / "inspect.db"
    shutil.copyfile(source, target)
    return f"sqlite:///{target}"


def lots_to_open(info: d.Info, count: int) -> list[tuple[str, str]]:
    """The export lot's own dried and sorted lots (200 and 20 plots behind each), then every
    997th lot of the dataset."""
    mixed = [(d.HARVEST_GTIN, "SAY25-M000"), (d.EXPORT_GTIN, "PL25-M00")]
    return [*mixed, *((d.HARVEST_GTIN, code) for code in info.sample_codes)][:count]


def run(url: str, info: d.Info, label: str, args: Any) -> None:
    with tempfile.TemporaryDirectory(prefix="tracechain-bench-inspect-") as tmp:
        if url.startswith("sqlite"):
            url = sqlite_copy(info, Path(tmp))
        s = site(url, info, Path(tmp))
        services = app_services(s.app)
        try:
            dossiers(s, services, info, label, args)
            exports(s, services, info, label, args)
        finally:
            services.engine.dispose()


def _get(s: Site, gtin: str, code: str, query: str = "") -> tuple[float, float, int]:
    path = f"/app/inspect/lots/{gtin}/{code}{query}"
    t, p = time.perf_counter(), time.process_time()
    r = s.client.get(path, headers={"Accept-Encoding": "br", "Accept-Language": "vi"})
    wall, cpu = time.perf_counter() - t, time.process_time() - p
    if r.status_code != 200:
        raise c.BenchError(f"GET {path}: {r.status_code}")
    return wall, cpu, len(r.data)


def _not_kept(secret: str) -> Any:
    return keeper(secret, min_events=10**9)  # a kept dossier is looked for, none is written


def _forget_dossiers(services: Any) -> None:
    """As a new process: nothing of a dossier in memory (the verification caches stay)."""
    services.verification_caches.__dict__.pop("inspection_dossiers", None)


def dossiers(s: Site, services: Any, info: d.Info, label: str, args: Any) -> None:
    # The cold pages first: no kept dossier in the database, none written.
    original = console_dossier._keeper
    console_dossier._keeper = _not_kept
    try:
        cold = _cold(s, services, info, label, args)
    finally:
        console_dossier._keeper = original
    _kept(s, services, info, label, args, cold)


def _cold(s: Site, services: Any, info: d.Info, label: str, args: Any) -> list[float]:
    lots = lots_to_open(info, args.dossiers)
    _get(s, *lots[-1])  # warms the app's verification caches (batch trees, seals) on one lot
    lots = lots[:-1]
    times, cpu = [], []
    for gtin, code in lots:
        wall, used, _ = _get(s, gtin, code)
        times.append(wall)
        cpu.append(used)
    export_times, export_cpu, size = [], [], 0
    for _ in range(args.export_runs):
        services.verification_caches.__dict__.pop("inspection_dossiers", None)  # not kept
        wall, used, size = _get(s, info.export_gtin, info.export_lot)
        export_times.append(wall)
        export_cpu.append(used)
    kept, _, _ = _get(s, info.export_gtin, info.export_lot)
    # Another page of its folded harvest table (docs/inspector/DOSSIER.md, "Many plots"): the
    # dossier built again for it (its harvests' flags judged), as cold as the first page.
    later, later_cpu = [], []
    for _ in range(max(1, args.export_runs // 3)):
        services.verification_caches.__dict__.pop("inspection_dossiers", None)
        wall, used, _ = _get(s, info.export_gtin, info.export_lot, LATER_PAGE)
        later.append(wall)
        later_cpu.append(used)
    inspector = s.inspector
    limits = Limits(harvest=services.settings.harvest_limits)
    new_process, new_cpu = [], []
    for _ in range(max(1, args.export_runs // 3)):
        t, p = time.perf_counter(), time.process_time()
        found = dossier(info.export_gtin, info.export_lot, inspector, services.unit_of_work(),
                        None, VerificationCaches(), limits)
        new_process.append(time.perf_counter() - t)
        new_cpu.append(time.process_time() - p)
    if len(found.plots) != d.MIXING_PLOTS:
        raise c.BenchError(f"{label}: the export lot's dossier has {len(found.plots)} plots")
    base = []
    for gtin, code in [*lots[:20], (info.export_gtin, info.export_lot)]:
        t = time.perf_counter()
        trace_lot(gtin, code, "back", inspector, services.unit_of_work())
        base.append(time.perf_counter() - t)
    every = times + export_times
    a, ac = c.summary_ms(times), c.summary_ms(cpu)
    e, ec = c.summary_ms(export_times), c.summary_ms(export_cpu)
    n, nc = c.summary_ms(new_process), c.summary_ms(new_cpu)
    lp, lc = c.summary_ms(later), c.summary_ms(later_cpu)
    allp = c.summary_ms(every)
    b = c.summary_ms(base)
    print("  dossier page, each lot's first, cold (built, no kept dossier; rendered, brotli), "
          "the baseline, ms:")
    print(f"    {len(times)} lots (harvests, dried, mixed)  p50 {a['p50']:7.1f}  p99 "
          f"{a['p99']:7.1f}  max {a['max']:7.1f}   CPU p50 {ac['p50']:6.1f} p99 {ac['p99']:6.1f}")
    print(f"    the export lot ({len(found.plots):,} plots, {len(found.events):,} events, "
          f"{len(export_times)} builds) p50 {e['p50']:7.1f}  p99 {e['p99']:7.1f}   CPU p50 "
          f"{ec['p50']:6.1f} p99 {ec['p99']:6.1f}; {size / 1024:.1f} KB on the wire")
    print(f"    the export lot's page kept in memory (a second load within a minute): "
          f"{kept * 1000:.1f} ms")
    print(f"    the export lot's harvest table {LATER_PAGE} ({len(later)} builds, not a "
          f"first page): p50 {lp['p50']:.1f} ms, CPU {lc['p50']:.1f} ms")
    print(f"    the export lot in a new process (fresh verification caches: batch trees and "
          f"seals rebuilt): p50 {n['p50']:.0f} ms, CPU {nc['p50']:.0f} ms")
    print(f"    baseline, the lineage answer (trace_lot, back), {len(base)} lots: p50 "
          f"{b['p50']:.1f} ms, max {b['max']:.1f} ms (the export lot)")
    print(f"    cold, all of them: p99 {allp['p99']:.1f} ms (the target's figure before kept "
          f"dossiers)")
    return every


def _kept(s: Site, services: Any, info: d.Info, label: str, args: Any,
          cold: list[float]) -> None:
    """The same pages with the big lineages' dossiers kept, as the anchorer (after each round)
    or ``tracechain dossiers keep`` keeps them in a deployment: each lot's first page in a
    process that has nothing of it in memory (the target's figure)."""
    _forget_dossiers(services)
    keep = console_dossier.page_keeper(s.app, services.settings.secret_key)  # as the anchorer's
    limits = Limits(harvest=services.settings.harvest_limits)
    t, p = time.perf_counter(), time.process_time()
    kept = keep_big(keep, services.unit_of_work, None, services.verification_caches, limits)
    keep_wall, keep_cpu = time.perf_counter() - t, time.process_time() - p
    if (f"https://id.gs1.org/01/{info.export_gtin}/10/{info.export_lot}" not in kept):
        raise c.BenchError(f"{label}: the export lot's dossier was not kept: {sorted(kept)}")
    lots = lots_to_open(info, args.dossiers)[:-1]
    times, cpu = [], []
    for gtin, code in lots:
        _forget_dossiers(services)
        wall, used, _ = _get(s, gtin, code)
        times.append(wall)
        cpu.append(used)
    export_times, export_cpu, size = [], [], 0
    for _ in range(args.export_runs):
        _forget_dossiers(services)
        wall, used, size = _get(s, info.export_gtin, info.export_lot)
        export_times.append(wall)
        export_cpu.append(used)
    # An EU auditor's browser says Europe/Berlin: no content is written ahead for that zone, so
    # the page is written from the kept model (informational: the target is the console's
    # readers in Vietnam).
    s.client.set_cookie(web.ZONE_COOKIE, "Europe/Berlin")
    berlin = []
    try:
        for _ in range(args.export_runs):
            _forget_dossiers(services)
            berlin.append(_get(s, info.export_gtin, info.export_lot)[0])
    finally:
        s.client.delete_cookie(web.ZONE_COOKIE)
    a, ac = c.summary_ms(times), c.summary_ms(cpu)
    e, ec = c.summary_ms(export_times), c.summary_ms(export_cpu)
    b = c.summary_ms(berlin)
    allp = c.summary_ms(times + export_times)
    base = c.summary_ms(cold)
    print(f"  kept dossiers: {len(kept)} lineages of {keep.min_events}+ events kept in "
          f"{keep_wall:.1f} s (CPU {keep_cpu:.1f} s), {max(kept.values()):,} events the "
          "biggest")
    print("  dossier page, each lot's first, kept dossiers (nothing in memory; rendered, "
          "brotli), ms:")
    print(f"    {len(times)} lots (harvests, dried, mixed)  p50 {a['p50']:7.1f}  p99 "
          f"{a['p99']:7.1f}  max {a['max']:7.1f}   CPU p50 {ac['p50']:6.1f} p99 {ac['p99']:6.1f}")
    print(f"    the export lot ({len(export_times)} loads) p50 {e['p50']:7.1f}  p99 "
          f"{e['p99']:7.1f}   CPU p50 {ec['p50']:6.1f} p99 {ec['p99']:6.1f}; "
          f"{size / 1024:.1f} KB on the wire")
    print(f"    the export lot, a reader in Europe/Berlin (written from the kept model) "
          f"p50 {b['p50']:7.1f}  p99 {b['p99']:7.1f}")
    print(f"    all of them: p99 {allp['p99']:.1f} ms (cold, the baseline: p99 "
          f"{base['p99']:.1f} ms)")
    print("  " + c.verdict(allp["p99"] <= DOSSIER_P99_MS,
                           f"{label} dossier page p99 {allp['p99']:.1f} ms <= "
                           f"{DOSSIER_P99_MS:.0f} ms (each lot's first page, the export lot "
                           f"included, big lineages kept)"))


def exports(s: Site, services: Any, info: d.Info, label: str, args: Any) -> None:
    inspector = s.inspector
    gtin, lot = info.export_gtin, info.export_lot

    def geojson() -> int:
        facts = gather(gtin, lot, inspector, services.unit_of_work(), events=False)
        return sum(len(p.features) for p in eudr_export.geolocation(facts))

    def dds() -> int:
        facts = gather(gtin, lot, inspector, services.unit_of_work(), events=False)
        draft = eudr_export.statement(facts, CHOICES)
        xml = eudr_dds.to_xml(draft)
        wrong = eudr_dds.schema_problems(xml)
        if wrong:
            raise c.BenchError(f"{label}: the draft is not valid V3: {wrong[:3]}")
        return sum(len(x.producers) for x in draft.commodities)

    def baseline() -> int:
        return len(trace_lot(gtin, lot, "back", inspector, services.unit_of_work())["plots"])

    got = geojson(), dds(), baseline()
    if got != (d.MIXING_PLOTS,) * 3:
        raise c.BenchError(f"{label}: expected {d.MIXING_PLOTS} plots (geojson, dds, lineage): "
                           f"{got}")
    times: dict[str, list[float]] = {"geojson": [], "dds": [], "baseline": []}
    cpu: dict[str, list[float]] = {name: [] for name in times}
    for run in range(args.export_runs):
        order = [("geojson", geojson), ("dds", dds), ("baseline", baseline)]
        for name, call in order if run % 2 == 0 else order[::-1]:
            t, p = time.perf_counter(), time.process_time()
            call()
            times[name].append(time.perf_counter() - t)
            cpu[name].append(time.process_time() - p)
    stats = {name: c.summary_ms(v) for name, v in times.items()}
    print(f"  EUDR export of the export lot ({d.MIXING_PLOTS:,} plots), {args.export_runs} runs, "
          "ms:")
    for name, st in stats.items():
        print(f"    {name:9} p50 {st['p50']:7.1f}  max {st['max']:7.1f}   CPU p50 "
              f"{c.percentile(cpu[name], 50) * 1000:7.1f}")
    total = stats["geojson"]["p50"] + stats["dds"]["p50"]
    worst = stats["geojson"]["max"] + stats["dds"]["max"]
    print(f"    geojson + dds p50 {total:.0f} ms (slowest runs: {worst:.0f} ms) = "
          f"{total / stats['baseline']['p50']:.1f}x the lineage answer")
    print("  " + c.verdict(total <= EXPORT_S * 1000,
                           f"{label} EUDR export of the {d.MIXING_PLOTS:,}-plot lot {total:.0f} ms "
                           f"<= {EXPORT_S * 1000:.0f} ms"))
