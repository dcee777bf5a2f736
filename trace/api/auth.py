"""Bearer-token authentication: who is calling, looked up by the token's SHA-256."""

from __future__ import annotations

from flask import g, request

from ..domain import policy
from ..domain.actor import Actor
from ..domain.errors import Unauthenticated
from ..services.accounts import actor_for_token
from .deps import uow


def current_actor() -> Actor:
    """The authenticated caller. :raises Unauthenticated: no or an unknown/revoked token."""
    if "actor" in g:
        return g.actor
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("authentication required: send 'Authorization: Bearer <token>'")
    actor = actor_for_token(token.strip(), uow())
    if actor is None:
        raise Unauthenticated("the bearer token is unknown or revoked")
    g.actor = actor
    return actor


def writer() -> Actor:
    actor = current_actor()
    policy.require_writer(actor, "record events")
    return actor
