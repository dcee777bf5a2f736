"""Verifying an error declaration's link to the event it declares.

A declaration's row says which event it declares (``declares_pk``); its signed, anchored hash
(``commitments.declaration_event_hash``) binds its ``errorDeclaration`` to the declared event's
CBV 2.0 hash. The row's link is trusted only when that hash, the declared event's recorded hash,
eventID and organisation agree: a link pointed at another event, a declaration row made to look
like an event (or an event like a declaration), or a declaration of another organisation's event
reads **altered**, with the reason. A declaration of an event recorded elsewhere has no link,
and no event here has its eventID (a link removed from a declaration of an event recorded here
reads altered).
"""

from __future__ import annotations

from typing import Any

from ...domain.commitments import declaration_event_hash
from ...domain.verification import ALTERED, VERIFIED, Check
from ...store import declarations
from ...store import verification_reads as reads
from ..ports import UnitOfWork
from .records import Record

NAME = "declaration"


def declaration_check(uow: UnitOfWork, rec: Record, event: Any) -> Check | None:
    """The check of ``rec``'s declaration link; None for an event that is not, and does not
    claim to be, a declaration."""
    declares = isinstance(event, dict) and "errorDeclaration" in event
    if not declares and not rec.declaration and rec.declares_pk is None:
        return None

    def altered(reason: str, code: str) -> Check:
        return Check(NAME, ALTERED, reason, code)

    if not declares:
        return altered("the record is marked as an error declaration, but the event it holds "
                       "declares nothing: the record was changed", "declaration-mark")
    if not rec.declaration:
        return altered("the event is an error declaration, but its record is not marked as one: "
                       "the record was changed", "declaration-mark")
    if rec.declares_pk is None:
        # A declaration of an event recorded elsewhere: then no event here has its eventID.
        if declarations.recorded_event(uow, rec.event_id) is not None:
            return altered("the event is an error declaration of an event recorded here, but "
                           "its record no longer says which: the record was changed",
                           "declaration-unlinked")
        return Check(NAME, VERIFIED, f"it declares event {rec.event_id}, which is recorded "
                     "elsewhere (not here)")
    found = reads.records_by_pk(uow, [rec.declares_pk])
    if not found:
        return altered(f"the event it declares (record {rec.declares_pk}) does not exist: it "
                       "was removed, or the link was changed", "declared-missing")
    declared = found[0]
    if declared.declaration or declared.declares_pk is not None:
        return altered("its record links it to another declaration, not to an event: the "
                       "record was changed", "declaration-link")
    try:
        expected = declaration_event_hash(declared.event_hash, event["errorDeclaration"])
    except ValueError:
        expected = None
    if expected != rec.event_hash or declared.event_id != rec.event_id:
        return altered(f"its record links it to event {declared.event_id}, but it repeats "
                       "another event (its hash does not bind it to that event's): the link "
                       "was changed", "declaration-link")
    if declared.organisation_id != rec.organisation_id:
        return altered(f"event {declared.event_id} was recorded by another organisation than "
                       "the one that declared it erroneous: only the recorder may declare it",
                       "declaration-foreign")
    return Check(NAME, VERIFIED, f"it declares event {declared.event_id}, which it repeats "
                 "exactly, recorded by the same organisation")
