"""Bulk verification (issue #12): every event of an organisation, or of a date range, checked
at once, with a report of what is wrong (docs/inspector/VERIFY.md).

By default no chain call is made: each event is checked against the stored, signed anchoring
data — the stored body re-hashes to the recorded hash (CBV 2.0), the capture seal (or the
event's own signature) covers that hash and recovers to the recorded signer, the signer is the
organisation's key as recorded when the anchorer registered it on chain, the Merkle proof leads
from the hash to the batch's root rebuilt from the batch's stored tree, and that batch is
recorded as confirmed (its block, time and transaction as the chain said when it was
confirmed). The rules are ``domain.verification``'s and the facts are gathered by the same
code as ``verify_lot`` (``services/verification``), so a verdict here means what it means there.
``fresh`` asks the chain instead: once per distinct batch root (and its transaction's
receipt), and once per signer — never once per event.

Reads are batched: one query per page of events (keyset on the row id; on PostgreSQL the next
pages read ahead on a second connection sharing this run's snapshot), each capture's seal
checked once, each batch's tree rebuilt once. Each batch touched is also checked the other
way round: a leaf of its stored tree that no event row holds is reported **missing** (a row
deleted after anchoring), and an event row in scope that such a leaf names but that lost its
link to the batch reads **altered**.

What bulk verification does not do: rebuild each lot's history against the latest anchored
lot state (``verify_lot`` does, per lineage). A deleted event that was never anchored is not
visible to anything (docs/TRUST.md).
"""

from __future__ import annotations

import csv
import hashlib
import io
import time
from collections.abc import Mapping
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from ...domain import policy
from ...domain.actor import Actor
from ...domain.errors import NotFound, Text
from ...domain.identity import organisation_id_bytes
from ...domain.merkle import event_hash_bytes, hex32
from ...domain.verification import (
    ALTERED,
    ANCHORED,
    ANCHORING,
    FROM_RECORD,
    NO_CHAIN,
    STATUSES,
    UNBATCHED,
    VERIFIED,
    AnchorFacts,
    ChainFacts,
    Check,
    EventFacts,
    HashFacts,
    Registration,
    RegistryFacts,
    SignatureFacts,
    Verdict,
    anchored_value,
    verdict,
    worst_of,
)
from ...domain.viewer_time import instant
from ...hash import hash_document
from ...store import inspection_find_reads as reads
from ...store.bulk_record_pages import RecordPages
from ...store.snapshot import one_snapshot
from ...store.verification_reads import Record
from ..ports import ChainReader, UnitOfWork
from ..signatures.seal_checks import Seal, timestamp
from ..verification.batch_trees import Ledger
from ..verification.declaration_checks import declaration_check
from ..verification.evidence import (
    CHAIN_FAILURES,
    chain_where,
    one_event_document,
    signature_facts,
)
from ..verification.records import utc_iso
from ..verification.verdicts import VerificationCaches, _anchoring, _position
from .query_terms import Terms, Window

PAGE = 2_000
MISSING = "missing"


@dataclass(frozen=True)
class BulkScope:
    """An organisation (None: every one) and a window of event times (open ends allowed)."""

    organisation_id: int | None
    window: Window


@dataclass(frozen=True)
class Failure:
    event_id: str
    organisation: str | None  # GLN
    event_time: datetime | None
    status: str
    check: str
    code: str
    reason: str


