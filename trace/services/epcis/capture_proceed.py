"""``GS1-Capture-Error-Behaviour: proceed``: store the valid events of a document and report the
others, in one capture job.

The document must still be an EPCIS 2.0 document (a schema error refuses it whole, as under
``rollback``: 400). Then every event that breaks a business rule, names goods the organisation
does not hold, or reuses another event's eventID is left out and reported in the job's
``errors`` (by its index in the document as sent); the rest are captured together — validated,
hashed, custody-checked, sealed and stored as one capture, as under ``rollback``. The job says
``captureErrorBehaviour: proceed`` (whether or not anything was left out), ``success: false``
when anything was, and ``eventCount`` / ``storedCount`` for the document as sent. A problem
that belongs to no one event (the document's header, its size) fails the whole document, as
under ``rollback``.
"""

from __future__ import annotations

from typing import Any

from ...capture.document import events_of
from ...capture.rules import check_document
from ...capture.schema import validate_schema
from ...domain import policy
from ...domain.actor import Actor
from ...domain.errors import Forbidden, Problem, ValidationFailed
from ..ports import UnitOfWork
from .capture import CaptureOutcome, CaptureSettings, Rejected, capture_document

BEHAVIOURS = ("rollback", "proceed")
_ROUNDS = 4  # custody and eventID checks may each leave out more events: a few rounds at most


def capture_with_behaviour(doc: Any, actor: Actor, uow: UnitOfWork, settings: CaptureSettings,
                           behaviour: str, signatures: list[str] | None = None
                           ) -> CaptureOutcome:
    """``capture_document`` under ``behaviour`` (``rollback``: all or nothing; ``proceed``).

    :raises ValidationFailed: an unknown behaviour, or a document that breaks the schema.
    :raises Forbidden: as ``capture_document`` (under ``proceed``: a problem of no one event).
    """
    if behaviour not in BEHAVIOURS:
        raise ValidationFailed("GS1-Capture-Error-Behaviour must be rollback or proceed", [
            Problem("$.headers.GS1-Capture-Error-Behaviour", f"{behaviour!r} is neither")])
    if behaviour == "rollback" or not isinstance(doc, dict):
        return capture_document(doc, actor, uow, settings, signatures=signatures)
    policy.require_writer(actor, "capture events")
    problems = validate_schema(doc)
    if problems:
        raise ValidationFailed("the document does not conform to the EPCIS 2.0 JSON schema",
                               problems)
    events = events_of(doc)
    rule_problems = check_document(doc, capture_limit=settings.capture_limit,
                                   max_yield=settings.max_yield)
    if any(p.event_index is None for p in rule_problems):
        return capture_document(doc, actor, uow, settings, signatures=signatures)
    errors = [p.as_dict() for p in rule_problems]
    kept = [i for i in range(len(events)) if i not in {p.event_index for p in rule_problems}]
    for _ in range(_ROUNDS):
        if not kept:
            break
        sub = {**doc, "epcisBody": {**doc["epcisBody"], "eventList": [events[i] for i in kept]}}
        sigs = [signatures[i] for i in kept] if signatures is not None else None
        rejected = Rejected(errors=sorted(errors, key=lambda e: e.get("eventIndex", -1)),
                            count=len(events) - len(kept), index=kept)
        try:
            outcome = capture_document(sub, actor, uow, settings, signatures=sigs,
                                       rejected=rejected)
        except Forbidden as exc:
            bad = _leave_out(exc.problems, kept, errors)
            if bad is None:
                raise
        else:
            if outcome.errors == rejected.errors:
                return outcome
            # eventIDs already used (found in the transaction): leave those events out too.
            bad = _leave_out([Problem(e["path"], e["message"], e.get("eventIndex"),
                                      e.get("eventID")) for e in outcome.errors], kept, errors)
            if bad is None:
                return outcome
        kept = [i for i in kept if i not in bad]
    # Nothing valid is left (or too many rounds): the whole document, as under rollback — a
    # failed capture job listing every problem, or the refusal (403) that names them.
    return capture_document(doc, actor, uow, settings, signatures=signatures)


def _leave_out(problems: list[Problem], kept: list[int], errors: list[dict[str, Any]]
               ) -> set[int] | None:
    """The original indexes of the events ``problems`` name (indexes into ``kept``), their
    problems added to ``errors`` as of the document sent; None when one names no event."""
    bad: set[int] = set()
    for p in problems:
        if p.event_index is None or not 0 <= p.event_index < len(kept):
            return None
        original = kept[p.event_index]
        bad.add(original)
        errors.append(Problem(p.path.replace(f"eventList[{p.event_index}]",
                                             f"eventList[{original}]"),
                              p.message, original, p.event_id).as_dict())
    return bad
