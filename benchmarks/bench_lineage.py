"""Lineage walks over a 100,000-lot supply chain: ``lineage.walk`` at the database.

A fresh database (migrated with Alembic) is filled directly with SQLAlchemy Core bulk inserts:
a pepper season shaped like the real thing, many harvest lots -> dried lots (several harvests
each) -> graded lots (dried lots split into grades, grades merged) -> blends -> export
containers (SSCC, aggregation), with the ``lot_links`` edges and one ``events`` row per
transformation or packing event (plus the capture job, document context and organisations the
foreign keys need). Then:

- ``walk(uow, lot, 'back')`` from 1,000 random end-of-chain lots (containers and blends
  sold as they are), and ``walk(uow, lot, 'forward')`` from 1,000 random harvest lots;
- the baseline, in the same run and on the same lots, interleaved: the naive walk, breadth-first
  in Python with one SELECT per lot.

Both answers are compared lot by lot (they must be the same set). Printed: p50/p95/p99 in ms of
each, and the speed-up. Target: p99 of ``walk`` < 5 ms in both directions, on SQLite. The same
on PostgreSQL (a throwaway server) unless --no-postgres; no target there.
Exit status 0 unless something failed or the answers differ (a missed target prints MISSED).

    .venv/bin/python benchmarks/bench_lineage.py [--lots 100000] [--samples 1000] [--no-postgres]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import statistics
import sys
import tempfile
import time
from collections import deque
from datetime import UTC, datetime, timedelta
from pathlib import Path

import _common as c
import orjson
from sqlalchemy import insert, text
from sqlalchemy.exc import DBAPIError

from tracechain.services.lots.lineage import walk
from tracechain.store import migrate
from tracechain.store.db import make_engine, make_session_factory
from tracechain.store.models import (
    CaptureJob,
    DocumentContext,
    Event,
    Lot,
    LotLink,
    Organisation,
    User,
)
from tracechain.store.uow import SqlUnitOfWork

TARGET_P99_MS = 5.0
PHASE_TIME_LIMIT = 240.0  # seconds for the timed walks of one direction on one database
SEED = 20250301



# --------------------------------------------------------------------------- the graph


class Graph:
    """Lots (id -> level) and links (source, target, event) of one season, built in memory."""

    def __init__(self, total: int, rng: random.Random):
        self.rng = rng
        self.level: list[str] = [""]  # index = lot id (1-based)
        self.links: list[tuple[int, int, int]] = []
        self.events: list[tuple[str, str, int]] = []  # (event type, bizStep, output lot id)
        self.levels: dict[str, list[int]] = {}
        self._build(total)

    def _new(self, level: str, count: int) -> list[int]:
        first = len(self.level)
        self.level.extend([level] * count)
        ids = list(range(first, first + count))
        self.levels[level] = ids
        return ids

    def _event(self, kind: str, step: str, output: int) -> int:
        self.events.append((kind, step, output))
        return len(self.events)  # event ids are 1-based, in this order

    def _merge(self, inputs: list[int], outputs: list[int], step: str, kind: str,
               fan: tuple[int, int], window: int) -> None:
        """Every output takes ``fan`` inputs from a window around its place in ``inputs``;
        every input goes into at least one output (the first pass), some into several."""
        chosen: list[set[int]] = [set() for _ in outputs]
        n_in, n_out = len(inputs), len(outputs)
        for i, lot in enumerate(inputs):
            chosen[i * n_out // n_in].add(lot)
        for j, picked in enumerate(chosen):
            centre = j * n_in // n_out
            want = self.rng.randint(*fan)
            while len(picked) < want:
                k = min(n_in - 1, max(0, centre + self.rng.randint(-window, window)))
                picked.add(inputs[k])
        for out, picked in zip(outputs, chosen, strict=True):
            event = self._event("TransformationEvent" if kind == "transformation"
                                else "AggregationEvent", step, out)
            for src in sorted(picked):
                self.links.append((src, out, event))

    def _build(self, total: int) -> None:
        rng = self.rng
        n_harvest = total * 70 // 100
        harvests = self._new("harvest", n_harvest)
        # Drying: consecutive harvests of one cooperative, 3 to 7 at a time.
        groups, i = [], 0
        while i < n_harvest:
            size = rng.randint(3, 7)
            groups.append(harvests[i:i + size])
            i += size
        dried = self._new("dried", len(groups))
        for out, group in zip(dried, groups, strict=True):
            event = self._event("TransformationEvent", "drying", out)
            for src in group:
                self.links.append((src, out, event))
        # Re-drying in place keeps the lot code: a lot that is its own input (1 %).
        for lot in rng.sample(dried, len(dried) // 100):
            self.links.append((lot, lot, self._event("TransformationEvent", "drying", lot)))
        n_graded = len(dried) * 85 // 100
        n_blend = n_graded // 4
        n_container = total - n_harvest - len(dried) - n_graded - n_blend
        graded = self._new("graded", n_graded)
        self._merge(dried, graded, "sorting", "transformation", (1, 4), 6)
        blends = self._new("blend", n_blend)
        self._merge(graded, blends, "blending", "transformation", (2, 8), 20)
        containers = self._new("container", n_container)
        # Export containers: 2-5 blends each; about a tenth of the blends are sold loose.
        packed = blends[: len(blends) * 9 // 10]
        self._merge(packed, containers, "packing", "aggregation", (2, 5), 8)
        has_output = {s for s, t, _ in self.links if s != t}
        self.ends = [lot for lot in containers + blends if lot not in has_output]


def load(url: str, graph: Graph, *, analyze: bool) -> float:
    """Migrate and bulk-insert the graph; returns seconds taken."""
    t0 = time.perf_counter()
    migrate.upgrade(url)
    engine = make_engine(url)
    now = datetime.now(UTC)
    t_base = datetime(2025, 1, 6, tzinfo=UTC)
    gtins = {"harvest": c.BERRIES, "dried": c.PEPPER, "graded": c.gtin("12346"),
             "blend": c.gtin("12347")}
    orgs = [("coop", i) for i in range(20)] + [("processor", i) for i in range(5)] \
        + [("exporter", i) for i in range(3)]
    org_rows = [{"id": k + 1, "name": f"Bench {kind} {i}", "kind":
                 "cooperative" if kind == "coop" else kind, "gln": c.gln(1000 + k),
                 "province": "Quảng Trị", "country": "VN", "created_at": now}
                for k, (kind, i) in enumerate(orgs)]

    def owner(level: str, lot: int) -> int:
        if level == "harvest":
            return 1 + lot % 20
        if level in ("dried", "graded"):
            return 21 + lot % 5
        return 26 + lot % 3

    with engine.begin() as conn:
        conn.execute(insert(Organisation), org_rows)
        conn.execute(insert(User), [{"id": 1, "email": "bench@tracechain.test",
                                     "name": "bench", "role": "admin", "created_at": now}])
        conn.execute(insert(CaptureJob), [{
            "id": "bench0lineage0000000000000000000", "user_id": 1, "running": False,
            "success": True, "error_behaviour": "rollback", "event_count": len(graph.events),
            "stored_count": len(graph.events), "errors": [], "duplicates": [],
            "created_at": now, "finished_at": now}])
        conn.execute(insert(DocumentContext), [{
            "id": 1, "digest": hashlib.sha256(b"bench").hexdigest(),
            "body": orjson.dumps(c.CONTEXT).decode()}])
        event_rows = []
        for k, (kind, step, out) in enumerate(graph.events, start=1):
            h = "ni:///sha-256;" + hashlib.sha256(f"bench-{k}".encode()).hexdigest() \
                + "?ver=CBV2.0"
            when = t_base + timedelta(minutes=k)
            body = {"type": kind, "eventTime": when.isoformat(), "eventTimeZoneOffset": "+00:00",
                    "bizStep": step, "tc:outputLot": out}
            if kind == "AggregationEvent":
                body["action"] = "ADD"
            event_rows.append({
                "id": k, "event_hash": h, "event_id": h, "event_type": kind,
                "event_time": when, "record_time": now, "action": body.get("action"),
                "biz_step": step, "disposition": "active", "read_point": None,
                "biz_location": None, "body": orjson.dumps(body).decode(),
                "prehash": f"eventType={kind}eventTime={when.isoformat()}bizStep={step}",
                "context_id": 1, "capture_id": "bench0lineage0000000000000000000",
                "organisation_id": owner(graph.level[out], out)})
        for chunk in _chunks(event_rows, 5000):
            conn.execute(Event.__table__.insert(), chunk)
        created = {out: k for k, (_, _, out) in enumerate(graph.events, start=1)}
        lot_rows = []
        for lot in range(1, len(graph.level)):
            level = graph.level[lot]
            if level == "container":
                uri, kind, gtin, code = c.sscc(lot), "unit", None, c.sscc(lot)[-18:]
            else:
                code = f"{level[0].upper()}{lot:07d}"
                uri, kind, gtin = c.lot_uri(gtins[level], code), "lot", gtins[level]
            lot_rows.append({
                "id": lot, "uri": uri, "kind": kind, "gtin": gtin, "code": code,
                "quantity": 100.0, "unit": "KGM", "owner_id": owner(level, lot),
                "in_transit_to_id": None, "container": None, "plot_id": None,
                "created_event_pk": created.get(lot), "created_at": now})
        for chunk in _chunks(lot_rows, 5000):
            conn.execute(Lot.__table__.insert(), chunk)
        link_rows = [{"source_id": s, "target_id": t, "event_pk": e,
                      "kind": "aggregation" if graph.events[e - 1][0] == "AggregationEvent"
                      else "transformation"} for s, t, e in graph.links]
        for chunk in _chunks(link_rows, 5000):
            conn.execute(LotLink.__table__.insert(), chunk)
    if analyze:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    engine.dispose()
    return time.perf_counter() - t0


def _chunks(rows: list, size: int):
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


# --------------------------------------------------------------------------- the walks

_NEXT = {"back": text("SELECT source_id FROM lot_links WHERE target_id = :id"),
         "forward": text("SELECT target_id FROM lot_links WHERE source_id = :id")}


def naive_walk(session, start_id: int, direction: str) -> list[int]:
    """The baseline: breadth-first in Python, one SELECT per lot reached."""
    stmt = _NEXT[direction]
    seen = {start_id}
    order = [start_id]
    queue = deque([start_id])
    while queue:
        lot = queue.popleft()
        for nxt in session.scalars(stmt, {"id": lot}):
            if nxt not in seen:
                seen.add(nxt)
                order.append(nxt)
                queue.append(nxt)
    return order


def measure(uow: SqlUnitOfWork, lots: list[int], direction: str, repeat: int) -> dict:
    """Time ``walk`` and the naive walk on each lot ``repeat`` times, alternating which goes
    first; a lot's time is the median of its runs (one preemption by another process on this
    shared 2-core machine is not the database's cost), its first run is kept too."""
    session = uow.session  # the naive walk's queries, written here
    for lot in lots[:50]:  # warm the page cache and statement caches
        walk(uow, lot, direction)
        naive_walk(session, lot, direction)
    cte, naive, cte_once, naive_once, sizes, mismatches = [], [], [], [], [], []
    deadline = time.monotonic() + PHASE_TIME_LIMIT
    for n, lot in enumerate(lots):
        if time.monotonic() > deadline:
            break
        runs: tuple[list[float], list[float]] = ([], [])
        answers: list[list[int]] = [[], []]
        for r in range(repeat):
            for which in ((0, 1) if (n + r) % 2 == 0 else (1, 0)):
                t0 = time.perf_counter()
                answers[which] = walk(uow, lot, direction) if which == 0 else \
                    naive_walk(session, lot, direction)
                runs[which].append(time.perf_counter() - t0)
        cte.append(statistics.median(runs[0]))
        naive.append(statistics.median(runs[1]))
        cte_once.append(runs[0][0])
        naive_once.append(runs[1][0])
        a, b = answers
        sizes.append(len(a))
        if set(a) != set(b) or len(a) != len(set(a)):
            mismatches.append(lot)
    return {"cte": cte, "naive": naive, "cte_once": cte_once, "naive_once": naive_once,
            "sizes": sizes, "mismatches": mismatches, "planned": len(lots), "repeat": repeat}


