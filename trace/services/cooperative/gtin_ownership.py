"""Who owns a GTIN: the organisation its GS1 company prefix is licensed to, else the one that
registered the product here. Nobody, when neither is known (such GTINs stay open to all)."""

from __future__ import annotations

from collections.abc import Iterable

from ...gs1.keys import company_prefix_owner
from ...store import stock
from ..ports import UnitOfWork

_CHUNK = 500


def company_prefixes(uow: UnitOfWork) -> dict[str, int]:
    """Every organisation's company prefix → its id (a few rows: one per organisation)."""
    return stock.company_prefixes(uow)


def gtin_owners(uow: UnitOfWork, gtins: Iterable[str]) -> dict[str, int]:
    """GTIN-14 → owning organisation, for those of ``gtins`` that have an owner.

    The prefix wins over a registration: the prefix is GS1's licence, recorded by the operator,
    while any member may register a product (`catalogue.create_product` refuses one under
    another organisation's prefix, but a registration may predate the prefix).
    """
    wanted = sorted(set(gtins))
    prefixes = company_prefixes(uow)
    registered: dict[str, int] = {}
    for start in range(0, len(wanted), _CHUNK):
        registered.update(stock.registered_owners(uow, wanted[start:start + _CHUNK]))
    out: dict[str, int] = {}
    for gtin in wanted:
        owner = company_prefix_owner(gtin, prefixes)
        if owner is None:
            owner = registered.get(gtin)
        if owner is not None:
            out[gtin] = owner
    return out


def gtin_owner(uow: UnitOfWork, gtin: str) -> int | None:
    return gtin_owners(uow, [gtin]).get(gtin)
