"""Holds (quarantines) an authority put on a lot (issue #12, docs/inspector/ACTIONS.md).

A row is the console's index of a hold; the hold itself is its signed, anchored EPCIS event
(``hold_event_id``) and its release's (``release_event_id``). The consumer page reads the
events, and a row that disagrees with them fails closed. Releasing keeps the row
(``released_at``): a hold is never silently forgotten.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class Hold(Base):
    __tablename__ = "holds"

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    hold_event_id: Mapped[str | None] = mapped_column(String(200))
    released_at: Mapped[datetime | None]
    released_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    release_reason: Mapped[str | None] = mapped_column(Text)
    release_event_id: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (Index("ix_holds_lot", "lot_id"),)
