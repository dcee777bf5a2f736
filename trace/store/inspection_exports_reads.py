"""Reads for the inspector's exports (issue #12, docs/inspector/EXPORTS.md): the lots of a
lineage with their plots and farms, product names, certificates, recalls, and the EU numbers of
a lot's due diligence statements (with their one write: a new row, never an update)."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from sqlalchemy import select

from .accounts import Organisation
from .catalogue import Farm, Plot, Product
from .eudr_models import EudrStatement
from .lots import Lot
from .public_records import Certification, Recall
from .uow import session_of

if TYPE_CHECKING:
    from ..services.ports import UnitOfWork
    from .rows import AnyRow

_CHUNK = 500


def lots_by_uris(uow: UnitOfWork, uris: Collection[str]) -> list[AnyRow]:
    """Rows (id, uri, gtin, code, quantity, unit, owner_id, plot_id, created_event_pk)."""
    session, todo = session_of(uow), sorted(uris)
    out: list[AnyRow] = []
    for start in range(0, len(todo), _CHUNK):
        out.extend(session.execute(
            select(Lot.id, Lot.uri, Lot.gtin, Lot.code, Lot.quantity, Lot.unit, Lot.owner_id,
                   Lot.plot_id, Lot.created_event_pk)
            .where(Lot.uri.in_(todo[start:start + _CHUNK]))).all())
    return out


def lots_by_ids(uow: UnitOfWork, ids: Collection[int]) -> list[AnyRow]:
    """As ``lots_by_uris``, by row id."""
    session, todo = session_of(uow), sorted(ids)
    out: list[AnyRow] = []
    for start in range(0, len(todo), _CHUNK):
        out.extend(session.execute(
            select(Lot.id, Lot.uri, Lot.gtin, Lot.code, Lot.quantity, Lot.unit, Lot.owner_id,
                   Lot.plot_id, Lot.created_event_pk)
            .where(Lot.id.in_(todo[start:start + _CHUNK]))).all())
    return out


def plots_with_farms(uow: UnitOfWork, ids: Collection[int]) -> list[AnyRow]:
    """Rows (id, code, area_ha, geometry, farm_code, farmer_name, commune, district, province,
    organisation_id, country) of these plots, by plot id."""
    session, todo = session_of(uow), sorted(ids)
    out: list[AnyRow] = []
    for start in range(0, len(todo), _CHUNK):
        out.extend(session.execute(
            select(Plot.id, Plot.code, Plot.area_ha, Plot.geometry, Farm.code.label("farm_code"),
                   Farm.farmer_name, Farm.commune, Farm.district, Farm.province,
                   Farm.organisation_id, Organisation.country)
            .join(Farm, Farm.id == Plot.farm_id)
            .join(Organisation, Organisation.id == Farm.organisation_id)
            .where(Plot.id.in_(todo[start:start + _CHUNK])).order_by(Plot.id)).all())
    return out


def products(uow: UnitOfWork, gtins: Collection[str]) -> list[AnyRow]:
    """Rows (gtin, kind, name_vi, name_en)."""
    if not gtins:
        return []
    return list(session_of(uow).execute(
        select(Product.gtin, Product.kind, Product.name_vi, Product.name_en)
        .where(Product.gtin.in_(list(gtins)))).all())


def organisations(uow: UnitOfWork, ids: Collection[int]) -> list[AnyRow]:
    """Rows (id, name, gln, country)."""
    if not ids:
        return []
    return list(session_of(uow).execute(
        select(Organisation.id, Organisation.name, Organisation.gln, Organisation.country)
        .where(Organisation.id.in_(list(ids)))).all())


def certifications(uow: UnitOfWork, org_ids: Collection[int]) -> list[AnyRow]:
    """Rows (organisation_id, scheme, code, issuer, valid_until)."""
    if not org_ids:
        return []
    return list(session_of(uow).execute(
        select(Certification.organisation_id, Certification.scheme, Certification.code,
               Certification.issuer, Certification.valid_until)
        .where(Certification.organisation_id.in_(list(org_ids)))
        .order_by(Certification.organisation_id, Certification.scheme)).all())


def recalls(uow: UnitOfWork, lot_ids: Collection[int]) -> list[AnyRow]:
    """Rows (lot_id, recall_class, reason, reason_vi, created_at, lifted_at)."""
    if not lot_ids:
        return []
    return list(session_of(uow).execute(
        select(Recall.lot_id, Recall.recall_class, Recall.reason, Recall.reason_vi,
               Recall.created_at, Recall.lifted_at)
        .where(Recall.lot_id.in_(list(lot_ids))).order_by(Recall.created_at)).all())


def statements(uow: UnitOfWork, lot_id: int) -> list[AnyRow]:
    """Rows (id, reference_number, verification_number, note, organisation, recorded_by,
    recorded_at, replaces_id) of the lot's recorded statements, oldest first."""
    return list(session_of(uow).execute(
        select(EudrStatement.id, EudrStatement.reference_number,
               EudrStatement.verification_number, EudrStatement.note,
               Organisation.name.label("organisation"), EudrStatement.recorded_by,
               EudrStatement.recorded_at, EudrStatement.replaces_id)
        .outerjoin(Organisation, Organisation.id == EudrStatement.organisation_id)
        .where(EudrStatement.lot_id == lot_id).order_by(EudrStatement.id)).all())


def add_statement(uow: UnitOfWork, **columns: object) -> int:
    """A new row (the only write: rows are never updated or deleted)."""
    row = EudrStatement(**columns)
    session = session_of(uow)
    session.add(row)
    session.flush()
    return row.id


def lot_holder(uow: UnitOfWork, lot_id: int) -> int | None:
    """The organisation holding the lot."""
    return session_of(uow).scalar(select(Lot.owner_id).where(Lot.id == lot_id))
