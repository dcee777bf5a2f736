"""Anchoring on a real chain: gas per event by batch size, pending -> confirmed throughput, and
the per-event cost of proofs and capture seals.

Everything runs against a fresh anvil (``tracechain.anchor.anvil.start`` in a temporary directory,
on a free port of 127.0.0.1; stopped at the end) with TraceAnchor deployed by anvil's first
development account, and a fresh, migrated SQLite database in the same temporary directory.

1. **Gas per event.** Baseline, in the same run: one transaction per event, each event hash
   anchored as its own root (``anchor(hash, 1)``), ``--baseline-txs`` of them (default 50),
   averaged. Then one transaction per batch: the OpenZeppelin Merkle root of 1, 100, 10,000 and
   100,000 real CBV 2.0 event hashes (``_common.events`` hashed with ``tracechain.hash``).
   Target: at 10,000 events, gas per event >= 8,000x lower than the baseline.
2. **Throughput, pending -> confirmed.** Five cooperatives, each with its own signing key (an
   encrypted keystore, default scrypt cost), capture 10 documents of 1,000 events through
   ``services.epcis.capture.capture_document`` (2 per member), each capture sealed with its
   organisation's key (``CaptureSettings(keyring=...)``); then the real ``anchor_pending(...,
   keyring=...)`` closes one batch of 10,000. The anchorer signs nothing: select, re-hash of each
   capture's document, seal checks, the lot-state fold, Merkle tree (the events' hashes + the
   state leaf), batch and lot-head rows, transaction, receipt, confirmation. ``--rounds`` rounds
   (default 5) after a small warm-up round; each round is verified (every event batched,
   leaf-indexed and covered by a valid seal of its organisation's key; the stored leaves rebuild
   the root, the chain's; the lot heads rebuild the state root; ``leafCount`` on chain). Target:
   the median round fits in 1 s (>= 10,000 events/s). Breakdown per round by timing around the
   calls ``anchor_pending`` makes (re-hash, seal checks, state fold, tree, batch rows, chain
   calls; the rest), plus SQL time by phase from SQLAlchemy's cursor events. ``--profile`` runs
   one more round under cProfile.
3. **Per event proofs.** On the last batch: Merkle proof from the tree, ``merkle.verify``, the
   contract's ``verifyEvent`` as an ``eth_call`` (baselines: ``anchorOf`` through the same client,
   the round trip without a proof; and ``verifyEvent`` POSTed as bare JSON-RPC, anvil + HTTP
   without web3.py), the seal covering the event (``Seal.facts``), per capture the seal's
   recovery (baseline: the same recovery with coincurve directly) and the whole ``check_seal``,
   and ``services.verification.verdicts``'s ``verify_event`` (warm caches and ``fresh=True``) and
   ``event_proof``. p50/p99 in microseconds; every answer checked (every verdict "verified", a
   tampered hash must fail). No target.

Exit status 1 only when something fails to run or does not verify; a missed target prints MISSED.
Without anvil (``make contracts``) it says SKIPPED and exits 0 (1 under CI=true).

    .venv/bin/python benchmarks/bench_anchor.py [--rounds 5] [--baseline-txs 50] [--profile]
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import http.client
import io
import json
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
import urllib.parse
from collections import Counter, defaultdict
from pathlib import Path

import _common as c
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from tracechain.anchor import anvil
from tracechain.anchor.contract import AnchorContract
from tracechain.anchor.errors import LocalChainError
from tracechain.anchor.provider import DEV_CHAIN_ID, dev_account, make_web3
from tracechain.domain.actor import Actor
from tracechain.domain.commitments import state_leaf
from tracechain.domain.merkle import MerkleTree, event_hash_bytes, hex32, verify
from tracechain.hash import hash_document
from tracechain.services.accounts import organisations as accounts
from tracechain.services.anchoring import anchorer as anchoring_module
from tracechain.services.anchoring.anchorer import AnchorSettings, anchor_pending
from tracechain.services.anchoring.lot_state import state_after
from tracechain.services.anchoring.signer_registry import register_signers
from tracechain.services.epcis.capture import CaptureSettings, capture_document
from tracechain.services.signatures.seal_checks import SealChecks, check_seal, statement_of
from tracechain.sign.keyring import Keyring
from tracechain.sign.signatures import recover_digest_signer
from tracechain.store import migrate
from tracechain.store.accounts import Organisation
from tracechain.store.anchoring import AnchorBatch
from tracechain.store.db import make_engine, make_session_factory
from tracechain.store.events import CaptureJob, Event
from tracechain.store.uow import SqlUnitOfWork

TARGET_GAS_RATIO = 8_000  # at 10,000 events per batch
TARGET_SECONDS = 1.0  # a batch of 10,000 from pending to confirmed
BATCH_SIZES = (1, 100, 10_000, 100_000)
BATCH_EVENTS = 10_000
DOCS, PER_DOC = 10, 1_000
ORGS = 5
RECEIPT_TIMEOUT = 30.0
FRESH_SAMPLES = 20  # verify_event(fresh=True) calls timed
RUN_TIME_LIMIT = 150.0  # seconds for the throughput rounds; a run cut short is an error



def us(values_s: list[float]) -> str:
    v = [x * 1e6 for x in values_s]
    return f"p50 {c.percentile(v, 50):8.1f} us   p99 {c.percentile(v, 99):8.1f} us"


# --------------------------------------------------------------------------- the chain


def send_and_wait(chain: AnchorContract, root: bytes, leaf_count: int):
    """Anchor ``root`` the way the anchorer does (sign locally, send, wait for the receipt)."""
    tx = chain.build_anchor_tx(root, leaf_count)
    chain.send_raw(tx.raw)
    deadline = time.monotonic() + RECEIPT_TIMEOUT
    while (receipt := chain.receipt(tx.tx_hash)) is None:
        if time.monotonic() > deadline:
            raise c.BenchError(f"anchor transaction {tx.tx_hash} not mined within "
                             f"{RECEIPT_TIMEOUT:.0f} s")
        time.sleep(0.005)
    if receipt.status != 1:
        raise c.BenchError(f"anchor transaction {tx.tx_hash} reverted: {receipt.error}")
    fact = chain.anchor_of(root)
    if fact is None or fact.leaf_count != leaf_count:
        raise c.BenchError(f"root 0x{root.hex()} is not on chain with leafCount {leaf_count}: "
                         f"{fact}")
    return receipt


def real_hashes(tag: str, count: int) -> list[bytes]:
    """``count`` distinct CBV 2.0 event hashes of realistic events, as 32 bytes each."""
    out: list[bytes] = []
    for k in range(count // PER_DOC):
        doc = c.document(c.events(tag, PER_DOC, k * PER_DOC // c.BLOCK))
        out.extend(event_hash_bytes(h.id) for h in hash_document(doc))
    if len(set(out)) != count:
        raise c.BenchError(f"{count - len(set(out))} duplicate event hashes in the generated set")
    return out


def gas_part(chain: AnchorContract, tag: str, baseline_txs: int) -> tuple[float, dict]:
    t0 = time.perf_counter()
    hashes = real_hashes("G" + tag, max(BATCH_SIZES))
    print(f"  {len(hashes):,} event hashes of realistic events computed in "
          f"{time.perf_counter() - t0:.1f} s")
    send_and_wait(chain, os.urandom(32), 1)  # warm-up: web3's caches, the account's nonce
    # Baseline: one transaction per event, the event hash as its own root.
    gas, seconds = [], []
    for h in hashes[-baseline_txs:]:
        t = time.perf_counter()
        receipt = send_and_wait(chain, h, 1)
        seconds.append(time.perf_counter() - t)
        gas.append(receipt.gas_used)
    base = statistics.fmean(gas)
    base_eps = len(seconds) / sum(seconds)
    print(f"  baseline: {baseline_txs} transactions anchor(eventHash, 1), one per event: "
          f"{base:,.0f} gas per event (min {min(gas):,}, max {max(gas):,}); "
          f"{1000 * statistics.median(seconds):.1f} ms per transaction (build, send, receipt) "
          f"= {base_eps:,.0f} events/s; 10,000 events would take {10_000 / base_eps:,.0f} s")
    print(f"  {'batch':>9}  {'tree build':>10}  {'gas of the tx':>13}  {'gas per event':>13}  "
          f"{'vs baseline':>11}")
    per_event: dict[int, float] = {}
    for n in BATCH_SIZES:
        t = time.perf_counter()
        tree = MerkleTree(hashes[:n])
        built = time.perf_counter() - t
        receipt = send_and_wait(chain, tree.root, n)
        per_event[n] = receipt.gas_used / n
        print(f"  {n:>9,}  {1000 * built:>7.1f} ms  {receipt.gas_used:>13,}  "
              f"{per_event[n]:>13,.2f}  {base / per_event[n]:>10,.0f}x")
    return base, per_event


# --------------------------------------------------------------------------- the database


class Timings:
    """Seconds spent in the calls ``anchor_pending`` makes, by part; reset for each round.

    ``phase`` is the part running now, so that each SQL statement is counted under it too."""

    def __init__(self):
        self.parts: defaultdict[str, float] = defaultdict(float)
        self.calls: Counter[str] = Counter()
        self.sql: defaultdict[str, float] = defaultdict(float)
        self.sql_calls: Counter[str] = Counter()
        self.sql_in: defaultdict[str, float] = defaultdict(float)  # by phase ("" = none)
        self.phase = ""
        self.rpc: Counter[str] = Counter()

    def add(self, part: str, seconds: float) -> None:
        self.parts[part] += seconds
        self.calls[part] += 1

    def wrap(self, part: str, fn):
        """``fn`` timed under ``part`` (a part inside another one counts in both)."""
        def timed(*args, **kwargs):
            outer, self.phase = self.phase, part
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.add(part, time.perf_counter() - t)
                self.phase = outer

        return timed


class TimedChain:
    """The AnchorContract, with the time of every method call counted under ``chain.<name>``."""

    def __init__(self, inner: AnchorContract, timings: Timings):
        self._inner, self._timings = inner, timings

    def __getattr__(self, name: str):
        attr = getattr(self._inner, name)
        if not callable(attr):
            return attr
        return self._timings.wrap(f"chain.{name}", attr)


# What anchor_pending's batch building calls, as module globals of services.anchoring, by part:
# re-hashing each capture's document, checking seals (once per capture, then per event), reading
# what each event names and folding it into the lot state, the batch's tree, the batch rows.
WRAPPED = {"_rehash_by_capture": "rehash", "_refusal": "seal.event",
           "lots_of": "fold.lots_of", "state_after": "fold.state_after",
           "_legacy_events": "fold.legacy", "MerkleTree": "tree",
           "put_events_in_batch": "rows.update", "insert_lot_heads": "rows.insert"}


def instrument(engine, timings: Timings):
    """Time what ``anchor_pending`` calls (module globals of services.anchoring, see
    ``WRAPPED``; ``SealChecks.of_captures`` and ``Folding.add``/``tree`` through subclasses),
    and every SQL statement; returns the function that undoes it."""
    real = {name: getattr(anchoring_module, name) for name in WRAPPED}
    real_seals, real_folding = anchoring_module.SealChecks, anchoring_module.Folding

    class TimedSeals(real_seals):
        of_captures = timings.wrap("seal.captures", real_seals.of_captures)

    class TimedFolding(real_folding):
        add = timings.wrap("fold.add", real_folding.add)
        tree = timings.wrap("fold.tree", real_folding.tree)

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_t0"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        kind = " ".join(statement.split()[:4])[:60] + (" [executemany]" if executemany else "")
        seconds = time.perf_counter() - conn.info.pop("bench_t0")
        timings.sql[kind] += seconds
        timings.sql_calls[kind] += 1
        timings.sql_in[timings.phase] += seconds

    for name, part in WRAPPED.items():
        setattr(anchoring_module, name, timings.wrap(part, real[name]))
    anchoring_module.SealChecks, anchoring_module.Folding = TimedSeals, TimedFolding
    sa_event.listen(engine, "before_cursor_execute", before)
    sa_event.listen(engine, "after_cursor_execute", after)

    def undo():
        for name, fn in real.items():
            setattr(anchoring_module, name, fn)
        anchoring_module.SealChecks, anchoring_module.Folding = real_seals, real_folding
        sa_event.remove(engine, "before_cursor_execute", before)
        sa_event.remove(engine, "after_cursor_execute", after)

    return undo


class Service:
    """A migrated SQLite database, five cooperatives with signing keys and one member each."""

    def __init__(self, workdir: Path, tag: str):
        self.url = f"sqlite:///{workdir / 'anchor.db'}"
        migrate.upgrade(self.url)
        self.engine = make_engine(self.url)
        self.uow = SqlUnitOfWork(make_session_factory(self.engine))
        self.keyring = Keyring("bench-" + tag + "-" + os.urandom(16).hex())  # default scrypt N
        self.actors: list[Actor] = []
        t = time.perf_counter()
        for i in range(ORGS):
            org_id = accounts.create_organisation(f"HTX bench {tag} {i}", "cooperative",
                                                  c.gln(700 + i), self.uow, keyring=self.keyring)
            email = f"member{i}-{tag.lower()}@tracechain.test"
            user_id = accounts.create_user(email, f"Member {i}", "member", org_id, self.uow)
            self.actors.append(Actor(user_id, "member", org_id, email))
        self.setup_s = time.perf_counter() - t
        # Captures are sealed with each organisation's key in the capture transaction.
        self.settings = CaptureSettings(keyring=self.keyring)
        self.next_block = 0

    def capture(self, run: str, docs: int, per_doc: int) -> float:
        """``docs`` documents of ``per_doc`` events, spread over the members; seconds taken."""
        t = time.perf_counter()
        for k in range(docs):
            doc = c.document(c.events(run, per_doc, self.next_block))
            self.next_block += per_doc // c.BLOCK
            outcome = capture_document(doc, self.actors[k % len(self.actors)], self.uow,
                                       self.settings)
            if not outcome.success or outcome.stored != per_doc:
                raise c.BenchError(f"capture of document {k} failed: stored {outcome.stored} of "
                                 f"{per_doc}; {outcome.errors[:3]} {outcome.duplicates[:3]}")
        return time.perf_counter() - t

    def pending(self) -> int:
        with self.uow:
            return self.uow.session.scalar(select(func.count()).select_from(Event)
                                           .where(Event.batch_id.is_(None)))

    def close(self) -> None:
        self.engine.dispose()


def check_round(svc: Service, chain: AnchorContract, report, expected: int) -> AnchorBatch:
    """Every event anchored once and covered by a valid seal of its organisation's key; the
    batch's leaves are its events' hashes in leaf order plus the state leaf, and rebuild its root
    (the one on chain) and the lot heads rebuild its state root."""
    problems = []
    if (report.batches_built, report.batches_confirmed, report.events_anchored) != \
            (1, 1, expected) or report.waiting or report.skipped or report.refused:
        problems.append(f"report: {str(report)[:500]}")
    with svc.uow:
        s = svc.uow.session
        batch = s.scalars(select(AnchorBatch).order_by(AnchorBatch.id.desc())).first()
        rows = s.execute(select(Event.event_hash, Event.leaf_index, Event.signature,
                                Event.capture_id, Organisation.gln,
                                Organisation.signing_address)
                         .join(Organisation, Organisation.id == Event.organisation_id)
                         .where(Event.batch_id == batch.id).order_by(Event.leaf_index)).all()
        # A fresh check of every capture's seal, not the anchorer's: signature recovered,
        # stored hashes rebuilding the sealed root.
        sealed = SealChecks().of_captures(svc.uow, {r.capture_id for r in rows})
        state_root = state_after(svc.uow, batch.id).root
    leaves = expected + 1  # the events' hashes, then the state leaf
    if svc.pending():
        problems.append(f"{svc.pending()} events still pending")
    if batch.status != "confirmed" or batch.leaf_count != leaves or not batch.gas_used:
        problems.append(f"batch {batch.id}: status {batch.status}, {batch.leaf_count} leaves "
                        f"(expected {leaves}), gas {batch.gas_used}")
    if len(rows) != expected or [r.leaf_index for r in rows] != list(range(expected)):
        problems.append(f"{len(rows)} events in the batch with leaf indexes 0..n-1, "
                        f"expected {expected}")
    uncovered = 0
    for r in rows:
        seal = sealed.get(r.capture_id)
        facts = seal.facts(r.event_hash, r.gln, r.signing_address) if seal else None
        if r.signature is not None or facts is None or facts.error or facts.problem or \
                (facts.recovered or "").lower() != r.signing_address.lower() or \
                (facts.signer or "").lower() != r.signing_address.lower():
            uncovered += 1
            if uncovered == 1:
                problems.append(f"event {r.event_hash} is not covered by a valid seal of "
                                f"{r.signing_address}: {facts}")
    if uncovered:
        problems.append(f"{uncovered} of {len(rows)} events not covered by a valid seal of "
                        "their organisation's key")
    data = bytes(batch.leaves or b"")
    stored = [data[i:i + 32] for i in range(0, len(data), 32)]
    if stored[:-1] != [event_hash_bytes(r.event_hash) for r in rows]:
        problems.append(f"the stored leaves of batch {batch.id} are not its events' hashes in "
                        "leaf order")
    if "0x" + state_root.hex() != batch.state_root or \
            not stored or stored[-1] != state_leaf(state_root):
        problems.append(f"the lot heads rebuild state root 0x{state_root.hex()}, batch "
                        f"{batch.id} committed to {batch.state_root}")
    tree = MerkleTree([event_hash_bytes(r.event_hash) for r in rows] + [state_leaf(state_root)])
    if "0x" + tree.root.hex() != batch.root:
        problems.append(f"the events of batch {batch.id} and the state rebuild root "
                        f"0x{tree.root.hex()}, stored {batch.root}")
    fact = chain.anchor_of(tree.root)
    if fact is None or fact.leaf_count != leaves or fact.block_number != batch.block_number:
        problems.append(f"on chain: {fact}, expected leafCount {leaves} at block "
                        f"{batch.block_number}")
    if problems:
        raise c.BenchError("anchoring round did not verify:\n  " + "\n  ".join(problems))
    return batch


def cpu_of(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_round(svc: Service, chain: AnchorContract, timings: Timings, label: str,
              anvil_pid: int, profile: cProfile.Profile | None = None):
    settings = AnchorSettings(max_batch=BATCH_EVENTS, receipt_timeout=RECEIPT_TIMEOUT)
    timed_chain = TimedChain(chain, timings)
    undo = instrument(svc.engine, timings)
    try:
        t0 = time.perf_counter()
        cpu0, node0 = time.process_time(), cpu_of(anvil_pid)
        if profile:
            profile.enable()
        with counting_rpc() as timings.rpc:
            # The keyring only lets the anchorer register custodial signers; it signs nothing.
            report = anchor_pending(svc.uow, timed_chain, settings, force=True,
                                    holder=f"bench-{label}", keyring=svc.keyring)
        if profile:
            profile.disable()
        wall = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
        node = cpu_of(anvil_pid) - node0
    finally:
        undo()
    return report, wall, cpu, node


def breakdown(t: Timings, wall: float) -> list[str]:
    p, q, n = t.parts, t.sql_in, t.calls
    chain_s = sum(v for k, v in p.items() if k.startswith("chain."))
    seals = p["seal.captures"] + p["seal.event"]
    fold = (p["fold.lots_of"] + p["fold.state_after"] + p["fold.add"] + p["fold.tree"]
            + p["fold.legacy"])
    rows = p["rows.update"] + p["rows.insert"]
    rest = wall - chain_s - p["rehash"] - seals - fold - p["tree"] - rows
    sql_total = sum(t.sql.values())
    calls = ", ".join(f"{k[6:]} {1000 * v:.1f} ms x{n[k]}"
                      for k, v in sorted(p.items(), key=lambda kv: -kv[1])
                      if k.startswith("chain."))

    def ms(x: float) -> str:
        return f"{1000 * x:.1f} ms"

    def pct(x: float) -> str:
        return f"{1000 * x:6.1f} ms {100 * x / wall:3.0f} %"

    lines = [
        f"      re-hash    {pct(p['rehash'])}  hash_document of each capture's document "
        f"(_rehash_by_capture x{n['rehash']})",
        f"      seal checks{pct(seals)}  SealChecks.of_captures {ms(p['seal.captures'])} "
        f"(SQL {ms(q['seal.captures'])}; root rebuild + recovery, once per capture); "
        f"_refusal per event {ms(p['seal.event'])} x{n['seal.event']:,}",
        f"      state fold {pct(fold)}  lots_of {ms(p['fold.lots_of'])} x{n['fold.lots_of']:,}; "
        f"state_after {ms(p['fold.state_after'])} (SQL {ms(q['fold.state_after'])}); "
        f"Folding.add {ms(p['fold.add'])}; state trees {ms(p['fold.tree'])} x{n['fold.tree']}"
        + (f"; legacy events {ms(p['fold.legacy'])}" if p["fold.legacy"] > 0.0005 else ""),
        f"      tree       {pct(p['tree'])}  MerkleTree of the events' hashes + the state leaf",
        f"      batch rows {pct(rows)}  bulk_update events {ms(p['rows.update'])}, bulk_insert "
        f"lot_heads {ms(p['rows.insert'])} (SQL {ms(q['rows.update'] + q['rows.insert'])})",
        f"      tx+receipt {pct(chain_s)}  {calls}; {said(t.rpc)}",
        f"      the rest   {pct(rest)}  lease, pending SELECT, admission loop, batch row, "
        f"confirmation: SQL {ms(q[''])}; SQLAlchemy and Python {ms(rest - q[''])}",
        f"      slowest SQL statements ({ms(sql_total)} in {sum(t.sql_calls.values())} "
        "statements in all):"]
    for kind, secs in sorted(t.sql.items(), key=lambda kv: -kv[1])[:3]:
        lines.append(f"        {1000 * secs:6.1f} ms x{t.sql_calls[kind]:<3} {kind}")
    return lines


def print_profile(profile: cProfile.Profile) -> None:
    def show(title: str, sort: str, limit: int, *restrict) -> None:
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(sort).print_stats(*restrict, limit)
        text = out.getvalue()
        print(f"  cProfile of that round, {title}:")
        for line in text[text.find("   ncalls"):].rstrip().splitlines():
            print("    " + line.replace(str(Path(sys.prefix)), "<venv>")
                  .replace(str(c.REPO_ROOT) + "/", ""))

    show("by own time (tottime)", "tottime", 12)
    show("cumulative, the service's functions and SQLAlchemy's parameter building",
         "cumulative", 14, r"trace/|_init_compiled|construct_params|do_executemany")


def throughput_part(svc: Service, chain: AnchorContract, tag: str, rounds: int,
                    profile: bool, anvil_pid: int) -> tuple[list[float], list[float],
                                                            AnchorBatch]:
    # Warm-up: a small round that unlocks each organisation's keystore (scrypt) once, as a
    # long-running anchorer (tracechain anchor --watch, serve's background anchorer) has.
    capture_s = svc.capture("W" + tag, ORGS, 2 * c.BLOCK)
    timings = Timings()
    report, wall, _, _ = one_round(svc, chain, timings, "warm-up", anvil_pid)
    check_round(svc, chain, report, ORGS * 2 * c.BLOCK)
    print(f"  warm-up round ({ORGS * 2 * c.BLOCK} events of {ORGS} organisations, captured and "
          f"sealed in {capture_s:.2f} s, which unlocked the {ORGS} keystores (scrypt) once): "
          f"{wall:.2f} s")
    walls: list[float] = []
    cpus: list[float] = []
    deadline = time.monotonic() + RUN_TIME_LIMIT
    batch = None
    plan = [f"round {r + 1}" for r in range(rounds)] + (["cProfile"] if profile else [])
    for n, label in enumerate(plan):
        if time.monotonic() > deadline:
            raise c.BenchError(f"stopped by the {RUN_TIME_LIMIT:.0f} s limit before {label}")
        capture_s = svc.capture(f"T{n}" + tag, DOCS, PER_DOC)
        if svc.pending() != BATCH_EVENTS:
            raise c.BenchError(f"{svc.pending()} pending events before {label}, expected "
                             f"{BATCH_EVENTS}")
        timings = Timings()
        prof = cProfile.Profile() if label == "cProfile" else None
        report, wall, cpu, node = one_round(svc, chain, timings, label.replace(" ", ""),
                                            anvil_pid, prof)
        batch = check_round(svc, chain, report, BATCH_EVENTS)
        print(f"  {label}: {BATCH_EVENTS:,} pending events (captured in {capture_s:.1f} s, "
              f"{DOCS} documents of {PER_DOC:,} by {ORGS} members) -> confirmed in "
              f"{wall:.3f} s = {BATCH_EVENTS / wall:,.0f} events/s; CPU {cpu:.3f} s here + "
              f"{node:.2f} s anvil; block {batch.block_number}, {batch.gas_used:,} gas"
              + ("  [under cProfile: slower, not counted]" if prof else ""))
        for line in breakdown(timings, wall):
            print(line)
        if prof:
            print_profile(prof)
        else:
            walls.append(wall)
            cpus.append(cpu + node)
    return walls, cpus, batch


# --------------------------------------------------------------------------- proofs

_PERSONAL = b"\x19Ethereum Signed Message:\n32"


def recover_direct(digest32: bytes, signature: str) -> str:
    """EIP-191 recovery with libsecp256k1 only: the lower-case address."""
    import coincurve

    from tracechain.domain.merkle import keccak256

    raw = bytes.fromhex(signature[2:])
    digest = keccak256(_PERSONAL + digest32)
    public = coincurve.PublicKey.from_signature_and_message(raw[:64] + bytes([raw[64] - 27]),
                                                            digest, hasher=None)
    return "0x" + keccak256(public.format(compressed=False)[1:])[-20:].hex()


@contextlib.contextmanager
def counting_rpc():
    """Counts the JSON-RPC methods sent over HTTP meanwhile (web3's HTTPProvider uses requests)."""
    from requests.adapters import HTTPAdapter

    seen: Counter[str] = Counter()
    real_send = HTTPAdapter.send

    def send(self, request, *args, **kwargs):
        try:
            body = json.loads(request.body)
            for one in body if isinstance(body, list) else [body]:
                seen[one.get("method", "?")] += 1
        except (TypeError, ValueError):
            seen["?"] += 1
        return real_send(self, request, *args, **kwargs)

    HTTPAdapter.send = send
    try:
        yield seen
    finally:
        HTTPAdapter.send = real_send


def rpc_methods(call) -> Counter[str]:
    with counting_rpc() as seen:
        call()
    return seen


def said(methods: Counter[str]) -> str:
    return f"{sum(methods.values())} HTTP requests (" + ", ".join(
        f"{m} x{n}" for m, n in methods.most_common()) + ")"


class RawRpc:
    """``verifyEvent`` as a bare eth_call over one kept-alive HTTP connection."""

    def __init__(self, chain: AnchorContract):
        url = urllib.parse.urlsplit(chain.w3.provider.endpoint_uri)
        self.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        self.contract = chain.w3.eth.contract(address=chain.address, abi=chain.abi)
        self.address = chain.address

    def body(self, root: bytes, event_hash: bytes, proof: list[bytes]) -> bytes:
        data = self.contract.encode_abi("verifyEvent", [root, event_hash, proof])
        return json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_call",
                           "params": [{"to": self.address, "data": data}, "latest"]}).encode()

    def call(self, body: bytes) -> bool:
        self.conn.request("POST", "/", body=body, headers={"Content-Type": "application/json"})
        answer = json.loads(self.conn.getresponse().read())
        if "result" not in answer:
            raise c.BenchError(f"eth_call failed: {answer}")
        return int(answer["result"], 16) == 1

    def close(self) -> None:
        self.conn.close()


