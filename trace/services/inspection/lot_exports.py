"""What the inspector's exports of one lot are built from (docs/inspector/EXPORTS.md).

``gather`` checks who may (``policy.may_read_lineage``: inspectors, admins, and members of an
organisation that holds a lot of the lineage or recorded one of its events), walks the lot's
lineage **back** through its signed events (``verification.lineage_records.walk``: what the
exports say is what was signed, not what an index row says) to every harvest and plot, and
reads the rows the files name: lots, plots with their farms, products, organisations,
certificates and recalls. The builders in ``present/`` turn the result into files; nothing
here writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ...domain.actor import Actor
from ...domain.eudr import PlotFacts
from ...domain.event_lots import EventLots
from ...store import inspection_exports_reads as reads
from ..epcis.query import merge_contexts
from ..lots.lineage import walk as reachable_lot_ids
from ..ports import UnitOfWork
from ..verification.corrections import correction_of
from ..verification.lineage_records import walk
from ..verification.records import Record, find_lot
from ..verification.verdicts import require_lot_access

DIRECTION = "back"


@dataclass(frozen=True, slots=True)
class LotRow:
    id: int
    uri: str
    gtin: str | None
    code: str | None
    quantity: float | None
    unit: str | None
    owner_id: int | None
    plot_id: int | None
    created_event_pk: int | None


@dataclass
class LotExport:
    """A lot's lineage back to its plots, with everything the export files name."""

    gtin: str
    lot: str
    uri: str
    root: LotRow
    records: list[Record]  # every event of the lineage, in the order they happened
    named: dict[int, EventLots | None]  # event pk -> the lots it names and made
    lots: dict[str, LotRow]  # by uri
    products: dict[str, Any]  # gtin -> row (gtin, kind, name_vi, name_en)
    organisations: dict[int, Any]  # id -> row (id, name, gln, country)
    plots: list[PlotFacts]
    plot_lots: dict[int, list[str]] = field(default_factory=dict)  # plot id -> lot uris
    certifications: list[Any] = field(default_factory=list)
    recalls: list[Any] = field(default_factory=list)
    generated_at: datetime | None = None

    def product_name(self, gtin: str | None, lang: str = "en") -> str:
        row = self.products.get(gtin or "")
        if row is None:
            return ""
        return str(row.name_vi if lang == "vi" else row.name_en)

    def product_kind(self) -> str:
        row = self.products.get(self.root.gtin or "")
        return str(row.kind) if row is not None else ""

    def events(self) -> list[Record]:
        """The events, error declarations left out (``corrected`` says which they declare)."""
        return [r for r in self.records if correction_of(r) is None]

    def corrected(self) -> dict[str, Any]:
        """eventID -> what its error declaration says."""
        out: dict[str, Any] = {}
        for rec in self.records:
            declared = correction_of(rec)
            if declared is not None:
                out[rec.event_id] = declared
        return out

    def epcis_document(self, created: str) -> dict[str, Any]:
        """The lineage as one EPCIS 2.0 document (JSON-LD): every event as captured, error
        declarations included, with the @context merged as the query interface merges it."""
        events, contexts = [], []
        for rec in self.records:
            event = rec.event()
            if not isinstance(event, dict):
                continue
            event.setdefault("eventID", rec.event_id)
            events.append(event)
            contexts.append(rec.context_json())
        return {"@context": merge_contexts([dict(e) for e in events], contexts),
                "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": created,
                "epcisBody": {"eventList": events}}


def _place(row: Any) -> str:
    return ", ".join(str(p) for p in (row.code, row.commune, row.district, row.province) if p)


def gather(gtin: str, lot: str, actor: Actor, uow: UnitOfWork, *,
           events: bool = True) -> LotExport:
    """Everything the exports of ``gtin``/``lot`` are built from.

    ``events=False`` (the EUDR files, which name plots, not events): the lots come from the
    lineage index (``lot_links``, one recursive query, as the JSON API's lineage answer), the
    events are not read, and ``records`` is empty. The plots are tied to their harvest lots by
    the lots' rows either way (``lots.plot_id``, set by the harvest form).

    :raises ValidationFailed: a malformed GTIN. :raises NotFound: no such lot.
    :raises Forbidden: the actor's organisation takes no part in the lineage.
    """
    require_lot_access(gtin, lot, actor, uow, DIRECTION)
    with uow:
        key, lot_id = find_lot(uow, gtin, lot)
        if events:
            lineage = walk(uow, key.uri, DIRECTION)
            rows = reads.lots_by_uris(uow, lineage.uris)
            records, named = lineage.ordered(), dict(lineage.lots)
        else:
            rows = reads.lots_by_ids(uow, reachable_lot_ids(uow, lot_id, DIRECTION))
            records, named = [], {}
        lots = {r.uri: LotRow(*r) for r in rows}
        plot_lots: dict[int, list[str]] = {}
        for row in lots.values():
            if row.plot_id is not None:
                plot_lots.setdefault(row.plot_id, []).append(row.uri)
        plot_rows = reads.plots_with_farms(uow, plot_lots)
        gtins = {r.gtin for r in lots.values() if r.gtin}
        products = {r.gtin: r for r in reads.products(uow, gtins)}
        org_ids = {r.organisation_id for r in records if r.organisation_id is not None}
        org_ids |= {r.owner_id for r in lots.values() if r.owner_id is not None}
        org_ids |= {p.organisation_id for p in plot_rows}
        organisations = {r.id: r for r in reads.organisations(uow, org_ids)}
        certificates = reads.certifications(uow, org_ids)
        recalls = reads.recalls(uow, [r.id for r in lots.values()])
    root = lots[key.uri]
    plots = [PlotFacts(plot_id=p.id, code=p.code, area_ha=p.area_ha, geometry=p.geometry,
                       producer=p.farmer_name, country=p.country, place=_place(p))
             for p in plot_rows]
    return LotExport(gtin=key.gtin, lot=key.lot, uri=key.uri, root=root, records=records,
                     named=named, lots=lots, products=products,
                     organisations=organisations, plots=plots, plot_lots=plot_lots,
                     certifications=certificates, recalls=recalls)

