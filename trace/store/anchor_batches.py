"""Reads and writes of Merkle batches, the anchorer's lease and signer registrations.

Results are ORM instances (``AnchorBatch``, ``AnchorLease``: plain data once the unit of work
ends) or SQLAlchemy rows, named tuples whose columns are also attributes (the aliases below say
which columns).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Row, Table, func, select, text, update

from .accounts import Organisation
from .anchoring import AnchorBatch, AnchorLease, LotHead
from .capture_repo import EVENTS, bulk_insert, bulk_update
from .events import DocumentContext, Event
from .uow import session_of

if TYPE_CHECKING:
    from ..services.ports import UnitOfWork

# (id, root) of a batch.
BatchRoot = Row[*tuple[Any, ...]]
# (id, state_root) of a batch.
BatchState = Row[*tuple[Any, ...]]
# (id, root, state_root, block_number) of a batch.
BatchAnchoring = Row[*tuple[Any, ...]]
# A pending event as the anchorer reads it: (id, event_id, event_hash, prehash, record_time,
# organisation_id, signature, signer, capture_id, context_id, body).
PendingEvent = Row[*tuple[Any, ...]]
# (id, gln, signing_address) of an organisation.
OrganisationKey = Row[*tuple[Any, ...]]


# --- the lease ----------------------------------------------------------------------------------

def lease_for_update(uow: UnitOfWork, name: str) -> AnchorLease | None:
    """The lease row, locked until the unit of work ends (on PostgreSQL)."""
    return session_of(uow).get(AnchorLease, name, with_for_update=True)


def lease(uow: UnitOfWork, name: str) -> AnchorLease | None:
    return session_of(uow).get(AnchorLease, name)


def add_lease(uow: UnitOfWork, name: str, holder: str, expires_at: datetime) -> None:
    session_of(uow).add(AnchorLease(name=name, holder=holder, expires_at=expires_at))


def hand_lease(uow: UnitOfWork, row: AnchorLease, holder: str, expires_at: datetime) -> None:
    """Give the lease (a row read in this unit of work) to ``holder`` until ``expires_at``."""
    session_of(uow)  # an entered unit of work: the change is written when it commits
    row.holder, row.expires_at = holder, expires_at


def delete_lease(uow: UnitOfWork, row: AnchorLease) -> None:
    session_of(uow).delete(row)


# --- batches ------------------------------------------------------------------------------------

def batch(uow: UnitOfWork, batch_id: int) -> AnchorBatch | None:
    return session_of(uow).get(AnchorBatch, batch_id)


def newest_confirmed_batch(uow: UnitOfWork, contract: str) -> BatchRoot | None:
    """The newest batch confirmed on the contract ``contract``."""
    return session_of(uow).execute(
        select(AnchorBatch.id, AnchorBatch.root).where(
            AnchorBatch.status == "confirmed", AnchorBatch.contract == contract)
        .order_by(AnchorBatch.id.desc()).limit(1)).first()


def confirmed_batches_newest_first(uow: UnitOfWork, contract: str) -> list[BatchRoot]:
    return list(session_of(uow).execute(
        select(AnchorBatch.id, AnchorBatch.root).where(
            AnchorBatch.status == "confirmed", AnchorBatch.contract == contract)
        .order_by(AnchorBatch.id.desc())).all())


def mark_lost_from_chain(uow: UnitOfWork, batch_ids: list[int]) -> None:
    """The chain no longer has these confirmed batches' roots: build them again."""
    session_of(uow).execute(update(AnchorBatch).where(AnchorBatch.id.in_(batch_ids)).values(
        status="built", tx_hash=None, raw_tx=None, nonce=None, block_number=None,
        block_time=None, submitter=None, confirmed_at=None,
        last_error="the chain lost this anchor; anchoring it again"))


def unfinished_batch_ids(uow: UnitOfWork) -> list[int]:
    """Batches built or sent but not confirmed, oldest first."""
    return list(session_of(uow).scalars(select(AnchorBatch.id).where(
        AnchorBatch.status.in_(("built", "sent"))).order_by(AnchorBatch.id)))


def pending_events_for_anchoring(uow: UnitOfWork, limit: int) -> list[PendingEvent]:
    """The oldest ``limit`` events in no batch yet."""
    return list(session_of(uow).execute(
        select(Event.id, Event.event_id, Event.event_hash, Event.prehash, Event.record_time,
               Event.organisation_id, Event.signature, Event.signer, Event.capture_id,
               Event.context_id, Event.body)
        .where(Event.batch_id.is_(None)).order_by(Event.id).limit(limit)).all())


def latest_batch_with_state(uow: UnitOfWork) -> BatchState | None:
    """The newest batch that commits to a lot state."""
    return session_of(uow).execute(select(AnchorBatch.id, AnchorBatch.state_root)
                                   .where(AnchorBatch.state_root.is_not(None))
                                   .order_by(AnchorBatch.id.desc()).limit(1)).first()


def legacy_anchored_events(uow: UnitOfWork) -> list[tuple[str, str, str]]:
    """(event hash, body, @context text) of every batched event, in the order anchored."""
    return list(session_of(uow).execute(
        select(Event.event_hash, Event.body, DocumentContext.body)
        .join(DocumentContext, DocumentContext.id == Event.context_id)
        .where(Event.batch_id.is_not(None))
        .order_by(Event.batch_id, Event.id)).all())


