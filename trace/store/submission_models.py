"""What a console form or an API call with an idempotency key recorded (docs/console/RECORDING.md).

A row is written in the same transaction as the event(s) it recorded, so a form sent twice (a
double tap, the offline queue resending) finds the first sending's row and answers with its
outcome instead of recording again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class Submission(Base):
    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The client's key (a UUID the form was rendered with, or an API Idempotency-Key header).
    key: Mapped[str] = mapped_column(String(100), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))  # harvest, transformation, packing...
    # {"eventIDs": [...], "redirect": "..."}: what the first sending was answered.
    outcome: Mapped[dict]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
