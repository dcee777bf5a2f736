"""A JSON event as the reference tool's "simple python object": the tree the pre-hash walks.

A node is ``(name, text, children)``. The reference first turns JSON into this XML-like shape
(``json_to_py``) and then renames and regroups it so that JSON and XML give the same tree
(``json_xml_model_mismatch_correction``). Its quirks decide the hash, so they are reproduced:
- every list member becomes a sibling named after the list key; ``…List`` siblings are then
  grouped under one ``…List`` node whose members lose the ``List`` suffix (``epcList``/``epc``,
  ``sensorElementList``/``sensorElement``), ``inputEPC``/``outputEPC`` become ``epc`` and the
  quantity lists' members become ``quantityElement``;
- a member of bizTransactionList / sourceList / destinationList becomes a *pair* of its first
  two fields in JSON order (so ``{"bizTransaction": …, "type": …}`` hashes ID first);
- scalars are written with ``str()``: ``true`` → ``True``, ``null`` → ``None``,
  ``452.0`` → ``452.0``.
- an object's children are sorted, unless it has a bizTransaction / source / destination key;
  the order only shows in such unsorted objects and in pairs, but it shows there.
prehash.py mostly asks for the nodes of one top-level member at a time (``key_nodes``); that
groups per JSON key, which is the same because two keys never give the same name (short of a
key written literally as ``{IRI}name``).
Deliberate difference: a bizTransaction / source / destination object with fewer than two fields
(e.g. no ``type``) makes the reference crash on the whole document; we pair what is there with
empty nodes, so the event still gets a hash.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

from ..domain.json_types import EpcisEvent, JsonObject

if TYPE_CHECKING:
    from .context import HashContext

SKIPPED_KEYS = frozenset(("#text", "rdfs:comment", "comment"))
UNSORTED_MARKERS = ("bizTransaction", "source", "destination")
PAIRED_LISTS = frozenset(("sourceList", "destinationList", "bizTransactionList"))
_QUANTITY_MEMBERS = frozenset(("inputQuantity", "outputQuantity", "childQuantity"))
Node: TypeAlias = tuple[str, str, Sequence[Any]]
"""(name, text, children). The children are Nodes, except under sourceList, destinationList and
bizTransactionList, whose children are (Node, Node) pairs (``Pair``, see ``_pair``). The walk
knows which from the name, and `_generic` tells them apart by length, so the slot is not a
union that every hot loop would have to narrow at run time."""
Pair: TypeAlias = tuple[Node, Node]
EMPTY: Node = ("", "", ())


def event_nodes(event: EpcisEvent, ctx: HashContext) -> list[Node]:
    """The event's children, corrected (the event's own name is its ``type``).

    Grouped across all members at once, as the reference does: the order of the groups shows
    when the event has a bizTransaction / source / destination key and so stays unsorted.
    """
    return _corrected_children(_object_children(event, ctx))


def has_unsorted_marker(obj: JsonObject) -> bool:
    return "bizTransaction" in obj or "source" in obj or "destination" in obj


def key_nodes(key: str, value: object, ctx: HashContext, sortable: bool = True) -> list[Node]:
    """The corrected node(s) that one member of an object becomes."""
    return _corrected_children(_raw_nodes(ctx.key_name(key), value, ctx, sortable))


def _raw_nodes(name: str, value: object, ctx: HashContext, sortable: bool) -> list[Node]:
    if isinstance(value, list):
        # Member order only survives in an unsorted object; there it is json_to_py's.
        members = [_node(item, ctx) for item in value] if sortable else _list_members(value, ctx)
        return [(name, node[1], node[2]) for node in members]
    if isinstance(value, dict):
        node = _node(value, ctx)
        return [(name, node[1], node[2])]
    return [(name, ctx.value_text(value), [])]


def _node(value: object, ctx: HashContext) -> Node:
    """``json_to_py`` for one value; the caller gives the node its name."""
    if isinstance(value, dict):
        # The reference names an object after its "type" and takes "#text" as its text, both
        # only bare-word-replaced; the name is overwritten by the key except in nested lists.
        text, kind = value.get("#text"), value.get("type")
        return (ctx.bare(kind) if isinstance(kind, str) else "",
                ctx.bare(text) if isinstance(text, str) else "", _object_children(value, ctx))
    if isinstance(value, list):
        return "", "", _list_members(value, ctx)
    return "", ctx.value_text(value), []


def _list_members(items: list[Any], ctx: HashContext) -> list[Node]:
    # json_to_py sorts a list's members unless the list holds one of the marker strings
    # (it tests `"source" in json_obj` on lists too).
    members = [_node(item, ctx) for item in items]
    if not any(marker in items for marker in UNSORTED_MARKERS):
        members.sort()
    return members


def _object_children(obj: JsonObject, ctx: HashContext) -> list[Node]:
    children: list[Node] = []
    sortable = not has_unsorted_marker(obj)
    key_name = ctx.key_name
    for key, value in obj.items():
        if key in SKIPPED_KEYS or key.startswith("@xmlns"):
            continue
        children.extend(_raw_nodes(key_name(key), value, ctx, sortable))
    if sortable:
        children.sort()
    return children


def _corrected_children(children: Sequence[Node]) -> list[Node]:
    """``deep_structure_correction`` below one node: regroup lists, then recurse."""
    kept: list[Node] = []
    groups: dict[str, list[Node]] = {}
    for child in children:
        name = child[0]
        if name.endswith("List"):
            groups.setdefault(name, []).append((name[:-4], child[1], child[2]))
        else:
            kept.append(child)
    for list_name, members in groups.items():
        if list_name in PAIRED_LISTS:
            kept.append((list_name, "", [_pair(m[2]) for m in members]))
        else:
            kept.append((list_name, "", members))
    child_epcs: list[Node] = [("epc", c[1], []) for c in kept if c[0] == "childEPCs"]
    if child_epcs:
        kept = [c for c in kept if c[0] != "childEPCs"]
        kept.append(("childEPCs", "", child_epcs))
    return [c if c[0] in PAIRED_LISTS else _corrected(c) for c in kept]


def _pair(fields: Sequence[Node]) -> Pair:
    if len(fields) >= 2:
        return fields[0], fields[1]
    return (fields[0] if fields else EMPTY), EMPTY


def _corrected(node: Node) -> Node:
    name, text, children = node
    if children:
        children = _corrected_children(children)
    if name == "inputEPC" or name == "outputEPC":
        name = "epc"
    elif name in _QUANTITY_MEMBERS or (name == "quantity" and children):
        name = "quantityElement"
    return name, text, children
