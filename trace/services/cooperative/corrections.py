"""Correcting a recorded event from the console, the EPCIS way (docs/CORRECTIONS.md): the event is
never changed; an error declaration (the event repeated exactly, plus ``errorDeclaration``) and,
for wrong data, a corrective event (a copy with the corrected values and a new eventID) are
captured **in one document** through the capture path — both stored (sealed, later anchored) or
neither.

What a member may change: the quantity (and unit) of the event's first quantity element, its lot
code, the event time, and the extra fields (ILMD values: moisture, grade, variety...).
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import orjson

from ...domain import policy
from ...domain.actor import Actor
from ...domain.attributes import ATTRIBUTES
from ...domain.errors import Conflict, Forbidden, NotFound, Problem, TraceError, ValidationFailed
from ...domain.products import MASS_UNITS
from ...domain.step_events import offset, timestamp
from ...gs1.canonical import canonicalise
from ...gs1.keys import LotKey, parse_lot
from ...store import evidence_records as records
from ...store.event_reads import context_texts
from ..epcis.capture import CaptureSettings, capture_document
from ..ports import UnitOfWork
from .catalogue import gtin_or_problem
from .step_recording import VIETNAM, _lot_code_problem

REASONS = ("incorrect_data", "did_not_occur")
# The extra fields a correction may change: the product attributes (ILMD ``tc:moisturePercent``...)
_ATTRIBUTE_KEYS = {a.ilmd_key: a for a in ATTRIBUTES.values()}
QUANTITY_LISTS = ("quantityList", "outputQuantityList", "childQuantityList")
RECENT = 30


@dataclass(frozen=True)
class RecordedEvent:
    """An event as recorded, with what the correction form offers to change."""

    event_id: str
    event_time: datetime
    biz_step: str
    body: dict[str, Any]
    declared: bool
    lot: str | None  # the lot code of the first quantity element
    gtin: str | None
    quantity: float | None
    unit: str | None
    extras: dict[str, Any]  # ILMD members whose values are texts or numbers

    @property
    def local_time(self) -> str:
        """The event time as recorded (its own offset), e.g. 2025-03-03 16:00."""
        return str(self.body.get("eventTime", ""))[:16].replace("T", " ")

    def extra_label(self, key: str, lang: str) -> str:
        attribute = _ATTRIBUTE_KEYS.get(key)
        if attribute is None:
            return key
        return attribute.label_vi if lang == "vi" else attribute.label_en

    @property
    def shown(self) -> str:
        return orjson.dumps(self.body, option=orjson.OPT_INDENT_2).decode()


@dataclass(frozen=True)
class Changes:
    quantity: float | None = None
    unit: str | None = None
    lot: str | None = None
    event_time: datetime | None = None
    extras: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Corrected:
    event_id: str
    corrective_event_id: str | None


def _first_quantity(body: dict[str, Any]) -> dict[str, Any] | None:
    for name in QUANTITY_LISTS:
        items = body.get(name)
        if isinstance(items, list) and items and isinstance(items[0], dict):
            return items[0]
    return None


def _recorded(row: Any, declared: bool) -> RecordedEvent:
    body = orjson.loads(row.body)
    element = _first_quantity(body) or {}
    key = parse_lot(canonicalise(element["epcClass"])) if element.get("epcClass") else None
    ilmd = body.get("ilmd") if isinstance(body.get("ilmd"), dict) else {}
    extras = {k: v for k, v in ilmd.items() if k in _ATTRIBUTE_KEYS
              and isinstance(v, str | int | float) and not isinstance(v, bool)}
    quantity = element.get("quantity")
    return RecordedEvent(row.event_id, row.event_time,
                         (row.biz_step or "").rsplit("/", 1)[-1].removeprefix("BizStep-"),
                         body, declared, key.lot if key else None, key.gtin if key else None,
                         float(quantity) if isinstance(quantity, int | float) else None,
                         element.get("uom"), extras)


def _organisation(actor: Actor) -> int:
    policy.require_writer(actor, "correct records")
    if actor.organisation_id is None:
        raise Forbidden("corrections are made by the organisation that recorded the event: "
                        "sign in with one of its accounts")
    return actor.organisation_id


def recent_events(actor: Actor, uow: UnitOfWork, gtin: str | None = None,
                  lot: str | None = None, limit: int = RECENT) -> list[RecordedEvent]:
    """The organisation's latest events (of one lot, when named), newest first."""
    org_id = _organisation(actor)
    uris = None
    if gtin and lot:
        uris = [canonicalise(LotKey(gtin_or_problem(gtin, "gtin"), lot).uri)]
    with uow:
        rows = records.recent_events(uow, org_id, limit, uris)
        declared = records.declared_pks(uow, [r.id for r in rows])
    return [_recorded(r, r.id in declared) for r in rows]


