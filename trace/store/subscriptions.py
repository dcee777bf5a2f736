"""Reads and writes of named queries, subscriptions and the delivery log (docs/SUBSCRIPTIONS.md)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row, delete, func, select, text, update
from sqlalchemy.exc import DBAPIError

from .accounts import User
from .events import Event
from .subscription_models import Delivery, NamedQuery, Subscription
from .uow import session_of

if TYPE_CHECKING:
    from ..services.ports import UnitOfWork

AnyRow = Row[Any]


# --- named queries ----------------------------------------------------------------------------

def add(uow: UnitOfWork, row: NamedQuery | Subscription | Delivery) -> None:
    session = session_of(uow)
    session.add(row)
    session.flush()


def query_named(uow: UnitOfWork, owner: str, name: str) -> NamedQuery | None:
    return session_of(uow).execute(select(NamedQuery).where(
        NamedQuery.owner == owner, NamedQuery.name == name)).scalar_one_or_none()


def queries_of(uow: UnitOfWork, owner: str, after: int, limit: int) -> list[NamedQuery]:
    """Up to ``limit`` of the owner's queries with a row id above ``after``, oldest first."""
    return list(session_of(uow).execute(
        select(NamedQuery).where(NamedQuery.owner == owner, NamedQuery.id > after)
        .order_by(NamedQuery.id).limit(limit)).scalars())


def delete_query(uow: UnitOfWork, query: NamedQuery) -> None:
    """The query, its subscriptions and their delivery logs."""
    session = session_of(uow)
    ids = select(Subscription.id).where(Subscription.query_id == query.id)
    session.execute(delete(Delivery).where(Delivery.subscription_id.in_(ids)))
    session.execute(delete(Subscription).where(Subscription.query_id == query.id))
    session.delete(query)
    session.flush()


# --- subscriptions ----------------------------------------------------------------------------

def subscription_of(uow: UnitOfWork, query_id: int, sub_id: str) -> Subscription | None:
    return session_of(uow).execute(select(Subscription).where(
        Subscription.query_id == query_id, Subscription.id == sub_id)).scalar_one_or_none()


def subscriptions_of(uow: UnitOfWork, query_id: int, after: str, limit: int
                     ) -> list[Subscription]:
    return list(session_of(uow).execute(
        select(Subscription).where(Subscription.query_id == query_id, Subscription.id > after)
        .order_by(Subscription.id).limit(limit)).scalars())


def delete_subscription(uow: UnitOfWork, sub: Subscription) -> None:
    session = session_of(uow)
    session.execute(delete(Delivery).where(Delivery.subscription_id == sub.id))
    session.delete(sub)
    session.flush()


def subscription_ids(uow: UnitOfWork) -> list[str]:
    return list(session_of(uow).execute(select(Subscription.id).order_by(Subscription.id))
                .scalars())


def for_delivery(uow: UnitOfWork, sub_id: str) -> AnyRow | None:
    """What delivering ``sub_id`` needs: the subscription's columns, its query's name and
    parameters, and its user's role and organisation (as they are now)."""
    return session_of(uow).execute(
        select(Subscription.id, Subscription.dest, Subscription.signature_token,
               Subscription.stream, Subscription.schedule, Subscription.report_if_empty,
               Subscription.media_type,
               Subscription.initial_record_time, Subscription.cursor, Subscription.failures,
               Subscription.retry_at, Subscription.next_run_at, NamedQuery.name,
               NamedQuery.params, User.id.label("user_id"), User.role, User.organisation_id,
               User.email)
        .join(NamedQuery, NamedQuery.id == Subscription.query_id)
        .join(User, User.id == Subscription.user_id)
        .where(Subscription.id == sub_id)).first()


def advance(uow: UnitOfWork, sub_id: str, old_cursor: int, new_cursor: int, at: datetime) -> bool:
    """Move the cursor from ``old_cursor`` (only if it is still there: another deliverer may
    have moved it) and clear the failures. False: it was not there (or the row is gone)."""
    result = session_of(uow).execute(
        update(Subscription).where(Subscription.id == sub_id, Subscription.cursor == old_cursor)
        .values(cursor=new_cursor, last_notified_at=at, failures=0, retry_at=None,
                last_error=None))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def failed(uow: UnitOfWork, sub_id: str, failures: int, retry_at: datetime, error: str) -> None:
    session_of(uow).execute(update(Subscription).where(Subscription.id == sub_id).values(
        failures=failures, retry_at=retry_at, last_error=error))


def ran(uow: UnitOfWork, sub_id: str, at: datetime, next_run_at: datetime | None) -> None:
    """A scheduled run finished at ``at``; the next is due at ``next_run_at``."""
    session_of(uow).execute(update(Subscription).where(Subscription.id == sub_id).values(
        last_run_at=at, next_run_at=next_run_at))


def deliveries(uow: UnitOfWork, sub_id: str, before: int | None, limit: int) -> list[Delivery]:
    """The newest ``limit`` attempts (with a row id below ``before``), newest first."""
    stmt = select(Delivery).where(Delivery.subscription_id == sub_id)
    if before is not None:
        stmt = stmt.where(Delivery.id < before)
    return list(session_of(uow).execute(stmt.order_by(Delivery.id.desc()).limit(limit))
                .scalars())


# --- the events a deliverer may send ------------------------------------------------------------

def prune_deliveries(uow: UnitOfWork, before: datetime, limit: int) -> int:
    """Delete up to ``limit`` delivery log rows attempted before ``before``, oldest first
    (``ix_subscription_deliveries_attempted`` finds them; none found is one index probe)."""
    old = (select(Delivery.id).where(Delivery.attempted_at < before)
           .order_by(Delivery.attempted_at).limit(limit))
    result = session_of(uow).execute(delete(Delivery).where(Delivery.id.in_(old)))
    return int(result.rowcount)  # type: ignore[attr-defined]


def event_horizon(uow: UnitOfWork, wait: float = 2.0) -> int | None:
    """The largest event row id below which every event is committed: a deliverer never sends
    past it, so that an event committed late with a smaller id cannot be skipped.

    SQLite has one writer at a time, so every id it has shown is settled. On PostgreSQL ids come
    from a sequence and transactions commit in any order: a SHARE lock on ``events`` waits for the
    transactions writing it now (and keeps new ones out for the moment of the read). None: the
    lock did not come within ``wait`` seconds; try again later.
    """
    session = session_of(uow)
    if session.get_bind().dialect.name == "postgresql":
        try:
            session.execute(text(f"SET LOCAL lock_timeout = '{int(wait * 1000)}ms'"))
            session.execute(text("LOCK TABLE events IN SHARE MODE"))
        except DBAPIError:
            session.rollback()
            return None
    return int(session.execute(select(func.coalesce(func.max(Event.id), 0))).scalar_one())
