"""The holds that reach a lot, as the consumer page shows them: read from the signed hold and
release events of the lot's lineage (``domain.inspection_events.holds_in``), which the page's
verification checks like every other record, and compared with the ``holds`` rows.

A hold on a lot reaches every lot made from it ("made from a lot on hold"), like a recall: the
hold's event names the lots made from it by then, and a lot made later finds the hold among the
events of its back lineage.

Fail closed: a row that disagrees with its event (released without a release event, another
reason, another lot, a row missing or one with no event) makes the answer not intact, and a
hold its event records stays shown whatever the row says.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ...domain.inspection_events import holds_in
from ...gs1.canonical import canonicalise
from ...store import inspection_act_reads as stored
from ..ports import UnitOfWork


def lineage_holds(uow: UnitOfWork, records: Sequence[Any], events: Sequence[Any],
                  lots: Mapping[int, Any], root_id: int) -> tuple[list[dict[str, Any]], bool]:
    """(the active holds reaching the lot, oldest first; whether every hold row agrees with
    the signed events). ``records``/``events``: the lineage's records and their bodies;
    ``lots``: the lineage's lots by id (``uri``, ``gtin``, ``code``)."""
    by_hold: dict[int, str | None] = {}
    hold_events = []
    for rec, event in zip(records, events, strict=True):
        if isinstance(event, dict) and event.get("bizStep") == "holding":
            hold_events.append(event)
            found = holds_in([event])
            for hold_id in found:
                by_hold[hold_id] = rec.organisation_name
    notices = holds_in(hold_events)
    by_uri = {lot.uri: lot for lot in lots.values()}
    rows = {r.Hold.id: r for r in stored.hold_rows(uow, set(lots))}
    intact = set(rows) <= set(notices) and set(notices) <= set(rows)
    shown = []
    for hold_id, notice in sorted(notices.items()):
        row = rows.get(hold_id)
        held_uri = canonicalise(notice.classes[0]) if notice.classes else None
        if row is not None and (row.Hold.reason != notice.reason or row.uri != held_uri
                                or (row.Hold.released_at is not None) != notice.released):
            intact = False
        if notice.released:
            continue
        lot = by_uri.get(held_uri or "")
        shown.append({"id": hold_id, "reason": notice.reason, "since": notice.since,
                      "by": by_hold.get(hold_id),
                      "lot": {"gtin": getattr(lot, "gtin", None),
                              "lot": getattr(lot, "code", None), "uri": held_uri},
                      "thisLot": lot is not None and lot.id == root_id})
    return shown, intact
