"""Named queries (``/queries``) and webhook subscriptions to them: made, listed, read, removed.

A named query belongs to its **owner**: the caller's organisation, or the caller alone when the
account belongs to none. Names are unique per owner (not across the service: a global name would
tell one organisation what another calls its queries). Nobody else sees, runs, subscribes to or
removes it: to them it does not exist (404). A query always runs with the access of whoever runs
it (``domain.policy`` through ``build_filter``); a subscription with that of the user who made it,
as that user is at delivery time.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ...domain.actor import Actor
from ...domain.errors import Conflict, NotFound, Problem, ValidationFailed
from ...store import subscriptions as stored
from ...store.subscription_models import Delivery, NamedQuery, Subscription
from ..epcis.query import Page, build_filter, query_events
from ..ports import UnitOfWork
from . import schedule as schedules
from .destinations import check_dest

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]{0,99}$")
PAGING = ("perPage", "nextPageToken")
SUBSCRIPTION_FIELDS = {"dest", "signatureToken", "stream", "schedule", "reportIfEmpty",
                       "initialRecordTime"}


def owner_of(actor: Actor) -> str:
    if actor.organisation_id is not None:
        return f"org:{actor.organisation_id}"
    return f"user:{actor.user_id}"


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite gives naive datetimes back; they are UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# --- named queries ----------------------------------------------------------------------------

def flatten(query: object, where: str = "$.query") -> dict[str, str]:
    """The binding's query object (lists of strings, or strings) as /epcis/events reads it: one
    string per parameter, list values joined with ``|``."""
    if not isinstance(query, dict):
        raise ValidationFailed("invalid query", [Problem(where, "an object of query parameters")])
    params: dict[str, str] = {}
    problems: list[Problem] = []
    for name, value in query.items():
        if name in PAGING:
            problems.append(Problem(f"{where}.{name}", "paging is chosen when the query is run"))
        elif isinstance(value, list) and value and all(
                isinstance(v, str) and v and "|" not in v for v in value):
            params[name] = "|".join(value)
        elif isinstance(value, str):
            params[name] = value
        elif isinstance(value, int | float) and not isinstance(value, bool):
            params[name] = str(value)
        else:
            problems.append(Problem(f"{where}.{name}", "a string, or a non-empty list of "
                                    "strings (none with |)"))
    if problems:
        raise ValidationFailed("invalid query", problems)
    return params


def create_query(body: object, actor: Actor, uow: UnitOfWork) -> dict[str, Any]:
    """Store a named query; its parameters are checked as /epcis/events checks them.

    :raises ValidationFailed: a bad name or parameter (nothing is stored).
    :raises Conflict: the owner has a query of that name already.
    """
    if not isinstance(body, dict):
        raise ValidationFailed("invalid query definition", [
            Problem("$", "an object with name and query")])
    problems = [Problem(f"$.{k}", "not a member of a query definition (name, query)")
                for k in body if k not in ("name", "query")]
    name = body.get("name")
    if not isinstance(name, str) or not NAME.match(name):
        problems.append(Problem("$.name", "1 to 100 letters, digits, '.', '_', '~' or '-', "
                                "starting with a letter or digit"))
    if "query" not in body:
        problems.append(Problem("$.query", "required"))
    if problems:
        raise ValidationFailed("invalid query definition", problems)
    params = flatten(body["query"])
    build_filter(params, actor)  # raises ValidationFailed naming the parameter
    owner = owner_of(actor)
    assert isinstance(name, str)
    with uow.writing() as w:
        if stored.query_named(w, owner, name) is not None:
            raise Conflict(f"you already have a query named {name}",
                           [Problem("$.name", "taken: choose another name or delete that query")])
        row = NamedQuery(owner=owner, name=name, params=params, definition=body["query"],
                         user_id=actor.user_id, created_at=datetime.now(UTC))
        stored.add(w, row)
        w.commit()
        return query_view(row)


def query_view(row: NamedQuery) -> dict[str, Any]:
    return {"name": row.name, "query": row.definition, "createdAt": _iso(row.created_at)}


def _own_query(uow: UnitOfWork, name: str, actor: Actor) -> NamedQuery:
    row = stored.query_named(uow, owner_of(actor), name)
    if row is None:
        raise NotFound(f"no query named {name}")
    return row


def get_query_params(uow: UnitOfWork, name: str, actor: Actor) -> dict[str, str]:
    """The parameters of the caller's query ``name`` (in an entered unit of work)."""
    return dict(_own_query(uow, name, actor).params)


def get_query(name: str, actor: Actor, uow: UnitOfWork) -> dict[str, Any]:
    with uow:
        return query_view(_own_query(uow, name, actor))


