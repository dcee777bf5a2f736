"""The rules of an EPCIS 2.0 error declaration at capture (see docs/CORRECTIONS.md).

A declaration repeats the declared event exactly (so its CBV 2.0 hash, which leaves
``errorDeclaration`` out, is the declared event's) and adds ``errorDeclaration``
{declarationTime, reason, correctiveEventIDs}. We are the repository of record, so:

- the declared event must be recorded here, and visible to the declaring organisation; an event
  it may not read reads as not recorded (its existence is not disclosed);
- only the organisation that recorded it may declare it (``policy.may_declare_error``): 403;
- the repeated content must hash to the recorded event's hash, and a given eventID must be the
  recorded event's;
- each corrective eventID must name an event recorded here that the organisation may read, or
  one captured in the same document: a dangling link could never be followed nor verified;
- an event is declared once: a second declaration (or two in one document) is refused.

Each broken rule gives a failed capture job (nothing stored), except the policy's, which is a
403 (nothing stored either).
"""

from __future__ import annotations

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


def declared_events(w: UnitOfWork, events: list[dict[str, Any]], cbv: list[EventHash],
                    keep: list[int], actor: Actor, given_ids: dict[int, str]
                    ) -> tuple[dict[int, tuple[int, str]], list[Problem]]:
    """For each kept declaration (by position in the document), the row id and eventID of the
    event it declares; and the problems that refuse the capture.

    :raises Forbidden: a declaration of an event another organisation recorded (one the actor
        may read; any other reads as not recorded)."""
    wanted = [i for i in keep if is_declaration(events[i])]
    if not wanted:
        return {}, []
    by_hash = reads.events_by_hash(w, {cbv[i].id for i in wanted})
    by_id = reads.events_by_event_id(w, {given_ids[i] for i in wanted if i in given_ids})
    in_document = {given_ids.get(j) or cbv[j].id for j in keep if not is_declaration(events[j])}
    correctives = reads.events_by_event_id(
        w, {c for i in wanted for c in corrective_ids(events[i])} - in_document)

    def visible(row: Any) -> bool:
        return policy.may_read_event(actor, row.organisation_id)

    declares: dict[int, tuple[int, str]] = {}
    problems: list[Problem] = []
    forbidden: list[Problem] = []
    for i in wanted:
        at = f"$.epcisBody.eventList[{i}]"
        eid = given_ids.get(i)
        target = by_hash.get(cbv[i].id)
        if target is None or not visible(target):
            same = by_id.get(eid) if eid else None
            if same is not None and visible(same):
                problems.append(Problem(at, (
                    f"it declares event {eid} but does not repeat it: its CBV 2.0 hash "
                    f"{cbv[i].id} differs from the recorded event's {same.event_hash} (a "
                    "declaration repeats the declared event exactly, plus errorDeclaration)"),
                    i, eid))
            else:
                problems.append(Problem(at, (
                    f"it declares an event that is not recorded here (no event with eventID "
                    f"{eid} and this content)" if eid else
                    f"it declares an event that is not recorded here (no event hashes to "
                    f"{cbv[i].id}); capture the event first, then its declaration"), i, eid))
            continue
        if not policy.may_declare_error(actor, target.organisation_id):
            forbidden.append(Problem(at, f"event {target.event_id} was recorded by another "
                                     "organisation: only it may declare it erroneous", i, eid))
            continue
        if eid is not None and eid != target.event_id:
            problems.append(Problem(f"{at}.eventID", (
                f"the declared event's eventID is {target.event_id}, not {eid}"), i, eid))
            continue
        if target.declared is not None or any(pk == target.id for pk, _ in declares.values()):
            problems.append(Problem(f"{at}.{DECLARATION}", (
                f"event {target.event_id} already has an error declaration, and a declaration "
                "is final: record corrective events instead"), i, eid))
            continue
        missing = False
        for k, c in enumerate(corrective_ids(events[i])):
            row = correctives.get(c)
            if c == target.event_id or (c not in in_document
                                        and (row is None or not visible(row))):
                missing = True
                problems.append(Problem(f"{at}.{DECLARATION}.correctiveEventIDs[{k}]", (
                    f"{c} is the declared event itself" if c == target.event_id else
                    f"no event {c} is recorded here: capture a corrective event before its "
                    "declaration, or in the same document"), i, eid))
        if not missing:
            declares[i] = (target.id, target.event_id)
    if forbidden:
        raise Forbidden("only the organisation that recorded an event may declare it "
                        "erroneous (see errors)", forbidden)
    return declares, problems
