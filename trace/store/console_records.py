"""The console's sign-in records as stored: users by e-mail, sessions, one-time password links,
sign-in throttles, and the lists the admin pages show. Added rows are ORM instances the caller's
unit of work commits."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select

from .accounts import Organisation, User
from .console_models import ConsoleSession, PasswordLink, SignInThrottle
from .uow import session_of

if TYPE_CHECKING:
    from ..services.ports import UnitOfWork
    from .rows import AnyRow


def add(uow: UnitOfWork, row: ConsoleSession | PasswordLink | SignInThrottle) -> None:
    session_of(uow).add(row)


def user_by_email(uow: UnitOfWork, email: str) -> User | None:
    """By e-mail, without regard to case (people type theirs in many ways)."""
    return session_of(uow).scalar(select(User).where(
        func.lower(User.email) == email.strip().lower()))


def user_by_id(uow: UnitOfWork, user_id: int) -> User | None:
    return session_of(uow).get(User, user_id)


def session_holder(uow: UnitOfWork, id_hash: str) -> AnyRow | None:
    """(user_id, role, organisation_id, email, name, disabled_at, csrf_token, expires_at) of
    the session with this hash."""
    return session_of(uow).execute(
        select(User.id.label("user_id"), User.role, User.organisation_id, User.email, User.name,
               User.disabled_at, ConsoleSession.csrf_token, ConsoleSession.expires_at)
        .join(ConsoleSession, ConsoleSession.user_id == User.id)
        .where(ConsoleSession.id_hash == id_hash)).first()


def delete_session(uow: UnitOfWork, id_hash: str) -> None:
    session_of(uow).execute(delete(ConsoleSession).where(ConsoleSession.id_hash == id_hash))


def delete_sessions_of(uow: UnitOfWork, user_id: int, *, expired_before: datetime | None = None
                       ) -> None:
    """Every session of the user (or only those expired before ``expired_before``)."""
    query = delete(ConsoleSession).where(ConsoleSession.user_id == user_id)
    if expired_before is not None:
        query = query.where(ConsoleSession.expires_at < expired_before)
    session_of(uow).execute(query)


def session_count(uow: UnitOfWork, user_id: int) -> int:
    return session_of(uow).scalar(select(func.count()).select_from(ConsoleSession)
                                  .where(ConsoleSession.user_id == user_id)) or 0


def password_link(uow: UnitOfWork, token_hash: str) -> PasswordLink | None:
    return session_of(uow).scalar(select(PasswordLink).where(
        PasswordLink.token_hash == token_hash))


def retire_links_of(uow: UnitOfWork, user_id: int, at: datetime) -> None:
    """Mark the user's unused links used: a new link (or a password set) replaces them."""
    for link in session_of(uow).scalars(select(PasswordLink).where(
            PasswordLink.user_id == user_id, PasswordLink.used_at.is_(None))):
        link.used_at = at


def throttles(uow: UnitOfWork, key_hashes: Collection[str]) -> dict[str, SignInThrottle]:
    rows = session_of(uow).scalars(select(SignInThrottle).where(
        SignInThrottle.key_hash.in_(key_hashes)))
    return {row.key_hash: row for row in rows}


def organisation_rows(uow: UnitOfWork) -> list[AnyRow]:
    """(id, name, kind, gln, province, company_prefix, users) of every organisation, by name."""
    users = (select(func.count()).select_from(User)
             .where(User.organisation_id == Organisation.id).scalar_subquery())
    return list(session_of(uow).execute(
        select(Organisation.id, Organisation.name, Organisation.kind, Organisation.gln,
               Organisation.province, Organisation.company_prefix, users.label("users"))
        .order_by(Organisation.name)).all())


def organisation_name(uow: UnitOfWork, organisation_id: int) -> AnyRow | None:
    """(id, name, kind, gln, province) of one organisation."""
    return session_of(uow).execute(
        select(Organisation.id, Organisation.name, Organisation.kind, Organisation.gln,
               Organisation.province).where(Organisation.id == organisation_id)).first()


def user_rows(uow: UnitOfWork, organisation_id: int | None = None) -> list[AnyRow]:
    """(id, email, name, role, organisation_id, organisation, has_password, disabled_at) of
    every user (of one organisation's), by e-mail."""
    query = (select(User.id, User.email, User.name, User.role, User.organisation_id,
                    Organisation.name.label("organisation"),
                    User.password_hash.is_not(None).label("has_password"), User.disabled_at)
             .outerjoin(Organisation, Organisation.id == User.organisation_id)
             .order_by(User.email))
    if organisation_id is not None:
        query = query.where(User.organisation_id == organisation_id)
    return list(session_of(uow).execute(query).all())
