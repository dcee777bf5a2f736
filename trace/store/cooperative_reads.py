"""What the cooperative steps read before they record an event: the acting organisation, the
lots and products a request names, plots, logistic units and who holds them."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from sqlalchemy import select

from .accounts import Organisation
from .catalogue import Farm, Plot, Product
from .lots import Lot
from .uow import session_of

if TYPE_CHECKING:
    from ..services.ports import UnitOfWork
    from .rows import AnyRow


def organisation(uow: UnitOfWork, organisation_id: int) -> Organisation | None:
    return session_of(uow).get(Organisation, organisation_id)


def organisation_by_gln(uow: UnitOfWork, gln: str) -> AnyRow | None:
    """The row (id, gln) of the organisation with this GLN."""
    return session_of(uow).execute(select(Organisation.id, Organisation.gln)
                                   .where(Organisation.gln == gln)).first()


def organisation_gln(uow: UnitOfWork, organisation_id: int) -> str | None:
    return session_of(uow).scalar(select(Organisation.gln)
                                  .where(Organisation.id == organisation_id))


def lots_by_uris(uow: UnitOfWork, uris: Collection[str]) -> list[Lot]:
    return list(session_of(uow).scalars(select(Lot).where(Lot.uri.in_(uris))))


def products_by_gtin(uow: UnitOfWork, gtins: Collection[str]) -> dict[str, AnyRow]:
    """Rows (gtin, kind, attributes) of the registered products among ``gtins``, by GTIN."""
    return {p.gtin: p for p in session_of(uow).execute(
        select(Product.gtin, Product.kind, Product.attributes).where(Product.gtin.in_(gtins)))}


def plot_with_owner(uow: UnitOfWork, plot_id: int) -> AnyRow | None:
    """The row (id, code, crop, organisation_id: its farm's) of the plot."""
    return session_of(uow).execute(select(Plot.id, Plot.code, Plot.crop, Farm.organisation_id)
                                   .join(Farm).where(Plot.id == plot_id)).first()


def holdings(uow: UnitOfWork, uris: Collection[str]) -> dict[str, AnyRow]:
    """Rows (uri, owner_id, in_transit_to_id) of the recorded lots or units among ``uris``."""
    return {r.uri: r for r in session_of(uow).execute(
        select(Lot.uri, Lot.owner_id, Lot.in_transit_to_id).where(Lot.uri.in_(uris)))}


def holders(uow: UnitOfWork, uris: Collection[str]) -> set[int | None]:
    """Who holds each of these lots or units."""
    return set(session_of(uow).scalars(select(Lot.owner_id).where(Lot.uri.in_(uris))))