def add_batch(uow: UnitOfWork, root: str, leaf_count: int, leaves: bytes,
              state_root: str) -> int:
    """A new batch in status "built"; its id."""
    session = session_of(uow)
    row = AnchorBatch(root=root, leaf_count=leaf_count, status="built", leaves=leaves,
                      state_root=state_root)
    session.add(row)
    session.flush()
    return row.id


def put_events_in_batch(uow: UnitOfWork, rows: list[tuple[int, int, int]]) -> None:
    """Each row is (batch id, leaf index, event id)."""
    bulk_update(uow, EVENTS, ("batch_id", "leaf_index"), list(rows))


def mark_sent(uow: UnitOfWork, batch_id: int, *, tx_hash: str, raw_tx: str, nonce: int,
              chain_id: int, contract: str, sent_at: datetime) -> None:
    session_of(uow).execute(update(AnchorBatch).where(AnchorBatch.id == batch_id).values(
        status="sent", tx_hash=tx_hash, raw_tx=raw_tx, nonce=nonce,
        chain_id=chain_id, contract=contract, sent_at=sent_at))


def mark_for_rebuild(uow: UnitOfWork, batch_id: int, why: str) -> None:
    """Back to "built", without a transaction: the next round signs a new one."""
    session_of(uow).execute(update(AnchorBatch).where(AnchorBatch.id == batch_id).values(
        status="built", tx_hash=None, raw_tx=None, nonce=None, last_error=why))


def mark_confirmed(uow: UnitOfWork, batch_id: int, values: Mapping[str, Any]) -> None:
    """Status "confirmed" with what the chain said (``values``: AnchorBatch columns)."""
    session_of(uow).execute(update(AnchorBatch).where(AnchorBatch.id == batch_id)
                            .values(**values))


def event_count_of_batch(uow: UnitOfWork, batch_id: int) -> int:
    count = session_of(uow).scalar(select(func.count()).select_from(Event)
                                   .where(Event.batch_id == batch_id))
    return count or 0


def batches_newest_first(uow: UnitOfWork) -> list[BatchAnchoring]:
    return list(session_of(uow).execute(
        select(AnchorBatch.id, AnchorBatch.root, AnchorBatch.state_root,
               AnchorBatch.block_number).order_by(AnchorBatch.id.desc())).all())


def batch_leaves(uow: UnitOfWork, batch_id: int) -> bytes | None:
    """The tree values the batch stored (None for a batch made before they were kept)."""
    return session_of(uow).scalar(select(AnchorBatch.leaves).where(AnchorBatch.id == batch_id))


def batch_event_hashes(uow: UnitOfWork, batch_id: int) -> list[str]:
    """The recorded hashes of the batch's events, in ``Event.id`` order."""
    return list(session_of(uow).scalars(select(Event.event_hash)
                                        .where(Event.batch_id == batch_id)
                                        .order_by(Event.id)))


# --- lot heads ----------------------------------------------------------------------------------

_STATE_AFTER = text("""
SELECT h.lot_key, h.count, h.head FROM lot_heads h
JOIN (SELECT lot_key, MAX(batch_id) AS b FROM lot_heads WHERE batch_id <= :b GROUP BY lot_key) m
  ON h.lot_key = m.lot_key AND h.batch_id = m.b
""")


def lot_heads_after(uow: UnitOfWork, batch_id: int) -> list[tuple[Any, Any, Any]]:
    """(lot key, count, head) of every lot as of batch ``batch_id``: its row with the largest
    batch id <= it. As stored: nothing here is checked."""
    return list(session_of(uow).execute(_STATE_AFTER, {"b": batch_id}))


def insert_lot_heads(uow: UnitOfWork, rows: list[dict[str, Any]]) -> None:
    """Rows of lot_key, batch_id, count, head."""
    bulk_insert(uow, cast(Table, LotHead.__table__), rows)


# --- organisations' keys and signer registrations ----------------------------------------------

def organisation_keys(uow: UnitOfWork) -> dict[int, OrganisationKey]:
    """Every organisation's (id, gln, signing_address), by id."""
    return {o.id: o for o in session_of(uow).execute(
        select(Organisation.id, Organisation.gln, Organisation.signing_address))}


def forget_signer_registrations(uow: UnitOfWork) -> None:
    """Every organisation's signer registration is to be checked on chain again."""
    session_of(uow).execute(update(Organisation).values(signer_registered_tx=None))


def custodial_signers_to_register(uow: UnitOfWork) -> list[tuple[int, str, str, str]]:
    """(id, gln, signing address, keystore) of organisations whose key the service keeps and
    whose registration on chain is not yet recorded."""
    rows = session_of(uow).execute(
        select(Organisation.id, Organisation.gln, Organisation.signing_address,
               Organisation.signing_keystore)
        .where(Organisation.signing_address.is_not(None),
               Organisation.signing_keystore.is_not(None),
               Organisation.signer_registered_tx.is_(None))).all()
    return cast(list[tuple[int, str, str, str]], list(rows))


def record_signer_registration(uow: UnitOfWork, organisation_id: int, tx: str) -> None:
    session_of(uow).execute(update(Organisation).where(Organisation.id == organisation_id)
                            .values(signer_registered_tx=tx))
