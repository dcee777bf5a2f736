"""Stock reads: lots with their product and holder, what transformations took from them, who
owns a GTIN, and the facts access to a lot depends on."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from .accounts import Organisation
from .catalogue import Product
from .events import Event, EventObject
from .lots import Lot
from .uow import session_of

if TYPE_CHECKING:
    from ..services.ports import UnitOfWork
    from .rows import AnyRow

_Owner = aliased(Organisation)


def transformation_input_bodies(uow: UnitOfWork, uris: Collection[str]) -> list[bytes]:
    """The bodies of the events that named any of ``uris`` as a transformation input."""
    return list(session_of(uow).scalars(
        select(Event.body).distinct().join(EventObject, EventObject.event_pk == Event.id)
        .where(EventObject.role == "input_class", EventObject.uri.in_(uris))))


def _lot_rows(uow: UnitOfWork, *where: Any) -> list[AnyRow]:
    stmt = (select(Lot, Product.kind, Product.name_vi, Product.name_en, _Owner.name)
            .outerjoin(Product, Product.gtin == Lot.gtin)
            .outerjoin(_Owner, _Owner.id == Lot.owner_id)
            .where(Lot.kind == "lot", *where).order_by(Lot.id))
    return list(session_of(uow).execute(stmt).all())


def lot_rows(uow: UnitOfWork, owner_id: int | None = None, *, everyone: bool = False
             ) -> list[AnyRow]:
    """Rows (Lot, kind, name_vi, name_en, name: the holder's) of the lots ``owner_id`` holds,
    or of every lot (``everyone``), oldest first."""
    return _lot_rows(uow) if everyone else _lot_rows(uow, Lot.owner_id == owner_id)


def lot_rows_by_uri(uow: UnitOfWork, uri: str) -> list[AnyRow]:
    """The row (as ``lot_rows``) of the lot ``uri``, if it is a lot."""
    return _lot_rows(uow, Lot.uri == uri)


def organisation_named_lot(uow: UnitOfWork, uri: str, organisation_id: int) -> bool:
    """Whether the organisation recorded any event naming the lot ``uri``."""
    return session_of(uow).scalar(
        select(Event.id).join(EventObject, EventObject.event_pk == Event.id)
        .where(EventObject.uri == uri, Event.organisation_id == organisation_id).limit(1)
    ) is not None


def event_organisation(uow: UnitOfWork, event_pk: int) -> int | None:
    """The organisation that recorded the event ``event_pk``."""
    return session_of(uow).scalar(select(Event.organisation_id).where(Event.id == event_pk))


def company_prefixes(uow: UnitOfWork) -> dict[str, int]:
    """Every organisation's company prefix → its id (a few rows: one per organisation)."""
    return {p: i for p, i in session_of(uow).execute(
        select(Organisation.company_prefix, Organisation.id)
        .where(Organisation.company_prefix.is_not(None))).all() if p is not None}


def registered_owners(uow: UnitOfWork, gtins: Collection[str]) -> dict[str, int]:
    """GTIN → the organisation that registered the product, for those registered."""
    return {g: o for g, o in session_of(uow).execute(
        select(Product.gtin, Product.owner_id).where(Product.gtin.in_(gtins))).all()}
