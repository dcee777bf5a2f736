"""What the public sees beside the events: certifications, recalls, scan counts, notes on
unusual records, and reports of suspected fakes.

None of these are EPCIS events (they are not supply-chain steps), so they are kept here rather
than captured; the consumer page and its JSON summary read them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text, UniqueConstraint, false
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
    # What the consumer page says about it (domain.recall_words): class I, II or III, who
    # ordered it (free text, else the recording organisation), what to do and whom to call.
    recall_class: Mapped[str] = mapped_column(String(3), server_default="I")
    ordered_by: Mapped[str | None] = mapped_column(String(200))
    by_authority: Mapped[bool] = mapped_column(Boolean, server_default=false())
    reason_vi: Mapped[str | None] = mapped_column(Text)
    reason_en: Mapped[str | None] = mapped_column(Text)
    action_vi: Mapped[str | None] = mapped_column(Text)
    action_en: Mapped[str | None] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (Index("ix_recalls_lot", "lot_id"),)


class ScanCount(Base):
    """How often a serialised item's code was scanned, and when first and last: no address,
    no device, nothing about who scanned."""

    __tablename__ = "scan_counts"

    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    first_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_at: Mapped[datetime] = mapped_column(default=utcnow)


class ScanVisitor(Base):
    """One scanner of a serialised item on one day, as a keyed hash that changes every day
    (services.scans): enough to count distinct scanners, too little to recognise anyone. Rows
    older than the counting window are deleted."""

    __tablename__ = "scan_visitors"

    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    visitor: Mapped[str] = mapped_column(String(32), primary_key=True)  # address + browser
    network: Mapped[str] = mapped_column(String(32))  # address alone: caps one network's share


class PlausibilityNote(Base):
    """What was said about an unusual record (domain.plausibility): the organisation's
    explanation, or an inspector's review, which is what lets the page stop calling it
    unverified. Flags themselves are computed from the events, never stored."""

    __tablename__ = "plausibility_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_pk: Mapped[int] = mapped_column(ForeignKey("events.id"))
    rule: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(12))  # explanation | review
    text: Mapped[str] = mapped_column(Text)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_plausibility_notes_event", "event_pk"),)


class FakeReport(Base):
    """A consumer's report that a code they scanned seems fake: the code as scanned and what they
    chose to say. No address, name or device is asked for or kept."""

    __tablename__ = "fake_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(500))
    where_bought: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
