"""Batching pending events into Merkle trees and anchoring their roots, crash-safely.

Every step is committed before the next starts, and each step can be repeated:

    pending events ──build──> batch "built" (root, leaves) ──sign──> "sent" (tx hash + raw tx
    stored *before* sending) ──receipt or anchorOf(root)──> "confirmed" (block, time)

A process that dies anywhere leaves a batch in "built" or "sent"; the next run drives it on: it
re-sends the very same signed transaction (so never two), or learns from the contract's
``anchorOf(root)`` that the root is already on chain. An event joins a batch in the same
transaction that creates the batch, so it is never left out nor put in two. One anchorer acts at
a time, through a lease row that works alike on SQLite and PostgreSQL.

The anchorer signs nothing. It anchors only events whose body re-hashes to their stored hash and
that a signature covers (their organisation's per-event signature, or their capture's seal), so a
row written into the database by any other path than an authenticated capture never gets
anchored. Each batch also commits to the lot state after it (``domain.commitments``): its tree's
last value is the state leaf, and the state it folds must be the one the previous batch anchored.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast, overload

import orjson

from ...domain.commitments import StateTree, state_leaf
from ...domain.errors import TraceError
from ...domain.event_lots import EventLots
from ...domain.merkle import MerkleTree, event_hash_bytes
from ...hash import hash_document
from ...store import anchor_batches as batches
from ...store.anchor_batches import (
    BatchState,
    OrganisationKey,
    PendingEvent,
    insert_lot_heads,
    put_events_in_batch,
)
from ...store.anchoring import AnchorBatch
from ...store.event_reads import context_texts
from ..ports import AnchorChain, AnchorFact, AnchorReceipt, UnitOfWork
from ..signatures.seal_checks import Seal, SealChecks
from ..verification.evidence import committed_hash, documents_of, hash_facts, signature_facts
from ..verification.records import captured_with_id
from .lot_state import Folding, lots_of, state_after
from .signer_registry import SignerRegistrar, register_signers

if TYPE_CHECKING:
    from ...sign.keyring import Keyring

log = logging.getLogger(__name__)
LEASE = "anchorer"


@dataclass(frozen=True)
class AnchorSettings:
    interval: float = 10.0
    max_batch: int = 10_000
    # Renewed after every step and while waiting for receipts, so a killed anchorer's successor
    # takes over within this many seconds.
    lease_seconds: float = 15.0
    receipt_timeout: float = 30.0


class StateDiverged(TraceError):
    """The lot heads in the database do not rebuild the state the last batch anchored: someone
    changed them. Nothing more is anchored on top of them until they are restored."""


@dataclass
class AnchorReport:
    batches_built: int = 0
    batches_confirmed: int = 0
    events_anchored: int = 0
    waiting: list[str] = field(default_factory=list)
    skipped: str | None = None
    refused: dict[str, str] = field(default_factory=dict)  # eventID -> why it is not anchored


def _now() -> datetime:
    return datetime.now(UTC)


@overload
def _aware(value: datetime) -> datetime: ...
@overload
def _aware(value: None) -> None: ...
def _aware(value: datetime | None) -> datetime | None:
    # SQLite gives naive datetimes back; they are UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def take_lease(uow: UnitOfWork, holder: str, seconds: float, name: str = LEASE) -> bool:
    """Take or renew the lease; False when another live holder has it."""
    now = _now()
    try:
        with uow.writing() as w:
            lease = batches.lease_for_update(w, name)  # locked on PostgreSQL
            if lease is None:
                batches.add_lease(w, name, holder, now + timedelta(seconds=seconds))
            elif lease.holder != holder and _aware(lease.expires_at) > now:
                return False
            else:
                batches.hand_lease(w, lease, holder, now + timedelta(seconds=seconds))
            w.commit()
    except Exception:  # noqa: BLE001 - a concurrent insert of the same lease: the other won
        log.debug("lease race lost", exc_info=True)
        return False
    return True


def release_lease(uow: UnitOfWork, holder: str, name: str = LEASE) -> None:
    with uow.writing() as w:
        lease = batches.lease(w, name)
        if lease is not None and lease.holder == holder:
            batches.delete_lease(w, lease)
            w.commit()


def anchor_pending(uow: UnitOfWork, chain: AnchorChain, settings: AnchorSettings, *,
                   force: bool = False, holder: str | None = None,
                   keyring: Keyring | None = None) -> AnchorReport:
    """One anchoring round: finish unfinished batches, then batch and anchor what is pending.

    ``force`` closes a batch even before ``settings.interval`` has passed (`tracechain anchor`).
    ``keyring`` is no longer used for signing (the anchorer signs nothing); it is accepted so
    that callers need not change.
    """
    holder = holder or f"anchorer-{uuid.uuid4().hex[:8]}"
    report = AnchorReport()
    if not take_lease(uow, holder, settings.lease_seconds):
        report.skipped = "another anchorer holds the lease"
        return report

    def renew() -> None:
        """Hold the lease for another ``lease_seconds``; a round that lost it stops at once
        (each step is committed, so whoever took it over goes on from there)."""
        if not take_lease(uow, holder, settings.lease_seconds):
            raise _LeaseLost

    try:
        # Under the lease, so that no other anchorer's transaction takes a nonce meanwhile.
        if hasattr(chain, "register_signer"):
            register_signers(uow, cast(SignerRegistrar, chain), keyring)
            renew()
        _recheck_confirmed(uow, chain)
        renew()
        for unfinished in _unfinished(uow):
            _drive(uow, chain, unfinished, settings, report, renew)
            renew()
        seals = SealChecks()
        while True:
            built = _build_batch(uow, settings, force, seals, report)
            if built is None:
                break
            report.batches_built += 1
            renew()
            _drive(uow, chain, built, settings, report, renew)
            renew()
    except _LeaseLost:
        report.skipped = "lost the lease to another anchorer"
    finally:
        release_lease(uow, holder)
    return report


class _LeaseLost(Exception):
    """Another anchorer took the lease (this one was too slow to renew it)."""


def _recheck_confirmed(uow: UnitOfWork, chain: AnchorChain) -> None:
    """Anchor again what the chain has lost (a development chain restarted from an older state,
    or a reorganisation): from the newest confirmed batch back to the first one still there."""
    with uow:
        newest = batches.newest_confirmed_batch(uow, chain.address)
    if newest is None or chain.anchor_of(bytes.fromhex(newest.root[2:])) is not None:
        return
    with uow:
        confirmed = batches.confirmed_batches_newest_first(uow, chain.address)
    lost = []
    for row in confirmed:
        if chain.anchor_of(bytes.fromhex(row.root[2:])) is not None:
            break
        lost.append(row.id)
    log.warning("the chain no longer has %d confirmed roots; anchoring them again", len(lost))
    with uow.writing() as w:
        batches.mark_lost_from_chain(w, lost)
        # Signer registrations made after the oldest lost anchor may be gone too: re-check them.
        batches.forget_signer_registrations(w)
        w.commit()


def _unfinished(uow: UnitOfWork) -> list[int]:
    with uow:
        return batches.unfinished_batch_ids(uow)


def _build_batch(uow: UnitOfWork, settings: AnchorSettings, force: bool, seals: SealChecks,
                 report: AnchorReport) -> int | None:
    """Close a batch from the oldest pending events, if one is due; its id."""
    with uow.writing() as w:
        rows = batches.pending_events_for_anchoring(w, settings.max_batch)
        previous = batches.latest_batch_with_state(w)
        legacy = _legacy_events(w, previous)
        if not rows and not legacy:
            return None
        if rows:
            oldest = cast(datetime, _aware(rows[0].record_time))
            due = (force or len(rows) >= settings.max_batch
                   or oldest <= _now() - timedelta(seconds=settings.interval))
            if not due and not legacy:
                return None
        accepted = _admissible(w, rows, seals, report)
        if not accepted and not legacy:
            return None
        folding = Folding.start(_previous_state(w, previous))
        for event_hash, lots in legacy:
            folding.add(event_hash, lots)
        for r, lots in accepted:
            folding.add(event_hash_bytes(r.event_hash), lots)
        state = folding.tree()
        values = [event_hash_bytes(r.event_hash) for r, _ in accepted] + [state_leaf(state.root)]
        tree = MerkleTree(values)
        batch_id = batches.add_batch(w, "0x" + tree.root.hex(), len(values), b"".join(values),
                                     "0x" + state.root.hex())
        put_events_in_batch(w, [(batch_id, i, r.id) for i, (r, _) in enumerate(accepted)])
        insert_lot_heads(w, [
            {"lot_key": "0x" + e.key.hex(), "batch_id": batch_id, "count": e.count,
             "head": "0x" + e.head.hex()} for e in folding.changed.values()])
        w.commit()
        _STATES.clear()
        _STATES[(batch_id, "0x" + state.root.hex())] = state
        return batch_id


# The state this process folded last, by (batch id, state root): the next batch builds on it
# without reading every lot's head back (they are checked against the anchored root when read).
_STATES: dict[tuple[int, str], StateTree] = {}


def _previous_state(w: UnitOfWork, previous: BatchState | None) -> StateTree:
    """The state after the last batch that committed one, as anchored.

    :raises StateDiverged: the recorded lot heads do not rebuild its root."""
    if previous is None:
        return StateTree(())
    known = _STATES.get((previous.id, previous.state_root))
    if known is not None:
        return known
    state = state_after(w, previous.id)
    if "0x" + state.root.hex() != previous.state_root:
        raise StateDiverged(
            f"the lot heads recorded up to batch {previous.id} do not rebuild the state root "
            f"{previous.state_root} it anchored: they were changed; restore them before "
            "anything more is anchored")
    return state


def _admissible(w: UnitOfWork, rows: Sequence[PendingEvent], seals: SealChecks,
                report: AnchorReport) -> list[tuple[PendingEvent, EventLots]]:
    """The pending rows that may be anchored, each with the lots it names: those whose body
    re-hashes to their stored hash and that a valid signature covers. The others stay pending
    (and read red wherever they are verified); why is logged and reported."""
    orgs = batches.organisation_keys(w)
    sealed = seals.of_captures(w, {r.capture_id for r in rows if r.signature is None})
    contexts = context_texts(w, {r.context_id for r in rows}) if rows else {}
    parsed: dict[int, object] = {}
    for r in rows:
        try:
            parsed[r.id] = orjson.loads(r.body)
        except orjson.JSONDecodeError:
            parsed[r.id] = None
    rehashed = _rehash_by_capture(rows, parsed, contexts)
    out: list[tuple[PendingEvent, EventLots]] = []
    for r in rows:
        why = _refusal(w, r, orgs, sealed, rehashed.get(r.id), contexts)
        lots = None if why else lots_of(cast(Any, parsed[r.id]), contexts[r.context_id])
        if why is None and lots is None:
            why = "its body names no lots that can be read"
        if why is not None:
            if r.event_id not in report.refused:
                log.warning("not anchoring event %s: %s", r.event_id, why)
            report.refused[r.event_id] = why
            continue
        out.append((r, cast(EventLots, lots)))  # a row with no lots has a refusal
    return out


def _rehash_by_capture(rows: Sequence[PendingEvent], parsed: dict[int, object],
                       contexts: dict[int, str]) -> dict[int, str]:
    """Each row's hash recomputed among the rows of its capture document (the CBV hash reads
    bare vocabulary words document-wide): one document hashed per capture, not one per event."""
    groups: dict[tuple[str, int], list[PendingEvent]] = {}
    for r in rows:
        groups.setdefault((r.capture_id, r.context_id), []).append(r)
    out: dict[int, str] = {}
    for group in groups.values():
        events = [parsed[r.id] for r in group]
        if any(not isinstance(e, dict) for e in events):
            continue
        try:
            context = orjson.loads(contexts[group[0].context_id])
            hashes = hash_document(documents_of(cast(list[dict[str, Any]], events), context))
        except (orjson.JSONDecodeError, ValueError, TypeError, KeyError, RecursionError):
            continue
        for r, e, h in zip(group, events, hashes, strict=False):
            try:  # an error declaration is stored under its declaration hash
                out[r.id] = committed_hash(cast(dict[str, Any], e), h).id
            except ValueError:
                continue
    return out


def _refusal(w: UnitOfWork, r: PendingEvent, orgs: dict[int, OrganisationKey],
             sealed: dict[str, Seal], rehashed: str | None,
             contexts: dict[int, str]) -> str | None:
    if rehashed != r.event_hash:  # not among its capture's rows: hash it as verification does
        try:
            event = orjson.loads(r.body)
            context = orjson.loads(contexts[r.context_id])
        except orjson.JSONDecodeError:
            return "its stored body is not JSON"
        hashed = hash_facts(event, context, r.event_hash, r.prehash,
                            captured_with=lambda: captured_with_id(w, r.capture_id, r.context_id))
        if hashed.recomputed_hash != r.event_hash:
            return "its body does not re-hash to its stored hash"
    org = orgs.get(r.organisation_id)
    if org is None or org.signing_address is None:
        return "it names no organisation with a signing key"
    if r.signature is not None:
        facts = signature_facts(r.event_hash, r.signature, r.signer)
    elif r.capture_id in sealed:
        facts = sealed[r.capture_id].facts(r.event_hash, org.gln)
    else:
        return "no signature covers it: it was not stored by an authenticated capture"
    if facts.error or facts.problem:
        return facts.error or facts.problem
    if (facts.recovered or "").lower() != org.signing_address.lower() or \
            (facts.signer or "").lower() != org.signing_address.lower():
        return f"its signature is not by its organisation's key {org.signing_address}"
    return None


def _legacy_events(w: UnitOfWork, previous: BatchState | None) -> list[tuple[bytes, EventLots]]:
    """Events anchored before batches committed the lot state (migration 0004): folded into the
    first state, in the order they were anchored, so that every lot's history is whole."""
    if previous is not None:
        return []
    rows = batches.legacy_anchored_events(w)
    out = []
    for event_hash, body, context in rows:
        lots = lots_of(body, context)
        try:
            value = event_hash_bytes(event_hash)
        except ValueError:
            continue
        if lots is not None:
            out.append((value, lots))
    return out