def report(db: str, direction: str, start: str, m: dict, *, target: bool) -> None:
    done = len(m["cte"])
    cte, naive = c.summary_ms(m["cte"]), c.summary_ms(m["naive"])
    cte1, naive1 = c.summary_ms(m["cte_once"]), c.summary_ms(m["naive_once"])
    sizes = sorted(m["sizes"])
    print(f"  {db} walk {direction:<7} from {done} {start}: lineage of "
          f"{c.percentile(sizes, 50)} lots (p50), {c.percentile(sizes, 99)} (p99), "
          f"{sizes[-1]} (max); per lot, median of {m['repeat']} runs:")
    print(f"    walk (recursive CTE)     p50 {cte['p50']:7.2f}  p95 {cte['p95']:7.2f}  "
          f"p99 {cte['p99']:7.2f}  max {cte['max']:7.2f} ms   (first runs only: "
          f"p99 {cte1['p99']:.2f}, max {cte1['max']:.2f})")
    print(f"    baseline (1 query/lot)   p50 {naive['p50']:7.2f}  p95 {naive['p95']:7.2f}  "
          f"p99 {naive['p99']:7.2f}  max {naive['max']:7.2f} ms   (first runs only: "
          f"p99 {naive1['p99']:.2f}, max {naive1['max']:.2f})")
    print(f"    speed-up p50 {naive['p50'] / cte['p50']:.1f}x, "
          f"p99 {naive['p99'] / cte['p99']:.1f}x; answers identical for "
          f"{done - len(m['mismatches'])}/{done} lots")
    if done < m["planned"]:
        print(f"    NOTE stopped by the {PHASE_TIME_LIMIT:.0f} s limit after {done} of "
              f"{m['planned']} lots")
    if m["mismatches"]:
        raise c.BenchError(f"{db} {direction}: walk and the naive walk differ for lots "
                         f"{m['mismatches'][:10]}")
    if target:
        print(c.verdict(cte["p99"] < TARGET_P99_MS, f"{db} walk {direction} p99 "
                        f"{cte['p99']:.2f} ms (target < {TARGET_P99_MS:g} ms)"))
    else:
        print(f"INFO   {db} walk {direction} p99 {cte['p99']:.2f} ms (no target)")