def proofs_part(svc: Service, chain: AnchorContract, batch: AnchorBatch, samples: int,
                chain_samples: int) -> None:
    with svc.uow:
        s = svc.uow.session
        rows = s.execute(
            select(Event.event_id, Event.event_hash, Event.capture_id, Organisation.gln,
                   Organisation.signing_address)
            .join(Organisation, Organisation.id == Event.organisation_id)
            .where(Event.batch_id == batch.id).order_by(Event.leaf_index)).all()
        captures = sorted({r.capture_id for r in rows})
        sealed = SealChecks().of_captures(svc.uow, set(captures))
        leaves_of = dict(s.execute(select(CaptureJob.id, CaptureJob.seal_leaves)
                                   .where(CaptureJob.id.in_(captures))).all())
    t = time.perf_counter()
    data = bytes(batch.leaves)
    tree = MerkleTree([data[i:i + 32] for i in range(0, len(data), 32)])
    rebuild = time.perf_counter() - t
    root = tree.root
    if "0x" + root.hex() != batch.root:
        raise c.BenchError("the batch's stored leaves do not rebuild its root")
    rng = random.Random(7)
    picks = rng.sample(range(len(rows)), min(samples, len(rows)))
    hashes = [event_hash_bytes(rows[i].event_hash) for i in picks]
    gen, ver, cover, proofs = [], [], [], []
    for i, h in zip(picks, hashes, strict=True):
        t = time.perf_counter()
        proof = tree.proof(i)
        gen.append(time.perf_counter() - t)
        proofs.append(proof)
        t = time.perf_counter()
        ok = verify(root, h, proof)
        ver.append(time.perf_counter() - t)
        if not ok:
            raise c.BenchError(f"merkle.verify rejected the proof of leaf {i}")
        r = rows[i]
        t = time.perf_counter()
        facts = sealed[r.capture_id].facts(r.event_hash, r.gln, r.signing_address)
        cover.append(time.perf_counter() - t)
        if facts.problem or facts.error or facts.recovered != r.signing_address:
            raise c.BenchError(f"the seal of capture {r.capture_id} does not cover leaf {i}: "
                               f"{facts}")
    # Per capture: the seal's statement recovered (sign.recover_digest_signer; baseline: the same
    # recovery with coincurve directly), and the whole check_seal (the capture's tree rebuilt
    # from its stored hashes + the recovery).
    rec, direct, whole = [], [], []
    for k in range(max(len(captures), min(samples, 500))):
        seal = sealed[captures[k % len(captures)]]
        statement = statement_of(seal.gln, seal.capture_id, seal.user_id, seal.recorded_at,
                                 seal.count, hex32(seal.root))
        t = time.perf_counter()
        signer = recover_digest_signer(statement, seal.signature)
        rec.append(time.perf_counter() - t)
        t = time.perf_counter()
        address = recover_direct(statement, seal.signature)
        direct.append(time.perf_counter() - t)
        if signer != seal.signer or address != seal.signer.lower():
            raise c.BenchError(f"the seal of capture {seal.capture_id} recovers to {signer} "
                               f"(coincurve: {address}), not {seal.signer}")
        if k < 3 * len(captures):
            t = time.perf_counter()
            again = check_seal(seal.capture_id, seal.gln, seal.user_id, seal.recorded_at,
                               seal.signature, seal.signer, seal.root,
                               leaves_of[seal.capture_id])
            whole.append(time.perf_counter() - t)
            if again.recovered != seal.signer or again.problem or again.error:
                raise c.BenchError(f"check_seal of capture {seal.capture_id}: {again}")
    # eth_call round trips, interleaved with their baselines: anchorOf through the same client
    # (the round trip without a proof), and verifyEvent as a bare JSON-RPC POST (no web3.py).
    rpc = RawRpc(chain)
    on_chain, plain, bare = [], [], []
    chain.verify_event(root, hashes[0], proofs[0])  # warm-up
    for k in range(min(chain_samples, len(picks))):
        t = time.perf_counter()
        ok = chain.verify_event(root, hashes[k], proofs[k])
        on_chain.append(time.perf_counter() - t)
        t = time.perf_counter()
        fact = chain.anchor_of(root)
        plain.append(time.perf_counter() - t)
        body = rpc.body(root, hashes[k], proofs[k])
        t = time.perf_counter()
        raw_ok = rpc.call(body)
        bare.append(time.perf_counter() - t)
        if not ok or fact is None or not raw_ok:
            raise c.BenchError(f"verifyEvent said {ok} (bare JSON-RPC: {raw_ok}) for leaf "
                             f"{picks[k]} (anchorOf: {fact})")
    rpc.close()
    tampered = bytes([hashes[0][0] ^ 1]) + hashes[0][1:]
    if verify(root, tampered, proofs[0]) or chain.verify_event(root, tampered, proofs[0]):
        raise c.BenchError("a tampered event hash verified")
    depth = statistics.fmean(len(p) for p in proofs)
    print(f"  batch of {len(rows):,} events + the state leaf (tree rebuilt from its stored "
          f"leaves in {1000 * rebuild:.1f} ms, once per batch); "
          f"proofs of {depth:.1f} siblings on average")
    print(f"    Merkle proof from the tree      {us(gen)}   ({len(gen):,} events)")
    print(f"    merkle.verify (off chain)       {us(ver)}")
    print(f"    verifyEvent eth_call            {us(on_chain)}   ({len(on_chain)} calls, "
          "AnchorContract.verify_event: "
          + said(rpc_methods(lambda: chain.verify_event(root, hashes[0], proofs[0]))) + ")")
    print(f"      baseline: anchorOf eth_call   {us(plain)}   (same client, no proof)")
    print(f"      baseline: bare JSON-RPC       {us(bare)}   (verifyEvent POSTed with "
          "http.client: anvil + HTTP only)")
    print(f"    seal covers the event           {us(cover)}   (Seal.facts, the capture's seal "
          "checked once)")
    print(f"    seal recovery, per capture      {us(rec)}   (sign.recover_digest_signer, EIP-191, "
          f"{len(captures)} captures)")
    print(f"      baseline: coincurve directly  {us(direct)}   (same recovery, same answer)")
    print(f"    check_seal, per capture         {us(whole)}   (tree of the capture's "
          f"{sealed[captures[0]].count:,} stored hashes + recovery)")
    per_event = (c.percentile(gen, 50) + c.percentile(ver, 50) + c.percentile(on_chain, 50)
                 + c.percentile(cover, 50))
    service_part(svc, chain, [rows[i].event_id for i in picks[:chain_samples]])
    off_chain = c.percentile(gen, 50) + c.percentile(ver, 50)
    print(f"INFO   per event at p50: proof + verify {1e6 * off_chain:,.0f} us, seal cover "
          f"{1e6 * c.percentile(cover, 50):,.1f} us (+ {1e6 * c.percentile(whole, 50):,.0f} us "
          f"once per capture), verifyEvent eth_call {1e6 * c.percentile(on_chain, 50):,.0f} us; "
          f"all four {per_event * 1e6:,.0f} us (no target)")


