"""A bridge while the database seam is converted in two branches (issue #9): functions of
``services/verification`` and ``services/signatures`` still take a session while the consumer
use cases already hand them the unit of work, and they hand a session to ``store.lineage``.

``as_session`` accepts either and gives the session. Delete this module, and its calls, once
every caller passes a unit of work.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from .uow import session_of


def as_session(uow_or_session: Any) -> Session:
    if isinstance(uow_or_session, Session):
        return uow_or_session
    return session_of(uow_or_session)
