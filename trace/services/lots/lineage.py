"""Lineage: from one lot, every lot it came from (back) or went into (forward), to any depth."""

from __future__ import annotations

from sqlalchemy import select, text

from ...domain import policy
from ...domain.actor import Actor
from ...domain.errors import NotFound, Problem, ValidationFailed
from ...gs1.keys import LotKey, normalise_gtin
from ...store.accounts import Organisation
from ...store.catalogue import Farm, Plot
from ...store.events import Event, EventObject
from ...store.lots import Lot, LotLink

# One recursive query per direction. UNION (not UNION ALL) keeps each lot once, so a lot that is
# both input and output of a step (in-place drying keeps its lot code) cannot loop forever.
_WALK = {
    "back": """WITH RECURSIVE walk(lot_id) AS (
                 SELECT CAST(:start AS INTEGER) UNION
                 SELECT l.source_id FROM lot_links l JOIN walk w ON l.target_id = w.lot_id)
               SELECT lot_id FROM walk""",
    "forward": """WITH RECURSIVE walk(lot_id) AS (
                 SELECT CAST(:start AS INTEGER) UNION
                 SELECT l.target_id FROM lot_links l JOIN walk w ON l.source_id = w.lot_id)
               SELECT lot_id FROM walk""",
}


def lot_key(gtin: str, lot: str) -> LotKey:
    try:
        return LotKey(normalise_gtin(gtin), lot)
    except Exception as exc:  # InvalidIdentifier
        raise ValidationFailed(str(exc), [Problem("$.path.gtin", str(exc))]) from None


def walk(session, start_id: int, direction: str) -> list[int]:
    """Ids of every lot reachable from ``start_id``; the database work the benchmark measures."""
    return list(session.scalars(text(_WALK[direction]), {"start": start_id}))


def trace_lot(gtin: str, lot: str, direction: str, actor: Actor, uow) -> dict:
    if direction not in _WALK:
        raise ValidationFailed("direction must be back or forward", [
            Problem("$.query.direction", "must be 'back' or 'forward'")])
    key = lot_key(gtin, lot)
    with uow:
        s = uow.session
        root = s.scalar(select(Lot).where(Lot.uri == key.uri))
        if root is None:
            raise NotFound(f"no lot {key.lot} of GTIN {key.gtin}")
        ids = walk(s, root.id, direction)
        lots = s.scalars(select(Lot).where(Lot.id.in_(ids))).all()
        uri_of = {x.id: x.uri for x in lots}
        links = s.execute(
            select(LotLink.source_id, LotLink.target_id, LotLink.kind, Event.event_id)
            .join(Event, Event.id == LotLink.event_pk)
            .where(LotLink.source_id.in_(ids), LotLink.target_id.in_(ids))).all()
        events = s.execute(
            select(Event.event_id, Event.event_type, Event.biz_step, Event.event_time,
                   Event.organisation_id).distinct()
            .join(EventObject, EventObject.event_pk == Event.id)
            .where(EventObject.uri.in_(list(uri_of.values())))
            .order_by(Event.event_time)).all()
        org_ids = {x.owner_id for x in lots} | {e.organisation_id for e in events}
        org_ids.discard(None)
        policy.require_read_lineage(actor, org_ids)
        orgs = s.execute(select(Organisation.id, Organisation.name, Organisation.kind,
                                Organisation.gln).where(Organisation.id.in_(org_ids))).all()
        plot_ids = {x.plot_id for x in lots if x.plot_id}
        plots = s.execute(select(Plot.id, Plot.code, Plot.area_ha, Plot.geometry, Farm.commune,
                                 Farm.province, Farm.organisation_id).join(Farm)
                          .where(Plot.id.in_(plot_ids))).all() if plot_ids else []
    return {
        "root": {"gtin": key.gtin, "lot": key.lot, "uri": key.uri},
        "direction": direction,
        "lots": [{"uri": x.uri, "kind": x.kind, "gtin": x.gtin, "lot": x.code,
                  "quantity": x.quantity, "unit": x.unit, "owner": x.owner_id,
                  "inTransitTo": x.in_transit_to_id, "plot": x.plot_id} for x in lots],
        "links": [{"source": uri_of[r.source_id], "target": uri_of[r.target_id],
                   "kind": r.kind, "eventID": r.event_id} for r in links],
        "events": [{"eventID": e.event_id, "type": e.event_type, "bizStep": e.biz_step,
                    "eventTime": e.event_time.isoformat(), "organisation": e.organisation_id}
                   for e in events],
        "organisations": [{"id": o.id, "name": o.name, "kind": o.kind, "gln": o.gln}
                          for o in orgs],
        "plots": [{"id": p.id, "code": p.code, "areaHa": p.area_ha, "geometry": p.geometry,
                   "commune": p.commune, "province": p.province, "organisation": p.organisation_id}
                  for p in plots],
    }