@dataclass
class BulkReport:
    scope: BulkScope
    organisation: tuple[str, str] | None  # (name, GLN)
    fresh: bool
    checked: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    batches: int = 0
    chain_calls: int = 0
    seconds: float = 0.0
    pages: int = 0
    read_wait: float = 0.0  # seconds spent waiting for the pages' rows (time not overlapped)

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def per_second(self) -> float:
        return self.checked / self.seconds if self.seconds > 0 else 0.0

    def ordered_counts(self) -> list[tuple[str, int]]:
        """(status, count), worst first; only the statuses found."""
        order = (MISSING, *reversed(STATUSES))
        return [(s, self.counts[s]) for s in order if self.counts.get(s)]

    def csv(self, zone: ZoneInfo | None = None) -> str:
        """One row per failing event (and per missing leaf); times in ``zone`` (else UTC)."""
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\r\n")
        w.writerow(["eventID", "organisation", "eventTime", "status", "check", "code",
                    "reason"])
        for f in self.failures:
            when = (instant(f.event_time, zone) if zone is not None
                    else utc_iso(f.event_time) or "")
            w.writerow([_cell(f.event_id), f.organisation or "", when, f.status, f.check,
                        f.code, _cell(f.reason)])
        return out.getvalue()

    def lines(self) -> list[str]:
        """The report as plain text (the CLI prints it)."""
        name = (f"{self.organisation[0]} ({self.organisation[1]})" if self.organisation
                else "every organisation")
        w = self.scope.window
        how = "the chain asked afresh" if self.fresh else "stored anchoring records"
        out = [f"bulk verification of {name}, event times from "
               f"{utc_iso(w.start) or 'the first'} to {utc_iso(w.end) or 'the last'} ({how})",
               f"{self.checked} events checked in {self.seconds:.2f} s "
               f"({self.per_second:,.0f} events/s), {self.batches} batches, "
               f"{self.chain_calls} chain calls"]
        out += [f"  {status}: {n}" for status, n in self.ordered_counts()]
        for f in self.failures:
            out.append(f"{f.status}\t{f.event_id}\t{f.organisation or '-'}\t"
                       f"{utc_iso(f.event_time) or '-'}\t{f.check}/{f.code}\t{f.reason}")
        return out


