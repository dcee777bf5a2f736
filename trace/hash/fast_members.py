"""Extension / ILMD members rendered straight from JSON; the same text as the node walk.

Like fast_fields.py, this returns None for shapes it does not cover (then prehash.py builds
nodes). A member is rendered directly only when no name in it triggers one of the model's
renamings or regroupings (``…List``, ``childEPCs``, ``inputEPC``…, ``quantity`` objects,
``#text``, skipped keys), no object in it stays unsorted (a bizTransaction / source /
destination key) and no list holds a list.
"""

from __future__ import annotations

from ..domain.json_types import JsonObject
from .context import HashContext


def generic_member(key: str, value: object, ctx: HashContext) -> list[str] | None:
    """The tail text(s) of one top-level member (an extension, ilmd), or None."""
    name = ctx.member_names.get(key) or ctx.member_name(key)
    if not name:
        return None
    if type(value) is list:
        out = []
        for item in value:
            text = _sibling(name, item, ctx)
            if text is None:
                return None
            out.append(text)
        return out
    text = _sibling(name, value, ctx)
    return None if text is None else [text]


def _sibling(name: str, value: object, ctx: HashContext) -> str | None:
    if type(value) is dict:
        if name == "quantity" and value:
            return None  # becomes a quantityElement
        inner = _object(value, ctx)
        return None if inner is None else name + inner
    if type(value) is list:
        return None
    text = ctx.canonical(value)
    return name + "=" + text if text else name


def _object(obj: JsonObject, ctx: HashContext) -> str | None:
    if "bizTransaction" in obj or "source" in obj or "destination" in obj:
        return None
    parts = []
    names = ctx.member_names
    member_name = ctx.member_name
    canonical = ctx.canonical
    for key, value in obj.items():
        name = names.get(key) or member_name(key)
        if not name:
            return None
        kind = type(value)
        if kind is dict or kind is list:
            if kind is dict:
                text = _sibling(name, value, ctx)
                if text is None:
                    return None
                parts.append(text)
                continue
            for item in value:
                text = _sibling(name, item, ctx)
                if text is None:
                    return None
                parts.append(text)
            continue
        text = canonical(value)  # inlined _sibling for the common scalar case
        parts.append(name + "=" + text if text else name)
    if len(parts) > 1:
        parts.sort()
    return "".join(parts)
