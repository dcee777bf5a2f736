"""Which lots an event names, and from which lots it made each: read from the event itself.

This is what a lot's history chain commits to (``domain.commitments``), so it must be derived
from the signed, hashed event alone — never from index rows a database writer could change:

- every identifier the event names, whatever its role (epcList, quantities, parent, children,
  inputs, outputs), and the lot a commissioning event makes items of (ILMD ``cbvmda:lotNumber``);
- the lineage links: a transformation makes each output from every input, packing (aggregation
  ADD) makes the parent from each child, commissioning makes each item from its lot.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .epcis import event_refs
from .json_types import EpcisEvent
from .serials import commissioned_lots


@dataclass(frozen=True)
class EventLots:
    named: frozenset[str]
    sources: dict[str, frozenset[str]]  # lot -> the lots this event made it from
    packed: frozenset[tuple[str, str]] = frozenset()  # (child, parent) packed by this event

    def sources_of(self, uri: str) -> frozenset[str]:
        return self.sources.get(uri, frozenset())

    def targets_of(self, uri: str) -> set[str]:
        return {t for t, srcs in self.sources.items() if uri in srcs}

    def containers_of(self, uri: str) -> set[str]:
        return {parent for child, parent in self.packed if child == uri}


def links(event_type: str, action: str | None, by_role: dict[str, list[str]],
          origins: dict[str, str]) -> list[tuple[str, str, str]]:
    """(source, target, kind) lineage links of one event (the custody rules use the same)."""
    out: list[tuple[str, str, str]] = []
    role = by_role.get
    if event_type == "TransformationEvent":
        inputs = [*role("input", ()), *role("input_class", ())]
        outputs = [*role("output", ()), *role("output_class", ())]
        out.extend((s, t, "transformation") for s in inputs for t in outputs)
    elif event_type == "AggregationEvent" and action == "ADD":
        children = [*role("child", ()), *role("child_class", ())]
        out.extend((c, p, "aggregation") for p in role("parent", ()) for c in children)
    out.extend((lot, item, "commissioning") for item, lot in origins.items())
    return out


def event_lots(event: EpcisEvent, prefixes: dict[str, str],
               canon: Callable[[str], str]) -> EventLots:
    """The lots ``event`` names and its lineage links; ``prefixes`` are its document's inline
    ``@context`` bindings (for ILMD), ``canon`` the Digital Link canonicaliser."""
    refs = event_refs(event, canon)
    origins = commissioned_lots(event, prefixes, canon)
    named = {u for uris in refs.by_role.values() for u in uris} | set(origins.values())
    sources: dict[str, set[str]] = {}
    packed = set()
    for source, target, kind in links(refs.event_type, refs.action, refs.by_role, origins):
        if source != target:
            sources.setdefault(target, set()).add(source)
        if kind == "aggregation":
            packed.add((source, target))
    return EventLots(frozenset(named), {k: frozenset(v) for k, v in sources.items()},
                     frozenset(packed))
