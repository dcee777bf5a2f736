"""What an EPCIS 2.0 event names, and in which role: what custody and queries use of an event."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .json_types import EpcisEvent
from .vocabulary import cbv_word

# (event member, role) for lists of identifiers and of quantity elements.
_EPC_LISTS = (("epcList", "epc"), ("childEPCs", "child"), ("inputEPCList", "input"),
              ("outputEPCList", "output"))
_QTY_LISTS = (("quantityList", "epc_class"), ("childQuantityList", "child_class"),
              ("inputQuantityList", "input_class"), ("outputQuantityList", "output_class"))


@dataclass(frozen=True, slots=True)
class Quantity:
    uri: str
    quantity: float | None
    uom: str | None


@dataclass(slots=True)
class EventRefs:
    """The identifiers an event names, canonicalised, grouped by role."""

    event_type: str
    action: str | None
    biz_step: str | None  # bare CBV word when it is one, else the URI as given
    by_role: dict[str, list[str]] = field(default_factory=dict)
    quantities: dict[str, list[Quantity]] = field(default_factory=dict)
    sources: dict[str, list[str]] = field(default_factory=dict)  # type word -> ids
    destinations: dict[str, list[str]] = field(default_factory=dict)

    def ids(self, *roles: str) -> list[str]:
        out: list[str] = []
        for role in roles:
            out.extend(self.by_role.get(role, ()))
        return out

    def pairs(self) -> list[tuple[str, str]]:
        """(role, uri) for every identifier, deduplicated, for the query index."""
        seen: set[tuple[str, str]] = set()
        for role, uris in self.by_role.items():
            for uri in uris:
                seen.add((role, uri))
        return sorted(seen)


def _party_lists(items: list[Any] | None, key: str,
                 canon: Callable[[str], str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item in items or ():
        if isinstance(item, dict) and item.get(key):
            word = cbv_word("sourceDest", item.get("type")) or str(item.get("type"))
            out.setdefault(word, []).append(canon(item[key]))
    return out


def event_refs(event: EpcisEvent, canon: Callable[[str], str]) -> EventRefs:
    """Read the identifiers out of one event; ``canon`` maps each to its canonical form."""
    step = event.get("bizStep")
    refs = EventRefs(
        event_type=event.get("type", ""),
        action=event.get("action"),
        biz_step=cbv_word("bizStep", step) or step,
    )
    for member, role in _EPC_LISTS:
        values = event.get(member)
        if values:
            refs.by_role[role] = [canon(v) for v in values if isinstance(v, str)]
    if event.get("parentID"):
        refs.by_role["parent"] = [canon(event["parentID"])]
    for member, role in _QTY_LISTS:
        elements = event.get(member)
        if elements:
            qs = [Quantity(canon(e["epcClass"]), e.get("quantity"), e.get("uom"))
                  for e in elements if isinstance(e, dict) and e.get("epcClass")]
            refs.quantities[role] = qs
            refs.by_role[role] = [q.uri for q in qs]
    refs.sources = _party_lists(event.get("sourceList"), "source", canon)
    refs.destinations = _party_lists(event.get("destinationList"), "destination", canon)
    return refs
