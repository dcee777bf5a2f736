"""Lengths the store can keep: what the EPCIS 2.0 schema leaves unbounded but a column is not.

Checked with the schema, so a value too long for its column is a 400 naming the field, the same
on SQLite (which would keep it whole) and PostgreSQL (which would refuse it with a DataError:
a 500). The limits leave room for the canonical forms the store writes (a CBV short name such as
``shipping`` is stored as its full URI; an EPC URN as a Digital Link).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import unquote

from ..domain.errors import Problem
from .document import events_of, json_path

# store.events: event_id String(500); biz_step, disposition String(300); read_point,
# biz_location String(500); event_objects.uri and lots.uri String(500).
EVENT_ID = 500
VOCABULARY = 250  # + "urn:epcglobal:cbv:bizstep:" when a short name is expanded
IDENTIFIER = 400  # EPCs, classes, locations: a Digital Link is ~100; room for canonicalising
LOT = 100  # lots.code String(100): the lot number inside a Digital Link (/10/<lot>)
_LOT = re.compile(r"/10/([^/?#]+)")
_SCALARS = {"eventID": EVENT_ID, "parentID": IDENTIFIER, "bizStep": VOCABULARY,
            "disposition": VOCABULARY}
_PLACES = frozenset({"readPoint", "bizLocation"})
_EPC_LISTS = frozenset({"epcList", "childEPCs", "inputEPCList", "outputEPCList"})
_QUANTITY_LISTS = frozenset({"quantityList", "childQuantityList", "inputQuantityList",
                             "outputQuantityList"})
_BOUNDED = frozenset(_SCALARS) | _PLACES | _EPC_LISTS | _QUANTITY_LISTS


def size_problems(doc: object) -> list[Problem]:
    """A problem for each value longer than the store keeps (empty for every sane document).

    Runs on every capture (10,000 events in ~10 ms): only the members an event has are looked at.
    """
    problems: list[Problem] = []
    for i, event in enumerate(events_of(doc)):
        if not isinstance(event, dict):
            continue
        for name in event.keys() & _BOUNDED:
            for parts, value, limit in _sized(name, event[name]):
                if not isinstance(value, str) or len(value) <= LOT:
                    continue  # shorter than any limit: the common case, at once
                path = json_path(("epcisBody", "eventList", i, name, *parts))
                if len(value) > limit:
                    problems.append(Problem(path, f"at most {limit} characters are stored "
                                                  f"(this one has {len(value)})", i))
                elif (lot := _lot(value)) is not None and len(lot) > LOT:
                    problems.append(Problem(path, f"its lot number has {len(lot)} characters; "
                                                  f"at most {LOT} are stored", i))
    return problems


def _lot(identifier: str) -> str | None:
    found = _LOT.search(identifier)
    return unquote(found[1]) if found else None


def _sized(name: str, value: object) -> Iterator[tuple[tuple[str | int, ...], object, int]]:
    """(JSONPath parts below ``name``, string, limit) of each bounded string in one member."""
    if name in _SCALARS:
        yield (), value, _SCALARS[name]
    elif name in _PLACES:
        if isinstance(value, dict):
            yield ("id",), value.get("id"), IDENTIFIER
    elif isinstance(value, list):
        if name in _EPC_LISTS:
            for j, epc in enumerate(value):
                if isinstance(epc, str) and len(epc) > LOT:
                    yield (j,), epc, IDENTIFIER
        else:  # a quantity list
            for j, element in enumerate(value):
                if isinstance(element, dict):
                    yield (j, "epcClass"), element.get("epcClass"), IDENTIFIER
