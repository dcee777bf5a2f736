"""What the public sees beside the events: certifications, recalls, and scan counts.

None of these are EPCIS events (they are not supply-chain steps), so they are kept here rather
than captured; the consumer page and its JSON summary read them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class Certification(Base):
    """A certificate an organisation holds (VietGAP, Rainforest Alliance, EU organic, 4C...)."""

    __tablename__ = "certifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    scheme: Mapped[str] = mapped_column(String(100))
    code: Mapped[str] = mapped_column(String(100))  # the certificate number
    issuer: Mapped[str | None] = mapped_column(String(200))
    valid_until: Mapped[date | None] = mapped_column(Date)
    url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    # One certificate once: the same scheme and number twice would be a typo, not two certificates.
    __table_args__ = (UniqueConstraint("organisation_id", "scheme", "code"),)


class Recall(Base):
    """A lot called back. It covers the lot and everything made from it; lifting it keeps the
    row (``lifted_at``), so a recall is never silently forgotten."""

    __tablename__ = "recalls"

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"))
    reason: Mapped[str] = mapped_column(Text)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    lifted_at: Mapped[datetime | None]
    lifted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    __table_args__ = (Index("ix_recalls_lot", "lot_id"),)


class ScanCount(Base):
    """How often a serialised item's code was scanned, and when first and last: no address,
    no device, nothing about who scanned."""

    __tablename__ = "scan_counts"

    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    first_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_at: Mapped[datetime] = mapped_column(default=utcnow)
