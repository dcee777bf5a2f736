"""EPCIS 2.0 events for the steps cooperatives log, written the "hash-safe" way.

Every event here is standard EPCIS 2.0 JSON-LD, so the query API returns it like any other and
anyone can recompute its CBV 2.0 hash: the context declares our prefix inline, times are in
milliseconds with an explicit offset, every bizTransaction and party has a type, and ILMD values
are JSON numbers or texts that read as words (shared/epcis/EVENT_HASH.md §11).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ..gs1.keys import DL_HOST
from .json_types import EpcisEvent, JsonObject
from .vocabulary import CBVMDA_NS, CBVMDA_PREFIX, PLOT_URN, TC_NS, TC_PREFIX

STANDARD_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
CONTEXT: list[str | JsonObject] = [STANDARD_CONTEXT, {TC_PREFIX: TC_NS}]
# For events whose ILMD uses CBV master-data attributes (cbvmda:lotNumber): declared inline so
# that every event-hash implementation expands the prefix the same way.
CONTEXT_WITH_MDA: list[str | JsonObject] = [STANDARD_CONTEXT,
                                             {TC_PREFIX: TC_NS, CBVMDA_PREFIX: CBVMDA_NS}]


@dataclass(frozen=True, slots=True)
class Amount:
    """A quantity of one lot, as an EPCIS quantity element names it."""

    uri: str  # the lot's Digital Link: https://id.gs1.org/01/<gtin>/10/<lot>
    quantity: float | None  # optional when shipping or receiving a whole lot
    unit: str | None

    def element(self) -> JsonObject:
        element: JsonObject = {"epcClass": self.uri}
        if self.quantity is not None:
            element["quantity"] = self.quantity
            if self.unit:
                element["uom"] = self.unit
        return element


def timestamp(moment: datetime) -> str:
    """RFC 3339 in milliseconds with the moment's own offset: 2025-03-10T07:30:00.000+07:00."""
    if moment.tzinfo is None:
        raise ValueError("an event time needs an offset")
    return moment.isoformat(timespec="milliseconds")


def offset(moment: datetime) -> str:
    minutes = int(moment.utcoffset().total_seconds() // 60)  # type: ignore[union-attr]
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def party(gln: str) -> str:
    return f"{DL_HOST}/417/{gln}"


def location(gln: str) -> JsonObject:
    return {"id": f"{DL_HOST}/414/{gln}"}


def sscc_uri(sscc: str) -> str:
    return f"{DL_HOST}/00/{sscc}"


def plot_urn(plot_id: int) -> str:
    return f"{PLOT_URN}{plot_id}"


def document(event: EpcisEvent, created: datetime,
             context: list[str | JsonObject] = CONTEXT) -> JsonObject:
    """An EPCISDocument holding one event."""
    return {"@context": context, "type": "EPCISDocument", "schemaVersion": "2.0",
            "creationDate": timestamp(created), "epcisBody": {"eventList": [event]}}


def _base(event_type: str, when: datetime) -> JsonObject:
    return {"type": event_type, "eventTime": timestamp(when), "eventTimeZoneOffset": offset(when)}


def _where(event: EpcisEvent, gln: str | None) -> JsonObject:
    if gln:
        event["readPoint"] = location(gln)
        event["bizLocation"] = location(gln)
    return event


def harvest_event(amount: Amount, when: datetime, *, plot_id: int, harvest_date: date,
                  crop_kind: str, gln: str | None, ilmd: dict[str, object]) -> JsonObject:
    """ObjectEvent ADD, bizStep commissioning: CBV 2.0 says commissioning covers harvesting."""
    event = _base("ObjectEvent", when)
    event.update({"action": "ADD", "quantityList": [amount.element()],
                  "bizStep": "commissioning", "disposition": "active"})
    _where(event, gln)
    event["ilmd"] = {f"{TC_PREFIX}:harvestDate": harvest_date.isoformat(),
                     f"{TC_PREFIX}:plot": plot_urn(plot_id),
                     f"{TC_PREFIX}:cropKind": crop_kind, **ilmd}
    return event


def item_commissioning_event(items: list[str], lot: str, when: datetime, *,
                             gln: str | None) -> JsonObject:
    """ObjectEvent ADD, bizStep commissioning: serialised items of ``lot`` come into being.

    ``items`` are their Digital Links (``/01/<gtin>/21/<serial>``). The ILMD names the lot with
    the CBV master-data attribute ``cbvmda:lotNumber`` (the item's GTIN is in its own key), so
    any EPCIS reader knows which lot the items are of; record it with ``CONTEXT_WITH_MDA``.
    """
    event = _base("ObjectEvent", when)
    event.update({"epcList": list(items), "action": "ADD", "bizStep": "commissioning",
                  "disposition": "active"})
    _where(event, gln)
    event["ilmd"] = {f"{CBVMDA_PREFIX}:lotNumber": lot}
    return event


def transformation_event(inputs: list[Amount], outputs: list[Amount], when: datetime, *,
                         biz_step: str, gln: str | None, ilmd: dict[str, object]) -> JsonObject:
    event = _base("TransformationEvent", when)
    event.update({"inputQuantityList": [a.element() for a in inputs],
                  "outputQuantityList": [a.element() for a in outputs],
                  "bizStep": biz_step, "disposition": "active"})
    _where(event, gln)
    if ilmd:
        event["ilmd"] = ilmd
    return event


def packing_event(container: str, contents: list[Amount], when: datetime, *,
                  gln: str | None) -> JsonObject:
    event = _base("AggregationEvent", when)
    event.update({"parentID": container, "childQuantityList": [a.element() for a in contents],
                  "action": "ADD", "bizStep": "packing", "disposition": "in_progress"})
    return _where(event, gln)


def unpacking_event(container: str, contents: list[Amount], when: datetime, *,
                    gln: str | None) -> JsonObject:
    """AggregationEvent DELETE; without contents it empties the container (EPCIS 2.0 §7.4.3)."""
    event = _base("AggregationEvent", when)
    event["parentID"] = container
    if contents:
        event["childQuantityList"] = [a.element() for a in contents]
    event.update({"action": "DELETE", "bizStep": "unpacking", "disposition": "in_progress"})
    return _where(event, gln)


def movement_event(step: str, *, containers: list[str], lots: list[Amount], when: datetime,
                   source_gln: str, destination_gln: str, gln: str | None,
                   transactions: list[tuple[str, str]]) -> JsonObject:
    """ObjectEvent OBSERVE for shipping (disposition in_transit) or receiving (in_progress).

    Source and destination are the owning parties: custody moves from one to the other.
    """
    event = _base("ObjectEvent", when)
    if containers:
        event["epcList"] = list(containers)
    if lots:
        event["quantityList"] = [a.element() for a in lots]
    event.update({"action": "OBSERVE", "bizStep": step,
                  "disposition": "in_transit" if step == "shipping" else "in_progress"})
    _where(event, gln)
    if transactions:
        event["bizTransactionList"] = [{"type": kind, "bizTransaction": ref}
                                       for kind, ref in transactions]
    event["sourceList"] = [{"type": "owning_party", "source": party(source_gln)}]
    event["destinationList"] = [{"type": "owning_party", "destination": party(destination_gln)}]
    return event
