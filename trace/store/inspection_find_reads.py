"""The inspector's finding and bulk-verification reads (issue #12, docs/inspector/FIND.md).

- ``search_lots``: lots matching a ``LotQuery`` (every filter optional), one page in a stable
  order (the sort key, then the lot's row id: offset + limit), and how many match;
  ``lot_extras``: first/last event time, recall and hold state of the page's lots (one query
  each for the whole page, never one per lot).
- ``organisation_events``: what one organisation recorded between two times, a page at a time.
- ``record_page``: the verification ``Record`` of every event in scope, one query per page
  (keyset on the row id); ``batch_hashes``: the event hashes the rows of one batch hold, to find
  a batch's leaves whose event row is gone.

Every text filter is a literal substring: ``%`` and ``_`` typed by the reader match
themselves (``autoescape``); on PostgreSQL a partial lot code reads the trigram index
``ix_lots_code_trgm`` (migration 0025). The organisation filter and the sort by first event read
``lots.made_by``/``made_at``, the lot's copy of its making event (written with the lot): a
finding aid, as this whole search is, never a verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import exists, func, or_, select, text
from sqlalchemy.orm import aliased

from .accounts import Organisation
from .anchoring import AnchorBatch
from .bulk_records import in_scope
from .catalogue import Farm, Plot, Product
from .events import CaptureJob, Event, EventObject
from .inspection_models import Hold
from .lots import Lot
from .public_records import Recall
from .uow import session_of
from .verification_reads import Record, _select, records_of

if TYPE_CHECKING:
    from ..services.ports import UnitOfWork

SORTS = ("code", "product", "organisation", "first", "last")


@dataclass(frozen=True)
class LotQuery:
    """What an inspector looks for; None (or "") is "any"."""

    gtin: str | None = None
    code: str | None = None  # partial, case-insensitive
    organisation_id: int | None = None  # holds the lot, or recorded the event that made it
    farmer: str | None = None  # partial, case-insensitive (the harvest lot's plot's farm)
    plot: str | None = None  # a plot's code (partial, case-insensitive)
    place: str | None = None  # commune or province (partial, case-insensitive)
    product: str | None = None  # a GTIN from the product list
    event_type: str | None = None  # ObjectEvent, TransformationEvent...
    biz_step: str | None = None  # a CBV business step URI
    start: datetime | None = None  # an event naming the lot at or after
    end: datetime | None = None  # ... and before
    sort: str = "code"
    descending: bool = False
    offset: int = 0
    limit: int = 50


@dataclass(frozen=True)
class LotRow:
    id: int
    uri: str
    gtin: str | None
    code: str | None
    quantity: float | None
    unit: str | None
    product_vi: str | None
    product_en: str | None
    holder: str | None
    holder_id: int | None
    in_transit_to: str | None


@dataclass(frozen=True)
class LotExtras:
    first: datetime | None
    last: datetime | None
    recalled: bool
    held: bool


_Owner = aliased(Organisation)
_Receiver = aliased(Organisation)


def _contains(column: Any, typed: str, dialect: str) -> Any:
    """``typed`` anywhere in ``column``, ignoring case, its ``%``, ``_`` and ``/`` literal.
    SQLite's LIKE ignores the case of ASCII letters already (lot codes are GS1's CSET 82:
    ASCII), without ``lower()`` on every row; PostgreSQL's ILIKE."""
    pattern = "%" + typed.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"
    if dialect == "sqlite":
        return column.like(pattern, escape="/")
    return column.ilike(pattern, escape="/")


def _where(q: LotQuery, dialect: str) -> list[Any]:
    conds: list[Any] = [Lot.kind == "lot"]
    if q.gtin:
        conds.append(Lot.gtin == q.gtin)
    if q.product:
        conds.append(Lot.gtin == q.product)
    if q.code:
        conds.append(_contains(Lot.code, q.code, dialect))
    if q.organisation_id is not None:  # two indexes (holder; maker), one bitmap OR
        conds.append(or_(Lot.owner_id == q.organisation_id, Lot.made_by == q.organisation_id))
    plot_conds: list[Any] = []
    if q.farmer:
        plot_conds.append(_contains(Farm.farmer_name, q.farmer, dialect))
    if q.plot:
        plot_conds.append(_contains(Plot.code, q.plot, dialect))
    if q.place:
        plot_conds.append(or_(_contains(Farm.commune, q.place, dialect),
                              _contains(Farm.province, q.place, dialect)))
    if plot_conds:
        conds.append(Lot.plot_id.in_(select(Plot.id).join(Farm, Farm.id == Plot.farm_id)
                                     .where(*plot_conds)))
    event_conds: list[Any] = []
    if q.event_type:
        event_conds.append(Event.event_type == q.event_type)
    if q.biz_step:  # with a time window, the time index is the one to use (no statistics)
        step = Event.biz_step.concat("") if q.start or q.end else Event.biz_step
        event_conds.append(step == q.biz_step)
    if q.start is not None:
        event_conds.append(Event.event_time >= q.start)
    if q.end is not None:
        event_conds.append(Event.event_time < q.end)
    if event_conds and (q.start is not None or q.end is not None):
        # a time window: from the events in it (the time index) to their lots
        conds.append(Lot.uri.in_(select(EventObject.uri)
                                 .join(Event, Event.id == EventObject.event_pk)
                                 .where(*event_conds)))
    elif event_conds:  # lot by lot (the lots' other filters narrow first)
        conds.append(exists().where(EventObject.uri == Lot.uri,
                                    Event.id == EventObject.event_pk, *event_conds))
    return conds