def _cell(value: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def read_scope(args: Mapping[str, str], zone: ZoneInfo) -> BulkScope:
    """:raises ValidationFailed: a bad organisation or date."""
    terms = Terms(args)
    organisation = terms.number("organisation")
    window = terms.window(zone)
    terms.done()
    return BulkScope(organisation, window)


def organisation_id(value: str, uow: UnitOfWork) -> int:
    """An organisation named by its GLN (13 digits) or its row id. :raises NotFound: none."""
    with uow:
        found: int | None = None
        if value.isdigit() and len(value) == 13:
            found = reads.organisation_by_gln(uow, value)
        elif value.isdigit() and len(value) < 13:
            found = int(value) if reads.organisation_name(uow, int(value)) else None
    if found is None:
        raise NotFound(Text("No organisation %(name)s.", name=value))
    return found


def verify_bulk(actor: Actor, scope: BulkScope, uow: UnitOfWork, reader: ChainReader | None,
                *, fresh: bool = False, caches: VerificationCaches | None = None,
                page: int = PAGE, workers: int = 1,
                memo: RehashMemo | None = None, read_ahead: bool = True) -> BulkReport:
    """Verify every event in ``scope``, all read in one snapshot of the database; the report
    lists each failing event with its reason. ``workers`` > 1: re-hash in that many worker
    processes (the rest stays here). ``memo``: the events found to re-hash before (default:
    this process's ``MEMO``). ``read_ahead``: on PostgreSQL, the next pages are read on a
    second connection in the same snapshot while this one is judged (``RecordPages``; False:
    each page read when it is needed, the benchmark's baseline).

    :raises Forbidden: not an inspector or an admin. :raises NotFound: no such organisation.
    """
    policy.require_search_everything(actor)
    caches = caches or VerificationCaches()
    memo = MEMO if memo is None else memo
    started = time.perf_counter()
    with uow:
        one_snapshot(uow)  # the pages, the batches' trees and rows: one state of the database
        named = None
        if scope.organisation_id is not None:
            named = reads.organisation_name(uow, scope.organisation_id)
            if named is None:
                raise NotFound(Text("No organisation %(name)s.", name=scope.organisation_id))
        run = _Run(uow, reader, caches, fresh, BulkReport(scope, named, fresh))
        pool = ProcessPoolExecutor(workers) if workers > 1 else None
        try:
            with RecordPages(uow, scope.organisation_id, scope.window.start, scope.window.end,
                             page, ahead=read_ahead) as pages:
                waiting = None
                for recs in pages:  # with workers: a page is hashed while the last is judged
                    hashing = _Hashing(recs, pool, memo)
                    if waiting is not None:
                        run.page(waiting)
                    waiting = hashing
                if waiting is not None:
                    run.page(waiting)
            run.report.pages, run.report.read_wait = pages.pages, pages.waited
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
        run.missing_leaves()
    report = run.report
    report.seconds = time.perf_counter() - started
    return report


class _Run:
    """One bulk verification: what it has learnt so far (batches, signers, chain answers)."""

    def __init__(self, uow: UnitOfWork, reader: ChainReader | None, caches: VerificationCaches,
                 fresh: bool, report: BulkReport) -> None:
        self.uow, self.reader, self.caches, self.fresh = uow, reader, caches, fresh
        self.report = report
        self.signers = {} if fresh else reads.signer_records(uow)
        self.registrations: dict[str, RegistryFacts] = {}
        self.batches: dict[int, bytes | None] = {}  # batch id -> root (None: malformed)
        self.asked: set[int] = set()  # batches whose root the chain was asked about (fresh)
        # Events in scope with no batch link, by their recorded hash (a leaf may name them).
        self.unbatched: dict[bytes, Record] = {}
        self.groups: dict[tuple[Any, ...], Verdict] = {}  # see ``_group``
        self.ledgers: dict[int, Ledger] = {}  # the batches' trees, by batch id

    # --- one page ------------------------------------------------------------------------------

    def page(self, hashing: _Hashing) -> None:
        recs = hashing.recs
        seals = self.caches.seals.of_captures(
            self.uow, {r.capture_id for r in recs if not r.signature})
        hashed = hashing.result()
        for rec in recs:
            if rec.batch_id is not None and rec.batch_id not in self.batches:
                self.batches[rec.batch_id] = hex32(rec.root) if rec.batch_found else None
                if self.fresh and self.reader is not None:
                    self._ask_chain(rec)
            facts = hashed.get(rec.id) or self.caches.hash_facts(self.uow, rec)
            self._record(rec, self._judge(rec, facts, seals))

    def _judge(self, rec: Record, hashed: HashFacts, seals: dict[str, Seal]) -> Verdict:
        seal = seals.get(rec.capture_id) if rec.signature is None else None
        group = None if self.fresh else self._group(rec, hashed, seal)
        if group is not None:
            found = self.groups.get(group)
            if found is not None:
                return found
        checks = self._full(rec, hashed, seal)
        if group is not None:
            self.groups[group] = checks
        return checks

    def _group(self, rec: Record, hashed: HashFacts, seal: Seal | None) -> tuple[Any, ...] | None:
        """What the verdict of an event rests on beyond its own hash, when every fact about the
        event itself is found sound here: it re-hashed (with its pre-hash) to its recorded
        hash, its capture's seal is sound and covers that hash, and that hash is the leaf at
        its leaf index of its batch's stored tree, which rebuilds the batch's recorded root (so
        its Merkle proof holds by construction). Events with the same key then get the same
        checks, which the domain's rules decide once (``_full``) for the first of them; any
        other event (or one this cannot vouch for) is judged on its own. None: judge it alone."""
        if (seal is None or seal.problem is not None or seal.error is not None
                or seal.recovered is None or seal.signer is None
                or seal.recovered.lower() != seal.signer.lower() or seal.gln != rec.gln
                or hashed.recomputed_hash != rec.event_hash or rec.prehash is None
                or hashed.recomputed_prehash != rec.prehash or rec.batch_id is None
                or not rec.batch_found or rec.batch_status != "confirmed"):
            return None
        root = self.batches.get(rec.batch_id)
        if root is None or hex32(rec.root) != root:
            return None
        try:
            value = event_hash_bytes(rec.event_hash)
        except ValueError:
            return None
        if value not in seal.covered:
            return None
        ledger = self.ledgers.get(rec.batch_id)
        if ledger is None or ledger.root != root:
            ledger = self.ledgers[rec.batch_id] = self.caches.trees.ledger(
                self.uow, rec.batch_id, root, rec.leaf_count or 0)
        if (ledger.tree is None or rec.leaf_count != len(ledger.tree)
                or ledger.position(value) != rec.leaf_index):
            return None
        return (rec.batch_id, root, rec.leaf_count, rec.block_number, rec.block_time,
                rec.chain_id, rec.contract, rec.gln, rec.signing_address, seal.signer,
                seal.gln)

    def _full(self, rec: Record, hashed: HashFacts, seal: Seal | None) -> Verdict:
        if rec.signature is not None:
            signed = signature_facts(rec.event_hash, rec.signature, rec.signer,
                                     rec.signing_address)
        elif seal is not None:
            signed = seal.facts(rec.event_hash, rec.gln, rec.signing_address)
        else:
            signed = SignatureFacts(None, None)
        registry = (self._registration(signed.signer)
                    if signed.signer and signed.signature else RegistryFacts(False))
        value = anchored_value(hashed)
        if self.fresh and self.reader is not None:
            anchor, chain = _anchoring(self.uow, rec, value, self.reader, self.caches, False)
        else:
            anchor, chain = self._recorded_anchoring(rec, value)
        if rec.batch_id is None and value is not None:
            self.unbatched[value] = rec
        judged = verdict(EventFacts(rec.gln, hashed, signed, registry, anchor, chain))
        checks = list(judged.checks)
        if not self.fresh and rec.gln is not None:
            checks = [_recorded_signer(c, signed.signer, rec.gln) for c in checks]
        if rec.declaration or rec.declares_pk is not None or "errorDeclaration" in rec.body:
            declared = declaration_check(self.uow, rec, rec.event())
            if declared is not None:
                checks.append(declared)
        return worst_of(checks)

    def _record(self, rec: Record, judged: Verdict) -> None:
        checks = judged.checks
        counts = self.report.counts
        counts[judged.status] = counts.get(judged.status, 0) + 1
        self.report.checked += 1
        if judged.status != VERIFIED:
            worst = next((c for c in checks if c.status == judged.status),
                         Check("event", judged.status, judged.reason, judged.status))
            self.report.failures.append(Failure(rec.event_id, rec.gln, rec.event_time,
                                                judged.status, worst.name, worst.code,
                                                judged.reason))

    # --- facts from the records -----------------------------------------------------------------

    def _registration(self, signer: str) -> RegistryFacts:
        key = signer.lower()
        found = self.registrations.get(key)
        if found is not None:
            return found
        if self.fresh:
            found = self.caches.signers.lookup(self.reader, signer, fresh=True)
            if self.reader is not None:
                self.report.chain_calls += 1
        else:
            recorded = self.signers.get(key)
            found = (RegistryFacts(True, None) if recorded is None  # never registered, we know
                     else RegistryFacts(True, Registration(organisation_id_bytes(recorded[0]),
                                                           True, 0)))
        self.registrations[key] = found
        return found

    def _recorded_anchoring(self, rec: Record, value: bytes | None
                            ) -> tuple[AnchorFacts, ChainFacts]:
        """The anchoring as recorded: the batch's stored tree must rebuild its recorded root
        and hold the event's hash at its leaf index, and the batch be recorded confirmed."""
        none = ChainFacts(NO_CHAIN)
        if rec.batch_id is None:
            return AnchorFacts(UNBATCHED), none
        label = f"batch {rec.batch_id}"
        if not rec.batch_found:
            return AnchorFacts(ANCHORED, label, problem=f"{label}, which the event names, does "
                               "not exist", problem_code="no-batch", problem_status=ALTERED), none
        root = hex32(rec.root)
        if root is None:
            return AnchorFacts(ANCHORED, label, problem=f"the recorded root of {label} is not "
                               "a 32-byte hex value: it was changed",
                               problem_code="records-broken", problem_status=ALTERED), none
        if rec.batch_status != "confirmed":
            return AnchorFacts(ANCHORING, label), none
        ledger = self.caches.trees.ledger(self.uow, rec.batch_id, root, rec.leaf_count or 0)
        anchor = _position(ledger, rec, value, label, root)
        return anchor, ChainFacts(FROM_RECORD, anchored=True, leaf_count=rec.leaf_count,
                                  block_number=rec.block_number,
                                  timestamp=timestamp(rec.block_time),
                                  where=chain_where(rec.chain_id, rec.contract))

    def _ask_chain(self, rec: Record) -> None:
        """Fresh: the chain's word on this batch's root and transaction, once per batch."""
        root = hex32(rec.root) if rec.batch_found else None
        if root is None or self.reader is None or rec.batch_id in self.asked:
            return
        self.asked.add(rec.batch_id or 0)
        try:
            self.report.chain_calls += 1
            self.caches.chain.anchor_of(self.reader, root, True)
            if rec.tx_hash:
                self.report.chain_calls += 1
                self.caches.chain.receipt(self.reader, rec.tx_hash, True)
        except CHAIN_FAILURES:
            pass  # each event's check asks again (cached) and says the chain failed

    # --- the batches, the other way round ---------------------------------------------------

    def missing_leaves(self) -> None:
        """Leaves of the batches touched that no event row holds."""
        self.report.batches = len(self.batches)
        for batch_id, root in sorted(self.batches.items()):
            if root is None:
                continue
            ledger = self.caches.trees.ledger(self.uow, batch_id, root)
            if ledger.tree is None:
                continue
            held = set()
            for h in reads.batch_hashes(self.uow, batch_id):
                try:
                    held.add(event_hash_bytes(h))
                except ValueError:
                    continue
            values = ledger.tree.values
            for index, value in enumerate(values[:-1]):  # the last is the state leaf
                if value in held:
                    continue
                rec = self.unbatched.get(value)
                if rec is not None:  # its row is here, its batch link is not
                    self._unlinked(rec, batch_id, index)
                    continue
                self.report.counts[MISSING] = self.report.counts.get(MISSING, 0) + 1
                self.report.failures.append(Failure(
                    f"batch {batch_id}, leaf {index}", None, None, MISSING, "anchor",
                    "event-missing",
                    f"leaf {index} of batch {batch_id} (0x{value.hex()}) was anchored, but no "
                    "event row holds it any more: the event was deleted"))

    def _unlinked(self, rec: Record, batch_id: int, index: int) -> None:
        counts = self.report.counts
        # It was counted as an unbatched (pending) event: it is altered.
        for i, f in enumerate(self.report.failures):
            if f.event_id == rec.event_id and f.organisation == rec.gln:
                counts[f.status] -= 1
                del self.report.failures[i]
                break
        else:
            counts[VERIFIED] = counts.get(VERIFIED, 0) - 1
        counts[ALTERED] = counts.get(ALTERED, 0) + 1
        self.report.failures.append(Failure(
            rec.event_id, rec.gln, rec.event_time, ALTERED, "anchor", "batch-link-removed",
            f"it was anchored as leaf {index} of batch {batch_id}, but its link to that batch "
            "was removed"))


def _recorded_signer(check: Check, signer: str | None, gln: str) -> Check:
    """The signer check's reason when its registration comes from our record, not the chain."""
    if check.name != "signer" or check.status != VERIFIED:
        return check
    return Check(check.name, check.status, f"{signer} is the key of organisation {gln}, "
                 "registered on chain as the anchorer recorded it", check.code)


class _Hashing:
    """The page's re-hashing, done here or in worker processes (``workers`` > 1): the events of
    one capture are hashed together, as they were captured. Only the events that give their
    recorded hash are kept; the others are re-hashed one by one by ``_Run.page``
    (``VerificationCaches.hash_facts``: alone, then among their whole capture)."""

    def __init__(self, recs: list[Record], pool: Executor | None,
                 memo: RehashMemo | None) -> None:
        self.recs, self.memo = recs, memo
        self.known: dict[int, HashFacts] = {}
        self.keys: dict[int, bytes] = {}
        groups: dict[tuple[str, int], list[Record]] = {}
        for rec in recs:
            if rec.declaration or rec.declares_pk is not None or "errorDeclaration" in rec.body:
                continue
            if memo is not None:
                key = self.keys[rec.id] = memo.key(rec)
                if key in memo:
                    self.known[rec.id] = HashFacts(rec.event_hash, rec.prehash,
                                                   rec.event_hash, rec.prehash)
                    continue
            groups.setdefault((rec.capture_id, rec.context_id), []).append(rec)
        self.groups = list(groups.values())
        jobs = [(g[0].context, [r.body for r in g]) for g in self.groups]
        self.futures: list[Future[list[tuple[str, str] | None]]] | None = None
        self.done: list[list[tuple[str, str] | None]] | None = None
        if pool is None:
            self.done = [_hash_group(*job) for job in jobs]
        else:
            self.futures = [pool.submit(_hash_group, *job) for job in jobs]

    def result(self) -> dict[int, HashFacts]:
        done = self.done if self.futures is None else [f.result() for f in self.futures]
        out = dict(self.known)
        for group, hashes in zip(self.groups, done or [], strict=True):
            for rec, found in zip(group, hashes, strict=True):
                if found is not None and found[0] == rec.event_hash:
                    out[rec.id] = HashFacts(rec.event_hash, rec.prehash, found[0], found[1])
                    if self.memo is not None and found[1] == rec.prehash:
                        self.memo.add(self.keys[rec.id])
        return out


class RehashMemo:
    """Events found to re-hash to their recorded hash and pre-hash, by a SHA-256 of everything
    that finding rests on — the recorded hash, pre-hash, body and ``@context``, each
    length-prefixed: an edited row is a new key, never a stale answer. A process keeps one
    (``MEMO``), so a second bulk run re-hashes only what changed; bounded (``size`` keys, 32
    bytes each, then it starts again)."""

    def __init__(self, size: int = 1_000_000) -> None:
        self.size = size
        self._seen: set[bytes] = set()

    @staticmethod
    def key(rec: Record) -> bytes:
        h = hashlib.sha256()
        for text in (rec.event_hash, rec.prehash or "", rec.body, rec.context):
            data = text.encode()
            h.update(len(data).to_bytes(8, "big"))
            h.update(data)
        return h.digest()

    def __contains__(self, key: bytes) -> bool:
        return key in self._seen

    def add(self, key: bytes) -> None:
        if len(self._seen) >= self.size:
            self._seen.clear()
        self._seen.add(key)


MEMO = RehashMemo()


def _hash_group(context: str, bodies: list[str]) -> list[tuple[str, str] | None]:
    """(hash, pre-hash) of each event as hashed among the others (None for them all when a
    body is not an event: each is then re-hashed on its own)."""
    try:
        events = [orjson.loads(b) for b in bodies]
        if not all(isinstance(e, dict) for e in events):
            return [None] * len(bodies)
        doc = one_event_document({}, orjson.loads(context))
        doc["epcisBody"] = {"eventList": events}
        return [(h.id, h.prehash) for h in hash_document(doc)]
    except (ValueError, TypeError, KeyError, RecursionError):
        return [None] * len(bodies)
