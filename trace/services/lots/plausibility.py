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
from typing import Any

import orjson

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
from ...gs1.keys import lot_gtin
from ...store import plausibility_reads as reads
from ...store.base import utcnow
from ..ports import UnitOfWork
from ..verification.records import utc_iso

NOTE_MIN, NOTE_MAX = 3, 2000


@dataclass(frozen=True)
class Limits:
    harvest: Mapping[str, float] = field(default_factory=lambda: DEFAULT_HARVEST_LIMITS)
    conversions: Mapping[tuple[str, str, str], tuple[float, float]] = field(
        default_factory=lambda: DEFAULT_CONVERSIONS)


# --- reading the events ------------------------------------------------------------------------

def _kinds(uow: UnitOfWork, gtins: set[str]) -> dict[str, str]:
    if not gtins:
        return {}
    return reads.product_kinds(uow, gtins)


def _amounts(items: Any) -> list[tuple[str, float]]:
    """(GTIN, kg) of each quantity element naming a lot by mass."""
    out = []
    for q in items or ():
        if not isinstance(q, dict) or not isinstance(q.get("quantity"), int | float):
            continue
        gtin = lot_gtin(canonicalise(q.get("epcClass") or ""))
        kg = to_kg(q["quantity"], q.get("uom") or "KGM")
        if gtin is not None and kg is not None:
            out.append((gtin, kg))
    return out


def _harvests(uow: UnitOfWork, plot_ids: set[int] | None) -> list[Harvest]:
    """Every harvest of these plots (all plots: None), from the events that made their lots."""
    if plot_ids is not None and not plot_ids:
        return []
    rows = reads.harvest_rows(uow, plot_ids)
    parsed = []
    for pk, body, org, plot_id, area in rows:
        event = orjson.loads(body)
        ilmd = event.get("ilmd") if isinstance(event, dict) else None
        day = _day((ilmd or {}).get(HARVEST_DATE))
        if day is None or "errorDeclaration" in event:  # a declaration repeats its harvest
            continue
        parsed.append((pk, org, plot_id, area, day, _amounts(event.get("quantityList"))))
    kinds = _kinds(uow, {g for *_, amounts in parsed for g, _ in amounts})
    return [Harvest(pk, org, plot_id, area, kinds[g], kg, day)
            for pk, org, plot_id, area, day, amounts in parsed
            for g, kg in amounts if g in kinds]


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if isinstance(value, str) else None
    except ValueError:
        return None


def _transformations(uow: UnitOfWork, event_pks: set[int] | None,
                     organisation_id: int | None = None) -> list[Transformation]:
    if event_pks is not None and not event_pks:
        return []
    parsed = []
    for pk, body, org, biz_step in reads.transformation_rows(uow, event_pks, organisation_id):
        event = orjson.loads(body)
        if "errorDeclaration" in event:  # an error declaration repeats its transformation
            continue
        parsed.append((pk, org, biz_step[len(TC_BIZSTEP):],
                       _amounts(event.get("inputQuantityList")),
                       _amounts(event.get("outputQuantityList"))))
    kinds = _kinds(uow, {g for *_, i, o in parsed for g, _ in (*i, *o)})
    return [Transformation(pk, org, process,
                           tuple((kinds[g], kg) for g, kg in given if g in kinds),
                           tuple((kinds[g], kg) for g, kg in made if g in kinds))
            for pk, org, process, given, made in parsed]


# --- what people said --------------------------------------------------------------------------

def _notes(uow: UnitOfWork, event_pks: Iterable[int]
           ) -> dict[tuple[int, str], dict[str, dict[str, Any]]]:
    """The latest explanation and review of each (event, rule)."""
    pks = set(event_pks)
    if not pks:
        return {}
    notes: dict[tuple[int, str], dict[str, dict[str, Any]]] = {}
    for n in reads.notes_on(uow, pks):
        notes.setdefault((n.event_pk, n.rule), {})[n.kind] = {
            "text": n.text, "at": utc_iso(n.created_at)}
    return notes


def _event_ids(uow: UnitOfWork, pks: set[int]) -> dict[int, str]:
    if not pks:
        return {}
    return reads.event_ids(uow, pks)


def _views(uow: UnitOfWork, flags: list[Flag]) -> list[dict[str, Any]]:
    pks = {f.event_pk for f in flags}
    notes, ids = _notes(uow, pks), _event_ids(uow, pks)
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

def lineage_flags(uow: UnitOfWork, events: Iterable[tuple[int, Any]], limits: Limits
                  ) -> list[dict[str, Any]]:
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
        plot_ids = reads.plots_of_harvests(uow, harvest_pks)
    else:
        plot_ids = set()
    flags = [f for f in harvest_flags(_harvests(uow, plot_ids), limits.harvest)
             if f.event_pk in pks]
    flags += transformation_flags(_transformations(uow, pks), limits.conversions)
    return _views(uow, flags)


def list_flags(actor: Actor, limits: Limits, uow: UnitOfWork, status: str | None = None
               ) -> list[dict[str, Any]]:
    """Every flag an organisation's member may see (their organisation's records), or every
    flag for inspectors and admins."""
    with uow:
        org = None if actor.reads_everything else actor.organisation_id
        if org is None and not actor.reads_everything:
            return []
        flags = harvest_flags(_harvests(uow, None), limits.harvest)
        flags += transformation_flags(_transformations(uow, None, org), limits.conversions)
        if org is not None:
            flags = [f for f in flags if f.organisation_id == org]
        views = _views(uow, flags)
    return [v for v in views if status is None or v["status"] == status]


def _parse_id(flag_id: str) -> tuple[str, int]:
    rule, _, pk = flag_id.rpartition("-")
    if rule not in RULES or not pk.isdigit():
        raise NotFound(f"no flag {flag_id!r}: flag ids look like harvest-yield-42")
    return rule, int(pk)


def add_note(flag_id: str, text: str, actor: Actor, limits: Limits, uow: UnitOfWork
             ) -> dict[str, Any]:
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
        event = reads.event_by_pk(w, pk)
        if event is None:
            raise NotFound(f"no flag {flag_id!r}")
        if not actor.reads_everything and event.organisation_id != actor.organisation_id:
            raise Forbidden("only the organisation that recorded the event, an inspector or an "
                            "admin may note on its flag")
        current = [v for v in lineage_flags(w, [(pk, orjson.loads(event.body))], limits)
                   if v["rule"] == rule]
        if not current:
            raise NotFound(f"no flag {flag_id!r}: the record is not unusual")
        kind = "review" if actor.reads_everything else "explanation"
        reads.add_note(w, event_pk=pk, rule=rule, kind=kind, text=words,
                       organisation_id=actor.organisation_id, recorded_by=actor.user_id,
                       at=utcnow())
        [view] = [v for v in _views(w, [_flag_of(current[0])]) if v["rule"] == rule]
        w.commit()
        return view


def _flag_of(view: dict[str, Any]) -> Flag:
    rule, pk = _parse_id(view["id"])
    return Flag(rule, pk, view["organisationId"], view["measured"], view["low"], view["high"],
                view["unit"], view["about"])
