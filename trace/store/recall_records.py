"""Recalls as stored: read with the lot they name and the recording organisation's name,
recorded, lifted. Rows are (Recall, uri, gtin, code, name)."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from .accounts import Organisation, User
from .lots import Lot
from .public_records import Recall
from .uow import session_of

if TYPE_CHECKING:
    from ..services.ports import UnitOfWork
    from .rows import AnyRow, AnySelect


def _select() -> AnySelect:
    return (select(Recall, Lot.uri, Lot.gtin, Lot.code, Organisation.name)
            .join(Lot, Lot.id == Recall.lot_id)
            .outerjoin(Organisation, Organisation.id == Recall.organisation_id))


def recalls_with_recorder(uow: UnitOfWork, recall_ids: Collection[int]
                          ) -> list[tuple[Recall, str | None]]:
    """(Recall, the recording organisation's name) of each of these recalls."""
    rows = session_of(uow).execute(select(Recall, Organisation.name).outerjoin(
        Organisation, Organisation.id == Recall.organisation_id).where(
        Recall.id.in_(recall_ids)))
    return [(r, name) for r, name in rows]


def active_recall_rows(uow: UnitOfWork, lot_ids: Collection[int]) -> list[AnyRow]:
    """The rows of the active recalls of any of ``lot_ids``."""
    return list(session_of(uow).execute(_select().where(Recall.lot_id.in_(lot_ids),
                                                        Recall.lifted_at.is_(None))))


def recall_rows_of_lot(uow: UnitOfWork, lot_id: int) -> list[AnyRow]:
    """The rows of every recall of the lot, lifted ones included."""
    return list(session_of(uow).execute(_select().where(Recall.lot_id == lot_id)))


def recall_row(uow: UnitOfWork, recall_id: int) -> AnyRow:
    return session_of(uow).execute(_select().where(Recall.id == recall_id)).one()


def lot_by_uri(uow: UnitOfWork, uri: str, *, lock: bool = False) -> Lot | None:
    """The lot ``uri``; ``lock``: locked for this transaction (PostgreSQL: two recalls of one
    lot queue here; SQLite's write lock already did)."""
    stmt = select(Lot).where(Lot.uri == uri)
    if lock:
        stmt = stmt.with_for_update()
    return session_of(uow).scalar(stmt)


def user_role(uow: UnitOfWork, user_id: int | None) -> str | None:
    return session_of(uow).scalar(select(User.role).where(User.id == user_id))


def active_recall_id(uow: UnitOfWork, lot_id: int) -> int | None:
    return session_of(uow).scalar(select(Recall.id).where(Recall.lot_id == lot_id,
                                                          Recall.lifted_at.is_(None)))


def active_recall(uow: UnitOfWork, lot_id: int) -> Recall | None:
    """The lot's active recall, to lift it (changes to it are saved by ``flush``)."""
    return session_of(uow).scalar(select(Recall).where(Recall.lot_id == lot_id,
                                                       Recall.lifted_at.is_(None)))


def add_recall(uow: UnitOfWork, **columns: Any) -> int:
    """Record a recall; its id."""
    s = session_of(uow)
    recall = Recall(**columns)
    s.add(recall)
    s.flush()
    return recall.id


def flush(uow: UnitOfWork) -> None:
    """Send the changes made to loaded rows (a lifted recall) to the database."""
    session_of(uow).flush()


def lots_by_id(uow: UnitOfWork, lot_ids: Collection[int]) -> list[Lot]:
    """The lots with these ids, in id order (chunks of 500: under every parameter limit)."""
    ids = sorted(lot_ids)
    out: list[Lot] = []
    for start in range(0, len(ids), 500):
        out += session_of(uow).scalars(select(Lot).where(Lot.id.in_(ids[start:start + 500]))
                                       .order_by(Lot.id))
    return out


def organisation_name(uow: UnitOfWork, organisation_id: int) -> str | None:
    return session_of(uow).scalar(select(Organisation.name)
                                  .where(Organisation.id == organisation_id))
