"""Nested ordered objects (readPoint, quantity elements, sensor objects) rendered from JSON.

Same text as prehash._field on the node tree, including what the reference does with members
that are not in the object's field order: they are "gathered" and rendered right after the
fields when their namespace IRI ends in ``/``, the object has more than one child and no child
name contains ``eventTime`` or ``action``; otherwise they are left over, the object stays in its
list, and the list comes back in the event's tail with only those leftovers.
Functions return None for shapes they do not cover (then prehash.py builds nodes).
"""

from __future__ import annotations

from ..domain.json_types import JsonObject
from .context import HashContext
from .fast_members import generic_member
from .model import UNSORTED_MARKERS

_SCALARS = frozenset((str, int, float, bool, type(None)))  # exact types: others take the walk
_TIME_FIELDS = frozenset(("time", "startTime", "endTime"))
_NO_LEFTOVERS: list[str] = []
_METADATA_POSITIONS = {name: i for i, name in enumerate((
    "time", "startTime", "endTime", "deviceID", "deviceMetadata", "rawData",
    "dataProcessingMethod", "bizRules"))}
_REPORT_POSITIONS = {name: i for i, name in enumerate((
    "type", "exception", "deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "time",
    "microorganism", "chemicalSubstance", "value", "component", "stringValue", "booleanValue",
    "hexBinaryValue", "uriValue", "minValue", "maxValue", "meanValue", "sDev", "percRank",
    "percValue", "uom", "coordinateReferenceSystem"))}
_QUANTITY_POSITIONS = {"epcClass": 0, "quantity": 1, "uom": 2}
_ID_POSITIONS = {"id": 0}
_ELEMENT_KEYS = frozenset(("sensorMetadata", "sensorReport"))
_NOT_CHILDREN = frozenset(("comment", "rdfs:comment", "#text"))
# A short cut returns its ordered text(s), or (ordered texts, tail texts) when something is left.
Rendered = list[str] | tuple[list[str], list[str]] | None


def place(key: str, value: object, ctx: HashContext) -> Rendered:
    """readPoint / bizLocation."""
    if type(value) is dict and len(value) == 1 and type(value.get("id")) is str:
        text = ctx.canonical(value["id"])  # {"id": uri}: what ordered_object gives, directly
        return [key + "id=" + text] if text else []
    rendered = ordered_object(value, _ID_POSITIONS, ctx)
    if rendered is None:
        return None
    text, leftovers = rendered
    ordered = [key + text] if text else []
    return (ordered, [leftover_text(key, leftovers)]) if leftovers else ordered


def quantities(key: str, value: object, ctx: HashContext) -> Rendered:
    """quantityList, childQuantityList, inputQuantityList, outputQuantityList."""
    if not isinstance(value, list):
        return None
    elements, left = [], []
    canonical = ctx.canonical
    for item in value:
        if type(item) is dict and len(item) == 3 and item.keys() == _QUANTITY_POSITIONS.keys():
            # The usual element (epcClass, quantity, uom; any order): its fields in their
            # order, as ordered_object would render them, without its general loop.
            c, q, u = item["epcClass"], item["quantity"], item["uom"]
            if type(c) in _SCALARS and type(q) in _SCALARS and type(u) in _SCALARS:
                c, q, u = canonical(c), canonical(q), canonical(u)
                text = ((c and "epcClass=" + c) + (q and "quantity=" + q)
                        + (u and "uom=" + u))
                if text:
                    elements.append("quantityElement" + text)
                continue
        if not isinstance(item, dict) or not item.keys() - _NOT_CHILDREN:
            return None  # an object without children is not renamed quantityElement
        rendered = ordered_object(item, _QUANTITY_POSITIONS, ctx)
        if rendered is None:
            return None
        text, leftovers = rendered
        if text:
            elements.append("quantityElement" + text)
        if leftovers:
            left.append(leftover_text("quantityElement", leftovers))
    return _list_result(key, elements, left)


