"""Writes to a capture job after its row is added: the ``GS1-Capture-Error-Behaviour`` it ran
under (``proceed``; the column's default is ``rollback``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import update

from .events import CaptureJob
from .uow import session_of

if TYPE_CHECKING:
    from ..services.ports import UnitOfWork


def set_error_behaviour(uow: UnitOfWork, job_id: str, behaviour: str) -> None:
    """In the capture's own transaction: the job ran under ``behaviour``."""
    session_of(uow).execute(update(CaptureJob).where(CaptureJob.id == job_id)
                            .values(error_behaviour=behaviour))
