"""What serialising a lot and printing its labels read: its items, free serials, who made it,
its product's names, and the commissioning events of its lineage (harvest dates)."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from sqlalchemy import select

from .accounts import Organisation
from .catalogue import Product
from .events import DocumentContext, Event, EventObject
from .lots import Lot, LotLink
from .uow import session_of

if TYPE_CHECKING:
    from ..services.ports import UnitOfWork
    from .rows import AnyRow


def items_of_lot(uow: UnitOfWork, lot_id: int) -> list[tuple[str, str, str]]:
    """(serial, item URI, commissioning eventID) of the lot's items, in the order minted."""
    rows = session_of(uow).execute(
        select(Lot.code, Lot.uri, Event.event_id)
        .join(LotLink, LotLink.target_id == Lot.id)
        .join(Event, Event.id == LotLink.event_pk)
        .where(LotLink.source_id == lot_id, LotLink.kind == "commissioning",
               Lot.kind == "item")
        .order_by(Lot.id))
    return [(r.code, r.uri, r.event_id) for r in rows]


def recorded_uris(uow: UnitOfWork, uris: Collection[str]) -> set[str]:
    """Those of ``uris`` some lot, item or unit already has."""
    return set(session_of(uow).scalars(select(Lot.uri).where(Lot.uri.in_(uris))))


def uris_of_lots(uow: UnitOfWork, ids: Collection[int]) -> list[str]:
    return list(session_of(uow).scalars(select(Lot.uri).where(Lot.id.in_(ids))))


def making_event(uow: UnitOfWork, event_pk: int | None) -> AnyRow | None:
    """The row (organisation_id, body) of the event that made a lot."""
    return session_of(uow).execute(select(Event.organisation_id, Event.body)
                                   .where(Event.id == event_pk)).first()


def product_names(uow: UnitOfWork, gtin: str) -> AnyRow | None:
    """The row (name_vi, name_en) of the product."""
    return session_of(uow).execute(select(Product.name_vi, Product.name_en)
                                   .where(Product.gtin == gtin)).first()


def organisation_name(uow: UnitOfWork, organisation_id: int | None) -> str | None:
    return session_of(uow).scalar(select(Organisation.name)
                                  .where(Organisation.id == organisation_id))


def commissioning_rows(uow: UnitOfWork, uris: Collection[str], commissioning: str | None
                       ) -> list[AnyRow]:
    """Rows (id, body, context) of the ObjectEvents ADD with business step ``commissioning``
    naming any of ``uris``."""
    return list(session_of(uow).execute(
        select(Event.id, Event.body, DocumentContext.body.label("context"))
        .join(EventObject, EventObject.event_pk == Event.id)
        .join(DocumentContext, DocumentContext.id == Event.context_id)
        .where(EventObject.uri.in_(uris),
               Event.event_type == "ObjectEvent", Event.action == "ADD",
               Event.biz_step == commissioning)))
