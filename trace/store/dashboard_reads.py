"""Reads of the member's dashboard (services/cooperative/dashboard.py): what of one
organisation's records waits for the chain, which batches anchored them, and which of its events
look stuck. Each is one indexed query over the organisation's events, limited."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from .anchoring import AnchorBatch
from .events import Event
from .uow import session_of

if TYPE_CHECKING:
    from ..services.ports import UnitOfWork
    from .rows import AnyRow


def waiting_count(uow: UnitOfWork, organisation_id: int,
                  recorded_before: datetime | None = None) -> int:
    """How many of the organisation's events are in no anchor batch yet (recorded before
    ``recorded_before``, when given)."""
    stmt = select(func.count()).select_from(Event).where(
        Event.organisation_id == organisation_id, Event.batch_id.is_(None))
    if recorded_before is not None:
        stmt = stmt.where(Event.record_time < recorded_before)
    return int(session_of(uow).scalar(stmt) or 0)


def waiting_events(uow: UnitOfWork, organisation_id: int, limit: int) -> list[AnyRow]:
    """(event_id, biz_step, event_time, record_time) of its newest events in no batch yet."""
    return list(session_of(uow).execute(
        select(Event.event_id, Event.biz_step, Event.event_time, Event.record_time)
        .where(Event.organisation_id == organisation_id, Event.batch_id.is_(None))
        .order_by(Event.id.desc()).limit(limit)).all())


def batches_of(uow: UnitOfWork, organisation_id: int, limit: int) -> list[AnyRow]:
    """The newest batches holding the organisation's events: (id, status, tx_hash,
    block_number, confirmed_at, created_at, last_error, events: how many of its events)."""
    mine = (select(Event.batch_id, func.count().label("events"))
            .where(Event.organisation_id == organisation_id, Event.batch_id.is_not(None))
            .group_by(Event.batch_id).subquery())
    return list(session_of(uow).execute(
        select(AnchorBatch.id, AnchorBatch.status, AnchorBatch.tx_hash, AnchorBatch.block_number,
               AnchorBatch.confirmed_at, AnchorBatch.created_at, AnchorBatch.last_error,
               mine.c.events)
        .join(mine, mine.c.batch_id == AnchorBatch.id)
        .order_by(AnchorBatch.id.desc()).limit(limit)).all())