def _drive(uow: UnitOfWork, chain: AnchorChain, batch_id: int, settings: AnchorSettings,
           report: AnchorReport, renew: Callable[[], None] | None = None) -> None:
    with uow:
        batch = batches.batch(uow, batch_id)
    if batch is None:
        raise LookupError(f"no batch {batch_id}")
    root = bytes.fromhex(batch.root[2:])
    if batch.status == "built":
        fact = chain.anchor_of(root)
        if fact is not None:  # anchored by an earlier run whose bookkeeping was lost
            _confirm(uow, batch_id, chain, fact, None, report)
            return
        tx = chain.build_anchor_tx(root, batch.leaf_count)
        with uow.writing() as w:
            batches.mark_sent(w, batch_id, tx_hash=tx.tx_hash, raw_tx=tx.raw, nonce=tx.nonce,
                              chain_id=chain.chain_id, contract=chain.address, sent_at=_now())
            w.commit()
        batch.tx_hash, batch.raw_tx, batch.nonce = tx.tx_hash, tx.raw, tx.nonce
    tx_hash, raw_tx = cast(str, batch.tx_hash), cast(str, batch.raw_tx)
    receipt = chain.receipt(tx_hash)
    if receipt is None:
        try:
            chain.send_raw(raw_tx)
        except Exception as exc:  # noqa: BLE001 - decided below from what the chain says
            log.warning("sending the anchor of batch %s failed: %s", batch_id, exc)
            if chain.anchor_of(root) is None and _tx_dead(chain, batch):
                _rebuild(uow, batch_id, "its nonce went to another transaction; "
                         "building a new one")
                return
        receipt = _wait_receipt(chain, tx_hash, settings.receipt_timeout, renew)
    if receipt is None:
        fact = chain.anchor_of(root)
        if fact is not None:
            _confirm(uow, batch_id, chain, fact, None, report)
        elif _tx_dead(chain, batch):
            _rebuild(uow, batch_id, "the transaction was never mined; building a new one")
        else:
            report.waiting.append(batch.root)
        return
    if receipt.status == 1:
        _confirm(uow, batch_id, chain, chain.anchor_of(root), receipt, report)
        return
    fact = chain.anchor_of(root)
    if fact is not None:
        _confirm(uow, batch_id, chain, fact, None, report)
    else:
        _rebuild(uow, batch_id, f"anchor transaction reverted: {receipt.error or 'no reason'}")


