"""Certificates as stored, each read with its holder's GLN and name: rows are
(Certification, gln, name)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from .accounts import Organisation
from .public_records import Certification
from .uow import session_of

if TYPE_CHECKING:
    from ..services.ports import UnitOfWork
    from .rows import AnyRow, AnySelect


def _select() -> AnySelect:
    return (select(Certification, Organisation.gln, Organisation.name)
            .join(Organisation, Organisation.id == Certification.organisation_id))


def _order(stmt: AnySelect) -> AnySelect:
    return stmt.order_by(Certification.organisation_id, Certification.scheme, Certification.id)


def valid_certifications(uow: UnitOfWork, organisation_ids: Collection[int], on: date
                         ) -> list[AnyRow]:
    """The certificates of these organisations that have not expired on ``on``, by holder,
    scheme and id."""
    return list(session_of(uow).execute(_order(_select().where(
        Certification.organisation_id.in_(organisation_ids),
        Certification.valid_until.is_(None) | (Certification.valid_until >= on)))))


def certifications(uow: UnitOfWork, organisation_id: int | None = None) -> list[AnyRow]:
    """Every certificate of the organisation (of every one: None), by holder, scheme and id."""
    stmt = _select()
    if organisation_id is not None:
        stmt = stmt.where(Certification.organisation_id == organisation_id)
    return list(session_of(uow).execute(_order(stmt)))


def certification_row(uow: UnitOfWork, cert_id: int) -> AnyRow:
    return session_of(uow).execute(_select().where(Certification.id == cert_id)).one()


def organisation_id_by_gln(uow: UnitOfWork, gln: str) -> int | None:
    return session_of(uow).scalar(select(Organisation.id).where(Organisation.gln == gln))


def certificate_recorded(uow: UnitOfWork, organisation_id: int, scheme: str | None,
                         code: str | None) -> bool:
    return session_of(uow).scalar(select(Certification.id).where(
        Certification.organisation_id == organisation_id, Certification.scheme == scheme,
        Certification.code == code)) is not None


def add_certification(uow: UnitOfWork, **columns: Any) -> int:
    """Record a certificate; its id."""
    s = session_of(uow)
    cert = Certification(**columns)
    s.add(cert)
    s.flush()
    return cert.id


def certification(uow: UnitOfWork, cert_id: int) -> Certification | None:
    return session_of(uow).get(Certification, cert_id)


def delete_certification(uow: UnitOfWork, cert: Certification) -> None:
    session_of(uow).delete(cert)
