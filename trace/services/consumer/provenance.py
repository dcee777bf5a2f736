"""What a consumer sees after scanning a code: the product, its origin, its journey, and whether
the records are intact. Language-neutral facts (a dict that is also the JSON summary); the page
puts them into words.

    fingerprint(uow, key)                    the cheap read every scan makes (one round trip)
    snapshot(uow, key)                       the stored facts, typed (three queries)
    provenance(uow, snap, reader, ...)       everything else, and the verdict
    consumer_facts(uow, key, reader, ...)    the last two in one transaction (the page)

Every query is in ``store.consumer_reads``; the use cases here take the unit of work.

A snapshot carries every stored fact a verdict depends on (each lineage event as stored, its
batch, active recalls), so ``snapshot.digest`` changes whenever any of them does, an edit made
behind our back included: callers cache the rest of the work under it.

Privacy: a farm's farmer name and plot geometry are given only when the cooperative published
them (``Farm.publish_*``); otherwise the place is the commune, district and province.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ...domain.consumer_verdict import headline
from ...domain.errors import NotFound
from ...domain.journey import HARVEST_DATE, PLOT, destination, outputs, place_gln, step_of
from ...domain.local_time import event_local_time, in_zone, offset_text, origin_zone
from ...domain.verification import PENDING, STATUSES, VERIFIED
from ...domain.vocabulary import PLOT_URN
from ...gs1.keys import ItemKey, parse_item, parse_lot
from ...gs1.resolver_paths import GtinKey, Key
from ...store import consumer_reads as reads
from ..cooperative.certifications import certifications_of, self_declared
from ..inspection.hold_notices import lineage_holds
from ..lots.plausibility import Limits, lineage_flags
from ..lots.recalls import recall_notices
from ..ports import ChainReader, UnitOfWork
from ..verification.corrections import corrections, struck
from ..verification.lineage_records import Lineage, walk
from ..verification.records import Record, utc_iso
from ..verification.verdicts import VerificationCaches, anchor_record, verify_lineage

# The consumer reads one of three verdicts; the precise one stays in ``verdict.detail``.
WARNING_STATUSES = frozenset(s for s in STATUSES if s not in (VERIFIED, PENDING))

@dataclass(frozen=True)
class Fingerprint:
    """Which lot a code names, and a digest of every stored fact its page rests on."""

    lot_id: int
    digest: int


def fingerprint(uow: UnitOfWork, key: Key) -> Fingerprint:
    """The cheap read every scan makes (no ``with uow`` needed: it borrows a connection for one
    round trip). :raises NotFound: no record of this lot or item."""
    found = reads.lineage_fingerprint_rows(uow, key.uri)
    if found is None:
        raise NotFound(_unknown(key))
    lot_id, lots, events = found
    return Fingerprint(lot_id, hash((events, lots)))


def is_known(uow: UnitOfWork, key: Key) -> bool:
    """Whether we have a record of the lot or item ``key`` names (one transaction)."""
    with uow:
        return reads.lot_id_by_uri(uow, key.uri) is not None


def require_known(uow: UnitOfWork, key: Key) -> None:
    """:raises NotFound: no such product (a GTIN alone), lot or item."""
    if isinstance(key, GtinKey):
        product_facts(uow, key)
    else:
        fingerprint(uow, key)


@dataclass(frozen=True)
class Snapshot:
    key: Key
    lot_id: int
    records: tuple[Record, ...]  # in the order they happened
    biz_steps: tuple[str | None, ...]
    lots: tuple[Any, ...]  # the lineage's lots, each with its active recall if any
    lineage: Lineage | None = None


def snapshot(uow: UnitOfWork, key: Key) -> Snapshot:
    """Every stored fact the page rests on, typed, inside the caller's ``with uow``.
    :raises NotFound: no such lot or item.

    The lineage is walked through the signed events themselves (``lineage_records.walk``), so
    a removed index row cannot take a step out of what the page shows and verifies."""
    uri = key.uri
    if reads.lot_id_by_uri(uow, uri) is None:
        raise NotFound(_unknown(key))
    lineage = walk(uow, uri, "back", containers=True)
    records = lineage.ordered()
    steps = reads.biz_steps_of(uow, [r.id for r in records])
    lots = reads.lineage_lot_rows(uow, sorted(lineage.uris | {uri}))
    root = next(r for r in lots if r.uri == uri)
    return Snapshot(key, root.id, tuple(records),
                    tuple(steps.get(r.id) for r in records), lots, lineage)


def product_facts(uow: UnitOfWork, key: GtinKey) -> dict[str, Any]:
    """A trade item on its own (a code with no lot): its names, its maker (the organisation that
    owns it) and the maker's valid certificates (one transaction).

    :raises NotFound: no such product."""
    with uow:
        row = reads.product_and_maker(uow, key.gtin)
        if row is None:
            raise NotFound(_unknown(key))
        product, maker = row
        certifications = _certifications(uow, {product.owner_id})
    return {"gtin": product.gtin, "kind": product.kind,
            "name": {"vi": product.name_vi, "en": product.name_en}, "maker": maker,
            "certifications": certifications}


def consumer_facts(uow: UnitOfWork, key: Key, reader: ChainReader | None,
                   caches: VerificationCaches, limits: Limits | None = None) -> dict[str, Any]:
    """The consumer's facts about the lot or item ``key`` (``snapshot`` then ``provenance``),
    read in one transaction. :raises NotFound: no such lot or item."""
    with uow:
        return provenance(uow, snapshot(uow, key), reader, caches, limits)


def provenance(uow: UnitOfWork, snap: Snapshot, reader: ChainReader | None,
               caches: VerificationCaches, limits: Limits | None = None) -> dict[str, Any]:
    """The consumer's facts about ``snap.key`` (see the module docstring)."""
    records = list(snap.records)
    lots = {r.id: r for r in snap.lots}
    root = lots[snap.lot_id]
    events = [r.event() for r in records]
    orgs = _organisations(uow, {r.organisation_id for r in records} | {
        r.owner_id for r in snap.lots}, {destination(e) for e in events if isinstance(e, dict)})
    by_gln = {o.gln: o for o in orgs.values()}
    plots = _plots(uow, {r.plot_id for r in snap.lots if r.plot_id})
    lineage_uris = {r.uri for r in snap.lots}
    lineage = snap.lineage or Lineage(set(), {r.id: r for r in records})
    checked = verify_lineage(uow, lineage, reader, caches)
    verdict, checks = checked.verdict, checked.events
    sealed = caches.seals.of_captures(uow, {r.capture_id for r in records
                                                if r.signature is None})
    # An error declaration is no step of its own: the step it declares shows it (corrected, and
    # struck out when it did not occur); its record is verified with the others all the same.
    fixes = corrections(records)
    journey = []
    for rec, event, biz_step, check in zip(records, events, snap.biz_steps, checks, strict=True):
        if not isinstance(event, dict) or _elsewhere(event, lineage_uris) \
                or "errorDeclaration" in event:
            continue
        step = _step(rec, event, biz_step, check, by_gln, plots, caches, uow, sealed)
        step["anchor"] = step_anchor(rec.event_id)
        step["correction"] = _correction(fixes.get(rec.id), records, events)
        journey.append(step)
    harvested = [(r, e) for r, e in zip(records, events, strict=True) if _is_harvest(e)
                 and "errorDeclaration" not in e and not struck(fixes.get(r.id))]
    growers = {r.organisation_id for r, _ in harvested if r.organisation_id is not None}
    facts: dict[str, Any] = {
        "product": _product(uow, root.gtin),
        "lot": _lot(root, lots),
        "origin": _origin([e for _, e in harvested], growers, plots, orgs),
        # The growers' certificates, and any other cooperative's that handled the lot.
        "certifications": _certifications(uow, growers | {
            o.id for o in orgs.values() if o.kind == "cooperative"}),
        "journey": journey,
        "verdict": _verdict(verdict, checks),
        "recalls": [{"lot": {"gtin": r.gtin, "lot": r.code, "uri": r.uri}, "reason": r.reason,
                     "since": utc_iso(r.recalled_at), "by": r.recalled_by,
                     "thisLot": r.id == snap.lot_id, "id": r.recall_id}
                    for r in snap.lots if r.recall_id is not None],
    }
    # Holds as their signed events tell them, checked against the holds' rows (fail closed).
    facts["holds"], holds_intact = lineage_holds(uow, records, events, lots, snap.lot_id)
    if not holds_intact and facts["verdict"]["status"] != "warning":
        facts["verdict"].update(status="warning", detail="hold-mismatch", reason=(
            "a hold's stored record disagrees with its signed event"))
    return _with_consumer_view(uow, facts, records, events, limits or Limits())


