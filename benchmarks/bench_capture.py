"""Bulk EPCIS capture end to end over HTTP: gunicorn with 2 workers, SQLite then PostgreSQL.

Measured: events stored per second when clients POST documents of 1,000 events each
(``POST /epcis/capture``, 202), from several client threads at once. Baseline, in the same run
and against the same server: the naive way, one event per request (a document of one event,
committed on its own), with the same concurrency. Targets: bulk >= 12,000 events/s on SQLite,
and bulk/naive >= 15x. PostgreSQL (a throwaway server) is measured too, without a target.

Every request is checked (202, success, storedCount) and every run is verified by counting the
rows in ``events`` before and after, plus a few ``GET /epcis/events/{eventID}`` over HTTP.
Exit status: 0 when everything ran and verified (a missed target prints MISSED but is not an
error), 1 on any error.

    .venv/bin/python benchmarks/bench_capture.py [--docs 30] [--threads 3] [--no-postgres]
    .venv/bin/python benchmarks/bench_capture.py --profile   # where the workers' time goes (py-spy)
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import http.client
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import _common as c
import orjson
from sqlalchemy import create_engine, text

from tracechain.services.accounts import organisations as accounts
from tracechain.store import migrate
from tracechain.store.db import checkpoint_wal, make_engine, make_session_factory
from tracechain.store.uow import SqlUnitOfWork

VENV_BIN = Path(sys.executable).parent
TARGET_BULK_EPS = 12_000
TARGET_RATIO = 15.0
START_TIMEOUT = 60.0
RUN_TIME_LIMIT = 180.0  # seconds per measured run; a run cut short says so and is an error



# --------------------------------------------------------------------------- the server


class Server:
    """``tracechain serve --workers 2`` on a free port of 127.0.0.1, in its own session."""

    def __init__(self, database_url: str, workdir: Path, workers: int = 2,
                 app: str | None = None):
        self.url, self.workdir, self.workers, self.app = database_url, workdir, workers, app
        self.port = c.free_port()
        self.log_path = workdir / f"server-{self.port}.log"
        self.proc: subprocess.Popen | None = None
        self.how = ""

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        # Capture alone is measured: no background anchorer (and so no local chain) competing
        # for the two cores; anchoring has its own benchmark (bench_anchor.py).
        env.update(TRACE_DATABASE_URL=self.url, TRACE_VAR_DIR=str(self.workdir),
                   TRACE_SECRET_KEY="bench", PYTHONUNBUFFERED="1",
                   TRACE_ANCHOR_IN_BACKGROUND="0", TRACE_DELIVER_IN_BACKGROUND="0")
        return env

    def _spawn(self, argv: list[str]) -> None:
        self.log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(argv, cwd=self.workdir, env=self._env(),
                                     stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)

    def _gunicorn(self, app: str) -> None:
        self._spawn([str(VENV_BIN / "gunicorn"), "--workers", str(self.workers),
                     "--bind", f"127.0.0.1:{self.port}", "--access-logfile", "-", app])

    def start(self) -> Server:
        if self.app:  # --app: an experiment (a patched factory), served the same way
            self._gunicorn(self.app)
            self.how = f"gunicorn {self.app} (--app)"
            if not self._wait_ready():
                log = self.log_text()
                self.stop()
                raise c.BenchError(f"the server did not start:\n{log[-3000:]}")
            return self
        self._spawn([str(VENV_BIN / "tracechain"), "serve", "--workers", str(self.workers),
                     "--host", "127.0.0.1", "--port", str(self.port)])
        self.how = "tracechain serve"
        if not self._wait_ready():
            log = self.log_text()
            self.stop()
            if "Traceback" not in log:
                raise c.BenchError(f"`tracechain serve` did not answer /healthz within "
                                 f"{START_TIMEOUT:.0f} s:\n{log[-3000:]}")
            # The CLI itself is broken (an import error...): run the same thing it would,
            # gunicorn on the app factory, so the benchmark still measures the service.
            print("NOTE  `tracechain serve` failed to start; falling back to "
                  "`gunicorn 'tracechain:create_app()'` with the same settings. Its error:")
            print("      " + log.strip().splitlines()[-1])
            self._gunicorn("tracechain:create_app()")
            self.how = "gunicorn tracechain:create_app() (fallback)"
            if not self._wait_ready():
                log = self.log_text()
                self.stop()
                raise c.BenchError(f"the server did not start:\n{log[-3000:]}")
        return self

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            with contextlib.suppress(OSError, http.client.HTTPException):
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    conn.close()
                    return True
            time.sleep(0.2)
        return False

    def worker_pids(self) -> list[int]:
        """The gunicorn workers: children of the master (the process we started)."""
        pids = []
        for task in Path(f"/proc/{self.proc.pid}/task").iterdir():
            with contextlib.suppress(OSError):
                pids += [int(p) for p in (task / "children").read_text().split()]
        return pids

    def cpu_seconds(self) -> float:
        """User + system CPU time of the master and its workers so far."""
        tick = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for pid in [self.proc.pid, *self.worker_pids()]:
            with contextlib.suppress(OSError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / tick
        return total

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.proc is None:
            return
        c.stop_server(self.proc)
        self.log.close()
        self.proc = None


# --------------------------------------------------------------------------- the clients


@dataclass
class Doc:
    body: bytes
    events: int


@dataclass
class RunResult:
    name: str
    threads: int
    docs_planned: int
    events_planned: int
    docs_done: int = 0
    events_stored: int = 0
    wall_s: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    event_ids: list[str] = field(default_factory=list)
    timed_out: bool = False
    server_cpu_s: float = 0.0
    client_cpu_s: float = 0.0
    db_in_process: bool = True  # SQLite: the database work is in the workers' CPU time

    @property
    def eps(self) -> float:
        return self.events_stored / self.wall_s if self.wall_s else 0.0


def _post(conn: http.client.HTTPConnection, token: str, body: bytes) -> tuple[int, bytes]:
    conn.request("POST", "/epcis/capture", body=body, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/ld+json"})
    response = conn.getresponse()
    return response.status, response.read()


def run_load(name: str, port: int, token: str, per_thread: list[list[Doc]],
             time_limit: float = RUN_TIME_LIMIT, server: Server | None = None) -> RunResult:
    """Each thread posts its own list of documents in order, over its own connection
    (http.client reconnects whenever the server closes, as gunicorn's sync workers do)."""
    result = RunResult(name, len(per_thread), sum(map(len, per_thread)),
                       sum(d.events for docs in per_thread for d in docs))
    lock = threading.Lock()
    start = threading.Barrier(len(per_thread) + 1)
    deadline = [0.0]

    def client(docs: list[Doc]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        start.wait()
        try:
            for doc in docs:
                if time.monotonic() > deadline[0]:
                    with lock:
                        result.timed_out = True
                    return
                t0 = time.perf_counter()
                try:
                    status, raw = _post(conn, token, doc.body)
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()
                    with lock:
                        result.errors.append(f"{type(exc).__name__}: {exc}")
                    continue
                elapsed = time.perf_counter() - t0
                with lock:
                    result.latencies.append(elapsed)
                    result.docs_done += 1
                    if status != 202:
                        result.errors.append(f"HTTP {status}: {raw[:300]!r}")
                        continue
                    job = orjson.loads(raw)
                    if not job.get("success") or job.get("storedCount") != doc.events:
                        result.errors.append(f"job not fully stored: {str(job)[:300]}")
                    result.events_stored += job.get("storedCount") or 0
                    ids = job.get("eventIDs") or []
                    if ids:
                        result.event_ids.append(random.choice(ids))
        finally:
            conn.close()

    threads = [threading.Thread(target=client, args=(docs,), daemon=True) for docs in per_thread]
    for t in threads:
        t.start()
    deadline[0] = time.monotonic() + time_limit
    cpu0 = server.cpu_seconds() if server else 0.0
    client0 = time.process_time()
    t0 = time.perf_counter()
    start.wait()
    for t in threads:
        t.join(timeout=time_limit + 150)
    result.wall_s = time.perf_counter() - t0
    result.client_cpu_s = time.process_time() - client0
    result.server_cpu_s = server.cpu_seconds() - cpu0 if server else 0.0
    result.db_in_process = server is None or server.url.startswith("sqlite")
    if any(t.is_alive() for t in threads):
        result.errors.append("a client thread did not finish in time")
    return result


def rounds_of(per_thread: list[list[Doc]], rounds: int) -> list[list[list[Doc]]]:
    """Cut each thread's list into ``rounds`` consecutive slices (order kept)."""
    return [[docs[len(docs) * r // rounds:len(docs) * (r + 1) // rounds] for docs in per_thread]
            for r in range(rounds)]


def merge(name: str, parts: list[RunResult]) -> RunResult:
    out = RunResult(name, parts[0].threads, sum(p.docs_planned for p in parts),
                    sum(p.events_planned for p in parts))
    for p in parts:
        out.docs_done += p.docs_done
        out.events_stored += p.events_stored
        out.wall_s += p.wall_s
        out.latencies += p.latencies
        out.errors += p.errors
        out.event_ids += p.event_ids
        out.timed_out |= p.timed_out
        out.server_cpu_s += p.server_cpu_s
        out.client_cpu_s += p.client_cpu_s
        out.db_in_process = p.db_in_process
    return out


def split(docs: list[Doc], threads: int) -> list[list[Doc]]:
    return [docs[i::threads] for i in range(threads)]


def naive_docs(run: str, count: int, threads: int) -> list[list[Doc]]:
    """One document per event. Whole 20-event blocks go to one thread, in order, so harvests
    are captured before the drying that uses them, as in the bulk documents."""
    per_thread: list[list[Doc]] = [[] for _ in range(threads)]
    for n in range(count // c.BLOCK):
        for event in c.block(run, n):
            per_thread[n % threads].append(Doc(orjson.dumps(c.document([event])), 1))
    return per_thread


def bulk_docs(run: str, docs: int, per_doc: int) -> list[Doc]:
    return [Doc(orjson.dumps(c.document(c.events(run, per_doc, k * per_doc // c.BLOCK))),
                per_doc) for k in range(docs)]


# --------------------------------------------------------------------------- setup and checks


def prepare_database(url: str) -> str:
    """Migrate, and create an admin with a token through the services, as an operator would."""
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        uow = SqlUnitOfWork(make_session_factory(engine))
        accounts.create_user("bench-admin@tracechain.test", "Benchmark admin", "admin", None, uow)
        return accounts.create_token("bench-admin@tracechain.test", "bench", uow)
    finally:
        engine.dispose()


class EventCounter:
    def __init__(self, url: str):
        self.engine = create_engine(url)

    def __call__(self) -> int:
        with self.engine.connect() as conn:
            return conn.scalar(text("SELECT count(*) FROM events"))

    def checkpoint(self) -> None:
        """SQLite: the write-ahead log copied into the database before each measured part, as
        ``serve``'s anchorer does between its rounds (``store.db.checkpoint_wal``; serve sets
        ``wal_autocheckpoint`` high and leaves checkpoints to it). The bench runs no anchorer:
        without this the naive part's 2,000 one-event commits left a log of ~280 MB that the
        next bulk requests paid for (550-860 ms instead of ~240: docs/EPCIS_QUERY.md, "Capture
        speed (December 2026, second pass)")."""
        checkpoint_wal(self.engine)

    def unsealed(self) -> tuple[int, int]:
        """(captures that stored events, those of them without a seal): every capture is sealed
        with its organisation's key (the admin's: the operator's) in its transaction."""
        with self.engine.connect() as conn:
            stored, bare = conn.execute(text(
                "SELECT count(*), coalesce(sum(CASE WHEN seal_signature IS NULL OR seal_root IS "
                "NULL THEN 1 ELSE 0 END), 0) FROM capture_jobs WHERE stored_count > 0")).one()
        return stored, bare

    def close(self) -> None:
        self.engine.dispose()


def verify(result: RunResult, grew: int, port: int, token: str) -> None:
    """Every planned event sent and stored once; the database agrees; a few read back."""
    problems = list(result.errors[:5])
    if len(result.errors) > 5:
        problems.append(f"... and {len(result.errors) - 5} more errors")
    if result.timed_out:
        problems.append(f"stopped by the {RUN_TIME_LIMIT:.0f} s limit after "
                        f"{result.docs_done}/{result.docs_planned} documents")
    if result.events_stored != result.events_planned:
        problems.append(f"{result.events_stored} events stored of {result.events_planned} sent")
    if grew != result.events_planned:
        problems.append(f"the events table grew by {grew}, expected {result.events_planned}")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for event_id in random.sample(result.event_ids, min(5, len(result.event_ids))):
        conn.request("GET", "/epcis/events/" + urllib.parse.quote(event_id, safe=""),
                     headers={"Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        body = response.read()
        if response.status != 200 or event_id.encode() not in body:
            problems.append(f"GET /epcis/events/{event_id}: HTTP {response.status}")
    conn.close()
    if problems:
        raise c.BenchError(f"{result.name}: verification failed:\n  " + "\n  ".join(problems))
    print(f"      verified: {result.events_planned} events sent = {result.events_stored} "
          f"reported stored = {grew} new rows in events; "
          f"{min(5, len(result.event_ids))} read back over HTTP")


def report(result: RunResult) -> None:
    lat = c.summary_ms(result.latencies)
    print(f"  {result.name:<34} {result.eps:>9,.0f} events/s   {result.events_stored:>6} events, "
          f"{result.docs_done} requests in {result.wall_s:6.2f} s, {result.threads} threads; "
          f"request p50 {lat['p50']:.1f} ms, p99 {lat['p99']:.1f} ms")
    if result.server_cpu_s and result.events_stored:
        per_event = result.server_cpu_s / result.events_stored
        if not result.db_in_process:
            print(f"      CPU: workers {result.server_cpu_s / result.wall_s:.2f} cores busy, "
                  f"{1000 * per_event:.3f} ms per event (PostgreSQL's own processes not counted)"
                  f"; client {result.client_cpu_s / result.wall_s:.2f} cores")
            return
        print(f"      CPU: server {result.server_cpu_s / result.wall_s:.2f} cores busy, "
              f"{1000 * per_event:.3f} ms per event (so {os.cpu_count()} cores fully busy would "
              f"give at most {os.cpu_count() / per_event:,.0f} events/s); "
              f"client {result.client_cpu_s / result.wall_s:.2f} cores")


def warm_up(port: int, token: str, run: str, threads: int) -> int:
    """A few small documents so that both workers have compiled the schema, built their caches
    and opened their connections before anything is timed."""
    docs = [Doc(orjson.dumps(c.document(c.events(run, 2 * c.BLOCK, 2 * k))), 2 * c.BLOCK)
            for k in range(2 * threads)]
    result = run_load("warm-up", port, token, split(docs, threads), time_limit=60)
    if result.errors:
        raise c.BenchError("warm-up failed: " + "; ".join(result.errors[:3]))
    return result.events_planned


# --------------------------------------------------------------------------- profiling


def profile_workers(server: Server, seconds: float, out_dir: Path):
    """Start py-spy on every worker (raw collapsed stacks, idle frames included so that time
    spent waiting for SQLite's write lock shows up); returns the output files once done."""
    py_spy = shutil.which("py-spy") or str(VENV_BIN / "py-spy")
    if not Path(py_spy).exists():
        raise c.BenchError("--profile needs py-spy: .venv/bin/pip install py-spy")
    procs, outs = [], []
    for pid in server.worker_pids():
        out = out_dir / f"py-spy-{pid}.txt"
        procs.append(subprocess.Popen(
            [py_spy, "record", "--pid", str(pid), "--duration", str(int(seconds)), "--rate", "200",
             "--idle", "--format", "raw", "--output", str(out), "--nonblocking"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
        outs.append(out)
    time.sleep(1.0)  # let py-spy attach
    return procs, outs


# (label, frame needle, holds the write lock?); a sample counts for the first that matches.
BUCKETS = [
    ("waiting for the SQLite write lock (BEGIN IMMEDIATE)", "_sqlite_begin", False),
    ("parse JSON body (orjson)", "parse_json", False),
    ("JSON schema (jsonschema-rs)", "validate_schema", False),
    ("business rules (check_document)", "check_document", False),
    ("event hash (prehash + sha256)", "event_hash", False),
    ("identifiers by role (event_refs)", "event_refs", False),
    ("dedup reads (_new_events)", "_new_events", True),
    ("custody reads (load_holdings, orgs_by_party)", "load_holdings", True),
    ("custody reads (load_holdings, orgs_by_party)", "orgs_by_party", True),
    ("custody plan (plan_custody)", "plan_custody", True),
    ("building event rows (_event_row)", "_event_row", True),
    ("INSERT events", "insert_events", True),
    ("INSERT event_objects", "insert_objects", True),
    ("INSERT/UPDATE lots", "write_holdings", True),
    ("INSERT lot_links", "insert_links", True),
    ("COMMIT (SQLite: WAL write + auto-checkpoint)", "RootTransaction._connection_commit_impl",
     True),
    ("other, inside the capture transaction", "_capture_once", True),
    ("authentication (token lookup)", "current_actor", False),
    ("other request handling (Flask, gunicorn, response)", "handle_request", False),
]


def summarise_profile(procs, outs, sqlite: bool) -> None:
    """Share of the workers' busy time (samples inside a request) per step of the capture."""
    for p in procs:
        try:
            p.wait(timeout=120)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    buckets: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    locked = busy = total = 0
    for out in outs:
        if not out.exists():
            continue
        for line in out.read_text(errors="replace").splitlines():
            stack, _, count = line.rpartition(" ")
            if not count.isdigit():
                continue
            n = int(count)
            total += n
            frames = stack.split(";")
            if not any("handle_request" in f for f in frames):
                continue  # idle: the worker waits for the next request
            busy += n
            for label, needle, holds_lock in BUCKETS:
                if any(needle in f for f in frames):
                    buckets[label] += n
                    locked += n if holds_lock else 0
                    break
            for f in {f.rsplit(":", 1)[0] + ")" for f in frames if "(trace/" in f}:
                inclusive[f] += n
    if not busy:
        for p in procs:
            err = p.stderr.read().decode(errors="replace") if p.stderr else ""
            print(f"  py-spy recorded nothing: {err.strip()[:500]}")
        return
    print(f"  py-spy, both workers: {busy} busy samples of {total} (200/s, idle included);"
          " share of busy time:")
    for label, n in buckets.most_common():
        print(f"    {100 * n / busy:5.1f} %  {label}")
    if sqlite:
        print(f"    => inside the write transaction (holding SQLite's one write lock) "
              f"{100 * locked / busy:.0f} % of busy time; waiting for that lock "
              f"{100 * buckets[BUCKETS[0][0]] / busy:.0f} %")
    else:
        print(f"    => inside the write transaction {100 * locked / busy:.0f} % of busy time")
    print("  inclusive, tracechain functions (share of busy time):")
    for f, n in inclusive.most_common(15):
        print(f"    {100 * n / busy:5.1f} %  {f}")


# --------------------------------------------------------------------------- the benchmark


def measure(label: str, url: str, workdir: Path, args, *, naive_events: int,
            profile: bool) -> tuple[RunResult, RunResult | None]:
    token = prepare_database(url)
    tag = c.run_tag()
    bulk = bulk_docs("B" + tag, args.docs, args.events_per_doc)
    naive = naive_docs("N" + tag, naive_events, args.threads) if naive_events else None
    counter = EventCounter(url)
    server = Server(url, workdir, workers=args.workers, app=args.app).start()
    print(f"  [{label}] server: {server.how}, {args.workers} workers, "
          f"http://127.0.0.1:{server.port}/; documents generated and serialised before timing "
          f"({sum(len(d.body) for d in bulk) / 1e6:.1f} MB bulk)")
    try:
        warm_up(server.port, token, "W" + tag, args.threads)
        # Naive then bulk (with --rounds N they take turns N times, so that both see the same
        # background load on a shared machine); each mode's figures are sums over its rounds.
        plan = []
        bulk_rounds = rounds_of(split(bulk, args.threads), args.rounds)
        naive_rounds = rounds_of(naive, args.rounds) if naive else [None] * args.rounds
        for r, (n_docs, b_docs) in enumerate(zip(naive_rounds, bulk_rounds, strict=True)):
            turn = [("naive", n_docs), ("bulk", b_docs)]
            plan += turn if r % 2 == 0 else turn[::-1]
        parts: dict[str, list[RunResult]] = {"naive": [], "bulk": []}
        grew = {"naive": 0, "bulk": 0}
        for kind, docs in plan:
            if docs is None:
                continue
            counter.checkpoint()  # not timed
            before = counter()
            parts[kind].append(run_load(kind, server.port, token, docs, server=server))
            grew[kind] += counter() - before
        naive_result = None
        if parts["naive"]:
            naive_result = merge(f"{label} naive, 1 event/request", parts["naive"])
            report(naive_result)
            verify(naive_result, grew["naive"], server.port, token)
        bulk_result = merge(f"{label} bulk, {args.events_per_doc} events/request",
                            parts["bulk"])
        report(bulk_result)
        verify(bulk_result, grew["bulk"], server.port, token)
        sealed, bare = counter.unsealed()
        if bare:
            raise c.BenchError(f"{bare} of {sealed} captures that stored events have no seal")
        print(f"      sealed: all {sealed} captures that stored events carry their "
              "organisation's seal (one signature per document)")
        if profile:
            runs = [("bulk", split(bulk_docs("P" + tag, args.docs, args.events_per_doc),
                                   args.threads), bulk_result.wall_s)]
            if naive_result is not None:
                runs.append(("naive", naive_docs("Q" + tag, naive_events, args.threads),
                             naive_result.wall_s))
            for kind, docs, wall in runs:
                out_dir = workdir / f"profile-{label.lower()}-{kind}"
                out_dir.mkdir()
                procs, outs = profile_workers(server, max(3.0, wall * 1.5 + 2), out_dir)
                before = counter()
                prof = run_load(f"{label} {kind} under py-spy", server.port, token, docs)
                report(prof)
                verify(prof, counter() - before, server.port, token)
                summarise_profile(procs, outs, url.startswith("sqlite"))
                keep = Path(tempfile.gettempdir()) / f"tracechain-bench-{out_dir.name}"
                shutil.rmtree(keep, ignore_errors=True)
                shutil.copytree(out_dir, keep)
                print(f"  raw stacks (py-spy --format raw) kept in {keep}")
        return bulk_result, naive_result
    except c.BenchError:
        print("  server log (tail):\n" + "\n".join(server.log_text().splitlines()[-15:]))
        raise
    finally:
        server.stop()
        counter.close()


def cpu_ratio(bulk: RunResult, naive: RunResult | None) -> str:
    """The same comparison in server CPU per event: steadier than events/s on a busy machine."""
    if not (naive and naive.server_cpu_s and bulk.server_cpu_s and bulk.events_stored):
        return ""
    per_naive = naive.server_cpu_s / naive.events_stored
    per_bulk = bulk.server_cpu_s / bulk.events_stored
    return f", {per_naive / per_bulk:.1f}x in server CPU per event"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=30, help="bulk documents (default 30)")
    parser.add_argument("--events-per-doc", type=int, default=1000)
    parser.add_argument("--naive-events", type=int, default=2000,
                        help="events sent one per request for the baseline (default 2000)")
    parser.add_argument("--threads", type=int, default=3, help="client threads (default 3)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="naive and bulk take turns this many times, to share a machine's "
                        "changing load (default 1: each round ends with idle workers while "
                        "the last documents finish, which costs the bulk figure a little)")
    parser.add_argument("--workers", type=int, default=2,
                        help="gunicorn workers (default 2; the targets are for 2)")
    parser.add_argument("--app", help="serve this gunicorn app spec instead of `tracechain "
                        "serve`, e.g. 'patched:create_app()' to try a fix (PYTHONPATH)")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--profile", action="store_true",
                        help="also run the bulk load under py-spy and say where the time goes")
    args = parser.parse_args()
    if args.events_per_doc % c.BLOCK or args.naive_events % c.BLOCK:
        parser.error(f"event counts must be multiples of {c.BLOCK}")

    print("bench_capture: POST /epcis/capture over HTTP, gunicorn "
          f"(machine: {os.cpu_count()} cores, load average "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())})")
    print("  mix per 20 events: 10 ObjectEvent ADD harvests (quantityList + ilmd), "
          "3 TransformationEvents, 3 AggregationEvents, 4 ObjectEvent OBSERVE (epcList)")
    with tempfile.TemporaryDirectory(prefix="tracechain-bench-") as tmp:
        work = Path(tmp)
        sqlite_url = f"sqlite:///{work / 'bench.db'}"
        bulk, naive = measure("SQLite", sqlite_url, work, args,
                              naive_events=args.naive_events, profile=args.profile)
        ratio = bulk.eps / naive.eps if naive and naive.eps else 0.0
        print(f"  bulk / naive = {ratio:.1f}x in events/s" + cpu_ratio(bulk, naive))
        print(c.verdict(bulk.eps >= TARGET_BULK_EPS,
                        f"SQLite bulk capture {bulk.eps:,.0f} events/s "
                        f"(target >= {TARGET_BULK_EPS:,})"))
        print(c.verdict(ratio >= TARGET_RATIO,
                        f"bulk/naive ratio {ratio:.1f}x (target >= {TARGET_RATIO:.0f}x)"))

        if args.no_postgres:
            print("PostgreSQL: skipped (--no-postgres)")
            return 0
        from tests.support.postgres import postgres_url

        if not c.postgres_installed():
            return 0
        with postgres_url("tracechain_bench") as pg_url:
            pg_bulk, pg_naive = measure("PostgreSQL", pg_url, work, args,
                                        naive_events=args.naive_events // 2,
                                        profile=args.profile)
        pg_ratio = pg_bulk.eps / pg_naive.eps if pg_naive and pg_naive.eps else 0.0
        print(f"  PostgreSQL bulk {pg_bulk.eps:,.0f} events/s = {pg_bulk.eps / bulk.eps:.2f}x "
              f"SQLite bulk in this run; bulk / naive on PostgreSQL = {pg_ratio:.1f}x"
              + cpu_ratio(pg_bulk, pg_naive))
        print(f"INFO   PostgreSQL bulk capture {pg_bulk.eps:,.0f} events/s (no target)")
    return 0


if __name__ == "__main__":
    c.run_main(main)
