"""What an EPCIS 2.0 ``errorDeclaration`` says, read from an event body (pure).

``services.verification.corrections`` applies it to a lineage's records; the lot trace reads it
from stored bodies.
"""

from __future__ import annotations

from typing import Any

DID_NOT_OCCUR = "did_not_occur"
INCORRECT_DATA = "incorrect_data"
_REASON_PREFIXES = ("https://ref.gs1.org/cbv/ER-", "https://gs1.org/voc/ER-",
                    "urn:epcglobal:cbv:er:", "cbv:ER-", "ER-")


def reason_word(reason: object) -> str | None:
    """A CBV ErrorReason as its bare word (``did_not_occur``), whichever way it was written;
    any other value (a URI of one's own) as it is."""
    if not isinstance(reason, str) or not reason:
        return None
    for prefix in _REASON_PREFIXES:
        if reason.startswith(prefix):
            return reason[len(prefix):]
    return reason


def declared_correction(event: object) -> dict[str, Any] | None:
    """reason, declarationTime and correctiveEventIDs of an event body's errorDeclaration;
    None when it has none."""
    found = event.get("errorDeclaration") if isinstance(event, dict) else None
    if not isinstance(found, dict):
        return None
    ids = found.get("correctiveEventIDs")
    return {
        "reason": reason_word(found.get("reason")),
        "declarationTime": found.get("declarationTime"),
        "correctiveEventIDs": [i for i in ids if isinstance(i, str)]
        if isinstance(ids, list) else [],
    }