def _with_consumer_view(uow: UnitOfWork, facts: dict[str, Any], records: Sequence[Record],
                        events: Sequence[Any], limits: Limits) -> dict[str, Any]:
    """What the consumer's headline rests on beyond the records' integrity: unusual records
    (plausibility flags, marked on their journey steps too) and the headline itself."""
    # This product's story only; a step declared erroneous is not judged (its corrective
    # events are), nor is the declaration.
    told = {step["eventID"] for step in facts["journey"] if not step.get("correction")}
    flags = lineage_flags(uow, [(r.id, e) for r, e in zip(records, events, strict=True)
                                    if r.event_id in told and isinstance(e, dict)
                                    and "errorDeclaration" not in e], limits)
    facts["flags"] = flags
    unusual: dict[str, str] = {}
    for f in flags:  # an event with one open flag is open, whatever its other flags say
        if unusual.get(f["eventID"]) != "open":
            unusual[f["eventID"]] = f["status"]
    for step in facts["journey"]:
        step["unusual"] = unusual.get(step["eventID"])  # open | reviewed | None
    _in_local_time(uow, facts, records, events)
    facts["verdict"]["headline"] = headline(
        facts["verdict"]["status"], recalled=bool(facts["recalls"]), clone_warning=False,
        open_flags=sum(f["status"] == "open" for f in flags), held=bool(facts["holds"]))
    return facts


