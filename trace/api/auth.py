"""Bearer-token authentication: who is calling, looked up by the token's SHA-256."""

from __future__ import annotations

from flask import g, request

from ..domain import policy
from ..domain.actor import Actor
from ..domain.errors import Unauthenticated
from ..services.accounts.tokens import actor_for_token
from .deps import uow


def current_actor() -> Actor:
    """The authenticated caller. :raises Unauthenticated: no token, or an unknown, revoked or
    expired one (saying which)."""
    if "actor" in g:
        return g.actor
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("authentication required: send 'Authorization: Bearer <token>'")
    actor = actor_for_token(token.strip(), uow())  # raises if unknown, revoked or expired
    g.actor = actor
    return actor


def writer() -> Actor:
    actor = current_actor()
    policy.require_writer(actor, "record events")
    return actor
