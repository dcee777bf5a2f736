"""The EPCIS REST binding's top-level resources: event types, EPCs, business steps, business
locations, read points and dispositions — the values the caller may read, in pages, one value
(which exists for the caller or is not found), and the query its events are; and the list of
the caller's capture jobs.

An organisation's member sees the values of its own organisation's events only (as the query
interface shows it only those: ``policy.event_scope``); inspectors and admins see every value.
A value no event the caller may read has is not found, whether or not another organisation's
events have it: a list must not tell one organisation what another records.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from ...domain import policy
from ...domain.actor import Actor
from ...domain.errors import NotFound, Problem, ValidationFailed
from ...domain.vocabulary import cbv_uri, cbv_word
from ...gs1.canonical import canonicalise
from ...store import resource_reads as reads
from ..ports import UnitOfWork
from .query import EVENT_TYPES

RESOURCES = ("eventTypes", "epcs", "bizSteps", "bizLocations", "readPoints", "dispositions")
# The query parameter that a resource's ``/{value}/events`` adds to the client's.
EVENTS_PARAMETER = {"eventTypes": "eventType", "epcs": "MATCH_anyEPC",
                    "bizSteps": "EQ_bizStep", "bizLocations": "EQ_bizLocation",
                    "readPoints": "EQ_readPoint", "dispositions": "EQ_disposition"}
_CBV_KIND = {"bizSteps": "bizStep", "dispositions": "disposition"}
# Every top-level resource of the binding we serve (GET /).
TOP_LEVEL = ("capture", "events", "eventTypes", "epcs", "bizSteps", "bizLocations",
             "readPoints", "dispositions", "queries")


@dataclass
class ValuePage:
    members: list[str]
    next_token: str | None


def _scope(actor: Actor) -> int | None:
    """The organisation whose events count; EVERY_ORGANISATION for inspectors and admins; None
    (nothing) for an account of no organisation."""
    return reads.EVERY_ORGANISATION if policy.reads_everything(actor) else actor.organisation_id


def _bad_token(why: str) -> ValidationFailed:
    return ValidationFailed("nextPageToken is not valid", [
        Problem("$.query.nextPageToken", why)])


def _encode(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(data)).decode().rstrip("=")


def _decode(token: str) -> dict[str, Any]:
    try:
        data = orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except Exception:  # noqa: BLE001 - any garbage is the same client error
        raise _bad_token("not a token this server issued") from None
    if not isinstance(data, dict):
        raise _bad_token("not a token this server issued")
    return data


def check_token(token: str) -> None:
    """A ``nextPageToken`` this server could have issued (any list's).

    Our tokens are stateless (they hold where the next page starts), so releasing one frees
    nothing; a value that is no token at all is still the client's error.

    :raises ValidationFailed: not a token.
    """
    _decode(token)


def per_page(raw: str | None, default: int, maximum: int) -> int:
    """:raises ValidationFailed: ``perPage`` is not an integer from 1 to ``maximum``."""
    try:
        size = int(raw) if raw is not None else default
    except ValueError:
        size = 0
    if not 1 <= size <= maximum:
        raise ValidationFailed("perPage out of range", [
            Problem("$.query.perPage", f"must be an integer from 1 to {maximum}")])
    return size


def shown(resource: str, stored: str) -> str:
    """A stored value as the lists show it: a CBV step or disposition as its bare word."""
    kind = _CBV_KIND.get(resource)
    return (cbv_word(kind, stored) or stored) if kind else stored


def stored(resource: str, value: str) -> str:
    """A value of a path as we store it (a CBV word as its URI, a GS1 key as its canonical
    Digital Link)."""
    kind = _CBV_KIND.get(resource)
    if kind:
        return cbv_uri(kind, value) or value
    return value if resource == "eventTypes" else canonicalise(value)


def list_values(resource: str, actor: Actor, uow: UnitOfWork, size: int,
                token: str | None) -> ValuePage:
    """One page of ``resource``'s values the actor may read, in order.

    :raises ValidationFailed: a ``token`` that is not this list's.
    """
    after: str | None = None
    if token:
        data = _decode(token)
        if data.get("r") != resource or not isinstance(data.get("v"), str):
            raise _bad_token(f"not a token of the {resource} list")
        after = data["v"]
    if resource == "eventTypes":  # the standard's five, which this repository supports
        values = [t for t in sorted(EVENT_TYPES) if after is None or t > after][:size + 1]
    else:
        with uow:
            values = reads.distinct_values(uow, resource, _scope(actor), after, size + 1)
    more = len(values) > size
    values = values[:size]
    next_token = _encode({"r": resource, "v": values[-1]}) if more and values else None
    return ValuePage([shown(resource, v) for v in values], next_token)


def require_value(resource: str, value: str, actor: Actor, uow: UnitOfWork) -> str:
    """``value`` as stored, when an event the actor may read has it (event types: one of the
    five).

    :raises NotFound: no such value for the actor.
    """
    key = stored(resource, value)
    if resource == "eventTypes":
        found = key in EVENT_TYPES
    else:
        with uow:
            found = reads.value_exists(uow, resource, _scope(actor), key)
    if not found:
        raise NotFound(f"no {resource[:-1]} {value}")
    return key


def events_parameters(resource: str, value: str, params: dict[str, str]) -> dict[str, str]:
    """The query of ``/{resource}/{value}/events``: the client's parameters and the one the path
    gives.

    :raises ValidationFailed: the client gives that parameter too.
    """
    name = EVENTS_PARAMETER[resource]
    if name in params:
        raise ValidationFailed(f"{name} is given by the path", [
            Problem(f"$.query.{name}", f"/{resource}/{{value}}/events sets {name}: leave it out")])
    return {**params, name: value}


# --- capture jobs ----------------------------------------------------------------------------

def _when(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite gives naive datetimes back
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def list_jobs(actor: Actor, uow: UnitOfWork, size: int, token: str | None
              ) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the capture jobs the actor may read (``policy.may_read_capture_job``: its
    own and its organisation's; inspectors and admins every job), oldest first."""
    skip = 0
    if token:
        data = _decode(token)
        if data.get("r") != "capture" or not isinstance(data.get("o"), int) or data["o"] < 0:
            raise _bad_token("not a token of the capture job list")
        skip = data["o"]
    scope = _scope(actor)
    with uow:
        rows = reads.capture_jobs_page(uow, scope, actor.user_id, skip, size + 1)
    more = len(rows) > size
    jobs = []
    for r in rows[:size]:
        job: dict[str, Any] = {
            "captureID": r.id, "createdAt": _when(r.created_at), "running": r.running,
            "success": r.success, "captureErrorBehaviour": r.error_behaviour,
            "eventCount": r.event_count, "storedCount": r.stored_count,
            "errors": list(r.errors or [])}
        if r.finished_at is not None:
            job["finishedAt"] = _when(r.finished_at)
        if r.duplicates:
            job["duplicates"] = r.duplicates
        jobs.append(job)
    return jobs, _encode({"r": "capture", "o": skip + size}) if more else None
