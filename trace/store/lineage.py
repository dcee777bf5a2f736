"""Lineage reads: every lot reachable from one through the lineage graph (``lot_links``), and
the rows a lineage view shows (lots, links, events, organisations, plots)."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from sqlalchemy import select, text

from .accounts import Organisation
from .catalogue import Farm, Plot
from .events import Event, EventObject
from .lots import Lot, LotLink
from .uow import session_of

if TYPE_CHECKING:
    from ..services.ports import UnitOfWork
    from .rows import AnyRow

# One recursive query per direction. UNION (not UNION ALL) keeps each lot once, so a lot that is
# both input and output of a step (in-place drying keeps its lot code) cannot loop forever.
_WALK = {
    "back": text("""WITH RECURSIVE walk(lot_id) AS (
                 SELECT CAST(:start AS INTEGER) UNION
                 SELECT l.source_id FROM lot_links l JOIN walk w ON l.target_id = w.lot_id)
               SELECT lot_id FROM walk"""),
    "forward": text("""WITH RECURSIVE walk(lot_id) AS (
                 SELECT CAST(:start AS INTEGER) UNION
                 SELECT l.target_id FROM lot_links l JOIN walk w ON l.source_id = w.lot_id)
               SELECT lot_id FROM walk"""),
}
DIRECTIONS = tuple(_WALK)


def reachable_lot_ids(uow: UnitOfWork, start_id: int, direction: str) -> list[int]:
    """Ids of every lot reachable from ``start_id``, ``back`` (what it was made from) or
    ``forward`` (what was made from it), itself included; one recursive query."""
    return list(session_of(uow).scalars(_WALK[direction], {"start": start_id}))


def lot_by_uri(uow: UnitOfWork, uri: str) -> Lot | None:
    return session_of(uow).scalar(select(Lot).where(Lot.uri == uri))


def lots_by_ids(uow: UnitOfWork, ids: Collection[int]) -> list[Lot]:
    return list(session_of(uow).scalars(select(Lot).where(Lot.id.in_(ids))).all())


def links_among(uow: UnitOfWork, ids: Collection[int]) -> list[AnyRow]:
    """Rows (source_id, target_id, kind, event_id) of the links between these lots."""
    return list(session_of(uow).execute(
        select(LotLink.source_id, LotLink.target_id, LotLink.kind, Event.event_id)
        .join(Event, Event.id == LotLink.event_pk)
        .where(LotLink.source_id.in_(ids), LotLink.target_id.in_(ids))).all())


def events_naming(uow: UnitOfWork, uris: Collection[str]) -> list[AnyRow]:
    """Rows (event_id, event_type, biz_step, event_time, organisation_id) of every event
    naming any of ``uris``, oldest first; error declarations are not among them
    (``declarations_naming``)."""
    return list(session_of(uow).execute(
        select(Event.event_id, Event.event_type, Event.biz_step, Event.event_time,
               Event.organisation_id).distinct()
        .join(EventObject, EventObject.event_pk == Event.id)
        .where(EventObject.uri.in_(list(uris)), Event.declaration.is_(False))
        .order_by(Event.event_time)).all())


def declarations_naming(uow: UnitOfWork, uris: Collection[str]) -> list[AnyRow]:
    """Rows (event_id, body) of the error declarations naming any of ``uris`` (a declaration
    names the lots of the event it declares)."""
    return list(session_of(uow).execute(
        select(Event.event_id, Event.body)
        .where(Event.declaration.is_(True),
               Event.id.in_(select(EventObject.event_pk)
                            .where(EventObject.uri.in_(list(uris)))))).all())


def organisation_names(uow: UnitOfWork, ids: Collection[int]) -> list[AnyRow]:
    """Rows (id, name, kind, gln) of these organisations."""
    return list(session_of(uow).execute(
        select(Organisation.id, Organisation.name, Organisation.kind, Organisation.gln)
        .where(Organisation.id.in_(ids))).all())


def plots_with_places(uow: UnitOfWork, ids: Collection[int]) -> list[AnyRow]:
    """Rows (id, code, area_ha, geometry, commune, province, organisation_id) of these plots."""
    return list(session_of(uow).execute(
        select(Plot.id, Plot.code, Plot.area_ha, Plot.geometry, Farm.commune, Farm.province,
               Farm.organisation_id).join(Farm).where(Plot.id.in_(ids))).all())
