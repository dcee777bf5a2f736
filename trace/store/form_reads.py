"""What the recording forms offer in their pick-lists: the partner directory, the lots shipped
to an organisation and waiting to be received, and its plots with their farms."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select

from .accounts import Organisation
from .catalogue import Farm, Plot, Product
from .events import EventField
from .lots import Lot
from .uow import session_of

if TYPE_CHECKING:
    from ..services.ports import UnitOfWork
    from .rows import AnyRow


def directory(uow: UnitOfWork, search: str, limit: int,
              glns: Collection[str] | None = None) -> list[AnyRow]:
    """(id, name, kind, gln, province) of organisations whose name holds ``search`` or whose
    GLN starts with it (all when empty), by name; only those of ``glns`` when given."""
    query = select(Organisation.id, Organisation.name, Organisation.kind, Organisation.gln,
                   Organisation.province).order_by(Organisation.name).limit(limit)
    if glns is not None:
        query = query.where(Organisation.gln.in_(list(glns)))
    if search:
        query = query.where(or_(func.lower(Organisation.name).contains(search.lower(),
                                                                       autoescape=True),
                                Organisation.gln.startswith(search, autoescape=True)))
    return list(session_of(uow).execute(query).all())


def incoming(uow: UnitOfWork, organisation_id: int) -> list[AnyRow]:
    """(kind, uri, gtin, code, quantity, unit, container, sender, name_vi, name_en) of the lots
    and logistic units on their way to ``organisation_id``."""
    return list(session_of(uow).execute(
        select(Lot.kind, Lot.uri, Lot.gtin, Lot.code, Lot.quantity, Lot.unit, Lot.container,
               Organisation.name.label("sender"), Product.name_vi, Product.name_en)
        .outerjoin(Organisation, Organisation.id == Lot.owner_id)
        .outerjoin(Product, Product.gtin == Lot.gtin)
        .where(Lot.in_transit_to_id == organisation_id).order_by(Lot.id)).all())


def plots_of(uow: UnitOfWork, organisation_id: int) -> list[AnyRow]:
    """(id, code, crop, area_ha, farm_code, farmer_name) of the organisation's plots."""
    return list(session_of(uow).execute(
        select(Plot.id, Plot.code, Plot.crop, Plot.area_ha, Farm.code.label("farm_code"),
               Farm.farmer_name)
        .join(Farm, Farm.id == Plot.farm_id)
        .where(Farm.organisation_id == organisation_id)
        .order_by(Farm.farmer_name, Plot.code)).all())


def units_held(uow: UnitOfWork, organisation_id: int) -> list[str]:
    """URIs of the logistic units (SSCCs) the organisation holds, not shipped, newest first."""
    return list(session_of(uow).scalars(
        select(Lot.uri).where(Lot.kind == "unit", Lot.owner_id == organisation_id,
                              Lot.in_transit_to_id.is_(None)).order_by(Lot.id.desc())))


def traded_with(uow: UnitOfWork, organisation_id: int) -> set[str]:
    """Party URIs (``…/417/<GLN>``) named as a source or destination in the organisation's own
    events: those it shipped to and received from (the query index, ``store/event_fields``)."""
    return set(session_of(uow).scalars(
        select(EventField.text_value).distinct().where(
            EventField.organisation_id == organisation_id,
            or_(EventField.name.startswith("dst:"), EventField.name.startswith("src:")),
            EventField.text_value.contains("/417/"))))