def _order(q: LotQuery) -> list[Any]:
    key: Any = {"code": Lot.code, "product": Product.name_en, "organisation": _Owner.name,
                "first": Lot.made_at}.get(q.sort, Lot.code)
    if q.sort == "last":
        key = (select(func.max(Event.event_time)).join(EventObject,
                                                       EventObject.event_pk == Event.id)
               .where(EventObject.uri == Lot.uri).scalar_subquery())
    direction = (lambda c: c.desc()) if q.descending else (lambda c: c.asc())
    return [direction(key), direction(Lot.id)]


def search_lots(uow: UnitOfWork, q: LotQuery) -> tuple[list[LotRow], int]:
    """One page of the lots matching ``q`` in its order, and how many match in all.

    Two steps: the page's lot ids in order with the count (one pass, joining only what the
    sort key needs), then the page's details (product, holder, receiver) for those ids only."""
    session = session_of(uow)
    dialect = session.get_bind().dialect.name
    conds = _where(q, dialect)
    if q.code and len(conds) > 2 and dialect == "postgresql":
        # A partial code and another filter: testing ILIKE costs ~0.5 µs a row, 20 times the
        # planner's default operator cost; told so, it intersects the other filter's index
        # with the trigram index before testing codes (organisation + "-3": 12 -> 4 ms of
        # server time, FIND.md "Speed"). SET LOCAL: this transaction only.
        session.execute(text("SET LOCAL cpu_operator_cost = 0.05"))
    ids = select(Lot.id, func.count().over()).where(*conds)  # the count in the same pass
    if q.sort == "product":
        ids = ids.outerjoin(Product, Product.gtin == Lot.gtin)
    elif q.sort == "organisation":
        ids = ids.outerjoin(_Owner, _Owner.id == Lot.owner_id)
    page = session.execute(ids.order_by(*_order(q)).offset(q.offset).limit(q.limit)).all()
    if not page:  # a page past the end: count on its own
        total = session.scalar(select(func.count()).select_from(Lot).where(*conds)) or 0
        return [], int(total)
    rows = {r.id: r for r in session.execute(
        select(Lot.id, Lot.uri, Lot.gtin, Lot.code, Lot.quantity, Lot.unit,
               Product.name_vi.label("product_vi"), Product.name_en.label("product_en"),
               _Owner.name.label("holder"), Lot.owner_id.label("holder_id"),
               _Receiver.name.label("in_transit_to"))
        .outerjoin(Product, Product.gtin == Lot.gtin)
        .outerjoin(_Owner, _Owner.id == Lot.owner_id)
        .outerjoin(_Receiver, _Receiver.id == Lot.in_transit_to_id)
        .where(Lot.id.in_([lot_id for lot_id, _ in page])))}
    return ([LotRow(*cast(tuple[Any, ...], rows[lot_id])) for lot_id, _ in page],
            int(page[0][1]))


def lot_extras(uow: UnitOfWork, lots: list[LotRow]) -> dict[int, LotExtras]:
    """First and last event time, an active recall, a hold, for each of the page's lots."""
    if not lots:
        return {}
    session = session_of(uow)
    by_uri = {lot.uri: lot.id for lot in lots}
    times = {uri: (first, last) for uri, first, last in session.execute(
        select(EventObject.uri, func.min(Event.event_time), func.max(Event.event_time))
        .join(Event, Event.id == EventObject.event_pk)
        .where(EventObject.uri.in_(list(by_uri))).group_by(EventObject.uri))}
    recalled = set(session.scalars(select(Recall.lot_id).where(
        Recall.lot_id.in_(list(by_uri.values())), Recall.lifted_at.is_(None))))
    held = set(session.scalars(select(Hold.lot_id).where(
        Hold.lot_id.in_(list(by_uri.values())), Hold.released_at.is_(None))))
    out = {}
    for uri, lot_id in by_uri.items():
        first, last = times.get(uri, (None, None))
        out[lot_id] = LotExtras(first, last, lot_id in recalled, lot_id in held)
    return out


