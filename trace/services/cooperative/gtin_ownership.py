"""Who owns a GTIN: the organisation its GS1 company prefix is licensed to, else the one that
registered the product here. Nobody, when neither is known (such GTINs stay open to all)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from ...gs1.keys import company_prefix_owner
from ...store.accounts import Organisation
from ...store.catalogue import Product

_CHUNK = 500


def company_prefixes(session) -> dict[str, int]:
    """Every organisation's company prefix → its id (a few rows: one per organisation)."""
    return dict(session.execute(select(Organisation.company_prefix, Organisation.id)
                                .where(Organisation.company_prefix.is_not(None))).all())


def gtin_owners(session, gtins: Iterable[str]) -> dict[str, int]:
    """GTIN-14 → owning organisation, for those of ``gtins`` that have an owner.

    The prefix wins over a registration: the prefix is GS1's licence, recorded by the operator,
    while any member may register a product (`catalogue.create_product` refuses one under
    another organisation's prefix, but a registration may predate the prefix).
    """
    wanted = sorted(set(gtins))
    prefixes = company_prefixes(session)
    registered: dict[str, int] = {}
    for start in range(0, len(wanted), _CHUNK):
        registered.update(session.execute(
            select(Product.gtin, Product.owner_id)
            .where(Product.gtin.in_(wanted[start:start + _CHUNK]))).all())
    out: dict[str, int] = {}
    for gtin in wanted:
        owner = company_prefix_owner(gtin, prefixes)
        if owner is None:
            owner = registered.get(gtin)
        if owner is not None:
            out[gtin] = owner
    return out


def gtin_owner(session, gtin: str) -> int | None:
    return gtin_owners(session, [gtin]).get(gtin)
