"""What one organisation recorded between two dates (issue #12): its events a page at a time,
by event time, with the lots they name and where each stands in the anchoring flow as the
records say (no chain call: "verify" pages ask the chain)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from ...domain import policy
from ...domain.actor import Actor
from ...domain.errors import NotFound
from ...domain.vocabulary import cbv_word
from ...gs1.keys import parse_lot
from ...store import inspection_find_reads as reads
from ..ports import UnitOfWork
from .find_lots import dossier_path
from .query_terms import Terms, Window

PER_PAGE = 100


@dataclass(frozen=True)
class RecordedEvent:
    event_id: str
    event_type: str
    biz_step: str | None  # the CBV word, else the URI
    event_time: datetime
    record_time: datetime
    lots: list[tuple[str, str]]  # (label, dossier path)
    state: str  # anchored | anchoring | pending | unsigned
    batch_id: int | None
    declaration: bool


@dataclass(frozen=True)
class OrganisationEvents:
    organisation_id: int
    name: str
    gln: str
    window: Window
    page: int
    per_page: int
    total: int
    events: list[RecordedEvent] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def read_window(args: Mapping[str, str], zone: ZoneInfo) -> tuple[Window, int, int]:
    """(window, page, per page). :raises ValidationFailed: a bad date or page."""
    terms = Terms(args)
    window = terms.window(zone)
    page = terms.page()
    limit = terms.limit("limit", PER_PAGE, 500)
    terms.done()
    return window, page, limit


def organisation_events(actor: Actor, organisation_id: int, window: Window, page: int,
                        uow: UnitOfWork, per_page: int = PER_PAGE) -> OrganisationEvents:
    """:raises Forbidden: not an inspector or an admin. :raises NotFound: no such
    organisation."""
    policy.require_search_everything(actor)
    with uow:
        named = reads.organisation_name(uow, organisation_id)
        if named is None:
            raise NotFound(f"no organisation {organisation_id}")
        rows, total, lots = reads.organisation_events(
            uow, organisation_id, window.start, window.end, (page - 1) * per_page, per_page)
    out = []
    for r in rows:
        state = ("unsigned" if not r.signed else "pending" if r.batch_id is None
                 else "anchored" if r.batch_status == "confirmed" else "anchoring")
        labels = []
        for uri in lots.get(r.id, []):
            key = parse_lot(uri)
            if key is not None:
                labels.append((f"{key.gtin} · {key.lot}", dossier_path(key.gtin, key.lot)))
        out.append(RecordedEvent(r.event_id, r.event_type,
                                 cbv_word("bizStep", r.biz_step) or r.biz_step, r.event_time,
                                 r.record_time, labels, state, r.batch_id, r.declaration))
    return OrganisationEvents(organisation_id, named[0], named[1], window, page, per_page,
                              total, out)
