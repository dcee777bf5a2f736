"""Subscription fan-out: 10,000 events to 10 webhook subscribers.

A fresh SQLite database (migrated with Alembic) gets 10,000 realistic events (captured through
the API's use case, untimed). Ten named queries, one webhook subscription each (stream, a
signatureToken each, initialRecordTime before the capture), point at ten HTTP receivers run by a
separate process (``--receivers``): each checks every GS1-Signature, and that the events arrive
exactly once and exactly in capture order.

Timed: from the first delivery round until every receiver has every event (rounds of
``deliver_once``, as `tracechain deliver` runs them). Baseline, in the same run: the ten queries
alone (the same reads and documents, serialised, no HTTP). Target: the fan-out in <= 10 s.
Exit status 0 unless something failed (a receiver saw a bad signature, a duplicate, a gap, or
events out of order); a missed target prints MISSED.

    .venv/bin/python benchmarks/bench_subscriptions.py [--events 10000] [--subscribers 10]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import _common as c
import orjson

TARGET_S = 10.0


# --------------------------------------------------------------------------- the receivers

def receivers_main(expected_path: str, tokens: list[str]) -> None:
    """Run one receiver per token; print its port, then ``done <i> <ok>`` when it has all."""
    from tracechain.services.subscriptions.deliverer import signature_ok

    expected = json.loads(Path(expected_path).read_text())
    lock = threading.Lock()
    servers = []

    def make(i: int, token: str):
        state = {"next": 0, "problem": None, "done": False}

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if not signature_ok(body, token, self.headers.get("GS1-Signature")):
                    state["problem"] = "bad signature"
                    self.send_response(401)
                else:
                    doc = orjson.loads(body)
                    ids = [e["eventID"] for e in
                           doc["epcisBody"]["queryResults"]["resultsBody"]["eventList"]]
                    n = state["next"]
                    if ids != expected[n:n + len(ids)]:
                        state["problem"] = f"out of order or repeated at {n}"
                    state["next"] = n + len(ids)
                    self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()
                if not state["done"] and (state["next"] >= len(expected) or state["problem"]):
                    state["done"] = True
                    with lock:
                        print(f"done {i} {state['problem'] or 'ok'}", flush=True)

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server.server_address[1]

    ports = [make(i, t) for i, t in enumerate(tokens)]
    print("ports " + " ".join(map(str, ports)), flush=True)
    sys.stdin.read()  # until the benchmark closes our stdin


# --------------------------------------------------------------------------- the benchmark

def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--subscribers", type=int, default=10)
    parser.add_argument("--receivers", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.receivers:
        receivers_main(args.receivers[0], args.receivers[1:])
        return 0

    from tracechain import create_app
    from tracechain.app_services import app_services
    from tracechain.services.accounts import organisations as accounts
    from tracechain.services.accounts.tokens import actor_for_token
    from tracechain.services.epcis.capture import CaptureSettings, capture_document
    from tracechain.services.subscriptions import queries as named
    from tracechain.services.subscriptions.deliverer import (
        DeliverySettings,
        Urllib3Transport,
        conditions,
        deliver_once,
        next_events,
        subscription_document,
    )
    from tracechain.store import migrate

    folder = Path(tempfile.mkdtemp(prefix="bench-subs-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    migrate.upgrade(url)
    app = create_app({"DATABASE_URL": url, "VAR_DIR": str(folder), "SIGNING_KDF_N": 2**14,
                      "SIGNING_SECRET": "bench-secret-0123456789"})
    services = app_services(app)
    uow = services.unit_of_work
    accounts.create_user("bench@tracechain.test", "bench", "admin", None, uow())
    token = accounts.create_token("bench@tracechain.test", "bench", uow())
    actor = actor_for_token(token, uow())
    org = accounts.create_organisation("HTX Bench", "cooperative", c.gln(900), uow(),
                                       keyring=services.keyring)
    from dataclasses import replace
    actor = replace(actor, organisation_id=org)

    before = datetime.now(UTC) - timedelta(seconds=1)
    run = c.run_tag()
    events = c.events(run, args.events)
    settings = CaptureSettings(capture_limit=10_000, max_yield=1.02, keyring=services.keyring)
    t0 = time.perf_counter()
    captured: list[str] = []
    for k in range(0, len(events), 1000):
        outcome = capture_document(c.document(events[k:k + 1000]), actor, uow(), settings)
        if not outcome.success:
            raise c.BenchError(f"capture failed: {outcome}")
        captured += outcome.event_ids
    print(f"captured {len(captured)} events in {time.perf_counter() - t0:.1f} s (untimed)")

    expected = folder / "expected.json"
    expected.write_text(json.dumps(captured))
    delivery = DeliverySettings(allow=("127.0.0.1",), workers=args.subscribers)

    # Baseline: the queries alone, read and serialised as the deliveries will be, one by one.
    t0 = time.perf_counter()
    for i in range(args.subscribers):
        where = conditions({}, actor, before - timedelta(milliseconds=i))
        cursor, n = 0, 0
        while True:
            read = next_events(uow(), where, cursor, 10**12, delivery.batch)
            page, cursor = read.page, read.last
            if not page.events:
                break
            orjson.dumps(subscription_document(page, f"q{i}", "x"))
            n += len(page.events)
        if n != len(captured):
            raise c.BenchError(f"query {i} read {n} events, not {len(captured)}")
    baseline = time.perf_counter() - t0
    print(f"baseline: the {args.subscribers} queries alone, one after the other (read + "
          f"serialise, no HTTP): {baseline:.2f} s")

    results = {}
    for mode in ("same", "distinct"):
        # same: ten subscribers to one query (their pages are read once a round and shared);
        # distinct: ten queries that differ (initialRecordTime), so nothing is shared.
        results[mode] = fan_out(mode, args, uow, actor, before, captured, expected, run,
                                delivery, named, deliver_once, Urllib3Transport)
    total = args.events * args.subscribers
    for mode, (fanout, rounds) in results.items():
        print(f"fan-out ({mode} query): {args.events} events to {args.subscribers} webhook "
              f"subscribers, signed, checked exactly once in order: {fanout:.2f} s in "
              f"{rounds} round(s) ({total / fanout:,.0f} event deliveries/s; "
              f"{fanout / baseline:.2f}x the baseline)")
    worst = max(f for f, _ in results.values())
    print(c.verdict(worst <= TARGET_S, f"fan-out {worst:.2f} s (the slower case) <= "
                    f"{TARGET_S:.0f} s"))
    return 0


def fan_out(mode, args, uow, actor, before, captured, expected, run, delivery, named,
            deliver_once, transport_class) -> tuple[float, int]:
    tokens = [f"token-{mode}-{i}-{run}" for i in range(args.subscribers)]
    rx = subprocess.Popen([sys.executable, __file__, "--receivers", str(expected), *tokens],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    names = []
    try:
        ports = rx.stdout.readline().split()[1:]
        for i, port in enumerate(ports):
            name = f"{mode}-{i}"
            names.append(name)
            named.create_query({"name": name, "query": {}}, actor, uow())
            start = before - timedelta(milliseconds=i if mode == "distinct" else 0)
            named.create_subscription(name, {
                "dest": f"http://127.0.0.1:{port}/hook", "signatureToken": tokens[i],
                "stream": True, "initialRecordTime": start.isoformat()}, actor, uow(),
                allow=("127.0.0.1",))
        done: dict[int, str] = {}

        def collect():
            for line in rx.stdout:
                if line.startswith("done "):
                    _, i, outcome = line.split(maxsplit=2)
                    done[int(i)] = outcome.strip()

        threading.Thread(target=collect, daemon=True).start()
        transport = transport_class()
        t0 = time.perf_counter()
        rounds = 0
        while len(done) < args.subscribers and time.perf_counter() - t0 < 120:
            report = deliver_once(uow, transport, delivery)
            rounds += 1
            if report.failures:
                raise c.BenchError(f"deliveries failed: {report.errors}")
            if not report.deliveries:
                time.sleep(0.01)
        fanout = time.perf_counter() - t0
    finally:
        rx.stdin.close()
        rx.wait(timeout=30)
        for name in names:
            named.delete_query(name, actor, uow())
    bad = {i: o for i, o in done.items() if o != "ok"}
    if len(done) < args.subscribers or bad:
        raise c.BenchError(f"receivers incomplete or wrong ({mode}): {bad or done}")
    return fanout, rounds


if __name__ == "__main__":
    c.run_main(main)