def _in_local_time(uow: UnitOfWork, facts: dict[str, Any], records: Sequence[Record],
                   events: Sequence[Any]) -> None:
    """Every time in the lot's zones (domain.local_time): each step in its event's own offset
    (a harvest on its harvest date), recalls in the origin zone; recalls get their notice."""
    zone = origin_zone(events)
    facts["lot"]["timeZone"] = offset_text(zone)
    by_id = {r.event_id: e for r, e in zip(records, events, strict=True)
             if isinstance(e, dict) and "errorDeclaration" not in e}
    for step in facts["journey"]:
        event = by_id.get(step["eventID"])
        if event is not None:
            step["time"] = event_local_time(event) or step["time"]
            harvested = (event.get("ilmd") or {}).get(HARVEST_DATE)
            step["date"] = harvested if step["step"] == "harvesting" and isinstance(
                harvested, str) else (step["time"] or "")[:10] or None
        anchor = step["verification"].get("anchor")
        if anchor and anchor.get("blockTime"):  # a copy: anchor records may be cached
            step["verification"]["anchor"] = {**anchor,
                                              "blockTime": in_zone(anchor["blockTime"], zone)}
    notices = recall_notices(uow, [r["id"] for r in facts["recalls"]])
    for recall in facts["recalls"]:
        recall["since"] = in_zone(recall["since"], zone)
        recall.update(notices.get(recall.pop("id"), {}))
    for hold in facts.get("holds", ()):
        hold["since"] = in_zone(hold["since"], zone) if hold["since"] else hold["since"]


# --- the parts ---------------------------------------------------------------------------------

