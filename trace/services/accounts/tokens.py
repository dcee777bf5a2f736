"""API tokens: created with a lifetime, listed without their secret, revoked, checked.

Only a token's SHA-256 is stored, with its first characters (``prefix``) so that an operator can
tell tokens apart and revoke one without ever seeing a secret again.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import overload

from ...domain.actor import Actor
from ...domain.errors import NotFound, Problem, Text, Unauthenticated, ValidationFailed
from ...store import account_records as stored
from ...store.accounts import ApiToken
from ..ports import UnitOfWork

TOKEN_PREFIX = "tc_"
PREFIX_LENGTH = len(TOKEN_PREFIX) + 8
DEFAULT_LIFETIME = timedelta(days=90)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@overload
def _aware(moment: datetime) -> datetime: ...


@overload
def _aware(moment: datetime | None) -> datetime | None: ...


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite gives back naive datetimes; every time we store is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def create_token(email: str, label: str, uow: UnitOfWork, *, expires_at: datetime | None = None,
                 lifetime: timedelta | None = DEFAULT_LIFETIME) -> str:
    """A new bearer token for the user; only its hash is kept, so show it once.

    It expires at ``expires_at`` if given, else ``lifetime`` from now (``None``: never).
    """
    now = datetime.now(UTC)
    if expires_at is None and lifetime is not None:
        expires_at = now + lifetime
    if expires_at is not None and _aware(expires_at) <= now:
        raise ValidationFailed(Text("invalid token"), [Problem("$.expiresAt",
                                                                   Text("is in the past"))])
    if len(label) > 100:
        raise ValidationFailed(Text("invalid token"), [
            Problem("$.label", Text("at most %(n)s characters", n=100))])
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with uow.writing() as w:
        user_id = stored.user_id_by_email(w, email)
        if user_id is None:
            raise NotFound(Text("no user with e-mail %(email)s", email=email))
        stored.add(w, ApiToken(user_id=user_id, label=label, token_hash=token_hash(token),
                               prefix=token[:PREFIX_LENGTH], expires_at=_aware(expires_at)))
        w.commit()
    return token


@dataclass(frozen=True)
class TokenInfo:
    id: int
    email: str
    label: str
    prefix: str | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


def list_tokens(uow: UnitOfWork, email: str | None = None) -> list[TokenInfo]:
    """Every token (or one user's), oldest first: never the secret, which we do not have."""
    with uow:
        rows = stored.token_rows(uow, email)
    return [TokenInfo(r.id, r.email, r.label, r.prefix, _aware(r.created_at),
                      _aware(r.expires_at), _aware(r.revoked_at)) for r in rows]


def revoke_tokens(uow: UnitOfWork, *, token_id: int | None = None, prefix: str | None = None,
                  email: str | None = None) -> int:
    """Revoke one token (by id or by its printed prefix) or all of a user's; how many.

    :raises ValidationFailed: not exactly one way of choosing, or a prefix too short to be one
    token's. :raises NotFound: nothing matched.
    """
    if sum(x is not None for x in (token_id, prefix, email)) != 1:
        raise ValidationFailed("say which tokens: an id, a token prefix, or a user's e-mail")
    if prefix is not None and len(prefix) < PREFIX_LENGTH:
        raise ValidationFailed(f"a token prefix has {PREFIX_LENGTH} characters, like "
                               f"{TOKEN_PREFIX}Ab3dE5gH (see `tracechain token list`)")
    with uow.writing() as w:
        if token_id is not None:
            ids = stored.token_ids(w, token_id=token_id)
        elif prefix is not None and len(prefix) > PREFIX_LENGTH:  # the whole token
            ids = stored.token_ids(w, token_hash=token_hash(prefix))
        elif prefix is not None:
            ids = stored.token_ids(w, prefix=prefix)
        else:
            ids = stored.token_ids(w, email=email)
        if not ids:
            raise NotFound(Text("no such token"))
        if prefix is not None and len(ids) > 1:
            raise ValidationFailed(f"{len(ids)} tokens start with {prefix}: revoke by id")
        stored.revoke_tokens(w, ids, datetime.now(UTC))
        w.commit()
    return len(ids)


def actor_for_token(token: str, uow: UnitOfWork) -> Actor:
    """Who holds this token. :raises Unauthenticated: unknown, revoked or expired (and says
    which, with when)."""
    with uow:
        row = stored.token_holder(uow, token_hash(token))
    if row is None:
        raise Unauthenticated(Text("the bearer token is unknown"))
    if row.revoked_at is not None:
        raise Unauthenticated(Text("the bearer token was revoked on %(when)s",
                                   when=_stamp(row.revoked_at)))
    if row.disabled_at is not None:  # an admin disabled the account (the console's users page)
        raise Unauthenticated(Text("the account holding this token was disabled on %(when)s",
                                   when=_stamp(row.disabled_at)))
    expires_at = _aware(row.expires_at)
    if expires_at is not None and expires_at <= datetime.now(UTC):
        raise Unauthenticated(Text("the bearer token expired on %(when)s",
                                   when=_stamp(expires_at)))
    return Actor(row.id, row.role, row.organisation_id, row.email)


def _stamp(moment: datetime) -> str:
    return _aware(moment).strftime("%Y-%m-%d %H:%M UTC")
