"""Products, farms and plots as stored: looked up, listed, added. Added rows are ORM instances
the caller's unit of work commits."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from .accounts import Organisation
from .catalogue import Farm, Plot, Product
from .uow import session_of

if TYPE_CHECKING:
    from ..services.ports import UnitOfWork


def organisation_exists(uow: UnitOfWork, organisation_id: int) -> bool:
    return session_of(uow).get(Organisation, organisation_id) is not None


def product(uow: UnitOfWork, gtin: str) -> Product | None:
    return session_of(uow).get(Product, gtin)


def products(uow: UnitOfWork, kind: str | None = None) -> list[Product]:
    """Every registered product (of ``kind``), by GTIN."""
    stmt = select(Product).order_by(Product.gtin)
    if kind:
        stmt = stmt.where(Product.kind == kind)
    return list(session_of(uow).scalars(stmt))


def add_product(uow: UnitOfWork, **columns: Any) -> Product:
    row = Product(**columns)
    session_of(uow).add(row)
    return row


def farm(uow: UnitOfWork, farm_id: int) -> Farm | None:
    return session_of(uow).get(Farm, farm_id)


def farm_code_taken(uow: UnitOfWork, organisation_id: int, code: str) -> bool:
    return session_of(uow).scalar(select(Farm.id).where(
        Farm.organisation_id == organisation_id, Farm.code == code)) is not None


def farms(uow: UnitOfWork, organisation_id: int | None = None, *, everyone: bool = False
          ) -> list[Farm]:
    """The organisation's farms (every farm: ``everyone``), oldest first."""
    stmt = select(Farm).order_by(Farm.id)
    if not everyone:
        stmt = stmt.where(Farm.organisation_id == organisation_id)
    return list(session_of(uow).scalars(stmt))


def add_farm(uow: UnitOfWork, **columns: Any) -> Farm:
    row = Farm(**columns)
    session_of(uow).add(row)
    return row


def plot_code_taken(uow: UnitOfWork, farm_id: int, code: str) -> bool:
    return session_of(uow).scalar(select(Plot.id).where(
        Plot.farm_id == farm_id, Plot.code == code)) is not None


def plots_of_farm(uow: UnitOfWork, farm_id: int) -> list[Plot]:
    return list(session_of(uow).scalars(
        select(Plot).where(Plot.farm_id == farm_id).order_by(Plot.id)))


def add_plot(uow: UnitOfWork, **columns: Any) -> Plot:
    row = Plot(**columns)
    session_of(uow).add(row)
    return row