def _unknown(key: Key) -> str:
    if isinstance(key, GtinKey):
        return f"no product with GTIN {key.gtin}"
    if isinstance(key, ItemKey):
        return f"no item {key.serial} of GTIN {key.gtin}"
    return f"no lot {key.lot} of GTIN {key.gtin}"


def _organisations(uow: UnitOfWork, ids: Iterable[int | None], glns: Iterable[str | None]
                   ) -> dict[int, Any]:
    """The organisations with these ids, and those these GLNs name (where shipments went)."""
    wanted = {i for i in ids if i is not None}
    named = {g for g in glns if g}
    if not wanted and not named:
        return {}
    return reads.organisations_for_page(uow, wanted, named)


def _plots(uow: UnitOfWork, ids: set[int]) -> dict[int, Any]:
    if not ids:
        return {}
    return reads.plots_for_page(uow, ids)


def _product(uow: UnitOfWork, gtin: str | None) -> dict[str, Any]:
    product = reads.product_by_gtin(uow, gtin) if gtin else None
    if product is None:
        return {"gtin": gtin, "kind": None, "name": {"vi": None, "en": None}}
    return {"gtin": gtin, "kind": product.kind,
            "name": {"vi": product.name_vi, "en": product.name_en}}


def _lot(root: Any, lots: dict[int, Any]) -> dict[str, Any]:
    out = {"gtin": root.gtin, "code": root.code, "kind": root.kind, "uri": root.uri,
           "quantity": root.quantity, "unit": root.unit, "lot": None, "serial": None}
    if root.kind == "item":
        item = parse_item(root.uri)
        out["serial"] = item.serial if item else root.code
        # The item's lot: the lot-kind parent in its lineage with the same GTIN.
        parent = next((parse_lot(r.uri) for r in lots.values()
                       if r.kind == "lot" and r.gtin == root.gtin), None)
        out["lot"] = parent.lot if parent else None
    else:
        out["lot"] = root.code
    return out


def _origin(harvests: list[dict[str, Any]], growers: set[int], plots: dict[Any, Any],
            orgs: dict[int, Any]) -> dict[str, Any]:
    dates = sorted({e["ilmd"][HARVEST_DATE] for e in harvests
                    if isinstance(e["ilmd"][HARVEST_DATE], str)})
    places, seen = [], set()
    for event in harvests:
        plot = plots.get(_plot_id(event["ilmd"].get(PLOT)))
        if plot is None or plot.id in seen:
            continue
        seen.add(plot.id)
        place = {"commune": plot.commune, "district": plot.district, "province": plot.province,
                 "farmer": plot.farmer_name if plot.publish_farmer_name else None,
                 "plot": None}
        if plot.publish_plot_location:
            place["plot"] = {"code": plot.code, "areaHa": plot.area_ha,
                             "geometry": plot.geometry}
        places.append(place)
    owners = growers | {p.organisation_id for p in plots.values()}
    cooperatives = [{"name": orgs[i].name, "gln": orgs[i].gln, "province": orgs[i].province}
                    for i in sorted(owners) if i in orgs]
    provinces = sorted({p["province"] for p in places} | {
        c["province"] for c in cooperatives if c["province"]})
    return {"provinces": provinces, "cooperatives": cooperatives, "places": places,
            "harvestDates": {"from": dates[0], "to": dates[-1]} if dates else None}


def _is_harvest(event: object) -> bool:
    return isinstance(event, dict) and HARVEST_DATE in (event.get("ilmd") or {})


def _plot_id(urn: object) -> int | None:
    if isinstance(urn, str) and urn.startswith(PLOT_URN):
        tail = urn[len(PLOT_URN):]
        return int(tail) if tail.isdigit() else None
    return None


def _certifications(uow: UnitOfWork, org_ids: set[int | None]) -> list[dict[str, Any]]:
    held = certifications_of(uow, {i for i in org_ids if i is not None})
    return [{"scheme": c.scheme, "code": c.code, "issuer": c.issuer,
             "holder": c.organisation_name, "url": c.url,
             "validUntil": c.valid_until.isoformat() if c.valid_until else None,
             "selfDeclared": self_declared(c.issuer, c.organisation_name)}
            for org_id in sorted(held) for c in held[org_id]]