def run(db: str, url: str, graph: Graph, samples: int, repeat: int, *, target: bool,
        analyze: bool) -> list[str]:
    """Load, then measure both directions; returns the errors (a direction that failed)."""
    seconds = load(url, graph, analyze=analyze)
    print(f"  [{db}] loaded {len(graph.level) - 1:,} lots, {len(graph.links):,} links, "
          f"{len(graph.events):,} events in {seconds:.1f} s"
          + (" (then ANALYZE)" if analyze else " (no ANALYZE, as the app leaves it)"))
    rng = random.Random(SEED + 1)
    starts = {"back": ("end-of-chain lots", rng.sample(graph.ends, min(samples, len(graph.ends)))),
              "forward": ("harvest lots", rng.sample(graph.levels["harvest"],
                                                     min(samples, len(graph.levels["harvest"]))))}
    errors = []
    engine = make_engine(url)
    try:
        for direction, (what, lots) in starts.items():
            with SqlUnitOfWork(make_session_factory(engine)) as uow:
                try:
                    m = measure(uow, lots, direction, repeat)
                except DBAPIError as exc:
                    first = str(exc.orig).strip().splitlines()[0]
                    errors.append(f"{db} walk {direction} failed: {type(exc.orig).__name__}: "
                                  f"{first} (parameters {exc.params})")
                    print(f"ERROR  {errors[-1]}")
                    continue
            report(db, direction, what, m, target=target)
    finally:
        engine.dispose()
    return errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lots", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs per lot; its median counts (default 3)")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()

    t0 = time.perf_counter()
    graph = Graph(args.lots, random.Random(SEED))
    counts = {k: len(v) for k, v in graph.levels.items()}
    print(f"bench_lineage: {args.lots:,} lots ({', '.join(f'{v:,} {k}' for k, v in counts.items())}"
          f"), {len(graph.links):,} links; {len(graph.ends):,} end-of-chain lots "
          f"(built in {time.perf_counter() - t0:.1f} s; load average "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())})")
    with tempfile.TemporaryDirectory(prefix="tracechain-lineage-") as tmp:
        errors = run("SQLite", f"sqlite:///{Path(tmp) / 'lineage.db'}", graph, args.samples,
                     args.repeat, target=True, analyze=False)
    if args.no_postgres:
        print("PostgreSQL: skipped (--no-postgres)")
    else:
        errors += postgres(graph, args)
    if errors:
        print(f"FAILED: {len(errors)} error(s), see ERROR above", file=sys.stderr)
    return 1 if errors else 0


def postgres(graph: Graph, args) -> list[str]:
    from tests.support.postgres import postgres_url

    if not c.postgres_installed():
        return []
    with postgres_url("tracechain_lineage") as pg_url:
        return run("PostgreSQL", pg_url, graph, args.samples, args.repeat, target=False,
                   analyze=True)


if __name__ == "__main__":
    c.run_main(main)
