"""The pre-hash string of one event, in the order the reference really uses (EVENT_HASH.md §4b).

The walk is the reference's ``hash_generator`` on the tree of model.py, without mutating it:
1. ``eventType=…``;
2. the fields of ``EVENT_ORDER`` in that order (note parentID before epcList, sensorElementList
   last), each rendered as ``name=value`` and/or its own ordered children; repeated fields are
   rendered one by one and sorted; what a field does not consume stays behind;
3. everything left over, minus eventID / recordTime / type / errorDeclaration, rendered
   generically and sorted together as strings. bizTransactionList / sourceList /
   destinationList / ilmd / top-level extensions always land here (the reference's order lists
   them, but its sub-order for the paired lists never matches), which is why destinationList
   sorts before ilmd and sourceList. A nested object keeps its extensions right after its own
   fields only when their namespace IRI ends in ``/`` (and no sibling name contains ``action``);
   otherwise the object is emitted a second time here with what was left of it.
For speed, an ordinary event is rendered one top-level member at a time, mostly by the short
cuts of fast_fields / fast_objects / fast_members; the full node walk (``_whole_event``) is kept
for the few events where members interact, and the tests check that both give the same text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeAlias

from ..domain.json_types import EpcisEvent
from . import fast_fields, fast_objects
from .context import HashContext
from .fast_members import generic_member
from .fast_objects import Rendered
from .model import (
    PAIRED_LISTS,
    SKIPPED_KEYS,
    UNSORTED_MARKERS,
    Node,
    Pair,
    event_nodes,
    has_unsorted_marker,
    key_nodes,
)
from .normalise import canonical_value, timestamp

EventOrder: TypeAlias = tuple[tuple[str, "EventOrder | None"], ...]
"""(field name, the order of its own fields or None) in the order the pre-hash writes them."""
ShortCut: TypeAlias = Callable[[str, object, HashContext], Rendered]
"""Renders one top-level member (key, JSON value) straight from JSON, or None (see fast_*)."""
TailShortCut: TypeAlias = Callable[[str, object, HashContext], list[str] | None]
"""The same for a member that always lands in the tail: its tail texts, or None."""

_EPC: EventOrder = (("epc", None),)
_QUANTITIES = (("quantityElement", (("epcClass", None), ("quantity", None), ("uom", None))),)
_ID = (("id", None),)
_SENSOR_METADATA = tuple((name, None) for name in (
    "time", "startTime", "endTime", "deviceID", "deviceMetadata", "rawData",
    "dataProcessingMethod", "bizRules"))
# No bizRules here: a sensorReport.bizRules is left over and comes back in the tail (§6).
_SENSOR_REPORT = tuple((name, None) for name in (
    "type", "exception", "deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "time",
    "microorganism", "chemicalSubstance", "value", "component", "stringValue", "booleanValue",
    "hexBinaryValue", "uriValue", "minValue", "maxValue", "meanValue", "sDev", "percRank",
    "percValue", "uom", "coordinateReferenceSystem"))
EVENT_ORDER: EventOrder = (
    ("eventTime", None), ("eventTimeZoneOffset", None), ("certificationInfo", None),
    ("parentID", None), ("epcList", _EPC), ("inputEPCList", _EPC), ("childEPCs", _EPC),
    ("quantityList", _QUANTITIES), ("childQuantityList", _QUANTITIES),
    ("inputQuantityList", _QUANTITIES), ("outputEPCList", _EPC),
    ("outputQuantityList", _QUANTITIES), ("action", None), ("transformationID", None),
    ("bizStep", None), ("disposition", None),
    ("persistentDisposition", (("set", None), ("unset", None))),
    ("readPoint", _ID), ("bizLocation", _ID),
    ("sensorElementList", (("sensorElement", (("sensorMetadata", _SENSOR_METADATA),
                                              ("sensorReport", _SENSOR_REPORT))),)),
)
_NOT_HASHED = frozenset(("recordTime", "eventID", "type", "errorDeclaration"))
_is_time_cache: dict[str, bool] = {}
# Renderers of the common shapes of a top-level member straight from JSON (fast_*.py); they
# return None for any other shape, and then the member goes through the node walk below.
_SHORT_CUTS: dict[str, ShortCut] = {"eventTime": fast_fields.time, "readPoint": fast_objects.place,
               "bizLocation": fast_objects.place, "epcList": fast_fields.epcs,
               "inputEPCList": fast_fields.epcs, "outputEPCList": fast_fields.epcs,
               "childEPCs": fast_fields.epcs, "quantityList": fast_objects.quantities,
               "childQuantityList": fast_objects.quantities,
               "inputQuantityList": fast_objects.quantities,
               "outputQuantityList": fast_objects.quantities,
               "sensorElementList": fast_objects.sensor_elements,
               "persistentDisposition": fast_fields.dispositions}
# Top-level key → (position in EVENT_ORDER, sub-order, short cut or None).
_ORDERED_KEYS: dict[str, tuple[int, EventOrder | None, ShortCut | None]] = {
    name: (index, sub_order,
           _SHORT_CUTS.get(name) or (fast_fields.scalar if sub_order is None else None))
    for index, (name, sub_order) in enumerate(EVENT_ORDER)}
_TAIL_SHORT_CUTS: dict[str, TailShortCut] = {name: fast_fields.pairs for name in PAIRED_LISTS}
_IGNORED_KEYS = _NOT_HASHED | SKIPPED_KEYS


def prehash(event: EpcisEvent, ctx: HashContext) -> str:
    """The exact text the reference tool would hash for ``event`` of the document of ``ctx``."""
    if ctx.ignored:  # the document's ignoreFields, when honoured: those members are not hashed
        event = {key: value for key, value in event.items()
                 if ctx.key_name(key) not in ctx.ignored}
    kind = event.get("type")
    head = "eventType=" + (ctx.bare(kind) if isinstance(kind, str) else "")
    if isinstance(event.get("eventTime"), str) and not has_unsorted_marker(event):
        return head + _member_by_member(event, ctx)
    return head + _whole_event(event, ctx)


def _whole_event(event: EpcisEvent, ctx: HashContext) -> str:
    """The reference's walk over all of the event's nodes at once."""
    text, left = _ordered(event_nodes(event, ctx), EVENT_ORDER)
    tail = [child for child in left if child[0] not in _NOT_HASHED]
    return text + (_generic(tail) if tail else "")


def _member_by_member(event: EpcisEvent, ctx: HashContext) -> str:
    """The same text, one top-level member at a time.

    Equivalent to the whole walk when the event has an ``eventTime`` (so top-level extensions
    are not pulled forward) and no bizTransaction / source / destination key (so the tail is
    sorted): then members do not interact, except through the final sort.
    """
    slots: list[str | None] = [None] * len(EVENT_ORDER)
    tail: list[str] = []
    ordered_keys = _ORDERED_KEYS
    rendered: Rendered
    for key, value in event.items():
        spec = ordered_keys.get(key)
        if spec is None:
            if key in _IGNORED_KEYS or key.startswith("@xmlns"):
                continue
            rendered = _TAIL_SHORT_CUTS.get(key, generic_member)(key, value, ctx)
            if rendered is None:
                rendered = [_generic((node,)) for node in key_nodes(key, value, ctx)]
            tail += rendered
            continue
        index, sub_order, short_cut = spec
        rendered = short_cut(key, value, ctx) if short_cut else None
        if type(rendered) is tuple:  # (ordered texts, what stays behind for the tail)
            rendered, left = rendered
            tail += left
        elif rendered is None:
            rendered = []
            for node in key_nodes(key, value, ctx):
                text, unused = _field(node, sub_order)
                if text:
                    rendered.append(text)
                if unused:
                    tail.append(_generic(((node[0], node[1], unused),)))
            rendered.sort()
        if rendered:
            # A list by now (a tuple was unpacked above). mypy does not narrow the other branch
            # of `type(...) is tuple`, and isinstance() would cost ~25 ns a member here.
            slots[index] = "".join(rendered)  # type: ignore[arg-type]
    if len(tail) > 1:
        tail.sort()
    return "".join([text for text in slots if text]) + "".join(tail)


def _ordered(children: Sequence[Node], order: EventOrder) -> tuple[str, Sequence[Node]]:
    """The ordered rendering of ``children`` and what it did not consume."""
    extensions = _take_extensions(children)
    if extensions:
        children = [c for c in children if not _is_extension(c)]
    present = {child[0] for child in children}
    pieces = []
    for name, sub_order in order:
        if name not in present:
            continue
        values = []
        rest = []
        for child in children:
            if child[0] != name:
                rest.append(child)
                continue
            text, left = _field(child, sub_order)
            if text:
                values.append(text)
            if left:
                rest.append((child[0], child[1], left))  # keeps its place, as the reference's
        children = rest
        if values:
            values.sort()
            pieces.extend(values)
    text = "".join(pieces)
    if extensions:
        text += _generic(extensions)
    return text, children


def _field(child: Node, sub_order: EventOrder | None) -> tuple[str, Sequence[Node]]:
    name, text, children = child
    inner = ""
    if sub_order:
        inner, children = _ordered(children, sub_order)
    value = ""
    if text:
        text = text.strip()
        text = timestamp(text) if _is_time(name) else canonical_value(text)
        if text:
            value = "=" + text
    if value or inner:
        return name + value + inner, children
    return "", children


def _is_time(name: str) -> bool:
    # The reference treats any ordered field whose name contains "time" but not "offset" as a
    # timestamp; extension and ILMD values never get here, so they are hashed verbatim.
    known = _is_time_cache.get(name)
    if known is None:
        lower = name.lower()
        known = _is_time_cache[name] = "time" in lower and "offset" not in lower
    return known


def _is_extension(child: Node) -> bool:
    return "{" in child[0] and "/}" in child[0]


def _take_extensions(children: Sequence[Node]) -> list[Node]:
    """Extensions rendered right after a nested object's own fields (``{…/}name`` only)."""
    if len(children) <= 1:
        return []
    for child in children:
        # Substring tests, as in the reference: a sibling named like "{ns/}transactionRef"
        # contains "action" and so disables the whole mechanism for this object.
        if "eventTime" in child[0] or "action" in child[0]:
            return []
    return [child for child in children if _is_extension(child)]


def _generic(children: Sequence[Node | Pair]) -> str:
    """Leftovers, ILMD and extensions: ``name[=value]`` + children, siblings sorted."""
    values = []
    for child in children:
        if len(child) == 2:  # a bizTransaction / source / destination pair
            values.append(_generic(child))
            continue
        name, text, grandchildren = child
        text = text.strip()
        if text:
            name += "=" + canonical_value(text)
        values.append(name + _generic(grandchildren) if grandchildren else name)
    if len(values) > 1 and not any(child[0] in UNSORTED_MARKERS for child in children):
        values.sort()
    return "".join(values)