# --- what an organisation recorded ------------------------------------------------------------

@dataclass(frozen=True)
class EventRow:
    id: int
    event_id: str
    event_type: str
    biz_step: str | None
    event_time: datetime
    record_time: datetime
    batch_id: int | None
    batch_status: str | None
    signed: bool
    declaration: bool


def organisation_events(uow: UnitOfWork, organisation_id: int, start: datetime | None,
                        end: datetime | None, offset: int, limit: int
                        ) -> tuple[list[EventRow], int, dict[int, list[str]]]:
    """A page of the events ``organisation_id`` recorded with an event time in [start, end),
    by event time then row id; how many in all; the lots (URIs) each event of the page names."""
    session = session_of(uow)
    conds: list[Any] = [Event.organisation_id == organisation_id]
    if start is not None:
        conds.append(Event.event_time >= start)
    if end is not None:
        conds.append(Event.event_time < end)
    rows = session.execute(
        select(Event.id, Event.event_id, Event.event_type, Event.biz_step, Event.event_time,
               Event.record_time, Event.batch_id, AnchorBatch.status.label("batch_status"),
               or_(Event.signature.is_not(None),
                   CaptureJob.seal_signature.is_not(None)).label("signed"),
               Event.declaration)
        .outerjoin(AnchorBatch, AnchorBatch.id == Event.batch_id)
        .outerjoin(CaptureJob, CaptureJob.id == Event.capture_id)
        .where(*conds).order_by(Event.event_time, Event.id).offset(offset).limit(limit)).all()
    total = session.scalar(select(func.count()).select_from(Event).where(*conds)) or 0
    lots: dict[int, list[str]] = {}
    if rows:
        for pk, uri in session.execute(
                select(EventObject.event_pk, EventObject.uri)
                .join(Lot, Lot.uri == EventObject.uri)
                .where(EventObject.event_pk.in_([r.id for r in rows]), Lot.kind == "lot")
                .order_by(EventObject.event_pk, EventObject.uri)):
            if uri not in lots.setdefault(pk, []):
                lots[pk].append(uri)
    return [EventRow(**r._mapping) for r in rows], int(total), lots


def organisation_name(uow: UnitOfWork, organisation_id: int) -> tuple[str, str] | None:
    """(name, GLN) of the organisation, or None."""
    row = session_of(uow).execute(select(Organisation.name, Organisation.gln).where(
        Organisation.id == organisation_id)).first()
    return None if row is None else (row[0], row[1])


def organisation_by_gln(uow: UnitOfWork, gln: str) -> int | None:
    return session_of(uow).scalar(select(Organisation.id).where(Organisation.gln == gln))


def organisation_choices(uow: UnitOfWork) -> list[tuple[int, str]]:
    return [(i, n) for i, n in session_of(uow).execute(
        select(Organisation.id, Organisation.name).order_by(Organisation.name))]


def product_choices(uow: UnitOfWork) -> list[tuple[str, str, str]]:
    return [(g, vi, en) for g, vi, en in session_of(uow).execute(
        select(Product.gtin, Product.name_vi, Product.name_en).order_by(Product.name_en)
    )]


# --- bulk verification ------------------------------------------------------------------------

def record_page(uow: UnitOfWork, organisation_id: int | None, start: datetime | None,
                end: datetime | None, after: int, limit: int) -> list[Record]:
    """The verification records of the events in scope with a row id above ``after``, by id:
    one query per page. (Bulk verification reads the same records leaner, in one snapshot:
    ``bulk_records``, ``bulk_record_pages``.)"""
    stmt = in_scope(_select().where(Event.id > after), organisation_id, start, end)
    # Core rows (no ORM loading: a page is thousands of rows), columns in Record's order
    return records_of(session_of(uow).connection().execute(
        stmt.order_by(Event.id).limit(limit)).all())


def batch_hashes(uow: UnitOfWork, batch_id: int) -> set[str]:
    """The recorded hashes of the event rows that name ``batch_id``."""
    return set(session_of(uow).scalars(select(Event.event_hash).where(
        Event.batch_id == batch_id)))


def signer_records(uow: UnitOfWork) -> dict[str, tuple[str, str | None]]:
    """Recorded signer registrations: signing address (lower case) → (GLN, registration
    transaction), for every organisation whose key the anchorer registered."""
    return {(a or "").lower(): (g, tx) for a, g, tx in session_of(uow).execute(
        select(Organisation.signing_address, Organisation.gln,
               Organisation.signer_registered_tx)
        .where(Organisation.signing_address.is_not(None),
               Organisation.signer_registered_tx.is_not(None)))}