def service_part(svc: Service, chain: AnchorContract, event_ids: list[str]) -> None:
    """``services.verification.verdicts`` per event, when it exists (another change is writing it):
    ``verify_event`` with the process's caches warm (the anchor as recorded; the signer asked of
    the chain once, then cached), with ``fresh=True`` (root and signer asked of the chain), and
    ``event_proof``. Every verdict must be "verified"."""
    try:
        from tracechain.services.verification import verdicts as v
        caches = v.VerificationCaches()
    except (ImportError, AttributeError) as exc:
        print(f"    services.verification: SKIPPED, not usable yet ({type(exc).__name__}: {exc})")
        return
    timed: dict[str, list[float]] = {"warm": [], "fresh": [], "proof": []}
    v.verify_event(event_ids[0], svc.uow, chain, caches=caches)  # builds the batch's tree once
    for n, event_id in enumerate(event_ids):
        for kind, call in (
                ("warm", lambda e=event_id: v.verify_event(e, svc.uow, chain, caches=caches)),
                ("fresh", lambda e=event_id: v.verify_event(e, svc.uow, chain, fresh=True,
                                                            caches=caches)),
                ("proof", lambda e=event_id: v.event_proof(e, svc.uow, caches=caches))):
            if kind == "fresh" and n >= FRESH_SAMPLES:
                continue  # ~1 s each now (the whole anchored state is read again): bounded
            t = time.perf_counter()
            answer = call()
            timed[kind].append(time.perf_counter() - t)
            if kind == "proof":
                if not (answer.get("anchor") and (answer.get("signature")
                                                  or (answer.get("seal") or {}).get("proof"))):
                    raise c.BenchError(f"event_proof({event_id}) has no anchor, signature or "
                                       "sealed proof: "
                                     f"{str(answer)[:300]}")
            elif answer.verdict.status != "verified":
                raise c.BenchError(f"services.verification.verify_event({event_id}, fresh="
                                 f"{kind == 'fresh'}) says {answer.verdict.status}: "
                                 f"{answer.verdict.reason}")
    print(f"    service verify_event (warm)     {us(timed['warm'])}   ({len(event_ids)} events, "
          "services.verification, caches kept)")
    methods = rpc_methods(lambda: v.verify_event(event_ids[0], svc.uow, chain, fresh=True,
                                                 caches=caches))
    print(f"    service verify_event fresh=True {us(timed['fresh'])}   "
          f"({len(timed['fresh'])} events; root and signer asked of the chain: {said(methods)})")
    print(f"    service event_proof             {us(timed['proof'])}")