def _tx_dead(chain: AnchorChain, batch: AnchorBatch) -> bool:
    """True when the stored transaction can never be mined (its nonce went to another one)."""
    nonce_now = getattr(chain, "confirmed_nonce", None)
    return callable(nonce_now) and batch.nonce is not None and nonce_now() > batch.nonce


def _wait_receipt(chain: AnchorChain, tx_hash: str, timeout: float,
                  renew: Callable[[], None] | None = None) -> AnchorReceipt | None:
    deadline = time.monotonic() + timeout
    delay = 0.02
    renewed = time.monotonic()
    while True:
        receipt = chain.receipt(tx_hash)
        if receipt is not None or time.monotonic() >= deadline:
            return receipt
        time.sleep(delay)
        delay = min(delay * 2, 1.0)
        if renew is not None and time.monotonic() - renewed > 2.0:
            renew()
            renewed = time.monotonic()


def _rebuild(uow: UnitOfWork, batch_id: int, why: str) -> None:
    log.warning("batch %s: %s", batch_id, why)
    with uow.writing() as w:
        batches.mark_for_rebuild(w, batch_id, why)
        w.commit()


def _confirm(uow: UnitOfWork, batch_id: int, chain: AnchorChain, fact: AnchorFact | None,
             receipt: AnchorReceipt | None, report: AnchorReport) -> None:
    values: dict[str, Any] = {"status": "confirmed", "confirmed_at": _now(),
                              "chain_id": chain.chain_id, "contract": chain.address}
    if fact is not None:
        values.update(block_number=fact.block_number, submitter=fact.submitter,
                      block_time=datetime.fromtimestamp(fact.timestamp, UTC))
    if receipt is not None:
        values.update(gas_used=receipt.gas_used)
    with uow.writing() as w:
        batches.mark_confirmed(w, batch_id, values)
        count = batches.event_count_of_batch(w, batch_id)
        w.commit()
    report.batches_confirmed += 1
    report.events_anchored += count
