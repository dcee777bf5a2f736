"""Reads about error declarations: the events a capture declares, and the declarations of events.

A declaration is an event row of its own (``Event.declaration``), linked to the event it
declares by ``Event.declares_pk`` (migration 0009).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row, select
from sqlalchemy.orm import aliased

from .capture_repo import sqlite_rows_in
from .events import Event
from .uow import session_of

if TYPE_CHECKING:
    from ..services.ports import UnitOfWork

_CHUNK = 500
AnyRow = Row[*tuple[Any, ...]]

# (id, event_id, event_hash, organisation_id, declared): ``declared`` is the row id of its
# declaration, None when it has none.
Declarable = Row[*tuple[Any, ...]]


def _originals(uow: UnitOfWork, column: Any, values: Iterable[str]) -> list[Declarable]:
    session = session_of(uow)
    declaration = aliased(Event)
    wanted = sorted(set(values))
    out: list[Declarable] = []
    for start in range(0, len(wanted), _CHUNK):
        out.extend(session.execute(
            select(Event.id, Event.event_id, Event.event_hash, Event.organisation_id,
                   declaration.id.label("declared"))
            .outerjoin(declaration, declaration.declares_pk == Event.id)
            .where(column.in_(wanted[start:start + _CHUNK]), Event.declaration.is_(False))).all())
    return out


def events_by_hash(uow: UnitOfWork, hashes: Iterable[str]) -> dict[str, Declarable]:
    """The stored events (not declarations) with these event hashes, by hash."""
    return {r.event_hash: r for r in _originals(uow, Event.event_hash, hashes)}


def events_by_event_id(uow: UnitOfWork, event_ids: Iterable[str]) -> dict[str, Declarable]:
    """The stored events (not declarations) with these eventIDs, by eventID."""
    return {r.event_id: r for r in _originals(uow, Event.event_id, event_ids)}


def rows_with_event_id(uow: UnitOfWork, event_id: str) -> list[AnyRow]:
    """Every row with this eventID, the event first, then its declaration (if any):
    (body, event_id, record_time, context_id, organisation_id, declaration, notice)."""
    return list(session_of(uow).execute(
        select(Event.body, Event.event_id, Event.record_time, Event.context_id,
               Event.organisation_id, Event.declaration, Event.notice)
        .where(Event.event_id == event_id).order_by(Event.declaration, Event.id)).all())



def declared_event_ids(uow: UnitOfWork, event_ids: Iterable[str]) -> set[str]:
    """Those of ``event_ids`` that an error declaration stored here has."""
    wanted = sorted(set(event_ids))
    rows = sqlite_rows_in(uow, "SELECT event_id FROM events WHERE event_id IN ({}) "
                          "AND declaration = 1", wanted)  # a capture's ~1,000, in its write lock
    if rows is not None:
        return {r[0] for r in rows}
    session = session_of(uow)
    found: set[str] = set()
    for start in range(0, len(wanted), _CHUNK):
        found.update(session.scalars(select(Event.event_id).where(
            Event.event_id.in_(wanted[start:start + _CHUNK]), Event.declaration.is_(True))))
    return found


def recorded_event(uow: UnitOfWork, event_id: str) -> int | None:
    """The row id of the event (not a declaration) with this eventID, if one is recorded."""
    return session_of(uow).scalar(select(Event.id).where(Event.event_id == event_id,
                                                         Event.declaration.is_(False)))
