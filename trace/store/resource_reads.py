"""Reads for the EPCIS REST binding's resource lists: the distinct business steps, locations,
read points, dispositions and EPCs of the events an organisation may read, in pages; and the
capture jobs a caller may read.

Every function takes ``scope``: the organisation whose events count (``policy.event_scope``),
or ``EVERY_ORGANISATION`` for inspectors and admins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import ColumnElement, Row, or_, select, true

from .accounts import User
from .events import CaptureJob, Event, EventObject
from .uow import session_of

if TYPE_CHECKING:
    from ..services.ports import UnitOfWork

EVERY_ORGANISATION: Final = -1
# The roles (see EventObject) an EPC is named in: the ones MATCH_anyEPC looks in.
EPC_ROLES = ("epc", "child", "input", "output", "parent")
_COLUMNS = {"bizSteps": Event.biz_step, "bizLocations": Event.biz_location,
            "readPoints": Event.read_point, "dispositions": Event.disposition}
# A capture job: (id, running, success, error_behaviour, event_count, stored_count, errors,
# duplicates, created_at, finished_at), each also an attribute.
JobRow = Row[*tuple[Any, ...]]


def _scoped(scope: int | None) -> ColumnElement[bool]:
    if scope == EVERY_ORGANISATION:
        return true()
    # and the public notices (policy.may_read_event)
    return or_(Event.organisation_id == scope, Event.notice.is_(True))


def distinct_values(uow: UnitOfWork, resource: str, scope: int | None, after: str | None,
                    limit: int) -> list[str]:
    """Up to ``limit`` distinct values of ``resource`` (bizSteps, bizLocations, readPoints,
    dispositions, epcs) among the events in ``scope``, in order, after ``after``."""
    if scope is None:
        return []  # an account of no organisation reads no event
    if resource == "epcs":
        column: Any = EventObject.uri
        stmt = (select(column).distinct().join(Event, Event.id == EventObject.event_pk)
                .where(EventObject.role.in_(EPC_ROLES), _scoped(scope)))
    else:
        column = _COLUMNS[resource]
        stmt = select(column).distinct().where(column.is_not(None), _scoped(scope))
    if after is not None:
        stmt = stmt.where(column > after)
    return list(session_of(uow).scalars(stmt.order_by(column).limit(limit)))


def value_exists(uow: UnitOfWork, resource: str, scope: int | None, value: str) -> bool:
    """Whether an event in ``scope`` has ``value`` as its ``resource``."""
    if scope is None:
        return False
    if resource == "epcs":
        stmt = (select(EventObject.event_pk).join(Event, Event.id == EventObject.event_pk)
                .where(EventObject.role.in_(EPC_ROLES), EventObject.uri == value,
                       _scoped(scope)))
    else:
        stmt = select(Event.id).where(_COLUMNS[resource] == value, _scoped(scope))
    return session_of(uow).execute(stmt.limit(1)).first() is not None


def capture_jobs_page(uow: UnitOfWork, scope: int | None, user_id: int | None, skip: int,
                      limit: int) -> list[JobRow]:
    """Up to ``limit`` capture jobs, oldest first, after the first ``skip``: every job (scope
    EVERY_ORGANISATION), else those of ``user_id`` and of the users of ``scope``."""
    stmt = select(CaptureJob.id, CaptureJob.running, CaptureJob.success,
                  CaptureJob.error_behaviour, CaptureJob.event_count, CaptureJob.stored_count,
                  CaptureJob.errors, CaptureJob.duplicates, CaptureJob.created_at,
                  CaptureJob.finished_at)
    if scope != EVERY_ORGANISATION:
        mine = [CaptureJob.user_id == user_id] if user_id is not None else []
        if scope is not None:
            mine.append(CaptureJob.user_id.in_(select(User.id)
                                               .where(User.organisation_id == scope)))
        if not mine:
            return []
        stmt = stmt.where(or_(*mine))
    stmt = stmt.order_by(CaptureJob.created_at, CaptureJob.id).offset(skip).limit(limit)
    return list(session_of(uow).execute(stmt).all())
