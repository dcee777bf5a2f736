"""What error declarations say about the events of a lineage: which events were declared
erroneous, why and when, and which events correct them (EPCIS 2.0 ``errorDeclaration``).

The facts shown by the lot's verification, the audit pack and the consumer page. A declared event
stays in the records (and in its lots' anchored histories): it is shown as corrected, and an
event that ``did_not_occur`` is not shown as having happened.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ...domain.corrections import DID_NOT_OCCUR, INCORRECT_DATA, declared_correction, reason_word
from .records import Record

__all__ = ["DID_NOT_OCCUR", "INCORRECT_DATA", "correction_of", "corrections", "reason_word",
           "struck"]


def correction_of(declaration: Record) -> dict[str, Any] | None:
    """The correction a declaration's record states; None when it holds no declaration."""
    found = declared_correction(declaration.event())
    return None if found is None else {**found, "declarationHash": declaration.event_hash}


def corrections(records: Iterable[Record]) -> dict[int, dict[str, Any]]:
    """The declared events among ``records`` (by the declared event's row id) and what their
    declarations say; declarations whose event is not among them are left out."""
    recs = list(records)
    present = {r.id for r in recs}
    out: dict[int, dict[str, Any]] = {}
    for r in recs:
        if r.declares_pk is None or r.declares_pk not in present:
            continue
        found = correction_of(r)
        if found is not None:
            out[r.declares_pk] = found
    return out


def struck(correction: dict[str, Any] | None) -> bool:
    """Whether a declared event is not to be shown as having happened."""
    return correction is not None and correction.get("reason") == DID_NOT_OCCUR


DECLARATION_KEY = "#errorDeclaration"


def pack_key(event_id: str, declaration: bool) -> str:
    """How an audit pack names an event: its eventID; an error declaration (which shares its
    event's eventID, and is the only one of it) its eventID + ``#errorDeclaration``."""
    return event_id + DECLARATION_KEY if declaration else event_id
