"""How deep a JSON document may nest.

orjson, which stores every event, refuses to write values nested more than 254 levels deep, and
stored events are embedded again (audit packs, query answers). A document deeper than
``MAX_DEPTH`` is refused at the door with the path where it goes too deep, rather than accepted
and failing later with a 500.
"""

from __future__ import annotations

import orjson

from ..domain.errors import Problem, ValidationFailed
from .document import key_path

MAX_DEPTH = 128  # levels of objects and arrays; GS1's examples need fewer than 10
_HEADROOM = 254 - MAX_DEPTH  # orjson writes at most 254 levels of arrays and objects


def check_depth(value: object) -> None:
    """:raises ValidationFailed: ``value`` nests more than MAX_DEPTH levels (names where)."""
    # Fast path in C: orjson fails exactly when the value, wrapped in _HEADROOM more arrays,
    # passes its 254 levels; a bulk capture of 10,000 events costs ~8 ms here.
    wrapped = value
    for _ in range(_HEADROOM):
        wrapped = [wrapped]
    try:
        orjson.dumps(wrapped)
        return
    except orjson.JSONEncodeError:
        pass
    path = _too_deep(value)
    raise ValidationFailed(f"the document nests deeper than {MAX_DEPTH} levels of objects and "
                           "arrays (errors[0].path says where)",
                           [Problem(path, f"nested deeper than {MAX_DEPTH} levels of objects "
                                          "and arrays")])


def _too_deep(value: object) -> str:
    """JSONPath of the first value below MAX_DEPTH levels (iterative: no recursion limit)."""
    stack = [(value, "$", 1)]
    while stack:
        node, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            return path
        if isinstance(node, dict):
            stack.extend((v, path + key_path(k), depth + 1) for k, v in node.items()
                         if isinstance(v, dict | list))
        elif isinstance(node, list):
            stack.extend((v, f"{path}[{i}]", depth + 1) for i, v in enumerate(node)
                         if isinstance(v, dict | list))
    return "$"
