"""Holds as stored (issue #12, docs/inspector/ACTIONS.md): recorded, released, read with the
lot they name and the holding authority's name. Rows are (Hold, uri, gtin, code, name)."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from .accounts import Organisation
from .events import Event, EventObject
from .inspection_models import Hold
from .lots import Lot
from .uow import session_of

if TYPE_CHECKING:
    from ..services.ports import UnitOfWork
    from .rows import AnyRow, AnySelect

_CHUNK = 500


def _select() -> AnySelect:
    return (select(Hold, Lot.uri, Lot.gtin, Lot.code, Organisation.name)
            .join(Lot, Lot.id == Hold.lot_id)
            .outerjoin(Organisation, Organisation.id == Hold.organisation_id))


def add_hold(uow: UnitOfWork, **columns: Any) -> Hold:
    s = session_of(uow)
    hold = Hold(**columns)
    s.add(hold)
    s.flush()
    return hold


def active_hold(uow: UnitOfWork, lot_id: int) -> Hold | None:
    """The lot's active hold (changes to it are saved by ``flush``)."""
    return session_of(uow).scalar(select(Hold).where(Hold.lot_id == lot_id,
                                                     Hold.released_at.is_(None)))


def hold_rows(uow: UnitOfWork, lot_ids: Collection[int]) -> list[AnyRow]:
    """Every hold of any of ``lot_ids``, released ones included, oldest first."""
    ids = sorted(set(lot_ids))
    out: list[AnyRow] = []
    for start in range(0, len(ids), _CHUNK):
        out += session_of(uow).execute(_select().where(Hold.lot_id.in_(ids[start:start + _CHUNK])))
    return sorted(out, key=lambda r: r.Hold.id)


def holds_by_id(uow: UnitOfWork, hold_ids: Collection[int]) -> list[AnyRow]:
    ids = sorted(set(hold_ids))
    out: list[AnyRow] = []
    for start in range(0, len(ids), _CHUNK):
        out += session_of(uow).execute(_select().where(Hold.id.in_(ids[start:start + _CHUNK])))
    return out


def flush(uow: UnitOfWork) -> None:
    session_of(uow).flush()


def lots_with_holders(uow: UnitOfWork, uris: Collection[str]) -> list[AnyRow]:
    """The lots (and containers) ``uris`` names, each with its holder's and its receiver's
    names (a lot in transit): (Lot, holder, receiver), by uri."""
    receiver = aliased(Organisation)
    out: list[AnyRow] = []
    wanted = sorted(set(uris))
    for start in range(0, len(wanted), _CHUNK):
        out += session_of(uow).execute(
            select(Lot, Organisation.name.label("holder"), receiver.name.label("receiver"))
            .outerjoin(Organisation, Organisation.id == Lot.owner_id)
            .outerjoin(receiver, receiver.id == Lot.in_transit_to_id)
            .where(Lot.uri.in_(wanted[start:start + _CHUNK])))
    return sorted(out, key=lambda r: r.Lot.id)


def inspection_rows(uow: UnitOfWork, uri: str, limit: int = 50) -> list[AnyRow]:
    """The notices naming the lot ``uri`` (canonical) that are inspection records (bizStep
    inspecting or sampling), newest first: (event_id, body, organisation name)."""
    steps = [w for s in ("inspecting", "sampling")
             for w in (s, f"https://ref.gs1.org/cbv/BizStep-{s}")]
    return list(session_of(uow).execute(
        select(Event.event_id, Event.body, Organisation.name)
        .join(EventObject, EventObject.event_pk == Event.id)
        .outerjoin(Organisation, Organisation.id == Event.organisation_id)
        .where(EventObject.uri == uri, Event.notice.is_(True), Event.biz_step.in_(steps))
        .order_by(Event.id.desc()).limit(limit)))
