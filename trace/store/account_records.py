"""Organisations, users and API tokens as stored: looked up, added, changed. Added rows are ORM
instances the caller's unit of work commits."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update

from .accounts import ApiToken, Organisation, User
from .uow import session_of

if TYPE_CHECKING:
    from ..services.ports import UnitOfWork
    from .rows import AnyRow


def organisation_count(uow: UnitOfWork) -> int:
    return session_of(uow).scalar(select(func.count()).select_from(Organisation)) or 0


def organisation_named(uow: UnitOfWork, glns: Collection[str], names: Collection[str]
                       ) -> str | None:
    """The name of a registered organisation with one of these GLNs or names, if any."""
    return session_of(uow).scalar(select(Organisation.name).where(
        Organisation.gln.in_(glns) | Organisation.name.in_(names)).limit(1))


def organisation_id_named_or_gln(uow: UnitOfWork, name: str, gln: str) -> int | None:
    """The id of an organisation with this name or this GLN."""
    return session_of(uow).scalar(select(Organisation.id).where(
        (Organisation.name == name) | (Organisation.gln == gln)))


def organisation_id_by_gln(uow: UnitOfWork, gln: str) -> int | None:
    return session_of(uow).scalar(select(Organisation.id).where(Organisation.gln == gln))


def organisation_by_gln(uow: UnitOfWork, gln: str) -> Organisation | None:
    return session_of(uow).scalar(select(Organisation).where(Organisation.gln == gln))


def organisation_by_ref(uow: UnitOfWork, ref: str) -> Organisation | None:
    """By id (fewer than 13 digits) or GLN, or by exact name."""
    cond = Organisation.gln == ref
    if ref.isdigit() and len(ref) < 13:
        cond = Organisation.id == int(ref)
    return session_of(uow).scalar(select(Organisation).where(cond | (Organisation.name == ref)))


def company_prefixes_held(uow: UnitOfWork) -> list[str]:
    """Every company prefix an organisation holds."""
    return [p for p in session_of(uow).scalars(
        select(Organisation.company_prefix).where(Organisation.company_prefix.is_not(None)))
        if p is not None]


def add(uow: UnitOfWork, row: Organisation | User | ApiToken) -> None:
    """Add a new row, written when the unit of work flushes or commits."""
    session_of(uow).add(row)


def flush(uow: UnitOfWork) -> None:
    """Send the changes made so far (to loaded rows too) to the database."""
    session_of(uow).flush()


def user_id_by_email(uow: UnitOfWork, email: str) -> int | None:
    return session_of(uow).scalar(select(User.id).where(User.email == email))


def token_rows(uow: UnitOfWork, email: str | None = None) -> list[AnyRow]:
    """Rows (id, email, label, prefix, created_at, expires_at, revoked_at) of every token (of
    one user's), oldest first."""
    query = (select(ApiToken.id, User.email, ApiToken.label, ApiToken.prefix,
                    ApiToken.created_at, ApiToken.expires_at, ApiToken.revoked_at)
             .join(User, User.id == ApiToken.user_id).order_by(ApiToken.id))
    if email is not None:
        query = query.where(User.email == email)
    return list(session_of(uow).execute(query).all())


def token_ids(uow: UnitOfWork, *, token_id: int | None = None, token_hash: str | None = None,
              prefix: str | None = None, email: str | None = None) -> list[int]:
    """The ids of the tokens chosen by one of: id, hash of the whole token, printed prefix, or
    their user's e-mail."""
    if token_id is not None:
        chosen = select(ApiToken.id).where(ApiToken.id == token_id)
    elif token_hash is not None:
        chosen = select(ApiToken.id).where(ApiToken.token_hash == token_hash)
    elif prefix is not None:
        chosen = select(ApiToken.id).where(ApiToken.prefix == prefix)
    else:
        chosen = (select(ApiToken.id).join(User, User.id == ApiToken.user_id)
                  .where(User.email == email))
    return list(session_of(uow).scalars(chosen))


def revoke_tokens(uow: UnitOfWork, ids: Collection[int], at: datetime) -> None:
    """Revoke these tokens (those not revoked already) at ``at``."""
    session_of(uow).execute(update(ApiToken).where(ApiToken.id.in_(ids),
                                                   ApiToken.revoked_at.is_(None))
                            .values(revoked_at=at))


def token_holder(uow: UnitOfWork, token_hash: str) -> AnyRow | None:
    """The row (id, role, organisation_id, email, expires_at, revoked_at, disabled_at) of the
    user holding the token with this hash."""
    return session_of(uow).execute(
        select(User.id, User.role, User.organisation_id, User.email, ApiToken.expires_at,
               ApiToken.revoked_at, User.disabled_at)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == token_hash)
    ).first()
