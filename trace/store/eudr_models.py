"""The EU's numbers for a lot's due diligence statement once it is submitted (issue #12,
docs/inspector/EXPORTS.md): a row per statement the EU Information System accepted, kept for
good (downstream operators must keep them five years). A correction is a new row that names the
row it replaces (``replaces_id``); the replaced row stays, so nothing recorded is ever lost."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class EudrStatement(Base):
    __tablename__ = "eudr_statements"

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), index=True)
    reference_number: Mapped[str] = mapped_column(String(14))
    verification_number: Mapped[str] = mapped_column(String(35))
    note: Mapped[str | None] = mapped_column(Text)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The row this one corrects (a typo in a number): the old row is kept, shown as replaced.
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("eudr_statements.id"),
                                                    unique=True)
