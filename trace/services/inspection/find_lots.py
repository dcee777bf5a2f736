"""Finding lots (issue #12): an inspector's search by GTIN, partial lot code, organisation,
farmer, plot, commune/province, product, event type, business step and date range.

Results come a page at a time in a stable order: the sort key, then the lot's row id (offset
+ limit; a page is at most ``MAX_LIMIT`` lots, so an offset costs at most a few thousand
skipped index entries). Each result carries its product, holder, quantity, first and last
event time, and whether it is recalled or on hold — computed for the page only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from ...domain import policy
from ...domain.actor import Actor
from ...domain.errors import InvalidIdentifier, Text
from ...domain.vocabulary import cbv_uri
from ...gs1.keys import normalise_gtin
from ...gs1.resolver_paths import spell
from ...store import inspection_find_reads as reads
from ...store.inspection_find_reads import SORTS, LotQuery

__all__ = ["SORTS", "LotQuery", "LotSearch", "FoundLot", "find_lots", "read_query",
           "search_choices", "dossier_path"]
from ..ports import UnitOfWork
from .query_terms import Terms

EVENT_TYPES = ("ObjectEvent", "AggregationEvent", "TransactionEvent", "TransformationEvent",
               "AssociationEvent")
# The CBV 2.0 business steps (a pick-list; other values are looked up as given).
BIZ_STEPS = ("accepting", "arriving", "assembling", "collecting", "commissioning", "consigning",
             "creating_class_instance", "cycle_counting", "decommissioning", "departing",
             "destroying", "disassembling", "dispensing", "encoding", "entering_exiting",
             "holding", "inspecting", "installing", "killing", "loading", "other", "packing",
             "picking", "receiving", "removing", "repackaging", "repairing", "replacing",
             "reserving", "retail_selling", "sampling", "sensor_reporting", "shipping",
             "staging_outbound", "stock_taking", "stocking", "storing", "transporting",
             "unloading", "unpacking", "void_shipping")
PER_PAGE = 50
MAX_LIMIT = 200


@dataclass(frozen=True)
class FoundLot:
    gtin: str | None
    code: str | None
    uri: str
    dossier: str  # /app/inspect/lots/<gtin>/<lot, spelled as the resolver spells it>
    product_vi: str | None
    product_en: str | None
    holder: str | None
    in_transit_to: str | None
    quantity: float | None
    unit: str | None
    first: datetime | None
    last: datetime | None
    recalled: bool
    held: bool


@dataclass(frozen=True)
class LotSearch:
    query: LotQuery
    page: int
    per_page: int
    total: int
    lots: list[FoundLot] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def dossier_path(gtin: str | None, code: str | None) -> str:
    """The dossier's address (the dossier page owns it; every other page links to it)."""
    return f"/app/inspect/lots/{gtin or ''}/{spell(code or '')}"


def read_query(args: Mapping[str, str], zone: ZoneInfo, *, per_page: int = PER_PAGE
               ) -> tuple[LotQuery, int]:
    """The query an inspector asked for, and its page.

    :raises ValidationFailed: each bad parameter at ``$.query.<name>``."""
    terms = Terms(args)
    gtin = terms.text("gtin", 14)
    if gtin:
        try:
            gtin = normalise_gtin(gtin)
        except InvalidIdentifier:
            terms.fail("gtin", Text("A GTIN has 8, 12, 13 or 14 digits with a correct check "
                                    "digit."))
    product = terms.text("product", 14)
    if product and not (product.isdigit() and len(product) == 14):
        terms.fail("product", Text("Choose a product from the list."))
    event_type = terms.text("event_type", 30)
    if event_type and event_type not in EVENT_TYPES:
        terms.fail("event_type", Text("Choose one of: %(choices)s.",
                                      choices=", ".join(EVENT_TYPES)))
    step = terms.text("biz_step", 300)
    window = terms.window(zone)
    page = terms.page()
    limit = terms.limit("limit", per_page, MAX_LIMIT)
    sort = terms.choice("sort", SORTS, "code")
    order = terms.choice("order", ("asc", "desc"), "asc")
    query = LotQuery(
        gtin=gtin, code=terms.text("code"), organisation_id=terms.number("organisation"),
        farmer=terms.text("farmer", 200), plot=terms.text("plot", 40),
        place=terms.text("place"), product=product, event_type=event_type,
        biz_step=cbv_uri("bizStep", step) if step else None, start=window.start,
        end=window.end, sort=sort, descending=order == "desc", offset=(page - 1) * limit,
        limit=limit)
    terms.done()
    return query, page


def find_lots(actor: Actor, query: LotQuery, page: int, uow: UnitOfWork) -> LotSearch:
    """One page of the lots matching ``query``.

    :raises Forbidden: not an inspector or an admin."""
    policy.require_search_everything(actor)
    with uow:
        rows, total = reads.search_lots(uow, query)
        extras = reads.lot_extras(uow, rows)
    found = []
    for r in rows:
        x = extras.get(r.id)
        found.append(FoundLot(
            r.gtin, r.code, r.uri, dossier_path(r.gtin, r.code), r.product_vi, r.product_en,
            r.holder, r.in_transit_to, r.quantity, r.unit, x.first if x else None,
            x.last if x else None, bool(x and x.recalled), bool(x and x.held)))
    return LotSearch(query, page, query.limit, total, found)


@dataclass(frozen=True)
class Choices:
    organisations: list[tuple[int, str]]
    products: list[tuple[str, str, str]]


def search_choices(actor: Actor, uow: UnitOfWork) -> Choices:
    """The pick-lists of the search form. :raises Forbidden: not an inspector or an admin."""
    policy.require_search_everything(actor)
    with uow:
        return Choices(reads.organisation_choices(uow), reads.product_choices(uow))
