"""A lot's dossier (docs/inspector/DOSSIER.md): its lineage back to every plot and forward to
every shipment and container, the plots and the route, and every event of it with its
verification state, signer, batch, transaction, evidence, flags and corrections.

    dossier(gtin, lot, actor, uow, reader, caches)        the page's facts (cached chain answers)
    verify_now(gtin, lot, actor, uow, reader)             the same, the chain asked afresh

The lineage is walked through the signed events themselves (``verification.lineage_records``, as
the consumer page and the audit pack do), so the graph, the timeline and the verdicts rest on
the same records, and a removed index row cannot take a step out of any of them. Every read is
batched: one query per 500 keys, never one per event or node.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from ...domain import policy
from ...domain.actor import Actor
from ...domain.errors import Forbidden, NotFound
from ...domain.event_lots import EventLots
from ...domain.evidence import EvidenceRef, references
from ...domain.inspection_events import HOLD_MEMBER, holds_in
from ...domain.journey import HARVEST_DATE, PLOT, destination, place_gln
from ...domain.verification import VERIFIED, Check
from ...domain.vocabulary import PLOT_URN, TC_PREFIX, cbv_word
from ...gs1.canonical import canonicalise
from ...gs1.keys import LotKey, parse_lot
from ...store import inspection_dossier_reads as reads
from ...store.snapshot import one_snapshot
from ..consumer.provenance import step_anchor
from ..lots.lineage import lot_key
from ..lots.plausibility import Limits, lineage_flags
from ..lots.recalls import RecallView, recalls_affecting
from ..ports import ChainReader, UnitOfWork
from ..verification.corrections import corrections, struck
from ..verification.lineage_records import Lineage, _walk, walk
from ..verification.records import Record, organisations_in
from ..verification.verdicts import VerificationCaches, verify_lineage
from . import kept_dossier as kept
from .fewer_collections import fewer_collections

SSCC_PREFIX = "https://id.gs1.org/00/"
# Dispositions and steps that mark a hold or a recall (the inspection helper records holds as
# EPCIS events with CBV business step ``holding``; recalls carry disposition ``recalled``).
HOLD_STEPS = frozenset({"holding"})
HOLD_DISPOSITIONS = frozenset({"non_sellable_other"})
RECALL_DISPOSITIONS = frozenset({"recalled"})
INSPECTION_STEPS = frozenset({"inspecting", "sampling"})  # an authority's inspection records
LIFT_MEMBER = f"{TC_PREFIX}:lift"  # a recall's lift (domain.recall_events.lift_event)
RELEASE_DISPOSITIONS = frozenset({"conformant", "active", "sellable_accessible",
                                  "sellable_not_accessible"})


@dataclass(frozen=True)
class Node:
    """One node of the lineage graph: a lot, a container (SSCC), or a shipment."""

    key: str  # the lot's or container's URI; "ship:<eventID>" for a shipment
    kind: str  # lot | container | shipment
    label: str
    detail: str = ""
    gtin: str | None = None
    lot: str | None = None
    here: bool = False
    anchor: str | None = None  # a shipment: its event's place in the timeline
    harvest: bool = False  # a lot made by a harvest (a plot's lot)


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    kind: str  # transformation | aggregation | shipping | step


@dataclass
class TimelineEvent:
    pk: int
    event_id: str
    anchor: str
    type: str
    biz_step: str | None
    disposition: str | None
    event_time: datetime | None
    record_time: datetime | None
    status: str
    reason: str
    problems: list[Check]
    organisation: str | None
    gln: str | None
    signer: str | None
    signed_by: str  # event | seal | none
    batch_id: int | None
    batch_status: str | None
    root: str | None
    tx_hash: str | None
    block_number: int | None
    block_time: datetime | None
    lots: list[str]
    plot: str | None = None
    to: str | None = None
    harvest: bool = False
    declaration: bool = False
    evidence: list[EvidenceRef] = field(default_factory=list)
    flags: list[dict[str, Any]] = field(default_factory=list)
    corrected_by: dict[str, Any] | None = None  # reason, declared, corrective [(id, anchor)]
    corrects: list[tuple[str, str]] = field(default_factory=list)  # (eventID, anchor)
    declares: tuple[str, str] | None = None  # a declaration: (eventID, anchor) it declares
    marker: str | None = None  # hold | recall | release | lift | inspection


@dataclass(frozen=True)
class ActiveHold:
    """A hold of a lot of the lineage that no release event of it ends (as the consumer page
    reads holds: from the signed events, ``domain.inspection_events.holds_in``)."""

    lot: str
    since: datetime | None
    by: str | None
    reason: str
    anchor: str  # the hold event's place in the timeline


@dataclass(frozen=True)
class Certificate:
    holder: str
    scheme: str
    code: str
    issuer: str | None
    valid_until: date | None
    url: str | None
    expired: bool


@dataclass(frozen=True)
class Stop:
    """One place of the route, in the order events happened there."""

    when: datetime | None
    label: str
    lon: float | None = None
    lat: float | None = None
    plots: int = 0  # the harvests of this many plots, drawn as one stop at their middle


ROUTE_PLOTS = 12  # more harvest places than this are one stop of the route
# Above this many, harvests are listed in one folded table rather than one card each, a page of
# HARVEST_PAGE rows at a time. The yield flag of a harvest is judged on its plot's whole season
# (every harvest of that plot: ~17 each on 2,000 plots is 33,000 events to read), so only the
# harvests of the page shown are judged; every other event is judged on every page.
HARVEST_CARDS = 24
HARVEST_PAGE = 100


@dataclass
class Dossier:
    key: LotKey
    product: dict[str, Any]
    quantity: float | None
    unit: str | None
    holder: str | None
    in_transit_to: str | None
    status: str
    reason: str
    nodes: list[Node]
    edges: list[Edge]
    plots: list[dict[str, Any]]
    route: list[Stop]
    events: list[TimelineEvent]
    missing: list[Check]  # lot histories that do not match what the chain committed
    certificates: list[Certificate]
    recalls: list[RecallView]
    markers: list[TimelineEvent]
    counts: dict[str, int]
    fresh: bool = False  # asked the chain afresh (verify now)
    chain_roots: int = 0  # distinct batch roots of the lineage
    digest: str = ""  # ``reads.lineage_digest`` when it was read ("": verify now)
    holds: list[ActiveHold] = field(default_factory=list)  # active holds of the lineage
    harvest_page: int = 1  # the page of the folded harvest table whose flags were judged
    harvest_pages: int = 1  # its pages (1: not folded, or one page)

    @property
    def folded(self) -> list[TimelineEvent]:
        """Every harvest of the folded table, in the timeline's order ([]: not folded)."""
        return folded_harvests(self.events)

    @property
    def rows(self) -> list[TimelineEvent]:
        """The folded table's rows on the page shown (their flags judged)."""
        return harvest_page_of(self.folded, self.harvest_page)


