"""Serialised items of a lot: minting their serial numbers, and listing them.

Minting records one standard EPCIS 2.0 event through `capture_document` (via `record`), so the
items are hashed, stored, custody-checked, signed and anchored like any capture: an ObjectEvent
ADD, bizStep commissioning, listing the items' Digital Links, its ILMD naming their lot
(``cbvmda:lotNumber``). Capture links the lot to each item from that ILMD, whichever API the
event came through, so an item traces back through its lot's whole lineage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from ...capture.rule_time import MAX_FUTURE
from ...domain import policy
from ...domain.actor import Actor
from ...domain.errors import InvalidIdentifier, NotFound, Problem, ValidationFailed
from ...domain.serials import new_serial
from ...domain.step_events import CONTEXT_WITH_MDA, item_commissioning_event
from ...gs1.canonical import canonicalise
from ...gs1.keys import ItemKey, LotKey
from ...gs1.resolver_paths import ai_value, link_for
from ...store import labelling_reads as reads
from ...store.lineage import lot_by_uri
from ...store.lots import Lot
from ..epcis.capture import CaptureSettings
from ..lots.stock import lot_facts
from ..ports import UnitOfWork
from .catalogue import gtin_or_problem
from .step_recording import acting_org, event_time, record

# Most items one call mints: one event of 10,000 Digital Links (~0.6 MB) is captured, hashed and
# answered in a few seconds; a bigger run is several calls.
MAX_SERIALS = 10_000
_CHUNK = 500


@dataclass(frozen=True)
class Minting:
    gtin: str
    lot: str
    count: int
    event_time: datetime | None = None


@dataclass(frozen=True)
class Serial:
    serial: str
    uri: str  # canonical Digital Link, https://id.gs1.org/01/<gtin>/21/<serial>
    link: str  # the same on our resolver: what the QR code holds
    event_id: str | None = None  # the event that commissioned it


@dataclass(frozen=True)
class Serials:
    gtin: str
    lot: str
    serials: list[Serial]
    event_id: str | None = None  # minting: the event just recorded
    event_hash: str | None = None

    @property
    def count(self) -> int:
        return len(self.serials)


def lot_in_path(gtin: str, lot: str) -> LotKey:
    """The lot a URL names. :raises ValidationFailed: a bad GTIN or lot (AI 10) value."""
    gtin14 = gtin_or_problem(gtin, "$.path.gtin")
    try:
        return LotKey(gtin14, ai_value(lot, "10"))
    except InvalidIdentifier as exc:
        raise ValidationFailed(exc.message, [Problem("$.path.lot", exc.message)]) from None


def mint_serials(m: Minting, actor: Actor, settings: CaptureSettings, base_url: str,
                 uow: UnitOfWork) -> Serials:
    """``m.count`` new serialised items of a lot the caller's organisation holds.

    :raises ValidationFailed: a count outside 1..MAX_SERIALS, a bad GTIN or lot, a time without
        offset or in the future, a lot in transit. :raises NotFound: no such lot.
    :raises Forbidden: the lot is held by another organisation, its GTIN is another's product,
        or the caller is an inspector.
    """
    if isinstance(m.count, bool) or not isinstance(m.count, int) \
            or not 1 <= m.count <= MAX_SERIALS:
        raise ValidationFailed(f"count must be a whole number from 1 to {MAX_SERIALS}", [
            Problem("$.count", f"must be 1 to {MAX_SERIALS}, not {m.count!r}")])
    key = lot_in_path(m.gtin, m.lot)
    when = event_time(m.event_time)
    if when > datetime.now(UTC) + MAX_FUTURE:
        raise ValidationFailed("eventTime is in the future", [
            Problem("$.eventTime", "is more than a day ahead: check the date and the clock")])
    with uow:
        org = acting_org(actor, uow)
        org_id, gln = org.id, org.gln
        lot = _stored_lot(uow, key)
        policy.require_mint_serials(actor, org_id, lot_facts(uow, actor, lot, gtin_owner=True),
                                    key.gtin)
        if lot.in_transit_to_id is not None:
            raise ValidationFailed("the lot has been shipped and is in transit", [
                Problem("$.path.lot", "wait for the receiver to record receipt")])
        serials = _fresh_serials(uow, key.gtin, m.count)
    items = [canonicalise(ItemKey(key.gtin, serial).uri) for serial in serials]
    event = item_commissioning_event(items, key.lot, when, gln=gln)
    recorded = record(event, {"epcList": "$.count", "ilmd": "$.path.lot"}, actor, org_id,
                      settings, uow, context=CONTEXT_WITH_MDA)
    return Serials(key.gtin, key.lot, [
        Serial(serial, uri, link_for(ItemKey(key.gtin, serial), base_url), recorded.event_id)
        for serial, uri in zip(serials, items, strict=True)],
        recorded.event_id, recorded.event_hash)


def list_serials(gtin: str, lot: str, actor: Actor, base_url: str, uow: UnitOfWork
                 ) -> Serials:
    """The items commissioned of a lot, oldest first, for whoever may see the lot.

    :raises ValidationFailed: a bad GTIN or lot. :raises NotFound: no such lot.
    :raises Forbidden: the caller's organisation never held the lot nor recorded an event of it.
    """
    key = lot_in_path(gtin, lot)
    with uow:
        row = _stored_lot(uow, key)
        policy.require_read_lot(actor, lot_facts(uow, actor, row))
        found = serials_of(uow, row.id)
    return Serials(key.gtin, key.lot, [
        Serial(serial, uri, link_for(ItemKey(key.gtin, serial), base_url), event_id)
        for serial, uri, event_id in found])


def serials_of(uow: UnitOfWork, lot_id: int) -> list[tuple[str, str, str]]:
    """(serial, item URI, commissioning eventID) of the lot's items, in the order minted."""
    return reads.items_of_lot(uow, lot_id)


def _stored_lot(uow: UnitOfWork, key: LotKey) -> Lot:
    lot = lot_by_uri(uow, canonicalise(key.uri))
    if lot is None:
        raise NotFound(f"no lot {key.lot} of GTIN {key.gtin}")
    return lot


def _fresh_serials(uow: UnitOfWork, gtin: str, count: int) -> list[str]:
    """``count`` random serials no item of ``gtin`` has yet (a clash is drawn again)."""
    chosen: dict[str, None] = {}
    while len(chosen) < count:
        drawn = {canonicalise(ItemKey(gtin, s).uri): s
                 for s in (new_serial() for _ in range(count - len(chosen))) if s not in chosen}
        uris = list(drawn)
        taken: set[str] = set()
        for start in range(0, len(uris), _CHUNK):
            taken.update(reads.recorded_uris(uow, uris[start:start + _CHUNK]))
        chosen.update((s, None) for uri, s in drawn.items() if uri not in taken)
    return list(chosen)
