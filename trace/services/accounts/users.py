"""The admin's use cases over users and organisations, as the console shows them: lists, role
changes, disabling (which ends the user's sessions and revokes their tokens)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ...domain import policy
from ...domain.actor import ROLES, Actor
from ...domain.errors import Conflict, Forbidden, NotFound, Problem, Text, ValidationFailed
from ...store import account_records
from ...store import console_records as stored
from ..ports import UnitOfWork
from .sign_in import end_sessions


@dataclass(frozen=True)
class OrganisationLine:
    id: int
    name: str
    kind: str
    gln: str
    province: str | None
    company_prefix: str | None
    users: int


@dataclass(frozen=True)
class UserLine:
    id: int
    email: str
    name: str
    role: str
    organisation_id: int | None
    organisation: str | None
    has_password: bool
    disabled: bool


def organisations(actor: Actor, uow: UnitOfWork) -> list[OrganisationLine]:
    """Every organisation, by name. :raises Forbidden: not an admin."""
    policy.require_manage_accounts(actor)
    with uow:
        return [OrganisationLine(*r) for r in stored.organisation_rows(uow)]


def organisation(actor: Actor, organisation_id: int, uow: UnitOfWork) -> OrganisationLine:
    """One organisation, for its own members and admins. :raises NotFound, Forbidden."""
    if not policy.may_list_users(actor, organisation_id):
        raise Forbidden(Text("you are not a member of this organisation"))
    with uow:
        row = stored.organisation_name(uow, organisation_id)
    if row is None:
        raise NotFound(Text("no organisation %(id)s", id=organisation_id))
    return OrganisationLine(row.id, row.name, row.kind, row.gln, row.province, None, 0)


def users(actor: Actor, uow: UnitOfWork, organisation_id: int | None = None) -> list[UserLine]:
    """Every user (admins), or one organisation's (its members and admins), by e-mail.

    :raises Forbidden: a member asking for everyone's or another organisation's users.
    """
    if organisation_id is None:
        policy.require_manage_accounts(actor)
    elif not policy.may_list_users(actor, organisation_id):
        raise Forbidden(Text("you are not a member of this organisation"))
    with uow:
        rows = stored.user_rows(uow, organisation_id)
    return [UserLine(r.id, r.email, r.name, r.role, r.organisation_id, r.organisation,
                     bool(r.has_password), r.disabled_at is not None) for r in rows]


def change_role(actor: Actor, user_id: int, role: str, uow: UnitOfWork) -> None:
    """:raises Forbidden: not an admin, or an admin changing their own role (they could lock
    everyone out). :raises ValidationFailed: unknown role, or a member without organisation."""
    policy.require_manage_accounts(actor)
    if user_id == actor.user_id:
        raise Forbidden(Text("you cannot change your own role"))
    if role not in ROLES:
        raise ValidationFailed("invalid role", [Problem("role", "unknown role")])
    with uow.writing() as w:
        user = stored.user_by_id(w, user_id)
        if user is None:
            raise NotFound(Text("no user %(id)s", id=user_id))
        if role == "member" and user.organisation_id is None:
            raise ValidationFailed("a member belongs to an organisation", [
                Problem("role", "a member belongs to an organisation")])
        user.role = role
        end_sessions(w, user.id)  # the next page is seen with the new role, after signing in
        w.commit()


def set_disabled(actor: Actor, user_id: int, disabled: bool, uow: UnitOfWork, *,
                 now: datetime) -> None:
    """Disable a user (their sessions end at once and their API tokens are revoked) or enable
    them again (they sign in with their password; tokens stay revoked).

    :raises Forbidden: not an admin, or an admin disabling themself. :raises NotFound.
    """
    policy.require_manage_accounts(actor)
    if user_id == actor.user_id:
        raise Forbidden(Text("you cannot disable yourself"))
    with uow.writing() as w:
        user = stored.user_by_id(w, user_id)
        if user is None:
            raise NotFound(Text("no user %(id)s", id=user_id))
        if disabled and user.disabled_at is not None:
            raise Conflict(Text("%(email)s is disabled already", email=user.email))
        user.disabled_at = now if disabled else None
        if disabled:
            end_sessions(w, user.id)
            account_records.revoke_tokens(w, account_records.token_ids(w, email=user.email),
                                          now)
        w.commit()


def user_email(actor: Actor, user_id: int, uow: UnitOfWork) -> str:
    """:raises Forbidden: not an admin. :raises NotFound."""
    policy.require_manage_accounts(actor)
    with uow:
        user = stored.user_by_id(uow, user_id)
        if user is None:
            raise NotFound(Text("no user %(id)s", id=user_id))
        return user.email
