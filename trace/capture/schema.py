"""Checking a capture document against GS1's EPCIS 2.0 JSON Schema (single file, draft-07).

Fast path: jsonschema-rs `is_valid` (about 90k events/s); errors are only collected for invalid
documents. The raw errors are then made few and precise: one problem per mistake, at the deepest
path, in words a clerk can act on (`schema_messages.py`).
"""

from __future__ import annotations

import difflib
from collections import Counter
from functools import cache
from importlib import resources
from typing import Any

import jsonschema_rs
import orjson

from ..domain.errors import Problem
from ..domain.json_types import EpcisDocument
from .document import json_path
from .schema_messages import Finding, Parts, describe
from .sizes import size_problems

SCHEMA_FILE = "EPCIS-JSON-Schema.json"
EVENT_TYPES = (
    "ObjectEvent",
    "AggregationEvent",
    "TransactionEvent",
    "TransformationEvent",
    "AssociationEvent",
)


@cache
def _validator() -> jsonschema_rs.Validator:
    """The compiled schema. Built on first use, not at import: compiling takes ~10 ms and most
    imports of this package (CLI, migrations, tests of other parts) never validate anything."""
    text = resources.files(__package__).joinpath("schema").joinpath(SCHEMA_FILE).read_bytes()
    return jsonschema_rs.validator_for(orjson.loads(text))


def validate_schema(doc: object) -> list[Problem]:
    """Problems of ``doc`` against the EPCIS 2.0 schema; empty when it conforms.

    Only an ``EPCISDocument`` is accepted (a query document or a bare event is refused with one
    problem at ``$.type``). Problems are sorted: document-level first, then by event index and path.
    """
    if not isinstance(doc, dict):
        return [Problem("$", "the document must be a JSON object of type EPCISDocument")]
    if doc.get("type") != "EPCISDocument":
        return [Problem("$.type", f'type must be "EPCISDocument", not {_shown(doc.get("type"))}: '
                        "send the events inside an EPCISDocument (epcisBody.eventList)")]
    validator = _validator()
    if validator.is_valid(doc):
        return size_problems(doc)  # lengths the schema leaves open but our columns do not
    broken = _broken_events(doc)
    findings: list[Finding] = list(broken.values())
    for error in validator.iter_errors(doc):
        parts = tuple(error.instance_path)
        if _event_index(parts) in broken:
            continue  # the one "this is not an event" problem says it all
        findings.extend(describe(error))
    return _to_problems(doc, _without_echoes(findings))


def _shown(value: object) -> str:
    return f'"{value}"' if isinstance(value, str) else ("nothing" if value is None else repr(value))


def _event_list(doc: EpcisDocument) -> list[Any]:
    body = doc.get("epcisBody")
    events = body.get("eventList") if isinstance(body, dict) else None
    return events if isinstance(events, list) else []


def _broken_events(doc: EpcisDocument) -> dict[int, Finding]:
    """Events whose shape or type is wrong. The schema dispatches on ``type``, so for these it
    reports dozens of errors (one per event type it then tries); one plain problem is better."""
    out: dict[int, Finding] = {}
    for i, event in enumerate(_event_list(doc)):
        parts: Parts = ("epcisBody", "eventList", i)
        if not isinstance(event, dict):
            out[i] = Finding(parts, "each event must be a JSON object {...}")
            continue
        event_type = event.get("type")
        if event_type in EVENT_TYPES:
            continue
        if event_type is None:
            out[i] = Finding(parts + ("type",), "the event has no type: use one of "
                             + ", ".join(EVENT_TYPES))
        elif not isinstance(event_type, str) or ":" not in event_type:
            # A type with a colon is a URI: the schema allows extension event types.
            guess = difflib.get_close_matches(str(event_type), EVENT_TYPES, n=1, cutoff=0.6)
            hint = f'did you mean "{guess[0]}"? ' if guess else ""
            out[i] = Finding(parts + ("type",), f"unknown event type {_shown(event_type)}: "
                             f"{hint}use one of {', '.join(EVENT_TYPES)}")
    return out


def _event_index(parts: Parts) -> int | None:
    if len(parts) > 2 and parts[:2] == ("epcisBody", "eventList") and isinstance(parts[2], int):
        return parts[2]
    return None


def _is_below(child: Parts, parent: Parts) -> bool:
    return len(child) > len(parent) and child[: len(parent)] == parent


def _without_echoes(findings: list[Finding]) -> list[Finding]:
    """Drop duplicates and the "none of the alternatives matched" findings that only echo a more
    specific finding below the same path (jsonschema reports a failed quantity both at the quantity
    and, via the event's anyOf, at the event). Linear in the number of findings: a 10,000-event
    document can have as many."""
    unique = list(dict.fromkeys(findings))
    at = Counter(f.parts for f in unique)
    above = Counter(f.parts[:k] for f in unique for k in range(len(f.parts)))
    return [f for f in unique if not (f.related and _echoes(f, at, above))]


def _echoes(finding: Finding, at: Counter[Parts], above: Counter[Parts]) -> bool:
    """Is some *other* finding strictly below where ``finding``'s anyOf failed, and on the way to
    (or below) one of the paths its alternatives complained about?"""
    own = finding.parts

    def others_at(parts: Parts) -> bool:
        return at[parts] - (parts == own) > 0

    def others_below(parts: Parts) -> bool:
        return above[parts] - _is_below(own, parts) > 0

    here = finding.origin if finding.origin is not None else own
    for related in finding.related:
        if related == here:
            if others_below(related):
                return True
        elif _is_below(related, here):
            if others_at(related) or others_below(related):
                return True
            if any(others_at(related[:k]) for k in range(len(here) + 1, len(related))):
                return True
    return False


def _sort_key(finding: Finding) -> tuple[int, tuple[tuple[int, int, str], ...], str]:
    index = _event_index(finding.parts)
    parts = tuple((0, p, "") if isinstance(p, int) else (1, 0, p) for p in finding.parts)
    return (-1 if index is None else index, parts, finding.message)


def _to_problems(doc: EpcisDocument, findings: list[Finding]) -> list[Problem]:
    events = _event_list(doc)
    seen: set[tuple[str, str]] = set()
    problems = []
    for finding in sorted(findings, key=_sort_key):
        path = json_path(finding.parts)
        if (path, finding.message) in seen:
            continue
        seen.add((path, finding.message))
        index = _event_index(finding.parts)
        event_id = None
        if index is not None and isinstance(events[index], dict):
            candidate = events[index].get("eventID")
            event_id = candidate if isinstance(candidate, str) else None
        problems.append(Problem(path, finding.message, index, event_id))
    return problems
