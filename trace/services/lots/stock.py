"""What an organisation holds: its lots, and how much of each is left.

A lot's recorded quantity is the one it was created with (harvest or transformation output).
What is left is that minus what transformations have since taken from it, counted from the stored
events themselves (whichever API captured them), so there is no second counter to drift.
Shipping, receiving and packing move or contain a lot; they take nothing from it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import orjson

from ...domain import policy
from ...domain.actor import Actor
from ...domain.errors import NotFound
from ...domain.products import KINDS, to_kg
from ...gs1.canonical import canonicalise
from ...gs1.keys import LotKey
from ...store import stock
from ...store.lots import Lot
from ..cooperative.catalogue import gtin_or_problem
from ..cooperative.gtin_ownership import gtin_owners
from ..ports import UnitOfWork

_CHUNK = 500


def consumed_kg(uow: UnitOfWork, uris: Iterable[str]) -> dict[str, float]:
    """Kilograms each lot in ``uris`` has given to transformations so far."""
    wanted = list(set(uris))
    used: dict[str, float] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = set(wanted[start:start + _CHUNK])
        for body in stock.transformation_input_bodies(uow, chunk):
            for item in orjson.loads(body).get("inputQuantityList") or ():
                uri = canonicalise(item.get("epcClass", ""))
                kg = to_kg(item.get("quantity") or 0, item.get("uom"))
                if uri in chunk and kg is not None:
                    used[uri] = used.get(uri, 0.0) + kg
    return used


def remaining(quantity: float | None, unit: str | None, used_kg: float) -> float | None:
    """What is left of a lot in its own unit, or None when its quantity is not known by mass."""
    total_kg = to_kg(quantity, unit) if quantity is not None else None
    if total_kg is None:
        return None
    left_kg = max(total_kg - used_kg, 0.0)
    return round(left_kg / to_kg(1.0, unit), 6)  # type: ignore[operator]


@dataclass(frozen=True)
class LotView:
    uri: str
    gtin: str | None
    lot: str | None
    product_kind: str | None
    product_name_vi: str | None
    product_name_en: str | None
    quantity: float | None
    remaining: float | None
    unit: str | None
    owner_id: int | None
    owner_name: str | None
    in_transit_to_id: int | None
    container: str | None
    plot_id: int | None


def _views(uow: UnitOfWork, rows: list[Any]) -> list[LotView]:
    used = consumed_kg(uow, (r.Lot.uri for r in rows))
    out = []
    for r in rows:
        lot = r.Lot
        out.append(LotView(
            lot.uri, lot.gtin, lot.code, r.kind if r.kind in KINDS else None, r.name_vi,
            r.name_en, lot.quantity, remaining(lot.quantity, lot.unit, used.get(lot.uri, 0.0)),
            lot.unit, lot.owner_id, r.name, lot.in_transit_to_id, lot.container, lot.plot_id))
    return out


def list_lots(actor: Actor, uow: UnitOfWork) -> list[LotView]:
    """The lots the caller's organisation holds; inspectors and admins see every lot."""
    with uow:
        rows = stock.lot_rows(uow, actor.organisation_id,
                              everyone=policy.reads_everything(actor))
        return _views(uow, rows)


def get_lot(gtin: str, lot: str, actor: Actor, uow: UnitOfWork) -> LotView:
    """One lot. Visible to whoever holds it, whoever it is on its way to, any organisation that
    recorded an event naming it, and inspectors."""
    uri = canonicalise(LotKey(gtin_or_problem(gtin, "$.path.gtin"), lot).uri)
    with uow:
        rows = stock.lot_rows_by_uri(uow, uri)
        if not rows:
            raise NotFound(f"no lot {lot} of GTIN {gtin}")
        policy.require_read_lot(actor, lot_facts(uow, actor, rows[0].Lot))
        return _views(uow, rows)[0]


def may_read(uow: UnitOfWork, actor: Actor, lot: Lot) -> bool:
    """Whether ``actor`` may see ``lot`` (`policy.may_read_lot`)."""
    return policy.may_read_lot(actor, lot_facts(uow, actor, lot))


def lot_facts(uow: UnitOfWork, actor: Actor, lot: Lot, *, producer: bool = False,
              gtin_owner: bool = False) -> policy.LotFacts:
    """What access to ``lot`` depends on, for ``actor``; the maker and the GTIN's owner only
    when asked (one query each)."""
    org = actor.organisation_id
    # Whether its organisation named the lot in an event matters only when nothing else lets
    # the actor read it: the query is skipped otherwise.
    named = org is not None and org not in (lot.owner_id, lot.in_transit_to_id) \
        and not policy.reads_everything(actor) \
        and stock.organisation_named_lot(uow, lot.uri, org)
    maker = stock.event_organisation(uow, lot.created_event_pk) \
        if producer and lot.created_event_pk else None
    owner = gtin_owners(uow, [lot.gtin]).get(lot.gtin) if gtin_owner and lot.gtin \
        else None
    return policy.LotFacts(lot.owner_id, lot.in_transit_to_id, maker, bool(named), owner)
