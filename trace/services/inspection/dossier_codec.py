"""A dossier (``dossier.Dossier``) to bytes and back, for a kept dossier (``kept_dossier.py``).

orjson, never pickle: the bytes sit in a row anyone who can write to the database can change,
and a MAC is checked before they are parsed; even so, parsing builds only these plain
dataclasses. ``decode(encode(d)) == d`` (tested): datetimes keep their offset and
microseconds, tuples come back as tuples. The timeline's ``markers`` are the events that are
one, so they are written as their positions, not twice.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import orjson

from ...domain.evidence import EvidenceRef
from ...domain.verification import Check
from ..lots.recalls import RecallView
from . import dossier as model  # a module: dossier.py imports this one's user

if TYPE_CHECKING:
    from .dossier import Dossier, TimelineEvent

VERSION = 1
T = TypeVar("T")


def encode(found: Dossier) -> dict[str, Any]:
    """The dossier as JSON-ready values (orjson writes the dataclasses). The checks that
    failed (each event's ``problems``, the histories ``missing``) are written once each and
    named by their place: without a chain every one of 2,111 events has the same two, a
    megabyte of the body."""
    marked = [i for i, e in enumerate(found.events) if e.marker]
    checks: dict[Check, int] = {}

    def place(check: Check) -> int:
        return checks.setdefault(check, len(checks))

    events = [{**_members(e), "problems": [place(c) for c in e.problems]}
              for e in found.events]
    return {"v": VERSION, "markers": marked, "model": {
        **_members(found), "events": _table(events), "nodes": _table(found.nodes),
        "edges": _table(found.edges), "plots": _table(found.plots),
        "missing": [place(c) for c in found.missing], "markers": []},
        "checks": list(checks)}


def _members(item: Any) -> dict[str, Any]:
    return {f.name: getattr(item, f.name) for f in fields(item)}


def _table(items: list[Any]) -> dict[str, Any]:
    """A list of dataclasses (or dicts) of one kind as one row of values each under one list
    of names: 2,111 timeline rows' 35 member names are not written 2,111 times, and parsing
    arrays makes fewer objects."""
    if not items:
        return {"names": [], "rows": []}
    first = items[0]
    names = list(first) if isinstance(first, dict) else [f.name for f in fields(first)]
    if isinstance(first, dict):
        return {"names": names, "rows": [[i[n] for n in names] for i in items]}
    return {"names": names, "rows": [[getattr(i, n) for n in names] for i in items]}


def _untable(table: dict[str, Any]) -> list[dict[str, Any]]:
    names = table["names"]
    return [dict(zip(names, row, strict=True)) for row in table["rows"]]


def decode(value: dict[str, Any]) -> Dossier:
    """The dossier ``encode`` wrote. :raises ValueError: another version or shape.

    The dataclasses are made without their ``__init__`` (``_made``: the parsed members become
    the instance's ``__dict__``, then the few that are not JSON types are converted): the
    export lot's model (2,111 timeline rows, 2,111 nodes) took about 35 ms of CPU through
    ``__init__`` and keyword arguments, about 10 this way."""
    if value.get("v") != VERSION:
        raise ValueError("a kept dossier of another version")
    m = value["model"]
    _check_members(m, model.Dossier)
    checks = [_made(Check, c) for c in value["checks"]]  # frozen: shared
    rows = _untable(m["events"])
    _check_members(rows[0] if rows else None, model.TimelineEvent)
    events = [_event(e, checks) for e in rows]
    nodes, edges = _untable(m["nodes"]), _untable(m["edges"])
    _check_members(nodes[0] if nodes else None, model.Node)
    _check_members(edges[0] if edges else None, model.Edge)
    m.update(
        key=model.LotKey(**m["key"]), nodes=[_made(model.Node, n) for n in nodes],
        edges=[_made(model.Edge, e) for e in edges], plots=_untable(m["plots"]),
        route=[_made(model.Stop, {**s, "when": _time(s["when"])}) for s in m["route"]],
        events=events, missing=[checks[i] for i in m["missing"]],
        certificates=[_made(model.Certificate, {**c, "valid_until": _day(c["valid_until"])})
                      for c in m["certificates"]],
        recalls=[_recall(r) for r in m["recalls"]],
        markers=[events[i] for i in value["markers"]],
        holds=[_made(model.ActiveHold, {**h, "since": _time(h["since"])}) for h in m["holds"]])
    return _made(model.Dossier, m)


def lot_key(value: dict[str, Any]) -> model.LotKey:
    """A dossier's lot as orjson wrote it (``Dossier.key``)."""
    return model.LotKey(**value)


def certificates(value: list[dict[str, Any]]) -> list[model.Certificate]:
    """A dossier's certificates as orjson wrote them (``Dossier.certificates``)."""
    for c in value:
        _check_members(c, model.Certificate)
    return [_made(model.Certificate, {**c, "valid_until": _day(c["valid_until"])})
            for c in value]


def dumps(value: Any) -> bytes:
    return orjson.dumps(value)


def _event(e: dict[str, Any], checks: list[Check]) -> TimelineEvent:
    fix = e["corrected_by"]
    if fix is not None:
        e["corrected_by"] = {**fix, "corrective": [tuple(c) for c in fix["corrective"]]}
    e["event_time"] = _time(e["event_time"])
    e["record_time"] = _time(e["record_time"])
    e["block_time"] = _time(e["block_time"])
    e["problems"] = [checks[i] for i in e["problems"]]
    if e["evidence"]:
        e["evidence"] = [EvidenceRef(**r) for r in e["evidence"]]  # slots: no __dict__
    if e["corrects"]:
        e["corrects"] = [tuple(c) for c in e["corrects"]]
    if e["declares"] is not None:
        e["declares"] = tuple(e["declares"])
    return _made(model.TimelineEvent, e)


def _recall(r: dict[str, Any]) -> RecallView:
    return _made(RecallView, {**r, "created_at": _time(r["created_at"]),
                              "lifted_at": _time(r["lifted_at"])})


def _made(kind: type[T], members: dict[str, Any]) -> T:
    """An instance of the dataclass ``kind`` (not one with slots) whose ``__dict__`` is
    ``members`` (frozen ones too: their ``__setattr__`` is not called)."""
    made = object.__new__(kind)
    made.__dict__.update(members)
    return made


def _check_members(members: dict[str, Any] | None, kind: type) -> None:
    """The same members as ``kind`` has fields: a body of another shape is not used."""
    if members is not None and members.keys() != _fields(kind):
        raise ValueError(f"a kept {kind.__name__} of another shape")


def _fields(kind: type) -> set[str]:
    return {f.name for f in fields(kind)}


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value is not None else None
