"""Verifying a lot whose lineage has 1,000 events: ``services.verification.verdicts.verify_lot``,
cold and warm, against the per-event path in the same run.

1. **Setup** (not timed), in a temporary directory: a fresh, migrated SQLite database, one
   cooperative with its custodial signing key (an encrypted keystore) and a member; a fresh anvil
   on a free port of 127.0.0.1 (stopped at the end, also on errors) with TraceAnchor deployed, or
   with ``--chain eth-tester`` the in-process eth-tester chain the tests use. The member captures,
   through ``services.epcis.capture.capture_document`` (each document sealed with the cooperative's
   key): 990 harvest lots in 3 documents of 330 (ObjectEvent ADD, quantityList + ILMD), 9 dryings
   of 110 harvest lots each in one document (TransformationEvent), and the blend of the 9 dried
   lots into one export lot (TransformationEvent): 1,000 events in the blend's lineage. The real
   ``anchor_pending`` registers the signer on chain and anchors them in one batch.
2. **Timed**, interleaved (the order alternates each run), ``--runs`` times (default 30):
   - **cold**: ``verify_lot(gtin, blend, uow, chain, caches=VerificationCaches())``: fresh caches
     (batch trees, seals, signer registrations, what the chain said), as a new process would;
   - **warm**: the same call with one ``VerificationCaches`` kept across runs, as a server process
     does (one warm-up call first);
   - **baseline** (``--baseline-runs`` times, default 3): the per-event path, ``verify_event`` for
     each of the 1,000 events with one shared, warm ``VerificationCaches``.
3. **Checked**: every verdict is "verified" (the lot, each of its 1,000 events, each history);
   anything else exits 1.

Printed: p50/p99 in ms of cold, warm and the baseline, CPU of this process beside the wall time,
the chain requests a cold and a warm call make. Target: **warm p50 <= 50 ms** for the 1,000-event
lot (what a server answers to a scan); cold is reported beside it. ``--profile`` prints the top
functions of one cold and one warm call under cProfile.

    .venv/bin/python benchmarks/bench_verify.py [--runs 30] [--baseline-runs 3] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import _common as c

from tracechain.anchor import anvil
from tracechain.anchor.contract import AnchorContract
from tracechain.anchor.errors import LocalChainError
from tracechain.anchor.provider import DEV_CHAIN_ID, dev_account, make_web3
from tracechain.domain.actor import Actor
from tracechain.services.accounts import organisations as accounts
from tracechain.services.anchoring.anchorer import AnchorSettings, anchor_pending
from tracechain.services.epcis.capture import CaptureSettings, capture_document
from tracechain.services.verification.verdicts import VerificationCaches, verify_event, verify_lot
from tracechain.sign.keyring import Keyring
from tracechain.store import migrate
from tracechain.store.db import make_engine, make_session_factory
from tracechain.store.uow import SqlUnitOfWork

TARGET_MS = 50.0  # warm p50, 1,000 events in the lineage
HARVESTS, DRYINGS = 990, 9  # + 1 blend = 1,000 events
HARVEST_DOCS = 3
EVENTS = HARVESTS + DRYINGS + 1
BLENDING = "https://ns.tracechain.dev/bizstep/blending"
EXPORT = c.gtin("12399")  # the blended export lot
RUN_TIME_LIMIT = 300.0  # seconds for the timed runs; a run cut short is an error


def season(tag: str) -> tuple[list[list[dict]], str]:
    """The capture documents' event lists, and the blend's lot code."""
    coop = c.COOP_GLNS[0]
    here = {"readPoint": c.place(coop), "bizLocation": c.place(coop)}
    t0 = c._T0
    harvests = [(f"{tag}H{i}", 180 + (i * 37) % 400) for i in range(HARVESTS)]
    harvest_events = [{
        "type": "ObjectEvent", "eventTime": c._time(t0 + timedelta(seconds=i)),
        "eventTimeZoneOffset": "+07:00", "action": "ADD", "bizStep": "commissioning",
        "disposition": "active", **here,
        "quantityList": [{"epcClass": c.lot_uri(c.BERRIES, code), "quantity": kg,
                          "uom": "KGM"}],
        "ilmd": {"tc:harvestDate": t0.date().isoformat(),
                 "tc:variety": c.VARIETIES[i % len(c.VARIETIES)], "tc:farmer": f"Hộ {i}"},
    } for i, (code, kg) in enumerate(harvests)]
    per = HARVESTS // DRYINGS
    dried, drying_events = [], []
    for j in range(DRYINGS):
        group = harvests[j * per:(j + 1) * per]
        code, kg = f"{tag}D{j}", round(sum(k for _, k in group) * 0.31, 1)
        dried.append((code, kg))
        drying_events.append({
            "type": "TransformationEvent",
            "eventTime": c._time(t0 + timedelta(hours=30, minutes=j)),
            "eventTimeZoneOffset": "+07:00", "bizStep": c.DRYING, "disposition": "active", **here,
            "inputQuantityList": [{"epcClass": c.lot_uri(c.BERRIES, h), "quantity": k,
                                   "uom": "KGM"} for h, k in group],
            "outputQuantityList": [{"epcClass": c.lot_uri(c.PEPPER, code), "quantity": kg,
                                    "uom": "KGM"}],
            "ilmd": {"tc:dryingMethod": "sun", "tc:moisturePercent": 12.5},
        })
    blend = f"{tag}B"
    blend_event = {
        "type": "TransformationEvent", "eventTime": c._time(t0 + timedelta(hours=60)),
        "eventTimeZoneOffset": "+07:00", "bizStep": BLENDING, "disposition": "active", **here,
        "inputQuantityList": [{"epcClass": c.lot_uri(c.PEPPER, d), "quantity": k, "uom": "KGM"}
                              for d, k in dried],
        "outputQuantityList": [{"epcClass": c.lot_uri(EXPORT, blend),
                                "quantity": round(sum(k for _, k in dried), 1), "uom": "KGM"}],
    }
    step = HARVESTS // HARVEST_DOCS
    docs = [harvest_events[k * step:(k + 1) * step] for k in range(HARVEST_DOCS)]
    return docs + [drying_events, [blend_event]], blend


def make_chain(kind: str, work: Path):
    """(chain client, stop function)."""
    if kind == "eth-tester":
        from eth_account import Account

        from tracechain.anchor.provider import make_eth_tester_web3

        w3 = make_eth_tester_web3()
        account = Account.create()
        w3.eth.send_transaction({"from": w3.eth.accounts[0], "to": account.address,
                                 "value": 10**21})
        return AnchorContract.deploy(w3, account), (lambda: None), "in-process eth-tester"
    handle = anvil.start(work, c.free_port(), DEV_CHAIN_ID,
                         binary=anvil.find_anvil(os.environ.get("TRACE_ANVIL_BIN")))
    try:
        chain = AnchorContract.deploy(make_web3(handle.url), dev_account(0))
        chain.check(DEV_CHAIN_ID)
    except Exception:
        anvil.stop(work)
        raise
    return chain, (lambda: anvil.stop(work)), f"anvil {handle.url} (pid {handle.pid})"


def check_lot(result) -> None:
    """The lot, each of its 1,000 events and each history verified, or BenchError."""
    bad = [e for e in result.events if e.verdict.status != "verified"]
    broken = [h for h in result.histories if getattr(h, "status", "verified") != "verified"]
    if result.verdict.status != "verified" or bad or len(result.events) != EVENTS or broken:
        detail = "; ".join(f"{e.event_id}: {e.verdict.status} ({e.verdict.reason})"
                           for e in bad[:3])
        raise c.BenchError(f"verify_lot says {result.verdict.status} ({result.verdict.reason}); "
                           f"{len(result.events)} events (expected {EVENTS}), {len(bad)} not "
                           f"verified {detail}; histories not verified: {broken[:3]}")


def ms(values_s: list[float]) -> str:
    v = [x * 1000 for x in values_s]
    return f"p50 {c.percentile(v, 50):8.1f} ms   p99 {c.percentile(v, 99):8.1f} ms"


def rpc_count(call) -> int:
    """JSON-RPC requests sent over HTTP during ``call`` (0 on the in-process chain)."""
    from requests.adapters import HTTPAdapter

    seen = [0]
    real_send = HTTPAdapter.send

    def send(self, request, *args, **kwargs):
        seen[0] += 1
        return real_send(self, request, *args, **kwargs)

    HTTPAdapter.send = send
    try:
        call()
    finally:
        HTTPAdapter.send = real_send
    return seen[0]


def print_profile(title: str, call) -> None:
    prof = cProfile.Profile()
    prof.enable()
    call()
    prof.disable()
    for what, sort, limit, restrict in (
            ("the service's functions by cumulative time", "cumulative", 22, (r"trace/",)),
            ("every function by own time", "tottime", 12, ())):
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats(sort).print_stats(*restrict, limit)
        text = out.getvalue()
        print(f"  cProfile of one {title} call, {what}:")
        for line in text[text.find("   ncalls"):].rstrip().splitlines():
            print("    " + line.replace(str(Path(sys.prefix)), "<venv>")
                  .replace(str(c.REPO_ROOT) + "/", ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30, help="cold and warm runs (default 30)")
    parser.add_argument("--baseline-runs", type=int, default=3,
                        help="runs of the per-event baseline, 1,000 calls each (default 3)")
    parser.add_argument("--chain", choices=("anvil", "eth-tester"), default="anvil",
                        help="anvil on a free port (default) or the in-process eth-tester chain")
    parser.add_argument("--profile", action="store_true",
                        help="print the top functions of one cold and one warm call (cProfile)")
    args = parser.parse_args()
    if args.runs < 1 or args.baseline_runs < 1:
        parser.error("--runs and --baseline-runs must be at least 1")
    print(f"bench_verify: verify_lot of a lot with {EVENTS:,} events in its lineage, SQLite "
          f"(machine: {os.cpu_count()} cores, load average "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())})")
    if args.chain == "anvil":
        try:
            anvil.find_anvil(os.environ.get("TRACE_ANVIL_BIN"))
        except LocalChainError as exc:
            if os.environ.get("CI") == "true":
                raise c.BenchError(f"anvil is needed (CI=true): {exc}") from None
            print(f"SKIPPED: {exc} (--chain eth-tester runs without it)")
            return 0
    started = time.perf_counter()
    tag = c.run_tag()
    with tempfile.TemporaryDirectory(prefix="tracechain-bench-verify-") as tmp:
        work = Path(tmp)
        try:
            chain, stop, where = make_chain(args.chain, work)
        except LocalChainError as exc:
            raise c.BenchError(f"the chain did not start: {exc}") from None
        engine = None
        try:
            url = f"sqlite:///{work / 'verify.db'}"
            migrate.upgrade(url)
            engine = make_engine(url)
            uow = SqlUnitOfWork(make_session_factory(engine))
            keyring = Keyring("bench-" + tag + "-" + os.urandom(16).hex())
            org_id = accounts.create_organisation(f"HTX bench {tag}", "cooperative",
                                                  c.COOP_GLNS[0], uow, keyring=keyring)
            email = f"member-{tag.lower()}@tracechain.test"
            actor = Actor(accounts.create_user(email, "Member", "member", org_id, uow),
                          "member", org_id, email)
            settings = CaptureSettings(keyring=keyring)
            docs, blend = season(tag)
            event_ids: list[str] = []
            t = time.perf_counter()
            for k, events in enumerate(docs):
                outcome = capture_document(c.document(events), actor, uow, settings)
                if not outcome.success or outcome.stored != len(events):
                    raise c.BenchError(f"capture of document {k} failed: stored "
                                       f"{outcome.stored} of {len(events)}; "
                                       f"{outcome.errors[:3]} {outcome.duplicates[:3]}")
                event_ids.extend(outcome.event_ids)
            captured = time.perf_counter() - t
            t = time.perf_counter()
            report = anchor_pending(uow, chain, AnchorSettings(interval=0, max_batch=10_000),
                                    force=True, keyring=keyring)
            if (report.batches_confirmed, report.events_anchored) != (1, EVENTS) or \
                    report.refused or report.waiting:
                raise c.BenchError(f"anchoring: {str(report)[:500]}")
            print(f"  {where}; {EVENTS:,} events in {len(docs)} sealed documents captured in "
                  f"{captured:.1f} s, anchored in one batch in {time.perf_counter() - t:.1f} s")

            def lot(caches):
                return verify_lot(EXPORT, blend, uow, chain, caches=caches)

            shared = VerificationCaches()
            check_lot(lot(VerificationCaches()))
            check_lot(lot(shared))  # the warm-up of the warm runs
            print(f"  lot {EXPORT}/{blend}: {EVENTS:,} events verified; chain requests per call: "
                  f"cold {rpc_count(lambda: lot(VerificationCaches()))}, warm "
                  f"{rpc_count(lambda: lot(shared))}")

            cold, warm, cpu_cold, cpu_warm = [], [], [], []
            deadline = time.monotonic() + RUN_TIME_LIMIT
            for n in range(args.runs):
                if time.monotonic() > deadline:
                    raise c.BenchError(f"stopped by the {RUN_TIME_LIMIT:.0f} s limit after "
                                       f"{n} of {args.runs} runs")
                order = (("cold", cold, cpu_cold), ("warm", warm, cpu_warm))
                for kind, into, cpu in (order if n % 2 == 0 else order[::-1]):
                    caches = VerificationCaches() if kind == "cold" else shared
                    t, p = time.perf_counter(), time.process_time()
                    result = lot(caches)
                    into.append(time.perf_counter() - t)
                    cpu.append(time.process_time() - p)
                    check_lot(result)
            base_caches = VerificationCaches()
            for e in event_ids[:5]:
                verify_event(e, uow, chain, caches=base_caches)  # warm-up
            base, base_cpu = [], []
            for n in range(args.baseline_runs):
                if time.monotonic() > deadline:
                    raise c.BenchError(f"stopped by the {RUN_TIME_LIMIT:.0f} s limit in the "
                                       f"baseline after {n} runs")
                t, p = time.perf_counter(), time.process_time()
                answers = [verify_event(e, uow, chain, caches=base_caches) for e in event_ids]
                base.append(time.perf_counter() - t)
                base_cpu.append(time.process_time() - p)
                bad = [a for a in answers if a.verdict.status != "verified"]
                if bad:
                    raise c.BenchError(f"verify_event: {len(bad)} events not verified, e.g. "
                                       f"{bad[0].event_id}: {bad[0].verdict.reason}")
            print(f"  verify_lot cold  {ms(cold)}   CPU p50 "
                  f"{1000 * statistics.median(cpu_cold):.1f} ms   ({len(cold)} runs, fresh "
                  "VerificationCaches each)")
            print(f"  verify_lot warm  {ms(warm)}   CPU p50 "
                  f"{1000 * statistics.median(cpu_warm):.1f} ms   ({len(warm)} runs, one "
                  "VerificationCaches kept, as a server process)")
            print(f"    baseline: verify_event x {EVENTS:,}  {ms(base)}   CPU p50 "
                  f"{1000 * statistics.median(base_cpu):.1f} ms   ({len(base)} runs, caches "
                  "shared and warm)")
            b50, w50, c50 = (statistics.median(x) for x in (base, warm, cold))
            print(f"  speed-up against the per-event path at p50: warm {b50 / w50:.1f}x, cold "
                  f"{b50 / c50:.1f}x; a wall time well above the CPU is the machine's other load")
            warm50 = 1000 * c.percentile(warm, 50)
            print(c.verdict(warm50 <= TARGET_MS,
                            f"verify_lot of a {EVENTS:,}-event lineage, warm caches: p50 "
                            f"{warm50:.1f} ms (p99 {1000 * c.percentile(warm, 99):.1f} ms; cold "
                            f"p50 {1000 * c.percentile(cold, 50):.1f} ms) (target warm p50 <= "
                            f"{TARGET_MS:.0f} ms)"))
            if args.profile:
                print_profile("cold", lambda: lot(VerificationCaches()))
                print_profile("warm", lambda: lot(shared))
        finally:
            if engine is not None:
                engine.dispose()
            stop()
    print(f"  done in {time.perf_counter() - started:.0f} s; chain stopped")
    return 0


if __name__ == "__main__":
    c.run_main(main)