def _elsewhere(event: dict[str, Any], lineage_uris: set[str]) -> bool:
    """A transformation that named one of our lots as input but made something outside this
    lineage (a harvest lot split between two dried lots): not part of this product's story."""
    if event.get("type") != "TransformationEvent":
        return False
    made = outputs(event)
    return bool(made) and not (made & lineage_uris)


def _step(rec: Record, event: dict[str, Any], biz_step: str | None, check: Any,
          by_gln: dict[Any, Any], plots: dict[Any, Any],
          caches: VerificationCaches, uow: UnitOfWork, sealed: dict[str, Any]
          ) -> dict[str, Any]:
    def country(gln: str | None) -> str | None:
        org = by_gln.get(gln)
        return org.country if org else None

    step = step_of(event, biz_step, country)
    place = by_gln.get(place_gln(event))
    where = {"name": place.name, "province": place.province, "country": place.country} \
        if place else None
    if step == "harvesting":
        plot = plots.get(_plot_id((event.get("ilmd") or {}).get(PLOT)))
        if plot is not None:
            where = {"name": None, "commune": plot.commune, "district": plot.district,
                     "province": plot.province, "country": "VN"}
    to = by_gln.get(destination(event))
    return {
        "step": step, "eventID": rec.event_id, "time": event.get("eventTime"),
        "organisation": rec.organisation_name, "place": where,
        "to": {"name": to.name, "country": to.country} if to else None,
        "quantity": _quantity(event),
        "verification": {"status": check.verdict.status, "reason": check.verdict.reason,
                         "eventHash": rec.event_hash,
                         "signer": rec.signer or getattr(sealed.get(rec.capture_id), "signer",
                                                         None),
                         "anchor": anchor_record(uow, rec, caches.trees)},
    }


def step_anchor(event_id: str) -> str:
    """The page's anchor of an event's step (eventIDs are URIs: not fit for an HTML id)."""
    return "ev-" + hashlib.sha256(event_id.encode()).hexdigest()[:12]


def _correction(fix: dict[str, Any] | None, records: Sequence[Record],
                events: Sequence[Any]) -> dict[str, Any] | None:
    """What a step's error declaration says, for the page: why, when, whether it happened at
    all, and the corrective events (those of this journey with their step and time)."""
    if fix is None:
        return None
    by_id = {r.event_id: e for r, e in zip(records, events, strict=True)
             if isinstance(e, dict) and "errorDeclaration" not in e}
    corrective = []
    for event_id in fix["correctiveEventIDs"]:
        event = by_id.get(event_id)
        corrective.append({"eventID": event_id, "anchor": step_anchor(event_id),
                           "inJourney": event is not None,
                           "time": event.get("eventTime") if event else None})
    return {"reason": fix["reason"], "declared": fix["declarationTime"],
            "didNotOccur": struck(fix), "corrective": corrective}


def _quantity(event: dict[str, Any]) -> dict[str, Any] | None:
    for key in ("outputQuantityList", "quantityList", "childQuantityList"):
        for q in event.get(key) or ():
            if isinstance(q, dict) and isinstance(q.get("quantity"), int | float):
                return {"value": q["quantity"], "unit": q.get("uom")}
    return None


def _verdict(verdict: Any, checks: Sequence[Any]) -> dict[str, Any]:
    # Green only when everything was proven; calm only for what genuinely waits for its first
    # anchoring round; anything else is red with its reason (it fails closed).
    if verdict.status == VERIFIED:
        status = "verified"
    elif verdict.status == PENDING:
        status = "pending"
    else:
        status = "warning"
    counts: dict[str, int] = {}
    for c in checks:
        counts[c.verdict.status] = counts.get(c.verdict.status, 0) + 1
    return {"status": status, "detail": verdict.status, "reason": verdict.reason,
            "events": len(checks), "counts": counts}
