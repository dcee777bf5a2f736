"""Submissions as stored: looked up by their key, added in the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from .submission_models import Submission
from .uow import session_of

if TYPE_CHECKING:
    from ..services.ports import UnitOfWork


def by_key(uow: UnitOfWork, key: str) -> Submission | None:
    return session_of(uow).scalar(select(Submission).where(Submission.key == key))


def add(uow: UnitOfWork, *, key: str, user_id: int, kind: str, outcome: dict[str, Any],
        created_at: datetime) -> None:
    """Added and flushed, so that a concurrent sending of the same key fails here (a unique
    violation rolls the whole transaction back, events included)."""
    session = session_of(uow)
    session.add(Submission(key=key, user_id=user_id, kind=kind, outcome=outcome,
                           created_at=created_at))
    session.flush()
