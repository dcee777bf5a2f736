"""One snapshot of the database for a whole unit of work: a bulk verification's pages and a
kept dossier's build must each read one state of the database, whatever is committed while
they read."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import text

from .uow import session_of

if TYPE_CHECKING:
    from ..services.ports import UnitOfWork


def one_snapshot(uow: UnitOfWork) -> None:
    """Make every read of ``uow`` from here to its end see one snapshot of the database. The
    first thing done in the unit of work: PostgreSQL sets a transaction's isolation only before
    its first query."""
    session = session_of(uow)
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite: one deferred transaction reads one snapshot (WAL)
    if session.in_transaction():
        raise RuntimeError("one_snapshot must come before the unit of work's first query")
    # For this transaction only: the pooled connection keeps its default for the next one.
    session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