# --------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5,
                        help="timed anchoring rounds of 10,000 events (default 5; median)")
    parser.add_argument("--baseline-txs", type=int, default=50,
                        help="one-event transactions averaged for the baseline (default 50)")
    parser.add_argument("--samples", type=int, default=2000,
                        help="events whose proof and signature are timed (default 2000)")
    parser.add_argument("--chain-samples", type=int, default=300,
                        help="verifyEvent eth_calls timed (default 300)")
    parser.add_argument("--profile", action="store_true",
                        help="one more anchoring round under cProfile (not counted)")
    args = parser.parse_args()
    if args.rounds < 1 or args.baseline_txs < 1:
        parser.error("--rounds and --baseline-txs must be at least 1")

    print("bench_anchor: TraceAnchor on a fresh anvil, SQLite "
          f"(machine: {os.cpu_count()} cores, load average "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())})")
    try:
        binary = anvil.find_anvil(os.environ.get("TRACE_ANVIL_BIN"))
    except LocalChainError as exc:
        if os.environ.get("CI") == "true":
            raise c.BenchError(f"anvil is needed (CI=true, so this is an error): {exc}") from None
        print(f"SKIPPED: {exc}")
        return 0
    tag = c.run_tag()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="tracechain-bench-anchor-") as tmp:
        work = Path(tmp)
        try:
            handle = anvil.start(work, c.free_port(), DEV_CHAIN_ID, binary=binary)
        except LocalChainError as exc:
            raise c.BenchError(f"anvil did not start: {exc}") from None
        svc = None
        try:
            w3 = make_web3(handle.url)
            chain = AnchorContract.deploy(w3, dev_account(0))
            chain.check(DEV_CHAIN_ID)
            print(f"  anvil {handle.url} (pid {handle.pid}), TraceAnchor at {chain.address}")

            print("1. gas per event")
            base, per_event = gas_part(chain, tag, args.baseline_txs)
            ratio = base / per_event[BATCH_EVENTS]
            print(c.verdict(ratio >= TARGET_GAS_RATIO,
                            f"gas per event at {BATCH_EVENTS:,} events/batch: "
                            f"{per_event[BATCH_EVENTS]:.2f} vs {base:,.0f} one tx per event = "
                            f"{ratio:,.0f}x less (target >= {TARGET_GAS_RATIO:,}x)"))

            print(f"2. anchoring throughput, pending -> confirmed, batches of {BATCH_EVENTS:,}")
            svc = Service(work, tag)
            registered = register_signers(svc.uow, chain, svc.keyring)  # as `tracechain anchor`
            print(f"  SQLite {svc.url}; {ORGS} cooperatives with encrypted signing keys and a "
                  f"member each, made in {svc.setup_s:.1f} s; {registered} signers registered "
                  "on chain")
            walls, cpus, batch = throughput_part(svc, chain, tag, args.rounds, args.profile,
                                                 handle.pid)
            median = statistics.median(walls)
            print(f"  rounds: {', '.join(f'{w:.3f} s' for w in walls)}; median {median:.3f} s "
                  f"= {BATCH_EVENTS / median:,.0f} events/s; CPU (this process + anvil) median "
                  f"{statistics.median(cpus):.3f} s: a wall time well above it is the machine's "
                  "other load")
            print(c.verdict(median <= TARGET_SECONDS,
                            f"{BATCH_EVENTS:,} events pending -> confirmed in {median:.3f} s "
                            f"(median of {len(walls)}) = {BATCH_EVENTS / median:,.0f} events/s "
                            f"(target <= {TARGET_SECONDS:.0f} s, >= "
                            f"{BATCH_EVENTS / TARGET_SECONDS:,.0f} events/s)"))

            print("3. per event: proof, verification, capture seals")
            proofs_part(svc, chain, batch, args.samples, args.chain_samples)
        finally:
            if svc is not None:
                svc.close()
            anvil.stop(work)
    print(f"  done in {time.perf_counter() - started:.0f} s; anvil stopped")
    return 0


if __name__ == "__main__":
    c.run_main(main)
