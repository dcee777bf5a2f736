"""What the console's recording forms offer: the organisation's products, plots, lots in stock
with what remains, goods on their way to it, the partner directory, and fresh lot codes and SSCCs
(editable defaults). Names and GLNs of organisations are not secret (they are printed on every
label and delivery note); their records are, and nothing here reads another's records."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from ...domain import policy
from ...domain.actor import Actor
from ...domain.products import KINDS
from ...gs1.keys import check_digit
from ...store import cooperative_reads as reads
from ...store import form_reads
from ..lots.stock import LotView, list_lots
from ..ports import UnitOfWork
from .catalogue import ProductView, list_products

LOT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud, typed by hand
DIRECTORY_LIMIT = 50


@dataclass(frozen=True)
class PlotChoice:
    id: int
    code: str
    crop: str | None
    area_ha: float
    farm_code: str
    farmer_name: str


@dataclass(frozen=True)
class Partner:
    id: int
    name: str
    kind: str
    gln: str
    province: str | None
    traded: bool = False  # named in the organisation's own shipments or receipts


@dataclass(frozen=True)
class Incoming:
    kind: str  # lot | unit
    gtin: str | None
    lot: str | None
    sscc: str | None
    quantity: float | None
    unit: str | None
    sender: str | None
    name_vi: str | None
    name_en: str | None


def own_products(actor: Actor, uow: UnitOfWork) -> list[ProductView]:
    """Products the actor's organisation registered (it makes lots of these)."""
    return [p for p in list_products(None, uow)
            if p.owner_id == actor.organisation_id and p.kind in KINDS]


def own_plots(actor: Actor, uow: UnitOfWork) -> list[PlotChoice]:
    if actor.organisation_id is None:
        return []
    with uow:
        return [PlotChoice(r.id, r.code, r.crop, r.area_ha, r.farm_code, r.farmer_name)
                for r in form_reads.plots_of(uow, actor.organisation_id)]


def in_stock(actor: Actor, uow: UnitOfWork) -> list[LotView]:
    """The organisation's own lots it still holds here (not shipped, something left), newest
    first. Inspectors and admins without an organisation: none (they record nothing)."""
    if actor.organisation_id is None:
        return []
    lots = [lot for lot in list_lots(actor, uow)
            if lot.owner_id == actor.organisation_id and lot.in_transit_to_id is None
            and lot.container is None and lot.gtin and lot.lot
            and (lot.remaining is None or lot.remaining > 0)]
    return list(reversed(lots))


def units_held(actor: Actor, uow: UnitOfWork) -> list[str]:
    """SSCCs of the logistic units the organisation holds here (packed, not shipped)."""
    if actor.organisation_id is None:
        return []
    with uow:
        return [uri.rsplit("/", 1)[-1] for uri in form_reads.units_held(uow,
                                                                      actor.organisation_id)]


def incoming(actor: Actor, uow: UnitOfWork) -> list[Incoming]:
    """Goods shipped to the organisation and not received yet: whole units and loose lots."""
    if actor.organisation_id is None:
        return []
    with uow:
        rows = form_reads.incoming(uow, actor.organisation_id)
    out = []
    for r in rows:
        if r.kind == "unit":
            sscc = r.uri.rsplit("/", 1)[-1]
            out.append(Incoming("unit", None, None, sscc, None, None, r.sender, None, None))
        elif r.container is None and r.gtin and r.code:
            out.append(Incoming("lot", r.gtin, r.code, None, r.quantity, r.unit, r.sender,
                                r.name_vi, r.name_en))
    return out


def partners(actor: Actor, uow: UnitOfWork, search: str = "") -> list[Partner]:
    """Organisations to ship to, by name or GLN (not the actor's own): those it has shipped to
    or received from first, then the others by name."""
    policy.require_writer(actor)
    search = search.strip()[:100]
    with uow:
        traded = ({uri.rsplit("/417/", 1)[-1][:13] for uri in form_reads.traded_with(
            uow, actor.organisation_id)} if actor.organisation_id is not None else set())
        first = form_reads.directory(uow, search, DIRECTORY_LIMIT, traded) if traded else []
        rest = form_reads.directory(uow, search, DIRECTORY_LIMIT + len(first) + 1)
    seen: set[int] = set()
    out = []
    for r in [*first, *rest]:
        if r.id != actor.organisation_id and r.id not in seen:
            seen.add(r.id)
            out.append(Partner(r.id, r.name, r.kind, r.gln, r.province, r.gln in traded))
    return out[:DIRECTORY_LIMIT]


def new_lot_code(step: str, when: datetime) -> str:
    """A fresh lot code: the step's letter, the day, four random characters (``H261206-7KQ3``):
    short enough to write on a bag, unlikely to clash (32^4 a day and step)."""
    letter = {"harvest": "H", "drying": "D", "sorting": "S", "grading": "G", "hulling": "X",
              "roasting": "R"}.get(step, "L")
    tail = "".join(secrets.choice(LOT_ALPHABET) for _ in range(4))
    return f"{letter}{when:%y%m%d}-{tail}"


def new_sscc(actor: Actor, uow: UnitOfWork) -> str:
    """A fresh SSCC with its check digit: extension digit 0, the organisation's GS1 company
    prefix (or, without one, the first 7 digits of its GLN, which start with it), a random
    serial reference."""
    prefix = "8930000"
    if actor.organisation_id is not None:
        with uow:
            org = reads.organisation(uow, actor.organisation_id)
            if org is not None:
                prefix = org.company_prefix or org.gln[:7]
    serial = "".join(secrets.choice("0123456789") for _ in range(16 - len(prefix)))
    body = "0" + prefix + serial
    return body + str(check_digit(body))
