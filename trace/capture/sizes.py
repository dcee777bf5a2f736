"""Lengths the store can keep: what the EPCIS 2.0 schema leaves unbounded but a column is not.

Checked with the schema, so a value too long for its column is a 400 naming the field, the same
on SQLite (which would keep it whole) and PostgreSQL (which would refuse it with a DataError:
a 500). The limits leave room for the canonical forms the store writes (a CBV short name such as
``shipping`` is stored as its full URI; an EPC URN as a Digital Link).
"""

from __future__ import annotations

from ..domain.errors import Problem
from .document import events_of, json_path

# store.events: event_id String(500); biz_step, disposition String(300); read_point,
# biz_location String(500); event_objects.uri and lots.uri String(500).
EVENT_ID = 500
VOCABULARY = 250  # + "urn:epcglobal:cbv:bizstep:" when a short name is expanded
IDENTIFIER = 400  # EPCs, classes, locations: a Digital Link is ~100; room for canonicalising
_EPC_LISTS = ("epcList", "childEPCs", "inputEPCList", "outputEPCList")
_QUANTITY_LISTS = ("quantityList", "childQuantityList", "inputQuantityList",
                   "outputQuantityList")


def size_problems(doc: object) -> list[Problem]:
    """A problem for each value longer than the store keeps (empty for every sane document)."""
    problems: list[Problem] = []
    for i, event in enumerate(events_of(doc)):
        if isinstance(event, dict):
            for parts, value, limit in _sized(event):
                if isinstance(value, str) and len(value) > limit:
                    path = json_path(("epcisBody", "eventList", i, *parts))
                    problems.append(Problem(path, f"at most {limit} characters are stored "
                                                  f"(this one has {len(value)})", i))
    return problems


def _sized(event: dict):
    """(JSONPath parts, value, limit) of every bounded string of one event."""
    yield ("eventID",), event.get("eventID"), EVENT_ID
    yield ("parentID",), event.get("parentID"), IDENTIFIER
    yield ("bizStep",), event.get("bizStep"), VOCABULARY
    yield ("disposition",), event.get("disposition"), VOCABULARY
    for where in ("readPoint", "bizLocation"):
        place = event.get(where)
        if isinstance(place, dict):
            yield (where, "id"), place.get("id"), IDENTIFIER
    for name in _EPC_LISTS:
        values = event.get(name)
        if isinstance(values, list):
            for j, epc in enumerate(values):
                yield (name, j), epc, IDENTIFIER
    for name in _QUANTITY_LISTS:
        values = event.get(name)
        if isinstance(values, list):
            for j, element in enumerate(values):
                if isinstance(element, dict):
                    yield (name, j, "epcClass"), element.get("epcClass"), IDENTIFIER
