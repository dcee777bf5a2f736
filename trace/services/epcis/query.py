"""The EPCIS 2.0 SimpleEventQuery over stored events, with keyset pagination."""

from __future__ import annotations

import base64
import hashlib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from ...capture.document import inline_context
from ...capture.query_fields import expand, instant, measurement_type
from ...domain import policy
from ...domain.actor import Actor
from ...domain.errors import NotFound, Problem, TooLarge, ValidationFailed
from ...domain.vocabulary import cbv_uri
from ...gs1.canonical import canonicalise
from ...store import declarations
from ...store import event_reads as reads
from ...store.event_reads import (
    After,
    AfterId,
    ColumnIn,
    Condition,
    HasField,
    NamesObject,
    Order,
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
_BASE_PARAMS = (*LIST_PARAMS, *TIME_PARAMS, "perPage", "nextPageToken")


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


@dataclass(frozen=True)
class _Token:
    after: int  # row id of the last event given
    key: str | None  # its order key (ISO 8601, UTC) when the query has orderBy
    given: int  # events given so far (for eventCountLimit)


def _decode_token(token: str, fingerprint: str) -> _Token:
    try:
        data = orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        after, fp = int(data["a"]), data["f"]
        key = data.get("k")
        given = int(data.get("n", 0))
        if key is not None:
            datetime.fromisoformat(key)
    except Exception:  # noqa: BLE001 - any garbage is the same client error
        raise ValidationFailed("nextPageToken is not valid", [
            Problem("$.query.nextPageToken", "not a token this server issued")]) from None
    if fp != fingerprint:
        raise ValidationFailed("nextPageToken belongs to another query", [
            Problem("$.query.nextPageToken", "repeat the same query parameters with the token")])
    return _Token(after, key, given)


def _encode_token(after: int, fingerprint: str, key: datetime | None = None,
                  given: int | None = None) -> str:
    data: dict[str, Any] = {"a": after, "f": fingerprint}
    if key is not None:
        data["k"] = _utc(key).isoformat()
    if given is not None:
        data["n"] = given
    return base64.urlsafe_b64encode(orjson.dumps(data)).decode().rstrip("=")


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _bad(name: str, message: str, detail: str) -> ValidationFailed:
    return ValidationFailed(message, [Problem(f"$.query.{name}", detail)])


def build_filter(params: dict[str, str], actor: Actor,
                 resolve: Callable[[str], tuple[str, ...]] | None = None) -> list[Condition]:
    """The conditions of ``params`` (already flattened to one string per name), in order.

    ``resolve`` gives the IRIs an extension field name (``prefix:local``) may stand for
    (see ``_field_names``); by default only the standard context's prefixes are known.
    """
    resolve = resolve or (lambda name: (expand(name, {}),))
    families = {name: parse_family(name) for name in params if name not in KNOWN_PARAMS}
    unknown = sorted(name for name, fam in families.items() if fam is None)
    if unknown:
        raise ValidationFailed("unknown query parameter", [
            Problem(f"$.query.{name}", "not a query parameter this server supports "
                    f"(supported: {', '.join(sorted(KNOWN_PARAMS))}, and the families "
                    f"{', '.join(FAMILY_NAMES)}; see docs/EPCIS_QUERY.md)") for name in unknown])
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
    for name in FIELD_PARAMS:
        if name in params:
            clauses.append(_field_param(name, params[name]))
    for name, fam in families.items():
        assert fam is not None
        clauses.append(_family(name, fam, params[name], resolve))
    return clauses


def _match(roles: tuple[str, ...], values: list[str]) -> NamesObject:
    exact: list[str] = []
    prefixes: list[str] = []
    for v in values:
        c = canonicalise(v)
        # An EPC pattern (idpat, or a DL naming only the GTIN) matches every id under it.
        (prefixes if "*" in v or c.count("/") == 4 and "/01/" in c else exact).append(c)
    return NamesObject(roles, tuple(exact), tuple(prefixes))


# --- the parameters the index (EventField rows, capture.query_fields) answers -----------------

_SGLN = re.compile(r"^https://id\.gs1\.org/414/\d{13}$")


def _number(name: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise _bad(name, f"{name} is not a number", f"{raw!r} is not a number such as 12.5")
    return value


def _numbers(name: str, raw: str) -> tuple[float, ...]:
    values = _values(raw)
    if not values:
        raise _bad(name, "empty query parameter", "give at least one number (several: |)")
    return tuple(_number(name, v) for v in values)


def _instant(name: str, raw: str) -> float:
    return _time(name, raw).timestamp()


def _number_or_time(name: str, raw: str) -> float:
    """A bound for an extension field: a number, or a date-time (compared as an instant)."""
    when = instant(raw.replace(" ", "+"))
    if when is not None:
        return when
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise _bad(name, f"{name} is neither a number nor a date-time",
                   f"{raw!r}: give a number (12.5) or a date-time with a zone "
                   "(2025-03-01T00:00:00Z)")
    return value


def _texts(name: str, raw: str, norm: Callable[[str], str | None] = str) -> tuple[str, ...]:
    values = _values(raw)
    if not values:
        raise _bad(name, "empty query parameter",
                   "give at least one value (several: separate them with |)")
    return tuple(v for v in (norm(x) for x in values) if v is not None)


def _boolean(name: str, raw: str) -> bool:
    if raw.strip().lower() not in ("true", "false"):
        raise _bad(name, f"{name} is not a boolean", f"{raw!r}: give true or false")
    return raw.strip().lower() == "true"


def _exists(name: str, raw: str) -> bool:
    """EXISTS_ parameters carry no value (the standard's Void); ``false`` asks for absence."""
    value = raw.strip().lower()
    if value in ("", "true"):
        return False
    if value == "false":
        return True
    raise _bad(name, f"{name} takes no value", f"{raw!r}: leave it empty (or true / false)")


def _descendants(value: str) -> tuple[str, ...]:
    """The ids under a location: an SGLN's extensions (``.../414/{gln}/254/{ext}``)."""
    return (value + "/254/",) if _SGLN.match(value) else ()


def _field_param(name: str, raw: str) -> HasField:
    """One of the fixed-name parameters the index answers."""
    if name in ("EQ_persistentDisposition_set", "EQ_persistentDisposition_unset"):
        part = name.rsplit("_", 1)[1]
        return HasField((f"pd.{part}",), texts=_texts(name, raw,
                                                       lambda v: cbv_uri("disposition", v)))
    if name in ("WD_readPoint", "WD_bizLocation"):
        values = _texts(name, raw, canonicalise)
        return HasField((name[3:],), texts=values,
                        text_prefixes=tuple(p for v in values for p in _descendants(v)))
    if name == "EQ_transformationID":
        return HasField(("transformationID",), texts=_texts(name, raw))
    if name == "EQ_quantity":
        return HasField(("quantity",), nums=_numbers(name, raw))
    if name in ("GT_quantity", "GE_quantity", "LT_quantity", "LE_quantity"):
        return HasField(("quantity",), op=name[:2], bound=_number(name, raw))
    if name == "EXISTS_errorDeclaration":
        return HasField(("ed",), absent=_exists(name, raw))
    if name in ("GE_errorDeclarationTime", "LT_errorDeclarationTime",
                "GE_errorDeclaration_Time", "LT_errorDeclaration_Time"):
        return HasField(("ed.time",), op=name[:2], bound=_instant(name, raw))
    if name == "EQ_errorReason":
        return HasField(("ed.reason",), texts=_texts(name, raw,
                                                     lambda v: cbv_uri("errorReason", v)))
    if name == "EQ_correctiveEventID":
        return HasField(("ed.corrective",), texts=_texts(name, raw))
    if name == "EXISTS_sensorElementList":
        return HasField(("sensor",), absent=_exists(name, raw))
    if name in SENSOR_TIMES:
        return HasField(SENSOR_TIMES[name], op=name[:2], bound=_instant(name, raw))
    if name in ("GT_percRank", "GE_percRank", "LT_percRank", "LE_percRank"):
        return HasField(("sr.percRank",), op=name[:2], bound=_number(name, raw))
    if name == "EQ_booleanValue":
        return HasField(("sr.booleanValue",), texts=("true" if _boolean(name, raw) else "false",))
    attr = name[3:]
    norm: Callable[[str], str | None] = {
        "type": measurement_type, "hexBinaryValue": str.upper}.get(attr, str)
    return HasField(SENSOR_TEXTS[name], texts=_texts(name, raw, norm))


SENSOR_TIMES = {
    "GE_time": ("sm.time", "sr.time"), "LT_time": ("sm.time", "sr.time"),
    "GE_startTime": ("sm.startTime",), "LT_startTime": ("sm.startTime",),
    "GE_endTime": ("sm.endTime",), "LT_endTime": ("sm.endTime",)}
SENSOR_TEXTS = {
    "EQ_type": ("sr.type",), "EQ_deviceID": ("sm.deviceID", "sr.deviceID"),
    "EQ_dataProcessingMethod": ("sm.dataProcessingMethod", "sr.dataProcessingMethod"),
    "EQ_microorganism": ("sr.microorganism",), "EQ_chemicalSubstance": ("sr.chemicalSubstance",),
    "EQ_bizRules": ("sm.bizRules",), "EQ_stringValue": ("sr.stringValue",),
    "EQ_hexBinaryValue": ("sr.hexBinaryValue",), "EQ_uriValue": ("sr.uriValue",)}
FIELD_PARAMS = (
    "EQ_persistentDisposition_set", "EQ_persistentDisposition_unset", "WD_readPoint",
    "WD_bizLocation", "EQ_transformationID", "EQ_quantity", "GT_quantity", "GE_quantity",
    "LT_quantity", "LE_quantity", "EXISTS_errorDeclaration", "GE_errorDeclarationTime",
    "LT_errorDeclarationTime", "GE_errorDeclaration_Time", "LT_errorDeclaration_Time",
    "EQ_errorReason", "EQ_correctiveEventID", "EXISTS_sensorElementList", *SENSOR_TIMES,
    "GT_percRank", "GE_percRank", "LT_percRank", "LE_percRank", "EQ_booleanValue",
    *SENSOR_TEXTS)
ORDER_PARAMS = ("orderBy", "orderDirection", "eventCountLimit", "maxEventCount")
KNOWN_PARAMS = frozenset((*_BASE_PARAMS, *FIELD_PARAMS, *ORDER_PARAMS))


# --- the pattern families: a name with a field in it -------------------------------------------

@dataclass(frozen=True)
class Family:
    op: str  # EQ, GT, GE, LT, LE, EXISTS, HASATTR, EQATTR
    kind: str  # ext, typed, measured, master
    level: str = ""  # the index level of an extension field (x, ilmd, ed... + i for INNER)
    field: str = ""  # the extension field (prefix:local), the list type, or the uom


_LEVELS = {"": "x", "ILMD_": "ilmd", "ERROR_DECLARATION_": "ed", "SENSORELEMENT_": "se",
           "SENSORMETADATA_": "sm", "SENSORREPORT_": "sr", "readPoint_": "rp",
           "bizLocation_": "bl"}
_EXT = re.compile(r"^(EQ|GT|GE|LT|LE|EXISTS)_(INNER_)?(ILMD_|ERROR_DECLARATION_|SENSORELEMENT_"
                  r"|SENSORMETADATA_|SENSORREPORT_|readPoint_|bizLocation_)?(.*)$")
_TYPED = re.compile(r"^EQ_(bizTransaction|source|destination)_(.*)$")
_MEASURED = re.compile(r"^(EQ|GT|GE|LT|LE)_(value|minValue|maxValue|meanValue|sDev|percValue"
                       r"|quantity)_(.*)$")
_MASTER = re.compile(r"^(HASATTR|EQATTR|EQ_ATTR)_(.*)$")
_FIELD = re.compile(r"^[A-Za-z][\w.-]*:[\w.-]+$")
_UOM = re.compile(r"^[A-Z0-9]{2,4}$")
_TYPE = re.compile(r"^[a-z][a-zA-Z0-9_]+$")
FAMILY_NAMES = (
    "EQ_/GT_/GE_/LT_/LE_/EXISTS_ with (INNER_)(ILMD_|ERROR_DECLARATION_|SENSORELEMENT_|"
    "SENSORMETADATA_|SENSORREPORT_|readPoint_|bizLocation_)<prefix:field>",
    "EQ_bizTransaction_<type>", "EQ_source_<type>", "EQ_destination_<type>",
    "EQ_/GT_/GE_/LT_/LE_ value|minValue|maxValue|meanValue|sDev|percValue|quantity _<uom>",
    "HASATTR_<field>", "EQATTR_<field>_<attribute>")


def parse_family(name: str) -> Family | None:
    """The family of a parameter name outside the fixed ones; None: no such parameter.
    A family's name without its field is a 400 of its own."""
    if m := _TYPED.match(name):
        if not _TYPE.match(m.group(2)):
            raise _no_field(name, f"{m.group(1)} type, e.g. EQ_{m.group(1)}_po")
        return Family("EQ", "typed", {"bizTransaction": "bt", "source": "src",
                                      "destination": "dst"}[m.group(1)], m.group(2))
    if m := _MEASURED.match(name):
        if not _UOM.match(m.group(3)):
            raise _no_field(name, "unit of measure (UN/CEFACT code), e.g. "
                            f"{m.group(1)}_{m.group(2)}_KGM")
        return Family(m.group(1), "measured", m.group(2), m.group(3))
    if m := _MASTER.match(name):
        if not m.group(2):
            raise _no_field(name, "field name, e.g. HASATTR_bizLocation")
        return Family(m.group(1), "master", "", m.group(2))
    if (m := _EXT.match(name)) and (m.group(2) or m.group(3) or ":" in m.group(4)):
        op, inner, level, field = m.groups()
        if not _FIELD.match(field):
            raise _no_field(name, "extension field named prefix:name, e.g. "
                            f"{name.rstrip('_')}{'' if name.endswith('_') else '_'}"
                            "example:temperature")
        return Family(op, "ext", _LEVELS[level or ""] + ("i" if inner else ""), field)
    return None


def _is_ext(name: str) -> bool:
    try:
        fam = parse_family(name)
    except ValidationFailed:
        return False
    return fam is not None and fam.kind == "ext"


def _no_field(name: str, what: str) -> ValidationFailed:
    return ValidationFailed(f"{name} names no field",
                            [Problem(f"$.query.{name}", f"give the {what}")])


def _family(name: str, fam: Family, raw: str,
            resolve: Callable[[str], tuple[str, ...]]) -> Condition:
    if fam.kind == "typed":
        norm: Callable[[str], str | None] = str if fam.level == "bt" else canonicalise
        return HasField((f"{fam.level}:{fam.field}",), texts=_texts(name, raw, norm))
    if fam.kind == "measured":
        # Quantities carry their unit as text; a sensor's measured numbers in their name.
        key, unit = (("quantity", fam.field) if fam.level == "quantity"
                     else (f"sr.{fam.level}|{fam.field}", None))
        if fam.op == "EQ":
            return HasField((key,), nums=_numbers(name, raw), unit=unit)
        return HasField((key,), op=fam.op, bound=_number(name, raw), unit=unit)
    if fam.kind == "master":
        # No EPCIS master data (vocabulary attributes) is stored here: no event's field has
        # an attribute, so these match nothing (docs/EPCIS_QUERY.md).
        if fam.op != "HASATTR":
            _texts(name, raw)
        return ColumnIn("event_id", ())
    names = tuple(f"{fam.level}|{iri}" for iri in resolve(fam.field))
    if fam.op == "EXISTS":
        return HasField(names, absent=_exists(name, raw))
    if fam.op == "EQ":
        values = _texts(name, raw)
        nums = []
        for v in values:
            when = instant(v.replace(" ", "+"))
            if when is not None:
                nums.append(when)
                continue
            try:
                number = float(v)
            except ValueError:
                continue
            if math.isfinite(number):
                nums.append(number)
        return HasField(names, texts=values, nums=tuple(nums))
    return HasField(names, op=fam.op, bound=_number_or_time(name, raw))


def field_resolver(contexts: list[str]) -> Callable[[str], tuple[str, ...]]:
    """Extension field names → the IRIs they may stand for: the prefix as each stored document
    bound it (a GET query has no @context of its own), the standard context's, or the name as
    written when nothing binds it."""
    bindings = [inline_context({"@context": orjson.loads(text)}) for text in contexts]

    def resolve(name: str) -> tuple[str, ...]:
        found = {expand(name, b) for b in bindings}
        found.add(expand(name, {}))
        return tuple(sorted(found))

    return resolve


# --- order and limits ------------------------------------------------------------------------

ORDER_COLUMNS = {"eventTime": "event_time", "recordTime": "record_time"}


def _positive(name: str, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise _bad(name, f"{name} is not a positive integer", f"{raw!r}: give 1 or more")
    return value


def _order(params: dict[str, str]) -> tuple[Order, int | None, int | None]:
    """The page order, eventCountLimit and maxEventCount (validated together)."""
    order = Order()
    if "orderBy" in params:
        by = params["orderBy"].strip()
        if by not in ORDER_COLUMNS:
            raise _bad("orderBy", "orderBy names a field this server cannot order by",
                       f"{by!r}: give eventTime or recordTime (ordering by an extension field "
                       "is not supported)")
        direction = params.get("orderDirection", "DESC").strip()
        if direction not in ("ASC", "DESC"):
            raise _bad("orderDirection", "orderDirection is ASC or DESC",
                       f"{direction!r}: give ASC or DESC")
        order = Order(ORDER_COLUMNS[by], direction == "DESC")
    elif "orderDirection" in params:
        raise _bad("orderDirection", "orderDirection without orderBy",
                   "give orderBy (eventTime or recordTime) too")
    limit = _positive("eventCountLimit", params["eventCountLimit"]) \
        if "eventCountLimit" in params else None
    most = _positive("maxEventCount", params["maxEventCount"]) \
        if "maxEventCount" in params else None
    if limit is not None and most is not None:
        raise ValidationFailed("eventCountLimit and maxEventCount exclude each other", [
            Problem("$.query.eventCountLimit", "give one of eventCountLimit and maxEventCount"),
            Problem("$.query.maxEventCount", "give one of eventCountLimit and maxEventCount")])
    if limit is not None and "orderBy" not in params:
        raise _bad("eventCountLimit", "eventCountLimit needs orderBy",
                   "the first N events are the first in an order: give orderBy too")
    return order, limit, most


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
    order, count_limit, most = _order(params)
    token = _decode_token(params["nextPageToken"], fingerprint) \
        if params.get("nextPageToken") else None
    if token is not None and (token.key is None) != (order.column == "id"):
        raise _bad("nextPageToken", "nextPageToken belongs to another query",
                   "repeat the same query parameters with the token")
    size = per_page
    if count_limit is not None:
        size = min(per_page, count_limit - (token.given if token else 0))
    with uow:
        needs_names = any(_is_ext(n) for n in params if n not in KNOWN_PARAMS)
        # Every stored @context, for the prefixes of extension names; the page's are among
        # them (one statement less), but for a document captured since.
        stored = reads.contexts(uow) if needs_names else {}
        resolve = field_resolver(list(stored.values())) if needs_names else None
        clauses = build_filter(params, actor, resolve)
        if most is not None and reads.count_at_most(uow, clauses, most + 1) > most:
            raise TooLarge(f"the query matches more than maxEventCount={most} events", [
                Problem("$.query.maxEventCount", "narrow the query or raise maxEventCount "
                        "(QueryTooLargeException)")])
        if token is not None:
            if token.key is None:
                clauses.append(AfterId(token.after))
            else:
                clauses.append(After(order.column, datetime.fromisoformat(token.key),
                                     token.after, order.descending))
        rows = reads.events_page(uow, clauses, size + 1, order) if size > 0 else []
        more = len(rows) > size
        rows = rows[:size]
        contexts = _contexts(uow, {r.context_id for r in rows}, stored)
    events = [render_event(r.body, r.event_id, r.record_time) for r in rows]
    next_token = None
    given = (token.given if token else 0) + len(rows)
    if count_limit is not None and given >= count_limit:
        more = False  # the first eventCountLimit events are all given
    if more and rows:
        last = rows[-1]
        key = getattr(last, order.column) if order.column != "id" else None
        next_token = _encode_token(last.id, fingerprint, key,
                                   given if count_limit is not None else None)
    return Page(events, merge_contexts(events, [contexts[r.context_id] for r in rows]),
                next_token)


def get_event(event_id: str, actor: Actor, uow: UnitOfWork) -> Page:
    # The event, then its error declaration if it has one (they share the eventID).
    with uow:
        rows = declarations.rows_with_event_id(uow, event_id)
        if not rows or not policy.may_read_event(actor, rows[0].organisation_id,
                                                 rows[0].notice):
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


def _contexts(uow: UnitOfWork, ids: set[int], stored: dict[int, str] | None = None
              ) -> dict[int, object]:
    """The @contexts ``ids`` (parsed): from ``stored`` (already read), the others read now."""
    stored = stored or {}
    texts = {cid: stored[cid] for cid in ids if cid in stored}
    missing = ids - texts.keys()
    if missing:
        texts.update(reads.context_texts(uow, missing))
    return {cid: orjson.loads(body) for cid, body in texts.items()}


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
