"""The EPCIS 2.0 SimpleEventQuery over stored events, with keyset pagination."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from ...domain import policy
from ...domain.actor import Actor
from ...domain.errors import NotFound, Problem, ValidationFailed
from ...domain.vocabulary import cbv_uri
from ...gs1.canonical import canonicalise
from ...store import declarations
from ...store import event_reads as reads
from ...store.event_reads import (
    AfterId,
    ColumnIn,
    Condition,
    NamesObject,
    OrganisationIs,
    TimeBefore,
    TimeFrom,
)
from ..ports import UnitOfWork

EVENT_TYPES = ("ObjectEvent", "AggregationEvent", "TransactionEvent", "TransformationEvent",
               "AssociationEvent")
STANDARD_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"

# MATCH_* parameter → the roles (see EventObject) it looks in, as the EPCIS 2.0 standard lists them.
MATCH_ROLES = {
    "MATCH_epc": ("epc", "child"),
    "MATCH_parentID": ("parent",),
    "MATCH_inputEPC": ("input",),
    "MATCH_outputEPC": ("output",),
    "MATCH_anyEPC": ("epc", "child", "input", "output", "parent"),
    "MATCH_epcClass": ("epc_class", "child_class"),
    "MATCH_inputEPCClass": ("input_class",),
    "MATCH_outputEPCClass": ("output_class",),
    "MATCH_anyEPCClass": ("epc_class", "child_class", "input_class", "output_class"),
}
LIST_PARAMS = ("eventType", "EQ_action", "EQ_bizStep", "EQ_disposition", "EQ_readPoint",
               "EQ_bizLocation", "EQ_eventID", *MATCH_ROLES)
TIME_PARAMS = ("GE_eventTime", "LT_eventTime", "GE_recordTime", "LT_recordTime")
KNOWN_PARAMS = frozenset((*LIST_PARAMS, *TIME_PARAMS, "perPage", "nextPageToken"))


@dataclass
class Page:
    events: list[dict[str, Any]]
    contexts: list[Any]
    next_token: str | None


def _values(raw: str) -> list[str]:
    return [v.strip() for v in raw.split("|") if v.strip()]


def _time(name: str, raw: str) -> datetime:
    try:
        value = datetime.fromisoformat(raw.replace(" ", "+"))
    except ValueError:
        raise ValidationFailed(f"{name} is not an ISO 8601 date-time", [
            Problem(f"$.query.{name}", f"{raw!r} is not an ISO 8601 date-time such as "
                    "2025-03-01T00:00:00Z")]) from None
    if value.tzinfo is None:
        raise ValidationFailed(f"{name} needs a time zone", [
            Problem(f"$.query.{name}", "give an offset or Z, e.g. 2025-03-01T00:00:00+07:00")])
    return value.astimezone(UTC)


def _fingerprint(params: dict[str, str]) -> str:
    items = sorted((k, v) for k, v in params.items() if k not in ("nextPageToken", "perPage"))
    return hashlib.sha256(orjson.dumps(items)).hexdigest()[:16]


def _decode_token(token: str, fingerprint: str) -> int:
    try:
        data = orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        after, fp = int(data["a"]), data["f"]
    except Exception:  # noqa: BLE001 - any garbage is the same client error
        raise ValidationFailed("nextPageToken is not valid", [
            Problem("$.query.nextPageToken", "not a token this server issued")]) from None
    if fp != fingerprint:
        raise ValidationFailed("nextPageToken belongs to another query", [
            Problem("$.query.nextPageToken", "repeat the same query parameters with the token")])
    return after


def _encode_token(after: int, fingerprint: str) -> str:
    raw = orjson.dumps({"a": after, "f": fingerprint})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def build_filter(params: dict[str, str], actor: Actor) -> list[Condition]:
    """The conditions of ``params`` (already flattened to one string per name), in order."""
    unknown = sorted(set(params) - KNOWN_PARAMS)
    if unknown:
        raise ValidationFailed("unknown query parameter", [
            Problem(f"$.query.{name}", "not a query parameter this server supports "
                    f"(supported: {', '.join(sorted(KNOWN_PARAMS))})") for name in unknown])
    empty = [name for name in LIST_PARAMS if name in params and not _values(params[name])]
    if empty:  # `EQ_bizStep=` would otherwise silently match nothing
        raise ValidationFailed("empty query parameter", [
            Problem(f"$.query.{name}", "give at least one value (several: separate them with |)")
            for name in empty])
    clauses: list[Condition] = []
    if not policy.reads_everything(actor):
        clauses.append(OrganisationIs(policy.event_scope(actor)))
    if "eventType" in params:
        types = _values(params["eventType"])
        bad = [t for t in types if t not in EVENT_TYPES]
        if bad:
            raise ValidationFailed("unknown eventType", [
                Problem("$.query.eventType", f"{t!r} is not one of {', '.join(EVENT_TYPES)}")
                for t in bad])
        clauses.append(ColumnIn("event_type", tuple(types)))
    for name, column in (("GE_eventTime", "event_time"), ("GE_recordTime", "record_time")):
        if name in params:
            clauses.append(TimeFrom(column, _time(name, params[name])))
    for name, column in (("LT_eventTime", "event_time"), ("LT_recordTime", "record_time")):
        if name in params:
            clauses.append(TimeBefore(column, _time(name, params[name])))
    simple: dict[str, tuple[str, Callable[[str], Any]]] = {
        "EQ_action": ("action", str), "EQ_eventID": ("event_id", str),
        "EQ_bizStep": ("biz_step", lambda v: cbv_uri("bizStep", v)),
        "EQ_disposition": ("disposition", lambda v: cbv_uri("disposition", v)),
        "EQ_readPoint": ("read_point", canonicalise),
        "EQ_bizLocation": ("biz_location", canonicalise)}
    for name, (column, norm) in simple.items():
        if name in params:
            clauses.append(ColumnIn(column, tuple(norm(v) for v in _values(params[name]))))
    for name, roles in MATCH_ROLES.items():
        if name in params:
            clauses.append(_match(roles, _values(params[name])))
    return clauses


def _match(roles: tuple[str, ...], values: list[str]) -> NamesObject:
    exact: list[str] = []
    prefixes: list[str] = []
    for v in values:
        c = canonicalise(v)
        # An EPC pattern (idpat, or a DL naming only the GTIN) matches every id under it.
        (prefixes if "*" in v or c.count("/") == 4 and "/01/" in c else exact).append(c)
    return NamesObject(roles, tuple(exact), tuple(prefixes))


def query_events(params: dict[str, str], actor: Actor, uow: UnitOfWork, *, default_size: int,
                 max_size: int) -> Page:
    try:
        per_page = int(params.get("perPage", default_size))
    except ValueError:
        per_page = 0
    if not 1 <= per_page <= max_size:
        raise ValidationFailed("perPage out of range", [
            Problem("$.query.perPage", f"must be an integer from 1 to {max_size}")])
    fingerprint = _fingerprint(params)
    clauses = build_filter(params, actor)
    if params.get("nextPageToken"):
        clauses.append(AfterId(_decode_token(params["nextPageToken"], fingerprint)))
    with uow:
        rows = reads.events_page(uow, clauses, per_page + 1)
        more = len(rows) > per_page
        rows = rows[:per_page]
        contexts = _contexts(uow, {r.context_id for r in rows})
    events = [render_event(r.body, r.event_id, r.record_time) for r in rows]
    token = _encode_token(rows[-1].id, fingerprint) if more and rows else None
    return Page(events, merge_contexts(events, [contexts[r.context_id] for r in rows]), token)


def get_event(event_id: str, actor: Actor, uow: UnitOfWork) -> Page:
    # The event, then its error declaration if it has one (they share the eventID).
    with uow:
        rows = declarations.rows_with_event_id(uow, event_id)
        if not rows or not policy.may_read_event(actor, rows[0].organisation_id):
            raise NotFound(f"no event with eventID {event_id}")
        contexts = _contexts(uow, {row.context_id for row in rows})
    events = [render_event(row.body, row.event_id, row.record_time) for row in rows]
    return Page(events, merge_contexts(events, [contexts[row.context_id] for row in rows]), None)


def render_event(body: str, event_id: str, record_time: datetime) -> dict[str, Any]:
    """The event as captured, plus the two members the repository owns: eventID and recordTime."""
    event = orjson.loads(body)
    event.setdefault("eventID", event_id)
    if record_time.tzinfo is None:  # SQLite gives naive datetimes back
        record_time = record_time.replace(tzinfo=UTC)
    event["recordTime"] = record_time.astimezone(UTC).isoformat(
        timespec="milliseconds").replace("+00:00", "Z")
    return event


def _contexts(uow: UnitOfWork, ids: set[int]) -> dict[int, object]:
    if not ids:
        return {}
    return {cid: orjson.loads(body) for cid, body in reads.context_texts(uow, ids).items()}


def merge_contexts(events: list[dict[str, Any]], contexts: list[Any]) -> list[Any]:
    """One @context for a query answer: the standard context plus every inline prefix binding.

    ``contexts[i]`` is the @context of the document ``events[i]`` came in. Documents may bind
    the same prefix to different IRIs (the official examples bind ``example`` two ways): the
    first binding goes into the answer's @context, and an event whose document disagrees with
    it carries its document's bindings in its own @context (JSON-LD lets an event have one),
    so that its extension members keep the meaning they were captured with.
    """
    merged: dict[str, Any] = {}
    urls: list[str] = [STANDARD_CONTEXT]
    for event, ctx in zip(events, contexts, strict=True):
        items = ctx if isinstance(ctx, list) else [ctx]
        for item in items:
            if isinstance(item, str) and item not in urls:
                urls.append(item)
        inline = [i for i in items if isinstance(i, dict)]
        bindings = {k: v for item in inline for k, v in item.items()}
        if any(k in merged and merged[k] != v for k, v in bindings.items()):
            own = event.pop("@context", None)
            own = own if isinstance(own, list) else [own] if own is not None else []
            rest = dict(event)
            event.clear()
            event.update({"@context": [*inline, *own], **rest})
        else:
            merged.update(bindings)
    return [*urls, merged] if merged else urls


def query_document(page: Page) -> dict[str, Any]:
    now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return {
        "@context": page.contexts,
        "type": "EPCISQueryDocument",
        "schemaVersion": "2.0",
        "creationDate": now,
        "epcisBody": {"queryResults": {"queryName": "SimpleEventQuery",
                                       "resultsBody": {"eventList": page.events}}},
    }
