"""Short cuts for the common shapes of the top-level fields; the same text as the node walk.

Each function renders one top-level member straight from JSON, for the shape it knows (a scalar
or a list of scalars, a timestamp, a list of EPCs, persistentDisposition, two-field
bizTransaction / source / destination objects) and returns None for anything else, in which
case prehash.py builds the node tree for that member. The tests check both ways agree.
"""

from __future__ import annotations

from .context import HashContext
from .model import SKIPPED_KEYS, UNSORTED_MARKERS

_STRUCTURED = (dict, list)
_SET_UNSET = frozenset(("set", "unset"))


def scalar(key: str, value: object, ctx: HashContext) -> list[str] | None:
    if isinstance(value, list):
        out = []
        canonical = ctx.canonical
        for item in value:
            if isinstance(item, _STRUCTURED):
                return None
            text = canonical(item)
            if text:
                out.append(key + "=" + text)
        out.sort()
        return out
    if isinstance(value, dict):
        return None
    text = ctx.canonical(value)
    return [key + "=" + text] if text else []


def time(key: str, value: object, ctx: HashContext) -> list[str] | None:
    if not isinstance(value, str):
        return None
    text = ctx.time_value(value)
    return [key + "=" + text] if text else []


def epcs(key: str, value: object, ctx: HashContext) -> list[str] | None:
    if not isinstance(value, list):
        return None
    out = []
    canonical = ctx.canonical
    for item in value:
        if isinstance(item, _STRUCTURED):
            return None
        text = canonical(item)
        if text:
            out.append("epc=" + text)
    if not out:
        return []
    out.sort()
    return [key + "".join(out)]


def dispositions(key: str, value: object, ctx: HashContext) -> list[str] | None:
    """persistentDisposition with only ``set`` / ``unset`` lists of words or URIs."""
    if not isinstance(value, dict) or not value or not value.keys() <= _SET_UNSET:
        return None
    parts = []
    for field in ("set", "unset"):
        rendered = scalar(field, value.get(field, []), ctx)
        if rendered is None:
            return None
        parts.extend(rendered)
    return [key + "".join(parts)] if parts else []


def pairs(key: str, value: object, ctx: HashContext) -> list[str] | None:
    """A bizTransactionList / sourceList / destinationList (these always end in the tail)."""
    if not isinstance(value, list):
        return None
    out = []
    key_name = ctx.key_name
    for item in value:
        if not isinstance(item, dict) or len(item) != 2:
            return None
        (k1, v1), (k2, v2) = item.items()
        if (isinstance(v1, _STRUCTURED) or isinstance(v2, _STRUCTURED) or k1 in SKIPPED_KEYS
                or k2 in SKIPPED_KEYS or k1.startswith("@xmlns") or k2.startswith("@xmlns")):
            return None
        first = _generic_leaf(key_name(k1), v1, ctx)
        second = _generic_leaf(key_name(k2), v2, ctx)
        if k1 in UNSORTED_MARKERS or k2 in UNSORTED_MARKERS or first <= second:
            out.append(first + second)  # JSON order when an ID field is there
        else:
            out.append(second + first)
    if not out:
        return []
    out.sort()
    return [key + "".join(out)]


def _generic_leaf(name: str, value: object, ctx: HashContext) -> str:
    text = ctx.canonical(value)
    return name + "=" + text if text else name
