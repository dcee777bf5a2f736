"""Unusual records, flagged for the organisation, inspectors and the consumer page.

Flags are computed from the stored events every time (``domain.plausibility``): an event that
came through the EPCIS capture API is judged like one from the cooperative forms, and changing
a limit re-judges the past. Only what people said about a flag is stored: the organisation's
explanation and an inspector's review (``PlausibilityNote``). A reviewed flag stays listed but
no longer keeps the consumer's headline from being green.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

import orjson
from sqlalchemy import select

from ...domain.actor import Actor
from ...domain.errors import Forbidden, NotFound, Problem, ValidationFailed
from ...domain.journey import HARVEST_DATE, PLOT
from ...domain.plausibility import (
    DEFAULT_CONVERSIONS,
    DEFAULT_HARVEST_LIMITS,
    RULES,
    Flag,
    Harvest,
    Transformation,
    harvest_flags,
    transformation_flags,
)
from ...domain.products import to_kg
from ...domain.vocabulary import TC_BIZSTEP
from ...gs1.canonical import canonicalise
from ...gs1.keys import parse_lot
from ...store.base import utcnow
from ...store.catalogue import Plot, Product
from ...store.events import Event
from ...store.lots import Lot
from ...store.public_records import PlausibilityNote
from ..verification.records import utc_iso

NOTE_MIN, NOTE_MAX = 3, 2000


@dataclass(frozen=True)
class Limits:
    harvest: Mapping[str, float] = field(default_factory=lambda: DEFAULT_HARVEST_LIMITS)
    conversions: Mapping[tuple[str, str, str], tuple[float, float]] = field(
        default_factory=lambda: DEFAULT_CONVERSIONS)


# --- reading the events ------------------------------------------------------------------------

def _kinds(session, gtins: set[str]) -> dict[str, str]:
    if not gtins:
        return {}
    return dict(session.execute(select(Product.gtin, Product.kind).where(
        Product.gtin.in_(gtins))).all())


def _amounts(items) -> list[tuple[str, float]]:
    """(GTIN, kg) of each quantity element naming a lot by mass."""
    out = []
    for q in items or ():
        if not isinstance(q, dict) or not isinstance(q.get("quantity"), int | float):
            continue
        lot = parse_lot(canonicalise(q.get("epcClass") or ""))
        kg = to_kg(q["quantity"], q.get("uom") or "KGM")
        if lot is not None and kg is not None:
            out.append((lot.gtin, kg))
    return out


def _harvests(session, plot_ids: set[int] | None) -> list[Harvest]:
    """Every harvest of these plots (all plots: None), from the events that made their lots."""
    stmt = (select(Event.id, Event.body, Event.organisation_id, Lot.plot_id, Plot.area_ha)
            .join(Lot, Lot.created_event_pk == Event.id).join(Plot, Plot.id == Lot.plot_id)
            .distinct())
    if plot_ids is not None:
        if not plot_ids:
            return []
        stmt = stmt.where(Lot.plot_id.in_(plot_ids))
    rows = session.execute(stmt).all()
    parsed = []
    for pk, body, org, plot_id, area in rows:
        event = orjson.loads(body)
        ilmd = event.get("ilmd") if isinstance(event, dict) else None
        day = _day((ilmd or {}).get(HARVEST_DATE))
        if day is None:
            continue
        parsed.append((pk, org, plot_id, area, day, _amounts(event.get("quantityList"))))
    kinds = _kinds(session, {g for *_, amounts in parsed for g, _ in amounts})
    return [Harvest(pk, org, plot_id, area, kinds[g], kg, day)
            for pk, org, plot_id, area, day, amounts in parsed
            for g, kg in amounts if g in kinds]


def _day(value) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if isinstance(value, str) else None
    except ValueError:
        return None


def _transformations(session, event_pks: set[int] | None,
                     organisation_id: int | None = None) -> list[Transformation]:
    stmt = select(Event.id, Event.body, Event.organisation_id, Event.biz_step).where(
        Event.event_type == "TransformationEvent", Event.biz_step.startswith(TC_BIZSTEP))
    if event_pks is not None:
        if not event_pks:
            return []
        stmt = stmt.where(Event.id.in_(event_pks))
    if organisation_id is not None:
        stmt = stmt.where(Event.organisation_id == organisation_id)
    parsed = []
    for pk, body, org, biz_step in session.execute(stmt):
        event = orjson.loads(body)
        parsed.append((pk, org, biz_step[len(TC_BIZSTEP):],
                       _amounts(event.get("inputQuantityList")),
                       _amounts(event.get("outputQuantityList"))))
    kinds = _kinds(session, {g for *_, i, o in parsed for g, _ in (*i, *o)})
    return [Transformation(pk, org, process,
                           tuple((kinds[g], kg) for g, kg in given if g in kinds),
                           tuple((kinds[g], kg) for g, kg in made if g in kinds))
            for pk, org, process, given, made in parsed]


# --- what people said --------------------------------------------------------------------------

def _notes(session, event_pks: Iterable[int]) -> dict[tuple[int, str], dict[str, dict]]:
    """The latest explanation and review of each (event, rule)."""
    pks = set(event_pks)
    if not pks:
        return {}
    notes: dict[tuple[int, str], dict[str, dict]] = {}
    rows = session.scalars(select(PlausibilityNote).where(PlausibilityNote.event_pk.in_(pks))
                           .order_by(PlausibilityNote.id))
    for n in rows:
        notes.setdefault((n.event_pk, n.rule), {})[n.kind] = {
            "text": n.text, "at": utc_iso(n.created_at)}
    return notes


def _event_ids(session, pks: set[int]) -> dict[int, str]:
    if not pks:
        return {}
    return dict(session.execute(select(Event.id, Event.event_id).where(Event.id.in_(pks))).all())


def _views(session, flags: list[Flag]) -> list[dict]:
    pks = {f.event_pk for f in flags}
    notes, ids = _notes(session, pks), _event_ids(session, pks)
    views, seen = [], set()
    for f in sorted(flags, key=lambda f: (f.event_pk, f.rule)):
        if f.id in seen:  # a harvest of two lots of one plot is one record, one flag
            continue
        seen.add(f.id)
        said = notes.get((f.event_pk, f.rule), {})
        views.append({"id": f.id, "rule": f.rule, "eventID": ids.get(f.event_pk),
                      "organisationId": f.organisation_id, "measured": f.measured,
                      "low": f.low, "high": f.high, "unit": f.unit, "about": f.about,
                      "explanation": said.get("explanation"), "review": said.get("review"),
                      "status": "reviewed" if "review" in said else "open"})
    return views


# --- use cases ---------------------------------------------------------------------------------

def lineage_flags(session, events: Iterable[tuple[int, object]], limits: Limits) -> list[dict]:
    """The flags of a lineage's events (``(event pk, body)`` pairs), for the consumer page. A
    harvest is judged with every other harvest of its plot, in or out of this lineage."""
    pks, harvest_pks = set(), set()
    for pk, event in events:
        pks.add(pk)
        ilmd = (event.get("ilmd") or {}) if isinstance(event, dict) else {}
        plot = ilmd.get(PLOT)
        if isinstance(plot, str) and HARVEST_DATE in ilmd:
            harvest_pks.add(pk)
    if harvest_pks:
        plot_ids = set(session.scalars(select(Lot.plot_id).where(
            Lot.created_event_pk.in_(harvest_pks), Lot.plot_id.is_not(None))))
    else:
        plot_ids = set()
    flags = [f for f in harvest_flags(_harvests(session, plot_ids), limits.harvest)
             if f.event_pk in pks]
    flags += transformation_flags(_transformations(session, pks), limits.conversions)
    return _views(session, flags)


def list_flags(actor: Actor, limits: Limits, uow, status: str | None = None) -> list[dict]:
    """Every flag an organisation's member may see (their organisation's records), or every
    flag for inspectors and admins."""
    with uow:
        s = uow.session
        org = None if actor.reads_everything else actor.organisation_id
        if org is None and not actor.reads_everything:
            return []
        flags = harvest_flags(_harvests(s, None), limits.harvest)
        flags += transformation_flags(_transformations(s, None, org), limits.conversions)
        if org is not None:
            flags = [f for f in flags if f.organisation_id == org]
        views = _views(s, flags)
    return [v for v in views if status is None or v["status"] == status]


def _parse_id(flag_id: str) -> tuple[str, int]:
    rule, _, pk = flag_id.rpartition("-")
    if rule not in RULES or not pk.isdigit():
        raise NotFound(f"no flag {flag_id!r}: flag ids look like harvest-yield-42")
    return rule, int(pk)


def add_note(flag_id: str, text: str, actor: Actor, limits: Limits, uow) -> dict:
    """Record the organisation's explanation (its members) or an inspector's review (inspectors
    and admins) of a flag; the latest of each kind is the one shown.

    :raises NotFound: no such flag (or it is no longer unusual); Forbidden: a member of another
        organisation; ValidationFailed: a note too short or too long.
    """
    words = (text or "").strip()
    if not NOTE_MIN <= len(words) <= NOTE_MAX:
        raise ValidationFailed("say what explains the record", [
            Problem("$.text", f"must be {NOTE_MIN} to {NOTE_MAX} characters")])
    rule, pk = _parse_id(flag_id)
    with uow.writing() as w:
        s = w.session
        event = s.get(Event, pk)
        if event is None:
            raise NotFound(f"no flag {flag_id!r}")
        if not actor.reads_everything and event.organisation_id != actor.organisation_id:
            raise Forbidden("only the organisation that recorded the event, an inspector or an "
                            "admin may note on its flag")
        current = [v for v in lineage_flags(s, [(pk, orjson.loads(event.body))], limits)
                   if v["rule"] == rule]
        if not current:
            raise NotFound(f"no flag {flag_id!r}: the record is not unusual")
        kind = "review" if actor.reads_everything else "explanation"
        s.add(PlausibilityNote(event_pk=pk, rule=rule, kind=kind, text=words,
                               organisation_id=actor.organisation_id, recorded_by=actor.user_id,
                               created_at=utcnow()))
        s.flush()
        [view] = [v for v in _views(s, [_flag_of(current[0])]) if v["rule"] == rule]
        w.commit()
        return view


def _flag_of(view: dict) -> Flag:
    rule, pk = _parse_id(view["id"])
    return Flag(rule, pk, view["organisationId"], view["measured"], view["low"], view["high"],
                view["unit"], view["about"])
