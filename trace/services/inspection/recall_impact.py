"""What a recall (or a hold) of a lot reaches, shown before and after it is recorded: every lot
made from it through every transformation, where each now is (holder, or receiver while in
transit: shipments move a lot, they do not make a new one), and every container (SSCC) it or
they were packed into. Read through the signed events (``lineage_records.walk``)."""

from __future__ import annotations

from dataclasses import dataclass

from ...domain import policy
from ...domain.actor import Actor
from ...gs1.canonical import canonicalise
from ...gs1.keys import LotKey
from ...store import inspection_act_reads as stored
from ..cooperative.catalogue import gtin_or_problem
from ..lots.recalls import _find_lot
from ..ports import UnitOfWork
from ..verification.lineage_records import _walk, walk


@dataclass(frozen=True)
class Affected:
    uri: str
    kind: str
    gtin: str | None
    lot: str | None
    holder: str | None
    in_transit_to: str | None
    this_lot: bool


def affected_lots(gtin: str, lot: str, actor: Actor, uow: UnitOfWork) -> list[Affected]:
    """The lot itself first, then every lot and container its recall or hold reaches.

    :raises Forbidden: not an inspector or admin; NotFound: no such lot."""
    policy.require_inspect(actor, "see what a recall reaches")
    with uow:
        found = _find_lot(uow, gtin, lot)
        uri = canonicalise(LotKey(gtin_or_problem(gtin, "$.path.gtin"), lot).uri)
        lineage = walk(uow, found.uri, "forward")
        # and what it and every lot made from it were packed into (containers, SSCCs)
        _walk(uow, lineage, set(lineage.uris), "up")
        rows = stored.lots_with_holders(uow, lineage.uris | {found.uri})
    out = [Affected(r.Lot.uri, r.Lot.kind, r.Lot.gtin, r.Lot.code, r.holder, r.receiver,
                    r.Lot.uri in (found.uri, uri)) for r in rows]
    return sorted(out, key=lambda a: (not a.this_lot, a.kind != "lot", a.uri))
