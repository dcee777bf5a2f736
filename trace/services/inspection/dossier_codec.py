"""A dossier (``dossier.Dossier``) to bytes and back, for a kept dossier (``kept_dossier.py``).

orjson, never pickle: the bytes sit in a row anyone who can write to the database can change,
and a MAC is checked before they are parsed; even so, parsing builds only these plain
dataclasses. ``decode(encode(d)) == d`` (tested): datetimes keep their offset and
microseconds, tuples come back as tuples. The timeline's ``markers`` are the events that are
one, so they are written as their positions, not twice.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import orjson

from ...domain.evidence import EvidenceRef
from ...domain.verification import Check
from ...gs1.keys import LotKey
from ..lots.recalls import RecallView
from . import dossier as model  # a module: dossier.py imports this one's user

if TYPE_CHECKING:
    from .dossier import Dossier, TimelineEvent

VERSION = 1


def encode(found: Dossier) -> dict[str, Any]:
    """The dossier as JSON-ready values (orjson writes the dataclasses)."""
    marked = [i for i, e in enumerate(found.events) if e.marker]
    return {"v": VERSION, "markers": marked, "model": replace(found, markers=[])}


def decode(value: dict[str, Any]) -> Dossier:
    """The dossier ``encode`` wrote. :raises ValueError: another version or shape."""
    if value.get("v") != VERSION:
        raise ValueError("a kept dossier of another version")
    m = value["model"]
    events = [_event(e) for e in m["events"]]
    return model.Dossier(
        key=LotKey(**m["key"]), product=m["product"], quantity=m["quantity"], unit=m["unit"],
        holder=m["holder"], in_transit_to=m["in_transit_to"], status=m["status"],
        reason=m["reason"], nodes=[model.Node(**n) for n in m["nodes"]],
        edges=[model.Edge(**e) for e in m["edges"]], plots=m["plots"],
        route=[model.Stop(**{**s, "when": _time(s["when"])}) for s in m["route"]],
        events=events, missing=[Check(**c) for c in m["missing"]],
        certificates=[model.Certificate(**{**c, "valid_until": _day(c["valid_until"])})
                      for c in m["certificates"]],
        recalls=[_recall(r) for r in m["recalls"]],
        markers=[events[i] for i in value["markers"]], counts=m["counts"], fresh=m["fresh"],
        chain_roots=m["chain_roots"], digest=m["digest"],
        holds=[model.ActiveHold(**{**h, "since": _time(h["since"])}) for h in m["holds"]],
        harvest_page=m["harvest_page"], harvest_pages=m["harvest_pages"])


def dumps(value: Any) -> bytes:
    return orjson.dumps(value)


def _event(e: dict[str, Any]) -> TimelineEvent:
    fix = e["corrected_by"]
    if fix is not None:
        fix = {**fix, "corrective": [tuple(c) for c in fix["corrective"]]}
    return model.TimelineEvent(**{
        **e, "event_time": _time(e["event_time"]), "record_time": _time(e["record_time"]),
        "block_time": _time(e["block_time"]), "problems": [Check(**c) for c in e["problems"]],
        "evidence": [EvidenceRef(**r) for r in e["evidence"]], "corrected_by": fix,
        "corrects": [tuple(c) for c in e["corrects"]],
        "declares": tuple(e["declares"]) if e["declares"] is not None else None})


def _recall(r: dict[str, Any]) -> RecallView:
    return RecallView(**{**r, "created_at": _time(r["created_at"]),
                         "lifted_at": _time(r["lifted_at"])})


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value is not None else None