def folded_harvests(events: list[TimelineEvent]) -> list[TimelineEvent]:
    """The harvests listed as the folded table's rows (more than ``HARVEST_CARDS``; an error
    declaration stays a card)."""
    harvests = [e for e in events if e.harvest and not e.declaration]
    return harvests if len(harvests) > HARVEST_CARDS else []


def harvest_pages(count: int) -> int:
    """Pages of a folded table of ``count`` harvests."""
    return max(1, -(-count // HARVEST_PAGE)) if count > HARVEST_CARDS else 1


def harvest_page_of(harvests: list[Any], page: int) -> list[Any]:
    """The folded table's ``page`` (from 1) of ``harvests``."""
    start = (page - 1) * HARVEST_PAGE
    return harvests[start:start + HARVEST_PAGE]


# --- use cases ----------------------------------------------------------------------------------

class DossierCache:
    """Dossiers computed lately, by lot: one is given again while every stored fact its
    verdicts rest on is unchanged (``reads.lineage_digest``: one read of the lineage's events,
    seals, batches, lots and recalls) and it is younger than ``TTL`` seconds (names,
    certificates, flag reviews and the chain's latest state are taken as they were for that
    long). "Verify now" never uses it."""

    TTL = 60.0
    SIZE = 64

    def __init__(self) -> None:
        self._entries: OrderedDict[tuple[str, int, date, int], _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, int, date, int]) -> _Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry.expires < time.monotonic():
                return None
            self._entries.move_to_end(key)
            return entry

    def put(self, key: tuple[str, int, date, int], entry: _Entry) -> None:
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.SIZE:
                self._entries.popitem(last=False)


@dataclass(frozen=True)
class _Entry:
    expires: float
    digest: str
    uris: frozenset[str]
    organisations: frozenset[int | None]
    dossier: Dossier


def cache_of(caches: VerificationCaches) -> DossierCache:
    """The dossier cache kept beside the app's verification caches (one per app)."""
    found = getattr(caches, _CACHE_ATTRIBUTE, None)
    if not isinstance(found, DossierCache):
        found = DossierCache()
        setattr(caches, _CACHE_ATTRIBUTE, found)
    return found


_CACHE_ATTRIBUTE = "inspection_dossiers"


def dossier(gtin: str, lot: str, actor: Actor, uow: UnitOfWork, reader: ChainReader | None,
            caches: VerificationCaches, limits: Limits | None = None, *,
            today: date | None = None, harvest_page: int = 1,
            keeper: kept.Keeper | None = None) -> Dossier:
    """The lot's dossier for ``actor``, verdicts from what the chain said when first asked
    (``caches``: no fresh chain call on page load; the dossier itself is kept a minute while
    its records are unchanged, ``DossierCache``). ``harvest_page``: the page of a folded
    harvest table whose harvests' flags are judged (``HARVEST_PAGE``; past the last, the last).
    ``keeper``: the first page of a lineage of ``keeper.min_events`` events or more is kept in
    the database for every process and taken from there while it holds (``kept_dossier.py``).

    :raises ValidationFailed: a malformed GTIN or lot. :raises Forbidden: the actor may not
        read this lineage (``policy.require_read_dossier``); a member is told so for an unknown
        lot too, so that the answer does not say whether it exists. :raises NotFound: no such
        lot (inspectors and admins).
    """
    key = lot_key(gtin, lot)
    day = today or datetime.now(UTC).date()
    cache = cache_of(caches)
    memo = (key.uri, id(reader), day, max(1, harvest_page))
    entry = cache.get(memo)
    if entry is not None:
        digest = reads.lineage_digest(uow, entry.uris)
        if digest == entry.digest:
            policy.require_read_dossier(actor, entry.organisations)
            return entry.dossier
    first = keeper is not None and harvest_page <= 1
    if first and keeper is not None:
        with fewer_collections():  # a big model's worth of objects, parsed
            loaded = kept.load(keeper, key.uri, uow, reader, caches, day, judging(limits))
        if loaded is not None:
            found, uris, orgs = loaded
            policy.require_read_dossier(actor, orgs)
            cache.put(memo, _Entry(time.monotonic() + cache.TTL, found.digest,
                                   frozenset(uris), frozenset(orgs), found))
            return found
    return _built(key, actor, uow, reader, caches, limits, day, memo, harvest_page,
                  keeper if first else None)[0]


def kept_page(gtin: str, lot: str, actor: Actor, uow: UnitOfWork, reader: ChainReader | None,
              caches: VerificationCaches, limits: Limits | None = None, *,
              keeper: kept.Keeper, variant: str, today: date | None = None
              ) -> kept.KeptPage | None:
    """The lot's first page as kept with its dossier for ``variant`` (the console's language,
    time zone and version), if the kept dossier holds (``kept_dossier.page``): no model
    decoded, no page rendered. None: ask ``dossier``. Errors and the access check as there."""
    key = lot_key(gtin, lot)
    day = today or datetime.now(UTC).date()
    with fewer_collections():  # a big body's worth of objects, parsed
        found = kept.page(keeper, key.uri, uow, reader, caches, day, variant, judging(limits))
    if found is None:
        return None
    policy.require_read_dossier(actor, found.organisations)
    return found


def keep_lot(uri: str, uow: UnitOfWork, reader: ChainReader | None,
             caches: VerificationCaches, keeper: kept.Keeper, limits: Limits | None = None,
             *, today: date | None = None) -> int | None:
    """Build the lot ``uri``'s dossier (its first page) as an operator and keep it when its
    lineage has ``keeper.min_events`` events or more: the number of its events, or None (not
    a lot with a dossier, or not kept). For ``tracechain dossiers keep`` and the anchorer."""
    key = parse_lot(uri)
    if key is None:
        return None
    day = today or datetime.now(UTC).date()
    found, saved = _built(key, OPERATOR, uow, reader, caches, limits, day,
                          (key.uri, id(reader), day, 1), 1, keeper, remember=False)
    return len(found.events) if saved else None


OPERATOR = Actor(0, "admin", None, "kept dossiers")  # reads every lineage, records nothing


def _built(key: LotKey, actor: Actor, uow: UnitOfWork, reader: ChainReader | None,
           caches: VerificationCaches, limits: Limits | None, day: date,
           memo: tuple[str, int, date, int], harvest_page: int,
           keeper: kept.Keeper | None, *, remember: bool = True) -> tuple[Dossier, bool]:
    """A cold build, put in the in-process cache (``remember``: not for the anchorer and the
    CLI, which nobody reads from) and kept, with ``keeper``, when its lineage is big, if
    nothing it rests on changed while it was built; and whether it was kept."""
    state = None
    if keeper is not None and reader is not None:
        with uow:
            state = caches.chain.state(uow, reader, caches.trees)
    with fewer_collections():
        built = _build(key.gtin, key.lot, actor, uow, reader, caches, limits, day,
                       fresh=False, harvest_page=harvest_page,
                       keep_from=keeper.min_events if keeper is not None else None)
    found = built.dossier
    digest = reads.lineage_digest(uow, built.uris)
    if digest != found.digest:  # something changed while it was built
        found.digest = ""
        return found, False
    if remember:
        cache = cache_of(caches)
        cache.put(memo, _Entry(time.monotonic() + cache.TTL, digest, frozenset(built.uris),
                               frozenset(built.organisations), found))
    saved = False
    if keeper is not None and built.shown and found.harvest_page == 1:
        saved = kept.save(keeper, built, uow, reader, caches, state, judging(limits))
    return found, saved


def judging(limits: Limits | None) -> dict[str, Any]:
    """What the page was judged and laid out with that is configuration, not records: a kept
    dossier built under other settings (or another version's page sizes) is not used."""
    return {"harvest": dict(sorted((limits or Limits()).harvest.items())),
            "conversions": sorted([*k, *v] for k, v in (limits or Limits()).conversions.items()),
            "page": HARVEST_PAGE, "cards": HARVEST_CARDS}


def verify_now(gtin: str, lot: str, actor: Actor, uow: UnitOfWork, reader: ChainReader | None,
               limits: Limits | None = None, *, today: date | None = None,
               harvest_page: int = 1) -> Dossier:
    """The dossier with every verdict established again: nothing remembered from earlier
    requests (new caches), so the chain is asked once per distinct batch root of the lineage,
    once per signer and transaction, and once for the latest lot state."""
    with fewer_collections():
        return _build(gtin, lot, actor, uow, reader, VerificationCaches(), limits,
                      today or datetime.now(UTC).date(), fresh=True,
                      harvest_page=harvest_page).dossier


def _build(gtin: str, lot: str, actor: Actor, uow: UnitOfWork, reader: ChainReader | None,
           caches: VerificationCaches, limits: Limits | None, day: date,
           fresh: bool, harvest_page: int = 1, keep_from: int | None = None) -> kept.Built:
    """The dossier, the URIs of its lineage and the organisations taking part in it, and what
    else it shows (``kept.Built``: its digest read when the lineage has ``keep_from`` events
    or more, to keep it)."""
    key = lot_key(gtin, lot)
    snapshot = keep_from is not None and not fresh  # to keep: one snapshot, its digest
    with uow:
        if snapshot:
            one_snapshot(uow)
        rows = {r.uri: r for r in reads.lot_rows(uow, [key.uri])}
        root = rows.get(key.uri)
        if root is None:
            if policy.reads_everything(actor):
                raise NotFound(f"no lot {key.lot} of GTIN {key.gtin}")
            raise Forbidden("your organisation holds no lot and recorded no event in this "
                            "lineage")
        lineage = _lineage(uow, key.uri)
        rows.update((r.uri, r) for r in reads.lot_rows(uow, lineage.uris - set(rows)))
        lot_ids = {r.id for r in rows.values()}
        taking_part = organisations_in(uow, lot_ids, list(lineage.records))
        policy.require_read_dossier(actor, taking_part)
        digest = reads.lineage_digest(uow, lineage.uris | {key.uri}, in_transaction=snapshot) \
            if not fresh else ""
        records = lineage.ordered()
        sealed = caches.seals.of_captures(uow, {r.capture_id for r in records
                                                if r.signature is None})
        keeping = keep_from is not None and not fresh and len(records) >= keep_from
        signers = sorted({s for s in (r.signer if r.signature is not None
                                      else getattr(sealed.get(r.capture_id), "signer", None)
                                      for r in records) if isinstance(s, str) and s})
        # what the chain says that can change, before the verdicts are read from it: kept
        # only if it says the same after (``kept.save``)
        facts = kept.chain_facts(caches.chain.state(uow, reader, caches.trees), reader, caches,
                                 lineage.uris | {key.uri}, signers) \
            if keeping and reader is not None else None
        checked = verify_lineage(uow, lineage, reader, caches)
        bodies = [r.event() for r in records]
        read = [_Read.of(e) for e in bodies]  # once, for the graph, timeline and route
        recorded = reads.record_times(uow, [r.id for r in records])
        plot_ids = {r.plot_id for r in rows.values() if r.plot_id} | {
            e.plot_id for e in read if e.plot_id is not None}
        plots = {p.id: p for p in reads.plot_rows(uow, plot_ids)}
        glns = {g for e in bodies if isinstance(e, dict)
                for g in (destination(e), place_gln(e)) if g}
        org_ids = {r.owner_id for r in rows.values() if r.owner_id} | {
            r.in_transit_to_id for r in rows.values() if r.in_transit_to_id} | {
            r.organisation_id for r in records if r.organisation_id} | {
            p.organisation_id for p in plots.values()}
        gtins = {r.gtin for r in rows.values() if r.gtin}
        # what else the page shows, by key (the plots' holders are among ``org_ids``, whose
        # certificates are listed)
        scope = reads.ShownScope(sorted(org_ids), sorted(glns), sorted(plot_ids), sorted(gtins),
                                 sorted(org_ids), sorted(r.id for r in records),
                                 sorted(lot_ids))
        shown = reads.shown_digest(uow, scope, in_transaction=True) if keeping else ""
        orgs = {o.id: o for o in reads.organisation_rows(uow, org_ids, glns)}
        products = {p.gtin: p for p in reads.product_rows(uow, gtins)}
        certs = reads.certificate_rows(uow, {i for i in org_ids if i in orgs}
                                       | {p.organisation_id for p in plots.values()})
        page, pages, judged = _judged(records, bodies, harvest_page)
        flags = lineage_flags(uow, [(r.id, e) for r, e in zip(records, bodies, strict=True)
                                    if isinstance(e, dict) and "errorDeclaration" not in e
                                    and r.id in judged], limits or Limits())
        recalls = recalls_affecting(uow, lot_ids)
    by_gln = {o.gln: o for o in orgs.values()}
    events = _timeline(records, bodies, read, checked.events, sealed, recorded, plots, by_gln,
                       flags, lineage)
    product = products.get(root.gtin)
    return kept.Built(Dossier(
        key=key,
        product={"gtin": key.gtin, "kind": getattr(product, "kind", None),
                 "vi": getattr(product, "name_vi", None), "en": getattr(product, "name_en", None)},
        quantity=root.quantity, unit=root.unit,
        holder=_name(orgs, root.owner_id), in_transit_to=_name(orgs, root.in_transit_to_id),
        status=checked.verdict.status, reason=checked.verdict.reason,
        nodes=_nodes(key.uri, rows, records, bodies, read, lineage, by_gln, plots),
        edges=_edges(records, bodies, read, lineage),
        plots=[_plot(p, orgs) for p in sorted(plots.values(), key=lambda p: p.code)],
        route=_route(events, bodies, read, plots, by_gln),
        events=events,
        missing=[c for c in checked.histories if c.status != VERIFIED],
        certificates=[Certificate(_name(orgs, c.organisation_id) or "", c.scheme, c.code,
                                  c.issuer, c.valid_until, c.url,
                                  c.valid_until is not None and c.valid_until < day)
                      for c in certs],
        recalls=recalls,
        markers=[e for e in events if e.marker],
        counts=_counts(events), fresh=fresh,
        chain_roots=len({r.root for r in records if r.root}), digest=digest,
        holds=_active_holds(records, bodies),
        harvest_page=page, harvest_pages=pages,
    ), lineage.uris | {key.uri}, taking_part, scope, shown, signers, facts)


def _judged(records: list[Record], bodies: list[Any], page: int
            ) -> tuple[int, int, set[int]]:
    """The page shown (``page`` within the harvest table's pages), the pages, and the events
    whose flags are judged: every event but the folded table's harvests off that page
    (``folded_harvests``' rule, on the records)."""
    harvests = [r.id for r, e in zip(records, bodies, strict=True)
                if _is_harvest(e) and not r.declaration]
    pages = harvest_pages(len(harvests))
    page = min(max(1, page), pages)
    everything = {r.id for r in records}
    if pages == 1:
        return page, pages, everything
    return page, pages, everything - set(harvests) | set(harvest_page_of(harvests, page))


def _lineage(uow: UnitOfWork, uri: str) -> Lineage:
    """Back to every plot and forward to every lot made from it (``both``), then up to every
    container a lot of it was packed into and on to where those went."""
    lineage = walk(uow, uri, "both")
    packed = {parent for lots in lineage.lots.values() if lots is not None
              for child, parent in lots.packed if child in lineage.uris} - lineage.uris
    if packed:
        _walk(uow, lineage, packed, "forward")
    return lineage


# --- the graph ---------------------------------------------------------------------------------

def _nodes(here: str, rows: dict[str, Any], records: list[Record], bodies: list[Any],
           read: list[_Read], lineage: Lineage, by_gln: dict[str, Any], plots: dict[int, Any]
           ) -> list[Node]:
    harvested = {u for r, e in zip(records, read, strict=True)
                 if e.harvest for u in (lineage.lots.get(r.id) or _NONE).named}
    out: list[Node] = []
    for uri in sorted(lineage.uris | {here}):
        row = rows.get(uri)
        if uri.startswith(SSCC_PREFIX):
            out.append(Node(uri, "container", uri[len(SSCC_PREFIX):], "SSCC"))
            continue
        key = parse_lot(uri)
        label = key.lot if key else (row.code if row is not None else uri.rsplit("/", 1)[-1])
        detail = ""
        if row is not None and row.quantity is not None:
            detail = f"{row.quantity:g} {row.unit or ''}".strip()
        plot = plots.get(row.plot_id) if row is not None and row.plot_id else None
        if plot is not None:  # a plot's harvest: the plot first
            detail = f"{plot.code} · {detail}" if detail else plot.code
        out.append(Node(uri, "lot", label or uri, detail, key.gtin if key else None,
                        key.lot if key else None, here=uri == here,
                        harvest=uri in harvested))
    for rec, event, facts in zip(records, bodies, read, strict=True):
        if facts.step in ("shipping", "departing"):
            gln = destination(event)
            org = by_gln.get(gln) if gln else None
            out.append(Node("ship:" + rec.event_id, "shipment",
                            org.name if org is not None else (gln or "?"),
                            _day(rec.event_time), anchor=step_anchor(rec.event_id)))
    return out


def _edges(records: list[Record], bodies: list[Any], read: list[_Read], lineage: Lineage
           ) -> list[Edge]:
    seen: set[tuple[str, str]] = set()
    out: list[Edge] = []

    def add(source: str, target: str, kind: str) -> None:
        if source != target and (source, target) not in seen:
            seen.add((source, target))
            out.append(Edge(source, target, kind))

    for rec, event, facts in zip(records, bodies, read, strict=True):
        lots = lineage.lots.get(rec.id)
        if lots is None or rec.declaration:
            continue
        kind = "transformation" if isinstance(event, dict) and \
            event.get("type") == "TransformationEvent" else "step"
        for target, sources in lots.sources.items():
            for source in sources:
                add(source, target, kind)
        for child, parent in lots.packed:
            add(child, parent, "aggregation")
        if facts.step in ("shipping", "departing"):
            for uri in sorted(lots.named):
                if uri in lineage.uris:
                    add(uri, "ship:" + rec.event_id, "shipping")
    return out


_NONE = EventLots(frozenset(), {})


# --- the timeline ------------------------------------------------------------------------------

def _timeline(records: list[Record], bodies: list[Any], read: list[_Read], checks: list[Any],
              sealed: dict[str, Any], recorded: dict[int, datetime], plots: dict[int, Any],
              by_gln: dict[str, Any], flags: list[dict[str, Any]],
              lineage: Lineage) -> list[TimelineEvent]:
    flags_of: dict[str, list[dict[str, Any]]] = {}
    for f in flags:
        flags_of.setdefault(f["eventID"], []).append(f)
    fixes = corrections(records)
    corrects: dict[str, list[tuple[str, str]]] = {}
    id_of = {r.id: r.event_id for r in records}
    for pk, fix in fixes.items():
        for cid in fix["correctiveEventIDs"]:
            corrects.setdefault(cid, []).append((id_of[pk], step_anchor(id_of[pk])))
    out = []
    for rec, event, facts, check in zip(records, bodies, read, checks, strict=True):
        body = event if isinstance(event, dict) else {}
        seal = sealed.get(rec.capture_id) if rec.signature is None else None
        plot = plots.get(facts.plot_id or -1)
        to = by_gln.get(destination(body) or "")
        correction = fixes.get(rec.id)
        named = lineage.lots.get(rec.id)
        out.append(TimelineEvent(
            pk=rec.id, event_id=rec.event_id, anchor=step_anchor(rec.event_id)
            + ("-d" if rec.declaration else ""),
            type=str(body.get("type") or "?"), biz_step=facts.step,
            disposition=facts.disposition,
            event_time=rec.event_time, record_time=recorded.get(rec.id),
            status=check.verdict.status, reason=check.verdict.reason,
            problems=[c for c in check.verdict.checks if c.status != VERIFIED],
            organisation=rec.organisation_name, gln=rec.gln,
            signer=rec.signer if rec.signature is not None else getattr(seal, "signer", None),
            signed_by="event" if rec.signature is not None else "seal" if seal else "none",
            batch_id=rec.batch_id, batch_status=rec.batch_status if rec.batch_found
            else ("missing" if rec.batch_id is not None else None),
            root=rec.root, tx_hash=rec.tx_hash, block_number=rec.block_number,
            block_time=rec.block_time,
            lots=sorted(_short(u) for u in (named.named if named else ())),
            plot=plot.code if plot is not None else None,
            to=to.name if to is not None else None, harvest=facts.harvest,
            declaration=rec.declaration, evidence=references(body),
            flags=flags_of.get(rec.event_id, []),
            corrected_by=None if correction is None else {
                "reason": correction["reason"], "declared": correction["declarationTime"],
                "struck": struck(correction),
                "corrective": [(i, step_anchor(i)) for i in correction["correctiveEventIDs"]]},
            corrects=corrects.get(rec.event_id, []),
            declares=(rec.event_id, step_anchor(rec.event_id)) if rec.declaration else None,
            marker=_marker(body, facts)))
    return out


def _marker(event: dict[str, Any], facts: _Read | None = None) -> str | None:
    facts = facts or _Read.of(event)
    disposition, step = facts.disposition, facts.step
    if disposition in RECALL_DISPOSITIONS:
        return "recall"
    if LIFT_MEMBER in event:  # a recall's lift (holding, conformant), not a hold's release
        return "lift"
    if step in HOLD_STEPS or disposition in HOLD_DISPOSITIONS:
        return "release" if disposition in RELEASE_DISPOSITIONS else "hold"
    if step in INSPECTION_STEPS:
        return "inspection"
    return None


def _active_holds(records: list[Record], bodies: list[Any]) -> list[ActiveHold]:
    notices = holds_in(bodies)
    out = []
    for rec, event in zip(records, bodies, strict=True):
        hold = event.get(HOLD_MEMBER) if isinstance(event, dict) else None
        hold_id = hold.get("id") if isinstance(hold, dict) else None
        notice = notices.get(hold_id) if isinstance(hold_id, int) else None
        if notice is None or notice.released:
            continue
        out.append(ActiveHold(
            lot=_short(canonicalise(notice.classes[0])) if notice.classes else "",
            since=rec.event_time, by=rec.organisation_name, reason=notice.reason,
            anchor=step_anchor(rec.event_id)))
    return out


def _counts(events: list[TimelineEvent]) -> dict[str, int]:
    out: dict[str, int] = {}
    for e in events:
        out[e.status] = out.get(e.status, 0) + 1
    return out


# --- plots and the route -----------------------------------------------------------------------

def _plot(p: Any, orgs: dict[int, Any]) -> dict[str, Any]:
    return {"id": p.id, "code": p.code, "areaHa": p.area_ha, "geometry": p.geometry,
            "farm": p.farm_code, "farmer": p.farmer_name, "commune": p.commune,
            "district": p.district, "province": p.province,
            "organisation": _name(orgs, p.organisation_id)}


def _route(events: list[TimelineEvent], bodies: list[Any], read: list[_Read],
           plots: dict[int, Any], by_gln: dict[str, Any]) -> list[Stop]:
    """The places of the events in order: a harvest at its plot, any event at its read point or
    business location (a ``geo:`` URI gives coordinates), else at its organisation's place
    (named, without coordinates: we store none for organisations). Repeats are merged."""
    stops: list[Stop] = []
    for event, body, facts in zip(events, bodies, read, strict=True):
        if event.declaration or not isinstance(body, dict):
            continue
        stop = None
        plot = plots.get(facts.plot_id or -1)
        if plot is not None:
            lon, lat = _centre(plot.geometry)
            stop = Stop(event.event_time, f"{plot.code} ({plot.commune})", lon, lat, plots=1)
        else:
            geo = _geo(body)
            org = by_gln.get(place_gln(body) or "") or by_gln.get(event.gln or "")
            label = org.name if org is not None else (event.organisation or "?")
            if org is not None and org.province:
                label += f" ({org.province})"
            stop = Stop(event.event_time, label, *geo) if geo else Stop(event.event_time, label)
        if not stops or stops[-1].label != stop.label:
            stops.append(stop)
    harvests = [s for s in stops if s.plots == 1]
    if len(harvests) > ROUTE_PLOTS:
        placed = [s for s in harvests if s.lon is not None and s.lat is not None]
        merged = Stop(harvests[0].when, "", sum(s.lon or 0 for s in placed) / len(placed),
                      sum(s.lat or 0 for s in placed) / len(placed), plots=len(harvests)) \
            if placed else Stop(harvests[0].when, "", plots=len(harvests))
        first = next(i for i, s in enumerate(stops) if s.plots == 1)
        rest = [s for s in stops if s.plots != 1]
        stops = rest[:first] + [merged] + rest[first:]
    return stops


def _geo(event: dict[str, Any]) -> tuple[float, float] | None:
    for key in ("readPoint", "bizLocation"):
        where = event.get(key)
        value = where.get("id") if isinstance(where, dict) else None
        if isinstance(value, str) and value.startswith("geo:"):
            try:
                lat, lon = (float(x) for x in value[4:].split(";")[0].split(",")[:2])
            except ValueError:
                continue
            if -90 <= lat <= 90 and -180 <= lon <= 180:
                return lon, lat
    return None


def _centre(geometry: Any) -> tuple[float | None, float | None]:
    try:
        if geometry["type"] == "Point":
            return float(geometry["coordinates"][0]), float(geometry["coordinates"][1])
        ring = geometry["coordinates"][0]
        if geometry["type"] == "MultiPolygon":
            ring = ring[0]
        pts = ring[:-1] if len(ring) > 1 and ring[0] == ring[-1] else ring
        return (sum(float(p[0]) for p in pts) / len(pts),
                sum(float(p[1]) for p in pts) / len(pts))
    except (KeyError, IndexError, TypeError, ValueError, ZeroDivisionError):
        return None, None


# --- small things ------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Read:
    """What the graph, the timeline and the route read of an event body, read once (2,111
    events were read four times over: ~12,000 calls of ``_step`` and ``cbv_word``)."""

    step: str | None
    disposition: str | None
    plot_id: int | None
    harvest: bool

    @staticmethod
    def of(event: Any) -> _Read:
        body = event if isinstance(event, dict) else {}
        return _Read(_step(body), cbv_word("disposition", _text(body.get("disposition"))),
                     _plot_id(event), _is_harvest(event))


def _plot_id(event: Any) -> int | None:
    urn = ((event.get("ilmd") or {}) if isinstance(event, dict) else {}).get(PLOT)
    if isinstance(urn, str) and urn.startswith(PLOT_URN) and urn[len(PLOT_URN):].isdigit():
        return int(urn[len(PLOT_URN):])
    return None


def _is_harvest(event: Any) -> bool:
    return isinstance(event, dict) and HARVEST_DATE in (event.get("ilmd") or {})


def _step(event: Any) -> str | None:
    value = event.get("bizStep") if isinstance(event, dict) else None
    text = _text(value)
    return cbv_word("bizStep", text) or (text.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
                                         if text else None)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _name(orgs: dict[int, Any], org_id: int | None) -> str | None:
    org = orgs.get(org_id) if org_id is not None else None
    return org.name if org is not None else None


def _short(uri: str) -> str:
    key = parse_lot(uri)
    if key is not None:
        return key.lot
    return uri[len(SSCC_PREFIX):] if uri.startswith(SSCC_PREFIX) else uri.rsplit("/", 1)[-1]


def _day(value: datetime | None) -> str:
    return value.date().isoformat() if value is not None else ""
