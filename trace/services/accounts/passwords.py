"""Passwords through one-time links: an admin invites a user (or makes a reset link for one)
and hands them ``/app/set-password/<token>``; the link sets the password once (docs/CONSOLE.md).

Only the token's SHA-256 is stored; a link is single use, expires (72 h by default), and a new
link for the same user retires the older ones.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from ...domain import policy
from ...domain.actor import Actor
from ...domain.errors import NotFound, Problem, Text, ValidationFailed
from ...domain.sign_in import password_problems
from ...store import console_records as stored
from ...store.console_models import PasswordLink
from ..ports import UnitOfWork
from . import organisations
from .sign_in import aware, end_sessions, hash_password

LINK_LIFETIME = timedelta(hours=72)
PURPOSES = ("invite", "reset")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class LinkUnusable(Exception):
    """The link is unknown, already used, or expired (``reason``: unknown | used | expired)."""

    def __init__(self, reason: str):
        super().__init__(f"this link is {reason}")
        self.reason = reason


@dataclass(frozen=True)
class LinkFor:
    email: str
    name: str
    purpose: str


def invite(actor: Actor | None, email: str, name: str, role: str, organisation_id: int | None,
           uow: UnitOfWork, *, now: datetime, lifetime: timedelta = LINK_LIFETIME
           ) -> tuple[int, str]:
    """A new user and the token of their one-time link: (user id, token).

    ``actor`` None: the operator at the shell (``tracechain user invite``), who may do anything.
    :raises Forbidden: not an admin. :raises ValidationFailed, Conflict: as for
    ``organisations.create_user``.
    """
    if actor is not None:
        policy.require_manage_accounts(actor)
    email = email.strip()
    user_id = organisations.create_user(email, name.strip(), role, organisation_id, uow)
    return user_id, _new_link(user_id, "invite", actor, uow, now, lifetime)


def reset_link(actor: Actor | None, user_id: int, uow: UnitOfWork, *, now: datetime,
               lifetime: timedelta = LINK_LIFETIME) -> str:
    """A one-time link that sets a new password for the user (older links stop working).

    :raises Forbidden: not an admin. :raises NotFound: no such user.
    """
    if actor is not None:
        policy.require_manage_accounts(actor)
    return _new_link(user_id, "reset", actor, uow, now, lifetime)


def _new_link(user_id: int, purpose: str, actor: Actor | None, uow: UnitOfWork,
              now: datetime, lifetime: timedelta) -> str:
    token = secrets.token_urlsafe(32)
    with uow.writing() as w:
        if stored.user_by_id(w, user_id) is None:
            raise NotFound(Text("no user %(id)s", id=user_id))
        stored.retire_links_of(w, user_id, now)
        stored.add(w, PasswordLink(token_hash=_hash(token), user_id=user_id, purpose=purpose,
                                   created_by=actor.user_id if actor else None,
                                   created_at=now, expires_at=now + lifetime))
        w.commit()
    return token


def _usable(link: PasswordLink | None, now: datetime) -> PasswordLink:
    if link is None or len(link.token_hash) != 64:
        raise LinkUnusable("unknown")
    if link.used_at is not None:
        raise LinkUnusable("used")
    if aware(link.expires_at) <= now:
        raise LinkUnusable("expired")
    return link


def link_for(token: str, uow: UnitOfWork, *, now: datetime) -> LinkFor:
    """Whose link this is. :raises LinkUnusable: unknown, used or expired."""
    with uow:
        link = _usable(stored.password_link(uow, _hash(token)), now)
        user = stored.user_by_id(uow, link.user_id)
        if user is None or user.disabled_at is not None:
            raise LinkUnusable("unknown")
        return LinkFor(user.email, user.name, link.purpose)


def set_password(token: str, password: str, confirmation: str, uow: UnitOfWork, *,
                 now: datetime) -> str:
    """Set the password of the link's user, once; their other sessions end. The e-mail.

    :raises LinkUnusable: unknown, used or expired (nothing changes).
    :raises ValidationFailed: the password breaks a rule (``domain.sign_in``) or the two
        differ; the problems' messages are English message ids, under ``password``.
    """
    with uow.writing() as w:
        link = _usable(stored.password_link(w, _hash(token)), now)
        user = stored.user_by_id(w, link.user_id)
        if user is None or user.disabled_at is not None:
            raise LinkUnusable("unknown")
        problems = [Problem("password", m) for m in password_problems(password, user.email)]
        if not problems and password != confirmation:
            problems.append(Problem("confirmation", "The two passwords differ."))
        if problems:
            raise ValidationFailed("the password cannot be used", problems)
        user.password_hash = hash_password(password)
        stored.retire_links_of(w, user.id, now)
        end_sessions(w, user.id)
        w.commit()
        return user.email


def user_id(email: str, uow: UnitOfWork) -> int:
    """The id of the user with this e-mail (any case). :raises NotFound."""
    with uow:
        user = stored.user_by_email(uow, email)
        if user is None:
            raise NotFound(Text("no user with e-mail %(email)s", email=email))
        return user.id
