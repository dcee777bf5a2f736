"""The rules of an EPCIS 2.0 error declaration at capture (see docs/CORRECTIONS.md).

A declaration repeats the declared event exactly (so its CBV 2.0 hash, which leaves
``errorDeclaration`` out, is the declared event's) and adds ``errorDeclaration``
{declarationTime, reason, correctiveEventIDs}.

**A declared event recorded here** (an event with the declaration's eventID or CBV hash):

- only the organisation that recorded it may declare it (``policy.may_declare_error``): 403;
- the repeated content must hash to the recorded event's hash, and a given eventID must be the
  recorded event's;
- each corrective eventID must name an event recorded here that the organisation may read, or
  one captured in the same document: a dangling link could never be followed nor verified;
- an event is declared once: a second declaration (or two in one document) is refused.

**A declared event recorded elsewhere** (none here has its eventID or CBV hash): accepted, as the
standard allows (GS1's own example documents do this), and stored unlinked; its corrective
eventIDs may be elsewhere too. It names goods like the event it repeats, so the custody rules of
that event apply to it (checked, not applied): nobody slips a record into another's lot this way.
Once its event's eventID has a declaration, that event can no longer be recorded here
(``declared_before``).

Each broken rule gives a failed capture job (nothing stored), except the policy's and custody's,
which are a 403 (nothing stored either).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...domain import policy
from ...domain.actor import Actor
from ...domain.errors import Forbidden, Problem
from ...hash import EventHash
from ...store import declarations as reads
from ..ports import UnitOfWork

DECLARATION = "errorDeclaration"


def is_declaration(event: dict[str, Any]) -> bool:
    return DECLARATION in event


def corrective_ids(event: dict[str, Any]) -> list[str]:
    declaration = event.get(DECLARATION)
    ids = declaration.get("correctiveEventIDs") if isinstance(declaration, dict) else None
    return [i for i in ids if isinstance(i, str)] if isinstance(ids, list) else []


@dataclass
class Declarations:
    """What a capture's declarations declare, by position in the document."""

    linked: dict[int, tuple[int, str]] = field(default_factory=dict)  # → (row id, eventID)
    elsewhere: dict[int, str] = field(default_factory=dict)  # → eventID (recorded elsewhere)
    problems: list[Problem] = field(default_factory=list)

    def __contains__(self, index: int) -> bool:
        return index in self.linked or index in self.elsewhere


def declared_events(w: UnitOfWork, events: list[dict[str, Any]], cbv: list[EventHash],
                    keep: list[int], actor: Actor, given_ids: dict[int, str]) -> Declarations:
    """What each kept declaration declares, and the problems that refuse the capture.

    :raises Forbidden: a declaration of an event another organisation recorded."""
    out = Declarations()
    wanted = [i for i in keep if is_declaration(events[i])]
    if not wanted:
        return out
    by_hash = reads.events_by_hash(w, {cbv[i].id for i in wanted})
    by_id = reads.events_by_event_id(w, {given_ids[i] for i in wanted if i in given_ids})
    in_document = {given_ids.get(j) or cbv[j].id for j in keep if not is_declaration(events[j])}
    correctives = reads.events_by_event_id(
        w, {c for i in wanted for c in corrective_ids(events[i])} - in_document)
    declared_elsewhere = reads.declared_event_ids(
        w, {given_ids.get(i) or cbv[i].id for i in wanted})

    forbidden: list[Problem] = []
    seen: set[str] = set()
    for i in wanted:
        at = f"$.epcisBody.eventList[{i}]"
        eid = given_ids.get(i)
        target = by_hash.get(cbv[i].id)
        same_id = by_id.get(eid) if eid else None
        recorded = [r for r in (target, same_id) if r is not None]
        if not recorded:  # an event recorded elsewhere, as the standard allows
            declared_id = eid or cbv[i].id
            if declared_id in declared_elsewhere or declared_id in seen:
                out.problems.append(Problem(f"{at}.{DECLARATION}", (
                    f"event {declared_id} already has an error declaration, and a declaration "
                    "is final"), i, eid))
            else:
                out.elsewhere[i] = declared_id
            seen.add(declared_id)
            continue
        if any(not policy.may_declare_error(actor, r.organisation_id) for r in recorded):
            forbidden.append(Problem(at, (
                f"event {recorded[0].event_id} was recorded by another organisation: only it "
                "may declare it erroneous"), i, eid))
            continue
        if target is None:
            out.problems.append(Problem(at, (
                f"it declares event {eid} but does not repeat it: its CBV 2.0 hash {cbv[i].id} "
                f"differs from the recorded event's {same_id.event_hash if same_id else '?'} (a "
                "declaration repeats the declared event exactly, plus errorDeclaration)"), i, eid))
            continue
        if eid is not None and eid != target.event_id:
            out.problems.append(Problem(f"{at}.eventID", (
                f"the declared event's eventID is {target.event_id}, not {eid}"), i, eid))
            continue
        if target.declared is not None or target.event_id in seen:
            out.problems.append(Problem(f"{at}.{DECLARATION}", (
                f"event {target.event_id} already has an error declaration, and a declaration "
                "is final: record corrective events instead"), i, eid))
            continue
        seen.add(target.event_id)
        missing = False
        for k, c in enumerate(corrective_ids(events[i])):
            row = correctives.get(c)
            if c == target.event_id or (c not in in_document and (
                    row is None or not policy.may_read_event(actor, row.organisation_id))):
                missing = True
                out.problems.append(Problem(f"{at}.{DECLARATION}.correctiveEventIDs[{k}]", (
                    f"{c} is the declared event itself" if c == target.event_id else
                    f"no event {c} is recorded here: capture a corrective event before its "
                    "declaration, or in the same document"), i, eid))
        if not missing:
            out.linked[i] = (target.id, target.event_id)
    if forbidden:
        raise Forbidden("only the organisation that recorded an event may declare it "
                        "erroneous (see errors)", forbidden)
    return out


def declared_before(w: UnitOfWork, events: list[dict[str, Any]], cbv: list[EventHash],
                    keep: list[int], given_ids: dict[int, str]) -> list[Problem]:
    """Events of the capture whose eventID already has an error declaration (of an event then
    recorded elsewhere): refused, since the declaration would not be linked to them. (An event
    that names its eventID is refused before, as one whose eventID is taken: only those named by
    their hash are looked up here.)"""
    ids = {i: cbv[i].id for i in keep if not is_declaration(events[i]) and i not in given_ids}
    if not ids:
        return []
    declared = reads.declared_event_ids(w, set(ids.values()))
    return [Problem(f"$.epcisBody.eventList[{i}].eventID", (
        f"event {eid} was declared erroneous before it was recorded here: it cannot be recorded "
        "after its error declaration"), i, None) for i, eid in ids.items()
        if eid in declared]