def recorded_event(actor: Actor, event_id: str, uow: UnitOfWork) -> RecordedEvent:
    """One of the organisation's events, to correct.

    :raises NotFound: no such event, or another organisation's (not told apart).
    """
    _organisation(actor)
    with uow:
        row = records.event_named(uow, event_id)
        if row is None or not policy.may_declare_error(actor, row.organisation_id):
            raise NotFound("no such event of your organisation")
        declared = bool(records.declared_pks(uow, [row.id]))
    return _recorded(row, declared)


def _apply(event: dict[str, Any], before: RecordedEvent, changes: Changes) -> list[Problem]:
    problems: list[Problem] = []
    element = _first_quantity(event)
    if changes.quantity is not None or changes.lot or changes.unit:
        if element is None:
            problems.append(Problem("quantity", "this event names no quantity to correct"))
            return problems
    if changes.quantity is not None:
        if not changes.quantity > 0:
            problems.append(Problem("quantity", "must be greater than 0"))
        assert element is not None
        element["quantity"] = changes.quantity
        element.setdefault("uom", before.unit or "KGM")
    if changes.unit:
        if changes.unit not in MASS_UNITS:
            problems.append(Problem("unit", "choose a unit from the list"))
        assert element is not None
        element["uom"] = changes.unit
    if changes.lot and changes.lot != before.lot:
        if (p := _lot_code_problem(changes.lot)) is not None:
            problems.append(Problem("lot", p))
        elif before.gtin is None:
            problems.append(Problem("lot", "this event names no lot"))
        else:
            assert element is not None
            element["epcClass"] = canonicalise(LotKey(before.gtin, changes.lot).uri)
    if changes.event_time is not None:
        when = changes.event_time
        if when.tzinfo is None:
            when = when.replace(tzinfo=VIETNAM)
        event["eventTime"], event["eventTimeZoneOffset"] = timestamp(when), offset(when)
    for key, text in changes.extras.items():
        if key not in before.extras:
            continue
        old = before.extras[key]
        if isinstance(old, int | float):
            try:
                event["ilmd"][key] = float(text.replace(",", "."))
            except ValueError:
                problems.append(Problem(f"extra:{key}", "write a number, e.g. 12.5"))
        elif text.strip():
            event["ilmd"][key] = text.strip()
    return problems


def correct(actor: Actor, event_id: str, reason: str, changes: Changes, uow: UnitOfWork,
            settings: CaptureSettings, now: datetime | None = None) -> Corrected:
    """Declare the event an error and, for wrong data, record the corrected event with it.

    :raises NotFound: no such event of the organisation. :raises Conflict: it already has a
        declaration (a declaration is final). :raises ValidationFailed: no reason, no change,
        a bad value, or the capture refused the pair.
    """
    org_id = _organisation(actor)
    if reason not in REASONS:
        raise ValidationFailed("say why the record is wrong", [
            Problem("reason", "say why the record is wrong")])
    with uow:
        row = records.event_named(uow, event_id)
        if row is None or not policy.may_declare_error(actor, row.organisation_id):
            raise NotFound("no such event of your organisation")
        declared = bool(records.declared_pks(uow, [row.id]))
        context = orjson.loads(context_texts(uow, [row.context_id])[row.context_id])
    before = _recorded(row, declared)
    if declared:
        raise Conflict("this record was already corrected: a correction is final. Record what "
                       "happened next as a new step.", [Problem("reason", "already corrected")])
    declared_event = copy.deepcopy(before.body)
    declared_event["eventID"] = before.event_id
    now = now or datetime.now(VIETNAM)
    events = []
    corrective_id = None
    if reason == "incorrect_data":
        corrective = copy.deepcopy(before.body)
        corrective.pop("eventID", None)
        problems = _apply(corrective, before, changes)
        if problems:
            raise ValidationFailed(problems[0].message, problems)
        if corrective == {k: v for k, v in before.body.items() if k != "eventID"}:
            raise ValidationFailed("nothing was changed", [
                Problem("quantity", "change at least one value, or choose \"it did not "
                        "happen\"")])
        corrective_id = f"urn:uuid:{uuid.uuid4()}"
        corrective["eventID"] = corrective_id
        events.append(corrective)
    declared_event["errorDeclaration"] = {
        "declarationTime": timestamp(now), "reason": reason,
        **({"correctiveEventIDs": [corrective_id]} if corrective_id else {})}
    events.append(declared_event)
    doc = {"@context": context, "type": "EPCISDocument", "schemaVersion": "2.0",
           "creationDate": timestamp(now), "epcisBody": {"eventList": events}}
    as_member = replace(actor, role="member", organisation_id=org_id)
    try:
        outcome = capture_document(doc, as_member, uow, settings)
    except TraceError as exc:
        raise ValidationFailed(exc.message, [Problem("reason", p.message)
                                             for p in exc.problems] or [
            Problem("reason", exc.message)]) from None
    if not outcome.success or not outcome.stored:
        problems = [Problem("reason", e["message"]) for e in outcome.errors] or [
            Problem("reason", "the correction was not stored")]
        raise ValidationFailed(problems[0].message, problems)
    return Corrected(before.event_id, corrective_id)