def list_queries(actor: Actor, uow: UnitOfWork, *, after: int, limit: int
                 ) -> tuple[list[dict[str, Any]], int | None]:
    """A page of the caller's queries and the row id to continue after (None: the last page)."""
    with uow:
        rows = stored.queries_of(uow, owner_of(actor), after, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return [query_view(r) for r in rows], (rows[-1].id if more and rows else None)


def delete_query(name: str, actor: Actor, uow: UnitOfWork) -> None:
    """Remove a query and end every subscription to it."""
    with uow.writing() as w:
        stored.delete_query(w, _own_query(w, name, actor))
        w.commit()


def run_query(name: str, paging: dict[str, str], actor: Actor, uow: UnitOfWork, *,
              default_size: int, max_size: int) -> Page:
    """The named query's events, a page at a time, with the caller's access."""
    unknown = sorted(set(paging) - set(PAGING))
    if unknown:
        raise ValidationFailed("unknown query parameter", [
            Problem(f"$.query.{k}", "a named query takes only perPage and nextPageToken here")
            for k in unknown])
    with uow:
        params = dict(_own_query(uow, name, actor).params)
    return query_events({**params, **paging}, actor, uow, default_size=default_size,
                        max_size=max_size)


# --- subscriptions ----------------------------------------------------------------------------

# What a subscription's documents can be sent as (its request's Accept chooses; JSON-LD unless
# XML is preferred).
JSON_LD = "application/ld+json"
XML = "application/xml"
MEDIA_TYPES = (JSON_LD, XML)


@dataclass(frozen=True)
class SubscriptionRequest:
    """A subscription's controls, checked: a webhook's, or a WebSocket's (``dest`` None)."""

    dest: str | None
    signature_token: str | None
    stream: bool
    schedule_given: dict[str, Any] | None
    schedule: schedules.Schedule | None
    report_if_empty: bool
    initial_record_time: datetime


def parse_time(raw: object, where: str) -> datetime:
    if isinstance(raw, str):
        try:
            value = datetime.fromisoformat(raw.replace(" ", "+"))
        except ValueError:
            value = None
        if value is not None and value.tzinfo is not None:
            return value.astimezone(UTC)
    raise ValidationFailed("invalid date-time", [
        Problem(where, "an ISO 8601 date-time with a time zone, e.g. 2025-03-01T00:00:00Z")])


def subscription_request(body: object, allow: tuple[str, ...], *, webhook: bool = True,
                         where: str = "$") -> SubscriptionRequest:
    """:raises ValidationFailed: every problem of ``body`` at once, each named."""
    if not isinstance(body, dict):
        raise ValidationFailed("invalid subscription", [Problem(where, "an object")])
    problems = [Problem(f"{where}.{k}", "not a subscription member (" +
                        ", ".join(sorted(SUBSCRIPTION_FIELDS)) + ")")
                for k in body if k not in SUBSCRIPTION_FIELDS]
    dest = None
    if webhook:
        try:
            dest = check_dest(body.get("dest"), allow, f"{where}.dest")
        except ValidationFailed as exc:
            problems += exc.problems
    token = body.get("signatureToken")
    if token is not None and not (isinstance(token, str) and 0 < len(token) <= 500):
        problems.append(Problem(f"{where}.signatureToken", "a string of 1 to 500 characters"))
    stream = body.get("stream")
    given = body.get("schedule")
    parsed = None
    if stream is not None and stream is not True:
        problems.append(Problem(f"{where}.stream", "true, or leave it out and give a schedule"))
    if stream is True and given is not None:
        problems.append(Problem(f"{where}.schedule", "stream and schedule exclude each other"))
    if stream is None and given is None:
        problems.append(Problem(f"{where}.stream", "say stream: true, or give a schedule"))
    if given is not None:
        try:
            parsed = schedules.parse(given, f"{where}.schedule")
        except ValidationFailed as exc:
            problems += exc.problems
    report = body.get("reportIfEmpty", False)
    if not isinstance(report, bool):
        problems.append(Problem(f"{where}.reportIfEmpty", "true or false"))
    initial = datetime.now(UTC)
    if body.get("initialRecordTime") is not None:
        try:
            initial = parse_time(body["initialRecordTime"], f"{where}.initialRecordTime")
        except ValidationFailed as exc:
            problems += exc.problems
    if problems:
        raise ValidationFailed("invalid subscription", problems)
    return SubscriptionRequest(dest, token, stream is True,
                               {k: str(v) for k, v in given.items()} if given else None,
                               parsed, bool(report), initial)


def create_subscription(name: str, body: object, actor: Actor, uow: UnitOfWork, *,
                        allow: tuple[str, ...], media_type: str = JSON_LD
                        ) -> dict[str, Any]:
    """A webhook subscription to the caller's query ``name``, its documents sent as
    ``media_type`` (one of ``MEDIA_TYPES``: JSON-LD, or EPCIS 2.0 XML).

    :raises NotFound: no such query of the caller's.
    :raises ValidationFailed: bad controls or a forbidden ``dest`` (nothing is stored).
    """
    if media_type not in MEDIA_TYPES:
        raise ValueError(f"a subscription is delivered as one of {MEDIA_TYPES}")
    with uow:
        _own_query(uow, name, actor)  # 404 before 400: do not tell outsiders what is wrong
    req = subscription_request(body, allow)
    now = datetime.now(UTC)
    with uow.writing() as w:
        query = _own_query(w, name, actor)
        row = Subscription(
            id=str(uuid.uuid4()), query_id=query.id, owner=query.owner, user_id=actor.user_id,
            dest=req.dest, signature_token=req.signature_token, stream=req.stream,
            schedule=({"given": req.schedule_given, "parsed": schedules.as_json(req.schedule)}
                      if req.schedule is not None else None),
            report_if_empty=req.report_if_empty, initial_record_time=req.initial_record_time,
            media_type=media_type, cursor=0, created_at=now, failures=0,
            next_run_at=(schedules.next_time(req.schedule, now)
                         if req.schedule is not None else None))
        stored.add(w, row)
        w.commit()
        return subscription_view(row, name)


def _token_hint(token: str | None) -> str | None:
    """The binding: a response shows the secret only in part."""
    return None if token is None else token[:4] + "…"


def subscription_view(row: Subscription, query_name: str) -> dict[str, Any]:
    view: dict[str, Any] = {
        "subscriptionID": row.id, "queryName": query_name, "dest": row.dest,
        "createdAt": _iso(row.created_at), "lastNotifiedAt": _iso(row.last_notified_at),
        "initialRecordTime": _iso(row.initial_record_time),
        "minRecordTime": _iso(row.last_run_at or row.last_notified_at
                              or row.initial_record_time),
        "reportIfEmpty": row.report_if_empty,
        "signatureToken": _token_hint(row.signature_token),
        "epcFormat": "Always_GS1_Digital_Link",
        "mediaType": row.media_type,
    }
    if row.stream:
        view["stream"] = True
    if row.schedule is not None:
        view["schedule"] = row.schedule["given"]
        view["nextRunAt"] = _iso(row.next_run_at)
    view["state"] = {
        "status": "retrying" if row.failures else "active",
        "failures": row.failures, "retryAt": _iso(row.retry_at), "lastError": row.last_error}
    return view


def _own_subscription(uow: UnitOfWork, name: str, sub_id: str, actor: Actor
                      ) -> Subscription:
    query = _own_query(uow, name, actor)
    row = stored.subscription_of(uow, query.id, sub_id)
    if row is None:
        raise NotFound(f"no subscription {sub_id} to query {name}")
    return row


def get_subscription(name: str, sub_id: str, actor: Actor, uow: UnitOfWork) -> dict[str, Any]:
    with uow:
        return subscription_view(_own_subscription(uow, name, sub_id, actor), name)


def list_subscriptions(name: str, actor: Actor, uow: UnitOfWork, *, after: str, limit: int
                       ) -> tuple[list[dict[str, Any]], str | None]:
    with uow:
        query = _own_query(uow, name, actor)
        rows = stored.subscriptions_of(uow, query.id, after, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return [subscription_view(r, name) for r in rows], (rows[-1].id if more and rows else None)


def delete_subscription(name: str, sub_id: str, actor: Actor, uow: UnitOfWork) -> None:
    with uow.writing() as w:
        stored.delete_subscription(w, _own_subscription(w, name, sub_id, actor))
        w.commit()


def delivery_view(row: Delivery) -> dict[str, Any]:
    return {"id": row.id, "attemptedAt": _iso(row.attempted_at), "status": row.status,
            "ok": row.ok, "eventCount": row.event_count, "durationMs": row.duration_ms,
            "error": row.error}


def delivery_log(name: str, sub_id: str, actor: Actor, uow: UnitOfWork, *,
                 before: int | None, limit: int) -> tuple[list[dict[str, Any]], int | None]:
    """The newest attempts first; the id to continue before (None: the oldest was shown)."""
    with uow:
        sub = _own_subscription(uow, name, sub_id, actor)
        rows = stored.deliveries(uow, sub.id, before, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return [delivery_view(r) for r in rows], (rows[-1].id if more and rows else None)
