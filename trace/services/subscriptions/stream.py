"""WebSocket subscriptions: a named query's new events pushed over an open connection.

The connection is the subscription: nothing is stored, and it ends when either side closes it.
Its controls come from the query string (the binding's ``stream``, ``second`` … ``dayOfWeek``,
``reportIfEmpty``, ``initialRecordTime``) or the same names as ``GS1-Query-*`` headers. Events
are read as for a webhook (``deliverer.next_events``): in order, with the caller's access, never
past the settled horizon, so none is skipped while the connection lasts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ...domain.actor import Actor
from ...domain.errors import Problem, ValidationFailed
from ...store import subscriptions as stored
from ...store.event_reads import Condition
from ..epcis.query import Page, merge_contexts
from ..ports import UnitOfWork
from . import queries as named
from . import schedule as schedules
from .deliverer import conditions, next_events, subscription_document

CONTROLS = ("stream", "reportIfEmpty", "initialRecordTime",
            *(name for name, _, _ in schedules.FIELDS))
HEADER = {name: "GS1-Query-" + name[0].upper() + name[1:] for name in CONTROLS}


@dataclass
class Stream:
    query_name: str
    where: list[Condition]
    schedule: schedules.Schedule | None
    report_if_empty: bool
    cursor: int = 0
    next_run_at: datetime | None = None


def _flag(value: str, where: str) -> bool:
    if value.lower() in ("true", "1"):
        return True
    if value.lower() in ("false", "0"):
        return False
    raise ValidationFailed("invalid subscription", [Problem(where, "true or false")])


def open_stream(name: str, args: Mapping[str, str], headers: Mapping[str, str], actor: Actor,
                uow: UnitOfWork) -> Stream:
    """Check everything before the connection is upgraded (errors are plain HTTP answers).
    ``headers`` by lower-case name.

    :raises NotFound: no query of the caller's with that name.
    :raises ValidationFailed: controls missing, contradictory or malformed.
    """
    with uow:
        params = dict(named.get_query_params(uow, name, actor))
    controls: dict[str, Any] = {}
    for control in CONTROLS:
        raw = args.get(control, headers.get(HEADER[control].lower()))
        if raw is None:
            continue
        where = f"$.query.{control}"
        if control in ("stream", "reportIfEmpty"):
            controls[control] = _flag(raw, where)
        else:
            controls[control] = raw
    schedule_given = {k: controls.pop(k) for k in list(controls)
                      if k in {f for f, _, _ in schedules.FIELDS}}
    body = {**controls, **({"schedule": schedule_given} if schedule_given else {})}
    req = named.subscription_request(body, (), webhook=False, where="$.query")
    return Stream(name, conditions(params, actor, req.initial_record_time), req.schedule,
                  req.report_if_empty,
                  next_run_at=(schedules.next_time(req.schedule, datetime.now(UTC))
                               if req.schedule is not None else None))


def due(stream: Stream, now: datetime) -> bool:
    return stream.schedule is None or (stream.next_run_at is not None
                                       and now >= stream.next_run_at)


def documents(stream: Stream, new_uow: Callable[[], UnitOfWork], batch: int,
              now: datetime) -> list[dict[str, Any]]:
    """The documents to push now (and the stream moved past them): the events after its cursor,
    ``batch`` at a time; for a schedule that is due, an empty report if it asks for one."""
    if not due(stream, now):
        return []
    with new_uow() as uow:
        horizon = stored.event_horizon(uow)
    if horizon is None:
        return []
    docs = []
    while True:
        read = next_events(new_uow(), stream.where, stream.cursor, horizon, batch)
        if not read.page.events:
            break
        docs.append(subscription_document(read.page, stream.query_name, None))
        stream.cursor = read.last
        if len(read.page.events) < batch:
            break
    if stream.schedule is not None:
        if not docs and stream.report_if_empty:
            empty = Page([], merge_contexts([], []), None)
            docs.append(subscription_document(empty, stream.query_name, None))
        stream.next_run_at = schedules.next_time(stream.schedule, now)
    return docs
