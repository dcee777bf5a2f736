"""Batching pending events into Merkle trees and anchoring their roots, crash-safely.

Every step is committed before the next starts, and each step can be repeated:

    pending events ──build──> batch "built" (root, leaves) ──sign──> "sent" (tx hash + raw tx
    stored *before* sending) ──receipt or anchorOf(root)──> "confirmed" (block, time)

A process that dies anywhere leaves a batch in "built" or "sent"; the next run drives it on: it
re-sends the very same signed transaction (so never two), or learns from the contract's
``anchorOf(root)`` that the root is already on chain. An event joins a batch in the same
transaction that creates the batch, so it is never left out nor put in two. One anchorer acts at
a time, through a lease row that works alike on SQLite and PostgreSQL.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from ..domain.merkle import MerkleTree, event_hash_bytes
from ..store.accounts import Organisation
from ..store.anchoring import AnchorBatch, AnchorLease
from ..store.capture_repo import bulk_update
from ..store.events import Event
from .ports import AnchorChain, AnchorFact, AnchorReceipt
from .registry import register_signers
from .signing import sign_unsigned

log = logging.getLogger(__name__)
LEASE = "anchorer"


@dataclass(frozen=True)
class AnchorSettings:
    interval: float = 10.0
    max_batch: int = 10_000
    lease_seconds: float = 60.0
    receipt_timeout: float = 30.0


@dataclass
class AnchorReport:
    batches_built: int = 0
    batches_confirmed: int = 0
    events_anchored: int = 0
    waiting: list[str] = field(default_factory=list)
    skipped: str | None = None


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime | None) -> datetime | None:
    # SQLite gives naive datetimes back; they are UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def take_lease(uow, holder: str, seconds: float, name: str = LEASE) -> bool:
    """Take or renew the lease; False when another live holder has it."""
    now = _now()
    try:
        with uow.writing() as w:
            lease = w.session.get(AnchorLease, name, with_for_update=True)  # locked on PostgreSQL
            if lease is None:
                w.session.add(AnchorLease(name=name, holder=holder,
                                          expires_at=now + timedelta(seconds=seconds)))
            elif lease.holder != holder and _aware(lease.expires_at) > now:
                return False
            else:
                lease.holder, lease.expires_at = holder, now + timedelta(seconds=seconds)
            w.commit()
    except Exception:  # noqa: BLE001 - a concurrent insert of the same lease: the other won
        log.debug("lease race lost", exc_info=True)
        return False
    return True


def release_lease(uow, holder: str, name: str = LEASE) -> None:
    with uow.writing() as w:
        lease = w.session.get(AnchorLease, name)
        if lease is not None and lease.holder == holder:
            w.session.delete(lease)
            w.commit()


def anchor_pending(uow, chain: AnchorChain, settings: AnchorSettings, *, force: bool = False,
                   holder: str | None = None, keyring=None) -> AnchorReport:
    """One anchoring round: finish unfinished batches, then batch and anchor what is pending.

    ``force`` closes a batch even before ``settings.interval`` has passed (`tracechain anchor`).
    With a ``keyring``, events not yet signed are signed by their organisations' keys in the
    transaction that closes their batch, so no event is ever anchored unsigned.
    """
    holder = holder or f"anchorer-{uuid.uuid4().hex[:8]}"
    report = AnchorReport()
    if not take_lease(uow, holder, settings.lease_seconds):
        report.skipped = "another anchorer holds the lease"
        return report
    try:
        # Under the lease, so that no other anchorer's transaction takes a nonce meanwhile.
        if hasattr(chain, "register_signer"):
            register_signers(uow, chain)
        _recheck_confirmed(uow, chain)
        for batch_id in _unfinished(uow):
            _drive(uow, chain, batch_id, settings, report)
            if not take_lease(uow, holder, settings.lease_seconds):
                report.skipped = "lost the lease to another anchorer"
                return report
        while True:
            batch_id = _build_batch(uow, settings, force, keyring)
            if batch_id is None:
                break
            report.batches_built += 1
            _drive(uow, chain, batch_id, settings, report)
            if not take_lease(uow, holder, settings.lease_seconds):
                report.skipped = "lost the lease to another anchorer"
                return report
    finally:
        release_lease(uow, holder)
    return report


def _recheck_confirmed(uow, chain: AnchorChain) -> None:
    """Anchor again what the chain has lost (a development chain restarted from an older state,
    or a reorganisation): from the newest confirmed batch back to the first one still there."""
    with uow:
        newest = uow.session.execute(
            select(AnchorBatch.id, AnchorBatch.root).where(
                AnchorBatch.status == "confirmed", AnchorBatch.contract == chain.address)
            .order_by(AnchorBatch.id.desc()).limit(1)).first()
    if newest is None or chain.anchor_of(bytes.fromhex(newest.root[2:])) is not None:
        return
    with uow:
        confirmed = uow.session.execute(
            select(AnchorBatch.id, AnchorBatch.root).where(
                AnchorBatch.status == "confirmed", AnchorBatch.contract == chain.address)
            .order_by(AnchorBatch.id.desc())).all()
    lost = []
    for row in confirmed:
        if chain.anchor_of(bytes.fromhex(row.root[2:])) is not None:
            break
        lost.append(row.id)
    log.warning("the chain no longer has %d confirmed roots; anchoring them again", len(lost))
    with uow.writing() as w:
        w.session.execute(update(AnchorBatch).where(AnchorBatch.id.in_(lost)).values(
            status="built", tx_hash=None, raw_tx=None, nonce=None, block_number=None,
            block_time=None, submitter=None, confirmed_at=None,
            last_error="the chain lost this anchor; anchoring it again"))
        # Signer registrations made after the oldest lost anchor may be gone too: re-check them.
        w.session.execute(update(Organisation).values(signer_registered_tx=None))
        w.commit()


def _unfinished(uow) -> list[int]:
    with uow:
        return list(uow.session.scalars(select(AnchorBatch.id).where(
            AnchorBatch.status.in_(("built", "sent"))).order_by(AnchorBatch.id)))


def _build_batch(uow, settings: AnchorSettings, force: bool, keyring=None) -> int | None:
    """Close a batch from the oldest pending events, if one is due; its id."""
    with uow.writing() as w:
        s = w.session
        rows = s.execute(select(Event.id, Event.event_hash, Event.record_time,
                                Event.organisation_id, Event.signature, Event.signer)
                         .where(Event.batch_id.is_(None)).order_by(Event.id)
                         .limit(settings.max_batch)).all()
        if not rows:
            return None
        oldest = _aware(rows[0].record_time)
        due = (force or len(rows) >= settings.max_batch
               or oldest <= _now() - timedelta(seconds=settings.interval))
        if not due:
            return None
        signed = sign_unsigned(s, keyring, rows) if keyring is not None else {}
        tree = MerkleTree(event_hash_bytes(r.event_hash) for r in rows)
        batch = AnchorBatch(root="0x" + tree.root.hex(), leaf_count=len(rows), status="built")
        s.add(batch)
        s.flush()
        # One UPDATE per event for its batch, leaf and signature together.
        bulk_update(s, Event.__table__, ("batch_id", "leaf_index", "signature", "signer"), [
            (batch.id, i, *signed.get(r.id, (r.signature, r.signer)), r.id)
            for i, r in enumerate(rows)])
        w.commit()
        return batch.id


def _drive(uow, chain: AnchorChain, batch_id: int, settings: AnchorSettings,
           report: AnchorReport) -> None:
    with uow:
        batch = uow.session.get(AnchorBatch, batch_id)
    root = bytes.fromhex(batch.root[2:])
    if batch.status == "built":
        fact = chain.anchor_of(root)
        if fact is not None:  # anchored by an earlier run whose bookkeeping was lost
            _confirm(uow, batch_id, chain, fact, None, report)
            return
        tx = chain.build_anchor_tx(root, batch.leaf_count)
        with uow.writing() as w:
            w.session.execute(update(AnchorBatch).where(AnchorBatch.id == batch_id).values(
                status="sent", tx_hash=tx.tx_hash, raw_tx=tx.raw, nonce=tx.nonce,
                chain_id=chain.chain_id, contract=chain.address, sent_at=_now()))
            w.commit()
        batch.tx_hash, batch.raw_tx, batch.nonce = tx.tx_hash, tx.raw, tx.nonce
    receipt = chain.receipt(batch.tx_hash)
    if receipt is None:
        try:
            chain.send_raw(batch.raw_tx)
        except Exception as exc:  # noqa: BLE001 - decided below from what the chain says
            log.warning("sending the anchor of batch %s failed: %s", batch_id, exc)
            if chain.anchor_of(root) is None and _tx_dead(chain, batch):
                _rebuild(uow, batch_id, "its nonce went to another transaction; "
                         "building a new one")
                return
        receipt = _wait_receipt(chain, batch.tx_hash, settings.receipt_timeout)
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


def _wait_receipt(chain: AnchorChain, tx_hash: str, timeout: float) -> AnchorReceipt | None:
    deadline = time.monotonic() + timeout
    delay = 0.02
    while True:
        receipt = chain.receipt(tx_hash)
        if receipt is not None or time.monotonic() >= deadline:
            return receipt
        time.sleep(delay)
        delay = min(delay * 2, 1.0)


def _rebuild(uow, batch_id: int, why: str) -> None:
    log.warning("batch %s: %s", batch_id, why)
    with uow.writing() as w:
        w.session.execute(update(AnchorBatch).where(AnchorBatch.id == batch_id).values(
            status="built", tx_hash=None, raw_tx=None, nonce=None, last_error=why))
        w.commit()


def _confirm(uow, batch_id: int, chain: AnchorChain, fact: AnchorFact | None,
             receipt: AnchorReceipt | None, report: AnchorReport) -> None:
    values = {"status": "confirmed", "confirmed_at": _now(), "chain_id": chain.chain_id,
              "contract": chain.address}
    if fact is not None:
        values.update(block_number=fact.block_number, submitter=fact.submitter,
                      block_time=datetime.fromtimestamp(fact.timestamp, UTC))
    if receipt is not None:
        values.update(gas_used=receipt.gas_used)
    with uow.writing() as w:
        w.session.execute(update(AnchorBatch).where(AnchorBatch.id == batch_id).values(**values))
        count = w.session.scalar(select(func.count()).select_from(Event)
                                 .where(Event.batch_id == batch_id))
        w.commit()
    report.batches_confirmed += 1
    report.events_anchored += count or 0
