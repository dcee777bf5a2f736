"""Merkle batches of event hashes and their anchoring transactions, and the anchorer's lease."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class AnchorBatch(Base):
    """One Merkle tree of pending events and the transaction that anchors its root.

    The status moves built → sent → confirmed, and every step is committed before the next one
    starts, so a process that dies anywhere can pick the batch up again: ``raw_tx`` is kept so the
    very same transaction (same nonce, same hash) is re-sent rather than a second one.
    """

    __tablename__ = "anchor_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    root: Mapped[str] = mapped_column(String(66), unique=True)
    leaf_count: Mapped[int]
    status: Mapped[str] = mapped_column(String(10), default="built")
    chain_id: Mapped[int | None] = mapped_column(BigInteger)
    contract: Mapped[str | None] = mapped_column(String(42))
    tx_hash: Mapped[str | None] = mapped_column(String(66))
    raw_tx: Mapped[str | None] = mapped_column(Text)
    nonce: Mapped[int | None]
    block_number: Mapped[int | None] = mapped_column(BigInteger)
    block_time: Mapped[datetime | None]
    submitter: Mapped[str | None] = mapped_column(String(42))
    gas_used: Mapped[int | None] = mapped_column(BigInteger)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]
    # The tree's values, 32 bytes each, in tree order: the batch's event hashes, then the state
    # leaf. Kept so that a batch's proofs do not depend on its events' rows (the root, anchored
    # on chain, checks them); and the root of the lot state after this batch.
    leaves: Mapped[bytes | None] = mapped_column(LargeBinary)
    state_root: Mapped[str | None] = mapped_column(String(66))

    __table_args__ = (Index("ix_anchor_batches_status", "status"),)


class LotHead(Base):
    """A lot's history head as a batch committed it (one row per lot and batch it changed in).

    The state after batch B is, for every lot, its row with the largest batch id <= B. Nothing
    here is trusted: verification recomputes heads from the events and compares them with the
    state whose root the batch anchored.
    """

    __tablename__ = "lot_heads"

    lot_key: Mapped[str] = mapped_column(String(66), primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("anchor_batches.id"), primary_key=True)
    count: Mapped[int]
    head: Mapped[str] = mapped_column(String(66))

    __table_args__ = (Index("ix_lot_heads_batch", "batch_id"),)


class AnchorLease(Base):
    """Who may anchor right now: one row per lease name, taken and renewed in a transaction.

    A lease (rather than a database-specific lock) works the same on SQLite and PostgreSQL and
    across processes; an anchorer that dies simply lets its lease expire.
    """

    __tablename__ = "anchor_leases"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[datetime]
