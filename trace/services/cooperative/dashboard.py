"""The member's dashboard (issue #11): the organisation's lots and stock, what waits for the
chain, what was anchored when, and warnings — in one read, limited, for the console's start
page.

Warnings:
- **plausibility flags** on the organisation's records (services/lots/plausibility.py), open
  ones first;
- **verification problems**, from stored facts only (no chain call per page view): events of
  the organisation that wait for the chain longer than ``STUCK_AFTER`` (the anchorer runs every
  ``TRACE_ANCHOR_INTERVAL`` seconds, 10 by default, so an event still waiting after 15 minutes
  was refused by it — e.g. no signing key, or its body no longer re-hashes — or the anchorer
  is not running), and batches holding its events that the chain has not confirmed and that
  carry an error (a lost or failed transaction, rebuilt by the anchorer). A full proof check of
  a lot is the verification page's work (``/api/v1/lots/.../verify``), not the start page's;
- **recalls touching its lots**: active recalls of any lot it holds, or of any lot those were
  made from (their back lineage), newest first;
- **holds touching its lots** (issue #12): an authority's active holds of the same lots, found
  the same way. Derived from the holds themselves, like recalls, rather than kept as
  notifications: nothing to keep in step, and a released hold leaves the list by itself
  (docs/inspector/ACTIONS.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ...domain import policy
from ...domain.actor import Actor
from ...store import dashboard_reads as reads
from ...store import stock as stock_reads
from ...store.base import utcnow
from ..inspection.holds import holds_of_lots
from ..lots import plausibility, recalls
from ..lots.lineage import walk
from ..lots.stock import LotView, _views
from ..ports import UnitOfWork
from .gtin_ownership import gtin_owners

LOTS_SHOWN = 30
WAITING_SHOWN = 10
BATCHES_SHOWN = 5
FLAGS_SHOWN = 10
RECALLS_SHOWN = 10
LINEAGE_LOTS = 200  # held lots whose lineage is searched for recalls (the newest ones)
STUCK_AFTER = timedelta(minutes=15)


@dataclass(frozen=True)
class Dashboard:
    lots: list[LotView]
    lots_total: int
    waiting: int
    waiting_events: list[Any]
    batches: list[Any]
    stuck: int
    failed_batches: list[Any]
    flags: list[dict[str, Any]]
    flags_open: int
    recalls: list[Any] = field(default_factory=list)
    held_ids: frozenset[int] = frozenset()  # a recall of one of these is direct, else upstream
    labelable: frozenset[str] = frozenset()  # URIs of the shown lots it may print labels for
    holds: list[Any] = field(default_factory=list)  # active holds touching its lots (#12)

    @property
    def warnings(self) -> int:
        return (self.stuck + len(self.failed_batches) + self.flags_open + len(self.recalls)
                + len(self.holds))


def dashboard(actor: Actor, limits: plausibility.Limits, uow: UnitOfWork,
              now: datetime | None = None) -> Dashboard | None:
    """The dashboard of the caller's organisation; None for a caller without one (an admin or
    inspector of no organisation: their start page has no dashboard)."""
    if not policy.may_see_dashboard(actor) or actor.organisation_id is None:
        return None
    org = actor.organisation_id
    now = now or utcnow()
    flags = plausibility.list_flags(actor, limits, uow)
    with uow:
        rows = stock_reads.lot_rows(uow, org)
        held = rows  # what it owns, on its way to a partner included (until received)
        newest = list(reversed(held))
        views = _views(uow, newest[:LOTS_SHOWN])
        # It holds them: it may print their labels when it owns their GTIN (or nobody does).
        owners = gtin_owners(uow, [v.gtin for v in views if v.gtin])
        labelable = frozenset(v.uri for v in views if v.gtin and policy.may_write(actor)
                              and policy.may_commission(actor, org, owners.get(v.gtin)))
        lineage: set[int] = set()
        for r in newest[:LINEAGE_LOTS]:
            lineage.update(walk(uow, r.Lot.id, "back"))
            lineage.add(r.Lot.id)
        touching = recalls.recalls_affecting(uow, lineage)[:RECALLS_SHOWN]
        held_touching = [h for h in reversed(holds_of_lots(uow, lineage))
                         if h.active][:RECALLS_SHOWN]
        waiting = reads.waiting_count(uow, org)
        stuck = reads.waiting_count(uow, org, recorded_before=now - STUCK_AFTER)
        waiting_rows = reads.waiting_events(uow, org, WAITING_SHOWN)
        batches = reads.batches_of(uow, org, BATCHES_SHOWN + 10)
    failed = [b for b in batches if b.status != "confirmed" and b.last_error]
    anchored = [b for b in batches if b.status == "confirmed"][:BATCHES_SHOWN]
    flags.sort(key=lambda f: (f["status"] != "open", f["id"]))
    return Dashboard(views, len(held), waiting, waiting_rows, anchored, stuck, failed,
                     flags[:FLAGS_SHOWN], sum(f["status"] == "open" for f in flags), touching,
                     frozenset(r.Lot.id for r in held), labelable, held_touching)
