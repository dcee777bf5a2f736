"""Reads of stored events for the EPCIS 2.0 query interface: pages of events under a filter,
one event by its eventID, and the ``@context`` texts events were captured with."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Row, exists, or_, select

from .events import DocumentContext, Event, EventObject
from .uow import session_of

if TYPE_CHECKING:
    from ..services.ports import UnitOfWork

# Rows are SQLAlchemy's named tuples: each selected column is also an attribute.
# A page row: (id, body, event_id, record_time, context_id).
PageRow = Row[*tuple[Any, ...]]
# One event: (body, event_id, record_time, context_id, organisation_id).
EventRow = Row[*tuple[Any, ...]]


# --- the conditions of a query, in the order the use case gives them ---------------------------

@dataclass(frozen=True)
class OrganisationIs:
    """Only the events recorded by this organisation."""

    organisation_id: int | None


@dataclass(frozen=True)
class ColumnIn:
    """The event's ``column`` (an ``Event`` column name: event_type, action, event_id, biz_step,
    disposition, read_point, biz_location) is one of ``values``."""

    column: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class TimeFrom:
    """``column`` (event_time or record_time) >= ``when``."""

    column: str
    when: datetime


@dataclass(frozen=True)
class TimeBefore:
    """``column`` (event_time or record_time) < ``when``."""

    column: str
    when: datetime


@dataclass(frozen=True)
class NamesObject:
    """The event names, in one of ``roles`` (see ``EventObject``), one of ``exact`` or an
    identifier under one of ``prefixes`` (an EPC pattern)."""

    roles: tuple[str, ...]
    exact: tuple[str, ...]
    prefixes: tuple[str, ...]


@dataclass(frozen=True)
class AfterId:
    """Events stored after the one with row id ``pk`` (keyset pagination)."""

    pk: int


Condition = OrganisationIs | ColumnIn | TimeFrom | TimeBefore | NamesObject | AfterId

_COLUMNS = {"event_type", "event_time", "record_time", "action", "event_id", "biz_step",
            "disposition", "read_point", "biz_location"}


def _column(name: str) -> Any:
    if name not in _COLUMNS:
        raise ValueError(f"not a queryable event column: {name}")
    return getattr(Event, name)


def _clause(c: Condition) -> ColumnElement[bool]:
    if isinstance(c, OrganisationIs):
        return Event.organisation_id == c.organisation_id
    if isinstance(c, ColumnIn):
        return _column(c.column).in_(list(c.values))
    if isinstance(c, TimeFrom):
        return _column(c.column) >= c.when
    if isinstance(c, TimeBefore):
        return _column(c.column) < c.when
    if isinstance(c, AfterId):
        return Event.id > c.pk
    conds: list[ColumnElement[bool]] = []
    if c.exact:
        conds.append(EventObject.uri.in_(list(c.exact)))
    for p in c.prefixes:
        conds.append(EventObject.uri.startswith(p + "/", autoescape=True))
        conds.append(EventObject.uri == p)
    return exists().where(EventObject.event_pk == Event.id, EventObject.role.in_(c.roles),
                          or_(*conds))


def events_page(uow: UnitOfWork, conditions: Sequence[Condition], limit: int) -> list[PageRow]:
    """Up to ``limit`` events meeting every condition, in the order they were stored."""
    stmt = (select(Event.id, Event.body, Event.event_id, Event.record_time, Event.context_id)
            .where(*[_clause(c) for c in conditions]).order_by(Event.id).limit(limit))
    return list(session_of(uow).execute(stmt).all())


def event_by_event_id(uow: UnitOfWork, event_id: str) -> EventRow | None:
    return session_of(uow).execute(
        select(Event.body, Event.event_id, Event.record_time, Event.context_id,
               Event.organisation_id).where(Event.event_id == event_id)).first()


def context_texts(uow: UnitOfWork, ids: Iterable[int]) -> dict[int, str]:
    """The stored ``@context`` texts (JSON) with these ids."""
    rows = session_of(uow).execute(select(DocumentContext.id, DocumentContext.body)
                                   .where(DocumentContext.id.in_(ids)))
    return {cid: body for cid, body in rows}
