"""What an event's source and destination lists may claim about who holds its goods.

Only ``owning_party`` and ``possessing_party`` entries are about custody (a ``location`` is a
place). A source names who had the goods before the event, a destination who has them after, so:

- a shipment comes from the actor's own organisation and may go to anyone (a registered
  organisation takes custody when it records receipt; an outside party leaves the sender
  accountable);
- a receipt comes from the organisation that shipped the goods and goes to the actor;
- every other event neither starts nor ends with anyone but the actor: a change of hands is a
  shipment followed by a receipt, never a claim in some other event.

Parties we have no record of cannot be checked, so they are refused where the rule names a
registered organisation (the actor, or the shipper).
"""

from __future__ import annotations

from collections.abc import Iterator

from .epcis import EventRefs

CUSTODY_PARTY_TYPES = ("owning_party", "possessing_party")


def custody_parties(parties: dict[str, list[str]]) -> Iterator[str]:
    for kind in CUSTODY_PARTY_TYPES:
        yield from parties.get(kind, ())


def party_problems(refs: EventRefs, actor: int, org_of_party: dict[str, int], *,
                   shipping: bool, receiving: bool,
                   shippers: set[int]) -> list[tuple[str, str]]:
    """(list member, message) for each party the actor may not name.

    ``shippers``: for a receipt, the organisations that shipped the goods received (empty when
    nothing changed hands, e.g. a repeated receipt: then the source is not checked).
    """
    out: list[tuple[str, str]] = []
    for party in custody_parties(refs.sources):
        org = org_of_party.get(party)
        if receiving:
            if shippers and org not in shippers:
                out.append(("source", f"{party}: these goods were not shipped by this party"))
        elif org != actor:
            out.append(("source", f"{party}: a source party must be your own organisation "
                        "(goods come to you only by a shipment and your receipt of it)"))
    if not shipping:
        for party in custody_parties(refs.destinations):
            if org_of_party.get(party) != actor:
                out.append(("destination", f"{party}: a destination party must be your own "
                            "organisation unless the event is a shipment (bizStep shipping)"))
    return out