def sensor_elements(key: str, value: object, ctx: HashContext) -> Rendered:
    """sensorElementList (sensorReport.bizRules comes back in the tail, as in the reference)."""
    if not isinstance(value, list):
        return None
    elements, left = [], []
    for element in value:
        if not isinstance(element, dict):
            return None
        parts, element_left = [], []
        nodes = 0
        if "sensorMetadata" in element:
            nodes = 1
            rendered = ordered_object(element["sensorMetadata"], _METADATA_POSITIONS, ctx)
            if rendered is None:
                return None
            if rendered[0]:
                parts.append("sensorMetadata" + rendered[0])
            if rendered[1]:
                element_left.append(leftover_text("sensorMetadata", rendered[1]))
        reports = element.get("sensorReport", _NO_LEFTOVERS)
        if not isinstance(reports, list):
            return None
        texts = []
        for report in reports:
            rendered = ordered_object(report, _REPORT_POSITIONS, ctx)
            if rendered is None:
                return None
            if rendered[0]:
                texts.append("sensorReport" + rendered[0])
            if rendered[1]:
                element_left.append(leftover_text("sensorReport", rendered[1]))
        texts.sort()
        parts += texts
        others = [k for k in element if k not in _ELEMENT_KEYS]
        if others:
            rest = other_members(element, others, nodes + len(reports), ctx)
            if rest is None:
                return None
            parts.append(rest[0])
            element_left += rest[1]
        text = "".join(parts)
        if text:
            elements.append("sensorElement" + text)
        if element_left:
            left.append(leftover_text("sensorElement", element_left))
    return _list_result(key, elements, left)


def _list_result(key: str, members: list[str], left: list[str]) -> Rendered:
    members.sort()
    ordered = [key + "".join(members)] if members else []
    return (ordered, [leftover_text(key, left)]) if left else ordered


def ordered_object(obj: object, positions: dict[str, int], ctx: HashContext
                   ) -> tuple[str, list[str]] | None:
    """(fields + gathered extensions, leftover texts) of one object, or None if unusual."""
    if not isinstance(obj, dict):
        return None
    found = []
    others = None
    canonical, time_value = ctx.canonical, ctx.time_value
    for key, value in obj.items():
        position = positions.get(key)
        if position is None:
            if others is None:
                others = []
            others.append(key)
            continue
        if type(value) not in _SCALARS:
            return None
        text = time_value(value) if key in _TIME_FIELDS else canonical(value)
        found.append((position, key + "=" + text if text else ""))
    if len(found) > 1:
        found.sort()
    text = "".join([piece for _, piece in found])
    if others is None:
        return text, _NO_LEFTOVERS
    rest = other_members(obj, others, len(found), ctx)
    if rest is None:
        return None
    gathered, leftovers = rest
    return text + gathered, leftovers


def other_members(obj: JsonObject, keys: list[str], nodes: int, ctx: HashContext
                  ) -> tuple[str, list[str]] | None:
    """(gathered text, leftover texts) for the members of ``obj`` named in ``keys``.

    ``nodes`` counts the object's other children (its standard fields, reports...).
    """
    gatherable: list[str] = []
    leftovers: list[str] = []
    blocked = False
    for key in keys:
        if key == "comment" or key == "rdfs:comment" or key.startswith("@xmlns"):
            continue
        name = ctx.key_name(key)
        if name in UNSORTED_MARKERS:
            return None  # its leftover object would stay unsorted
        rendered = generic_member(key, obj[key], ctx)
        if rendered is None:
            return None
        nodes += len(rendered)
        if rendered and ("eventTime" in name or "action" in name):
            blocked = True  # (an empty list gives no child, so it blocks nothing)
        (gatherable if "{" in name and "/}" in name else leftovers).extend(rendered)
    if blocked or nodes <= 1:
        return "", leftovers + gatherable
    gatherable.sort()
    return "".join(gatherable), leftovers


def leftover_text(name: str, leftovers: list[str]) -> str:
    """A node that stays behind with only its leftover children, as the tail renders it."""
    if len(leftovers) > 1:
        leftovers = sorted(leftovers)
    return name + "".join(leftovers)
