"""What the consumer page's headline may say, and in which colour.

The records' integrity (hashes, signatures, anchors: ``verified``, ``pending`` or ``warning``)
is one thing; whether the product in the shopper's hand is genuine and safe is another, which
no record can prove. So the headline only ever claims "records intact and anchored", and it is
green only when nothing else on the page tells the shopper to be careful: an active recall, a
code scanned by too many people (a cloned label), or a record nobody has checked that looks
implausible (``domain.plausibility``).

    tone      ok (green) | pending (neutral) | caution (amber) | danger (red)
    claim     records-intact | records-pending | records-broken: what was checked
    cautions  recalled, on-hold, cloned-code, unusual-records: what else the page warns about

A lot on hold (an authority's quarantine, or made from a lot on hold: issue #12) is red like a
recall: it may not be sold until the authority releases it.
"""

from __future__ import annotations

from .json_types import JsonObject

INTEGRITY_STATUSES = ("verified", "pending", "warning")
CLAIMS = {"verified": "records-intact", "pending": "records-pending",
          "warning": "records-broken"}
RECALLED, CLONED_CODE, UNUSUAL_RECORDS = "recalled", "cloned-code", "unusual-records"
ON_HOLD = "on-hold"


def headline(integrity: str, *, recalled: bool, clone_warning: bool,
             open_flags: int, held: bool = False) -> JsonObject:
    """The headline's tone, claim and cautions. An integrity status we do not know reads as
    broken: the page never guesses in the shopper's favour.

    The claim is never "genuine" or "safe": ``claimsGenuine`` is always False, so that a
    template or client that looks for it finds the answer spelled out.
    """
    claim = CLAIMS.get(integrity, CLAIMS["warning"])
    cautions = []
    if recalled:
        cautions.append(RECALLED)
    if held:
        cautions.append(ON_HOLD)
    if clone_warning:
        cautions.append(CLONED_CODE)
    if open_flags > 0:
        cautions.append(UNUSUAL_RECORDS)
    if claim == "records-broken" or recalled or held:
        tone = "danger"
    elif cautions:
        tone = "caution"
    elif claim == "records-pending":
        tone = "pending"
    else:
        tone = "ok"
    return {"tone": tone, "claim": claim, "cautions": cautions, "claimsGenuine": False}
