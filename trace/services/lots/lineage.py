"""Lineage: from one lot, every lot it came from (back) or went into (forward), to any depth."""

from __future__ import annotations

from typing import Any

import orjson

from ...domain import policy
from ...domain.actor import Actor
from ...domain.corrections import declared_correction
from ...domain.errors import NotFound, Problem, ValidationFailed
from ...gs1.keys import LotKey, normalise_gtin
from ...store import lineage as reads
from ..ports import UnitOfWork


def lot_key(gtin: str, lot: str) -> LotKey:
    try:
        return LotKey(normalise_gtin(gtin), lot)
    except Exception as exc:  # InvalidIdentifier
        raise ValidationFailed(str(exc), [Problem("$.path.gtin", str(exc))]) from None


def walk(uow: UnitOfWork, start_id: int, direction: str) -> list[int]:
    """Ids of every lot reachable from ``start_id`` (``store.lineage.reachable_lot_ids``: the
    database work the benchmark measures), inside the caller's ``with uow``."""
    return reads.reachable_lot_ids(uow, start_id, direction)


def trace_lot(gtin: str, lot: str, direction: str, actor: Actor, uow: UnitOfWork
              ) -> dict[str, Any]:
    if direction not in reads.DIRECTIONS:
        raise ValidationFailed("direction must be back or forward", [
            Problem("$.query.direction", "must be 'back' or 'forward'")])
    key = lot_key(gtin, lot)
    with uow:
        root = reads.lot_by_uri(uow, key.uri)
        if root is None:
            raise NotFound(f"no lot {key.lot} of GTIN {key.gtin}")
        ids = walk(uow, root.id, direction)
        lots = reads.lots_by_ids(uow, ids)
        uri_of = {x.id: x.uri for x in lots}
        links = reads.links_among(uow, ids)
        events = reads.events_naming(uow, list(uri_of.values()))
        corrected = _corrections(reads.declarations_naming(uow, list(uri_of.values())))
        org_ids = {i for i in ({x.owner_id for x in lots} | {e.organisation_id for e in events})
                   if i is not None}
        policy.require_read_lineage(actor, org_ids)
        orgs = reads.organisation_names(uow, org_ids)
        plot_ids = {x.plot_id for x in lots if x.plot_id}
        plots = reads.plots_with_places(uow, plot_ids) if plot_ids else []
    return {
        "root": {"gtin": key.gtin, "lot": key.lot, "uri": key.uri},
        "direction": direction,
        "lots": [{"uri": x.uri, "kind": x.kind, "gtin": x.gtin, "lot": x.code,
                  "quantity": x.quantity, "unit": x.unit, "owner": x.owner_id,
                  "inTransitTo": x.in_transit_to_id, "plot": x.plot_id} for x in lots],
        "links": [{"source": uri_of[r.source_id], "target": uri_of[r.target_id],
                   "kind": r.kind, "eventID": r.event_id} for r in links],
        "events": [{"eventID": e.event_id, "type": e.event_type, "bizStep": e.biz_step,
                    "eventTime": e.event_time.isoformat(), "organisation": e.organisation_id,
                    **({"correctedBy": corrected[e.event_id]}
                       if e.event_id in corrected else {})}
                   for e in events],
        "organisations": [{"id": o.id, "name": o.name, "kind": o.kind, "gln": o.gln}
                          for o in orgs],
        "plots": [{"id": p.id, "code": p.code, "areaHa": p.area_ha, "geometry": p.geometry,
                   "commune": p.commune, "province": p.province, "organisation": p.organisation_id}
                  for p in plots],
    }



def _corrections(rows: list[Any]) -> dict[str, dict[str, Any]]:
    """What each error declaration says, by the declared eventID (docs/CORRECTIONS.md)."""
    found = ((event_id, declared_correction(orjson.loads(body))) for event_id, body in rows)
    return {event_id: c for event_id, c in found if c is not None}
