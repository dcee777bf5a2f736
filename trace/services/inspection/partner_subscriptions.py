"""A partner registers, from the console, a standard EPCIS 2.0 subscription for its own query:
"every event naming my lot" (``MATCH_anyEPCClass`` on the lot's class), delivered to its webhook
as it is recorded (``stream``), signed with its token (docs/SUBSCRIPTIONS.md). Recalls, holds
and inspection records of that lot, or of what it was made from (a notice names the lots made
from the one it concerns), are among those events: the partner's machines hear of them.

It is a named query and its subscription, made by ``services.subscriptions.queries`` as the
API makes them; the subscription's controls are checked before the query is stored, so a bad
webhook address stores neither."""

from __future__ import annotations

from typing import Any

from ...domain import policy
from ...domain.actor import Actor
from ...domain.errors import Problem, ValidationFailed
from ..lots.lineage import lot_key
from ..ports import UnitOfWork
from ..subscriptions import queries


def subscribe_to_lot(actor: Actor, name: str, gtin: str, lot: str, dest: str,
                     token: str | None, uow: UnitOfWork, *, allow: tuple[str, ...],
                     media_type: str = queries.JSON_LD) -> dict[str, Any]:
    """The query ``name`` (events naming the lot) and a streaming webhook subscription to it,
    its documents sent as ``media_type`` (``queries.MEDIA_TYPES``).

    :raises Forbidden: an account of no organisation;
    :raises ValidationFailed: a bad name, GTIN, lot or webhook (nothing stored);
    :raises Conflict: a query of that name exists.
    """
    policy.require_subscribe(actor)
    problems = []
    if not lot.strip():
        problems.append(Problem("$.lot", "give the lot's code"))
    try:
        key = lot_key(gtin, lot.strip() or "x")
    except ValidationFailed:
        problems.append(Problem("$.gtin", "a GTIN of 8, 12, 13 or 14 digits with its check "
                                "digit"))
    body: dict[str, Any] = {"dest": dest, "stream": True}
    if token:
        body["signatureToken"] = token
    try:
        queries.subscription_request(body, allow)
    except ValidationFailed as exc:
        problems += exc.problems
    if media_type not in queries.MEDIA_TYPES:
        problems.append(Problem("$.format", "JSON-LD or XML"))
    if problems:
        raise ValidationFailed(problems[0].message, problems)
    queries.create_query({"name": name, "query": {"MATCH_anyEPCClass": [key.uri]}}, actor, uow)
    return queries.create_subscription(name, body, actor, uow, allow=allow,
                                       media_type=media_type)


def my_subscriptions(actor: Actor, uow: UnitOfWork) -> list[dict[str, Any]]:
    """The caller's queries (the first 50), each with its subscriptions (the first 20)."""
    policy.require_subscribe(actor)
    found, _ = queries.list_queries(actor, uow, after=0, limit=50)
    for q in found:
        q["subscriptions"], _ = queries.list_subscriptions(q["name"], actor, uow, after="",
                                                           limit=20)
    return found
