"""Reads of stored events for the EPCIS 2.0 query interface: pages of events under a filter,
one event by its eventID, and the ``@context`` texts events were captured with."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Row,
    String,
    and_,
    any_,
    bindparam,
    cast,
    exists,
    func,
    literal_column,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy import (
    text as sql_text,
)
from sqlalchemy.dialects.postgresql import ARRAY

from .accounts import Organisation
from .events import DocumentContext, Event, EventField, EventObject
from .uow import session_of

if TYPE_CHECKING:
    from ..services.ports import UnitOfWork

# Rows are SQLAlchemy's named tuples: each selected column is also an attribute.
# A page row: (id, body, event_id, record_time, context_id).
PageRow = Row[*tuple[Any, ...]]
# One event: (body, event_id, record_time, context_id, organisation_id).
EventRow = Row[*tuple[Any, ...]]


# --- the conditions of a query, in the order the use case gives them ---------------------------

@dataclass(frozen=True)
class OrganisationIs:
    """Only the events recorded by this organisation, and the public notices every signed-in
    actor may read (``policy.may_read_event``; ``notices=False``: the organisation's only)."""

    organisation_id: int | None
    notices: bool = True


@dataclass(frozen=True)
class NoticesBeyond:
    """The public notices recorded by anyone but this organisation: the notices half of a
    member's scope (``events_page`` reads a member's own events and these apart, each in page
    order, and merges them). Notices are few: every other condition is checked per notice."""

    organisation_id: int | None


@dataclass(frozen=True)
class ColumnIn:
    """The event's ``column`` (an ``Event`` column name: event_type, action, event_id, biz_step,
    disposition, read_point, biz_location) is one of ``values``."""

    column: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class TimeFrom:
    """``column`` (event_time or record_time) >= ``when``."""

    column: str
    when: datetime


@dataclass(frozen=True)
class TimeBefore:
    """``column`` (event_time or record_time) < ``when``."""

    column: str
    when: datetime


@dataclass(frozen=True)
class NamesObject:
    """The event names, in one of ``roles`` (see ``EventObject``), one of ``exact`` or an
    identifier under one of ``prefixes`` (an EPC pattern)."""

    roles: tuple[str, ...]
    exact: tuple[str, ...]
    prefixes: tuple[str, ...]


@dataclass(frozen=True)
class AfterId:
    """Events stored after the one with row id ``pk`` (keyset pagination)."""

    pk: int


@dataclass(frozen=True)
class HasField:
    """The event has an index row (``EventField``, see ``capture.query_fields``) named one of
    ``names`` whose value meets every part given here: ``unit`` (the text a measured number is
    in), one of ``texts`` / under one of ``text_prefixes`` / one of ``nums`` (any of them), and
    ``op`` (GT, GE, LT, LE) ``bound`` on the number. With none given: the member exists."""

    names: tuple[str, ...]
    texts: tuple[str, ...] = ()
    text_prefixes: tuple[str, ...] = ()
    nums: tuple[float, ...] = ()
    op: str | None = None
    bound: float | None = None
    unit: str | None = None
    absent: bool = False  # the event has no such row (EXISTS_...=false)


@dataclass(frozen=True)
class After:
    """Events after (``descending``: before) the one at ``key`` (the value of the order column,
    row id ``pk``) in the page order: keyset pagination under ``orderBy``."""

    column: str
    key: datetime
    pk: int
    descending: bool


@dataclass(frozen=True)
class Order:
    """The page order: ``column`` (``id``: storage order, event_time, record_time) then id."""

    column: str = "id"
    descending: bool = False


Condition = (OrganisationIs | NoticesBeyond | ColumnIn | TimeFrom | TimeBefore | NamesObject
             | AfterId | HasField | After)

_OPS = {"GT": "__gt__", "GE": "__ge__", "LT": "__lt__", "LE": "__le__"}
# A field condition found in fewer index entries than this is looked up first (its events'
# ids); a commoner one is checked per event while the events are read in page order.
SELECTIVE_ROWS = 5000
# A driven page (``_driven_page``) reads at most this many index ranges, this many entries each
# time.
MAX_STREAMS = 16
MAX_CHUNK = 20000
# Of two or more common conditions, one with fewer index entries than this is looked up first.
DRIVE_ROWS = 20000

_COLUMNS = {"event_type", "event_time", "record_time", "action", "event_id", "biz_step",
            "disposition", "read_point", "biz_location"}


def _column(name: str) -> Any:
    if name not in _COLUMNS:
        raise ValueError(f"not a queryable event column: {name}")
    return getattr(Event, name)


# WD_readPoint / WD_bizLocation read the events' own columns (canonical ids, indexed by
# organisation: migration 0012), not index rows.
_PLACES = {"readPoint": "read_point", "bizLocation": "biz_location"}


def _place_column(c: HasField) -> Any | None:
    """The ``events`` column a place condition (``names`` = readPoint or bizLocation, texts and
    text prefixes only) reads; None for any other condition."""
    if len(c.names) == 1 and c.names[0] in _PLACES and not (
            c.nums or c.op is not None or c.unit is not None or c.absent):
        return getattr(Event, _PLACES[c.names[0]])
    return None


def _under(col: Any, p: str) -> ColumnElement[bool]:
    """``col`` starts with ``p``: a range an index can read (LIKE cannot on SQLite), checked as
    a prefix too."""
    return and_(col >= p, col < p[:-1] + chr(ord(p[-1]) + 1), col.startswith(p, autoescape=True))


def _place_alternatives(col: Any, c: HasField) -> list[ColumnElement[bool]]:
    alternatives: list[ColumnElement[bool]] = []
    if c.texts:
        alternatives.append(col.in_(list(c.texts)))
    alternatives += [_under(col, p) for p in c.text_prefixes]
    return alternatives or [col.is_not(None)]


def _field_where(c: HasField, probe: bool = False) -> list[ColumnElement[bool]]:
    """The row conditions of ``c`` for a probe of one event's rows (found by its primary key).
    With ``probe`` (SQLite) the columns are wrapped in a no-op (``|| ''``, ``+ 0``) so that
    SQLite cannot pick a value index instead and read every event's rows for each event;
    PostgreSQL's planner needs the plain columns to estimate the probe."""
    name: Any = EventField.name + "" if probe else EventField.name
    text: Any = EventField.text_value + "" if probe else EventField.text_value
    num: Any = EventField.num_value + 0 if probe else EventField.num_value
    where: list[ColumnElement[bool]] = [name.in_(list(c.names))]
    if c.unit is not None:
        where.append(text == c.unit)
    anyof: list[ColumnElement[bool]] = []
    if c.texts:
        anyof.append(text.in_(list(c.texts)))
    for p in c.text_prefixes:
        anyof.append(text.startswith(p, autoescape=True))
    if c.nums:
        anyof.append(num.in_(list(c.nums)))
    if anyof:
        where.append(or_(*anyof))
    if c.op is not None:
        where.append(getattr(num, _OPS[c.op])(c.bound))
    return where


# The text index leaves the quantity rows out (migration 0019: a quantity is looked up by its
# number, its unit checked on the number index's rows); a lookup by text states the index's
# condition, word for word, so that both databases may use it.
QUANTITY = "quantity"
TEXT_INDEXED = EventField.name != literal_column(f"'{QUANTITY}'")


def _lookups(c: HasField, orgs: Sequence[int]) -> list[Any]:
    """Selects of the event ids of ``c``'s rows in the organisations ``orgs``, read from the
    value indexes (organisation, name, text or number): one index range per kind of value.
    A place condition reads the events' place index (organisation, place) instead."""
    place = _place_column(c)
    if place is not None:
        known = [o for o in orgs if o]
        scopes = ([Event.organisation_id.in_(known)] if known else []) \
            + ([Event.organisation_id.is_(None)] if 0 in orgs else [])
        return [select(Event.id).where(scope, alt) for scope in scopes
                for alt in _place_alternatives(place, c)]
    text, num = EventField.text_value, EventField.num_value
    base: list[ColumnElement[bool]] = [EventField.organisation_id.in_(list(orgs)),
                                       EventField.name.in_(list(c.names))]
    if QUANTITY not in c.names:
        base.append(TEXT_INDEXED)
    if c.unit is not None and (c.op is not None or c.nums):
        # Checked on the rows the number's range finds: a no-op keeps both databases off the
        # text index (which would read every number in that unit).
        base.append(text + "" == c.unit)
    elif c.unit is not None:
        base.append(text == c.unit)
    if c.op is not None:
        base.append(getattr(num, _OPS[c.op])(c.bound))
    alternatives: list[ColumnElement[bool]] = []
    if c.texts:
        alternatives.append(text.in_(list(c.texts)))
    alternatives += [_under(text, p) for p in c.text_prefixes]
    if c.nums:
        alternatives.append(num.in_(list(c.nums)))
    return [select(EventField.event_pk).where(*base, alt) for alt in alternatives] \
        or [select(EventField.event_pk).where(*base)]


def _lookup(c: HasField, orgs: Sequence[int]) -> Any:
    """One select of the event ids of ``c``'s index entries (its ranges one after the other)."""
    selects = _lookups(c, orgs)
    return selects[0] if len(selects) == 1 else union_all(*selects)


def _counts(uow: UnitOfWork, conditions: Sequence[HasField], orgs: Sequence[int],
            bound: int) -> list[int]:
    """How many index entries each condition finds, no further than ``bound``: one statement
    for all of them (each statement costs ~0.5-1 ms of SQLAlchemy and driver CPU, and a round
    trip, more than counting a few thousand entries)."""
    counts = [select(func.count()).select_from(_sample(c, orgs, bound)).scalar_subquery()
              for c in conditions]
    row = session_of(uow).execute(select(*counts)).one()
    return [n or 0 for n in row]


def _sample(c: HasField, orgs: Sequence[int], bound: int) -> Any:
    """The first ``bound`` index entries of ``c``, to be counted: a constant for each, not the
    event's id (a place's index does not hold it: PostgreSQL's branches of a UNION keep the
    column and read the table), and each range limited too (PostgreSQL does not pass the
    LIMIT of a UNION on to its branches). Otherwise a place's range of 125,000 events was read
    by a bitmap scan of the table, 9 ms, instead of 5,000 entries of the index, 1 ms."""
    selects = [s.with_only_columns(literal_column("1").label("one"), maintain_column_froms=True)
               for s in _lookups(c, orgs)]
    if len(selects) == 1:
        return selects[0].limit(bound).subquery()
    return union_all(*(select(s.limit(bound).subquery()) for s in selects)).limit(bound) \
        .subquery()


def _rare_ids(uow: UnitOfWork, fields: Sequence[HasField], orgs: Sequence[int],
              ids: set[int] | None, common: list[HasField], counted: dict[int, int],
              bound: int) -> set[int] | None:
    """``ids`` narrowed to the events each of ``fields`` finds that has fewer than
    SELECTIVE_ROWS index entries (counted in the database first, in one statement, no further
    than ``bound``; their ids read only then, and not at all for none); the commoner ones are
    added to ``common``, and their counts to ``counted`` (by ``id``) when ``bound`` is
    ``_smallest``'s first."""
    session = session_of(uow)
    for c, entries in zip(fields, _counts(uow, fields, orgs, bound), strict=True):
        if entries >= SELECTIVE_ROWS:
            common.append(c)
            if bound == _first_bound():
                counted[id(c)] = entries
        elif ids is None or ids:
            found = set(session.scalars(_lookup(c, orgs))) if entries else set()
            ids = found if ids is None else ids & found
    return ids


def _clause(c: Condition) -> ColumnElement[bool]:
    if isinstance(c, After):
        col = _column(c.column)
        if c.descending:
            return or_(col < c.key, and_(col == c.key, Event.id < c.pk))
        return or_(col > c.key, and_(col == c.key, Event.id > c.pk))
    if isinstance(c, HasField):
        raise ValueError("field conditions need the unit of work (see _clauses)")
    if isinstance(c, OrganisationIs):
        own = Event.organisation_id == c.organisation_id
        return or_(own, Event.notice.is_(True)) if c.notices else own
    if isinstance(c, NoticesBeyond):
        others = (or_(Event.organisation_id != c.organisation_id,
                      Event.organisation_id.is_(None))
                  if c.organisation_id is not None else Event.organisation_id.is_not(None))
        return and_(Event.notice.is_(True), others)
    if isinstance(c, ColumnIn):
        return _column(c.column).in_(list(c.values))
    if isinstance(c, TimeFrom):
        return _column(c.column) >= c.when
    if isinstance(c, TimeBefore):
        return _column(c.column) < c.when
    if isinstance(c, AfterId):
        return Event.id > c.pk
    conds: list[ColumnElement[bool]] = []
    if c.exact:
        conds.append(EventObject.uri.in_(list(c.exact)))
    for p in c.prefixes:
        conds.append(EventObject.uri.startswith(p + "/", autoescape=True))
        conds.append(EventObject.uri == p)
    return exists().where(EventObject.event_pk == Event.id, EventObject.role.in_(c.roles),
                          or_(*conds))


def _clauses(uow: UnitOfWork, conditions: Sequence[Condition], order: Order | None = None,
             notice_ids: Sequence[int] | None = None) -> list[ColumnElement[bool]] | None:
    """The SQL conditions of ``conditions``; None when no event can meet them."""
    return _plan(uow, conditions, order, notice_ids=notice_ids)[0]


@dataclass(frozen=True)
class _Driver:
    """A common text condition of a single organisation's query, read from the text index
    in event order (see ``_driven_page``): ``streams`` are its (organisation, name, text)
    ranges, each ordered by event_pk."""

    streams: tuple[tuple[int, str, str], ...]


def _plan(uow: UnitOfWork, conditions: Sequence[Condition], order: Order | None = None,
          drive: bool = False, notice_ids: Sequence[int] | None = None
          ) -> tuple[list[ColumnElement[bool]] | None, _Driver | None]:
    """SQL for ``conditions``. A field condition with few index entries (see SELECTIVE_ROWS)
    is looked up first and becomes a list of event ids (the conditions' lists intersect), so
    the database reads those events only; a commoner one is checked per event while events are
    read in page order (``EXISTS`` by the event's primary key), so the page fills after a few
    events instead of after reading every match. Two or more common conditions may be rare
    together (each event of the page is then found after many checked in vain): the one with
    the fewest entries, if under DRIVE_ROWS, is looked up first (see ``_smallest``). None
    instead of the SQL when a rare condition finds no event (no statement need be sent)."""
    fields = [c for c in conditions if isinstance(c, HasField) and not c.absent]
    sqlite = session_of(uow).get_bind().dialect.name == "sqlite"
    ids: set[int] | None = None
    common: list[HasField] = []
    orgs: list[int] = []
    counted: dict[int, int] = {}
    # The notices half of a member's query: the notices (a few) are read from their index and
    # every field condition is checked on each of them; no index entry is counted.
    notices = any(isinstance(c, NoticesBeyond) for c in conditions)
    if notices:
        common = list(fields)
    elif fields:
        orgs = _scope(uow, conditions)
        # Places first (one site is often rare), then the rest: each stage counted in one
        # statement; none of the rest once nothing is left.
        # With two or more, the rest are counted as far as _smallest's first bound at once
        # (it would count them again, and the page then read the one it takes a third time).
        places = [f for f in fields if _place_column(f) is not None]
        rest_bound = max(SELECTIVE_ROWS, _first_bound()) if len(fields) >= 2 else SELECTIVE_ROWS
        for stage, bound in ((places, SELECTIVE_ROWS),
                             ([f for f in fields if _place_column(f) is None], rest_bound)):
            if stage and (ids is None or ids):
                ids = _rare_ids(uow, stage, orgs, ids, common, counted, bound)
    if ids is not None and not ids:
        return None, None  # a rare condition found no event: nothing to read
    by_time = order is not None and order.column != "id"
    looked_up: ColumnElement[bool] | None = None
    if ids is None and len(common) >= 2 and not notices:
        smallest = _smallest(uow, common, orgs, counted)
        if smallest is not None:
            common.remove(smallest)
            looked_up = _looked_up(smallest, orgs, sqlite)
    driver: HasField | None = None
    if drive and not sqlite and not by_time and ids is None and looked_up is None \
            and len(orgs) == 1:
        driver = next((c for c in common if c.texts and not (c.text_prefixes or c.nums or c.op
                                                             or c.unit)
                       and _place_column(c) is None
                       and len(c.names) * len(c.texts) <= MAX_STREAMS), None)
    out: list[ColumnElement[bool]] = []
    if ids is not None:
        out.append(_id_in(sorted(ids), sqlite))
    if looked_up is not None:
        out.append(looked_up)
    for c in conditions:
        if isinstance(c, HasField):
            place = _place_column(c)
            if c is driver:
                continue  # the page's events are read from its index entries
            if c.absent:
                out.append(~exists().where(EventField.event_pk == Event.id,
                                           *_field_where(c, probe=sqlite)))
            elif c in common and place is not None:
                # Checked on each event read (a no-op keeps both databases off the place
                # index, which would read every event of the place and sort them).
                out.append(or_(*_place_alternatives(place + "", c)))
            elif c in common:
                # The event's rows by its primary key (event_pk leads it). No organisation
                # here: with one, PostgreSQL picks a value index for the probe instead, one
                # descent per name and organisation (2-18 per event, 7 buffers each time; the
                # key's is one descent and one heap page: half the time at 1,000,000 events).
                probe = (select(EventField.event_pk)
                         .where(EventField.event_pk == Event.id,
                                *_field_where(c, probe=sqlite)))
                # PostgreSQL turns a plain EXISTS into a semi-join (or a hashed subplan) that
                # reads every match before the first page; an OFFSET (even 0) keeps it a
                # per-event check (its planner neither pulls up nor hashes such a sub-query;
                # a LIMIT is dropped and does not).
                out.append(exists(probe if sqlite else probe.offset(literal_column("0"))))
        elif isinstance(c, OrganisationIs) and ids is None and (
                by_time and sqlite and looked_up is None or driver
                or looked_up is not None and not sqlite):
            # SQLite: read in time order from the time index, filtering by organisation (a
            # no-op keeps it off the organisation index, which would read and sort every event
            # of it; PostgreSQL reads its (organisation, time, id) index: migration 0026); or
            # (a driven page, a condition looked up first) by primary key, where PostgreSQL
            # would read the organisation index whole to AND it with the ids.
            own = (Event.organisation_id + 0 == c.organisation_id
                   if c.organisation_id is not None else Event.organisation_id.is_(None))
            out.append(or_(own, Event.notice.is_(True)) if c.notices else own)
        elif isinstance(c, NoticesBeyond):
            # The notices (a few) by id, read from their index first: SQLite's statistics of
            # the two-valued notice column (all but a few rows one value) would have it walk
            # another condition's index past every event (and it ignores a query's hints).
            known = notice_ids if notice_ids is not None else _notice_ids(uow, c, sqlite)
            out.append(_id_in(known, sqlite))
        else:
            out.append(_clause(c))
    if driver is None:
        return out, None
    return out, _Driver(tuple((orgs[0], n, t) for n in driver.names for t in driver.texts))


def _first_bound() -> int:
    return min(SELECTIVE_ROWS * 2, DRIVE_ROWS)


def _smallest(uow: UnitOfWork, common: Sequence[HasField], orgs: Sequence[int],
              counted: dict[int, int]) -> HasField | None:
    """Of several common conditions, one with fewer index entries than DRIVE_ROWS: counted in
    the database no further than a bound that doubles up to DRIVE_ROWS (the first found under
    it has at most twice the fewest), index fields before places (their index is smaller).
    Under the first bound those ``counted`` already (see ``_plan``) are not counted again, and
    the fewest of them is taken. Its ids are not fetched: the page's statement reads them
    itself (``_looked_up``)."""
    ordered = sorted(common, key=lambda c: _place_column(c) is not None)
    bound = first = _first_bound()
    known = sorted((counted[id(c)], i) for i, c in enumerate(ordered) if id(c) in counted)
    if known and known[0][0] < bound:
        return ordered[known[0][1]]
    while bound:
        for c in ordered:
            if bound == first and id(c) in counted:
                continue  # counted already, and not under it
            if _counts(uow, [c], orgs, bound)[0] < bound:
                return c
        bound = min(bound * 2, DRIVE_ROWS) if bound < DRIVE_ROWS else 0
    return None


def _looked_up(c: HasField, orgs: Sequence[int], sqlite: bool) -> ColumnElement[bool]:
    """``events.id`` is one of the events ``c`` finds (fewer than DRIVE_ROWS), as a sub-query
    the page's statement reads once. SQLite: ``IN (SELECT …)``, read into a sorted temporary
    index, then walked in id order, each event checked against the other conditions until the
    page is full. PostgreSQL: ``= ANY (ARRAY(SELECT …))``, an init plan whose array the primary
    key's index scan sorts and walks in id order, stopping at the page's end (``IN`` would be a
    semi-join reading every event found). The ids never travel to the client and back: sent as
    an array they cost ~1.5 ms of client CPU at 7,000 ids, and a constant array of that size
    costs the planner milliseconds."""
    if sqlite:
        return Event.id.in_(_lookup(c, orgs))
    # (sorted already: the index scan's own sort of the array then only checks its order;
    # 0.1-0.8 ms less of the server's CPU for the "combined" page, 3 pairs of runs)
    ids = _lookup(c, orgs).order_by(literal_column("1"))
    return Event.id == any_(func.array(ids.scalar_subquery()))


def _notice_ids(uow: UnitOfWork, c: NoticesBeyond, sqlite: bool) -> list[int]:
    """The ids of the notices ``c`` names, from the notice index. SQLite is told the index
    (INDEXED BY; SQLAlchemy renders no hints for it): with every event but a few not a notice,
    its statistics make it read the whole table instead."""
    session = session_of(uow)
    if not sqlite:
        return sorted(session.scalars(select(Event.id).where(_clause(c))).all())
    others = ("organisation_id IS NULL OR organisation_id != :o" if c.organisation_id is not None
              else "organisation_id IS NOT NULL")
    rows = session.execute(text("SELECT id FROM events INDEXED BY ix_events_notice "
                                f"WHERE notice = 1 AND ({others}) ORDER BY id"),
                           {"o": c.organisation_id})
    return [r[0] for r in rows]


def _id_in(ids: Sequence[int], sqlite: bool) -> ColumnElement[bool]:
    """``events.id`` is one of ``ids``: on PostgreSQL one array parameter (thousands of
    parameters cost more to send than the query takes), sent as the array's text (psycopg
    checks each int of a list for its size: 0.8 ms of CPU for 1,200 ids, the text 0.15 ms;
    the planner sees the same constant array)."""
    if sqlite:
        return Event.id.in_(list(ids))
    literal = "{" + ",".join(map(str, ids)) + "}"
    return Event.id == any_(cast(bindparam(None, literal, type_=String), ARRAY(Integer)))


def _driven_page(uow: UnitOfWork, stmt: Any, clauses: list[ColumnElement[bool]],
                 driver: _Driver, after: int, limit: int) -> list[PageRow]:
    """A page in storage order driven by a common text condition (PostgreSQL): its index
    entries are read in event order, ``limit`` (then twice as many, …) at a time, and the
    events they name are read by primary key and checked against the other conditions, until
    the page is full or the entries end. The planner would otherwise read either every event
    of every organisation in id order, or every entry of the value before the first page."""
    session = session_of(uow)
    rows: list[PageRow] = []
    chunk = limit
    while True:
        streams = [list(session.scalars(
            select(EventField.event_pk)
            .where(EventField.organisation_id == org, EventField.name == name,
                   EventField.text_value == text, EventField.event_pk > after,
                   *([TEXT_INDEXED] if name != QUANTITY else []))
            .order_by(EventField.event_pk).limit(chunk)))
            for org, name, text in driver.streams]
        # Entries up to the smallest last entry of a stream that may go on are all known.
        full = [s[-1] for s in streams if len(s) == chunk]
        upto = min(full) if full else None
        pks = sorted({pk for s in streams for pk in s if upto is None or pk <= upto})
        if pks:
            rows += session.execute(stmt.where(*clauses, _id_in(pks, False))
                                    .order_by(Event.id).limit(limit - len(rows))).all()
        if upto is None or len(rows) >= limit:
            return rows
        after, chunk = upto, min(chunk * 2, MAX_CHUNK)


def _scope(uow: UnitOfWork, conditions: Sequence[Condition]) -> list[int]:
    """The organisations whose index entries a query reads: the caller's own, or (for those
    who read everything) all, each one a range of the index (0: events of no organisation)."""
    for c in conditions:
        if isinstance(c, OrganisationIs):
            # and the organisations that recorded public notices (a few: their entries are
            # read too, the events' scope clause keeps only the notices among them)
            return sorted({c.organisation_id or 0, *(notice_organisations(uow)
                                                     if c.notices else ())})
    return [0, *session_of(uow).scalars(select(Organisation.id).order_by(Organisation.id))]


def notice_organisations(uow: UnitOfWork) -> list[int]:
    """The organisations that recorded a public notice (0: none)."""
    return [o or 0 for o in session_of(uow).scalars(
        select(Event.organisation_id).where(Event.notice.is_(True)).distinct())]


def _split(conditions: Sequence[Condition]
           ) -> tuple[list[Condition], list[Condition]] | None:
    """A member's conditions (``OrganisationIs`` with notices) as two queries: its own events,
    and the public notices of everyone else (``NoticesBeyond``); None for any other query.
    ``organisation_id = :org OR notice`` in one query costs both databases their plan: SQLite
    reads both indexes (MULTI-INDEX OR) and sorts every one of the member's events for a
    page; apart, each half keeps the plan a single organisation's query has (see
    docs/EPCIS_QUERY.md, "A member's scope")."""
    scope = next((c for c in conditions if isinstance(c, OrganisationIs) and c.notices), None)
    if scope is None:
        return None
    return ([OrganisationIs(scope.organisation_id, notices=False) if c is scope else c
             for c in conditions],
            [NoticesBeyond(scope.organisation_id) if c is scope else c for c in conditions])


def events_page(uow: UnitOfWork, conditions: Sequence[Condition], limit: int,
                order: Order | None = None) -> list[PageRow]:
    """Up to ``limit`` events meeting every condition, in ``order`` (default: as stored)."""
    order = order or Order()
    halves = _split(conditions)
    notice_ids = _begin(uow, halves)
    if halves is None:
        return _page(uow, conditions, limit, order)
    # Each half is a page in the same order (its first ``limit`` events); the page is the
    # first ``limit`` of the two merged. The halves are disjoint, and a page token (After,
    # AfterId) applies to both, so pages cross from one half to the other as one order. The
    # notices half has none to read in the usual case (no notice by others): no statement.
    own = _page(uow, halves[0], limit, order)
    notices = _page(uow, halves[1], limit, order, notice_ids) if notice_ids else []
    if not notices:
        return own
    if order.column == "id":
        def key(r: PageRow) -> Any:
            return r.id
    else:
        def key(r: PageRow) -> Any:
            return (getattr(r, order.column), r.id)
    return sorted([*own, *notices], key=key, reverse=order.descending)[:limit]


def _page(uow: UnitOfWork, conditions: Sequence[Condition], limit: int,
          order: Order, notice_ids: Sequence[int] | None = None) -> list[PageRow]:
    if order.column == "id":
        keys: list[Any] = [Event.id.desc() if order.descending else Event.id]
    else:
        col = _column(order.column)
        keys = [col.desc(), Event.id.desc()] if order.descending else [col, Event.id]
    columns = select(Event.id, Event.body, Event.event_id, Event.record_time, Event.context_id,
                     Event.event_time)
    clauses, driver = _plan(uow, conditions, order, drive=True, notice_ids=notice_ids)
    if clauses is None:
        return []
    if driver is not None:
        after = max((c.pk for c in conditions if isinstance(c, AfterId)), default=0)
        return _driven_page(uow, columns, clauses, driver, after, limit)
    stmt = columns.where(*clauses).order_by(*keys).limit(limit)
    return list(session_of(uow).execute(stmt).all())


# PostgreSQL: no JIT compilation and no parallel workers for this transaction's queries (SET
# LOCAL, both). A per-event probe makes the planner's cost of a full scan huge (it does not
# credit the LIMIT), and a range of ``num_value`` is misestimated (one column holds every
# member's numbers and date-times), which switch JIT (~20-100 ms of compiling) and parallel
# workers on for queries that take a millisecond.
_NO_JIT = ("set_config('jit', 'off', true), "
           "set_config('max_parallel_workers_per_gather', '0', true)")


def _begin(uow: UnitOfWork, halves: tuple[list[Condition], list[Condition]] | None
           ) -> list[int] | None:
    """Before a query's statements: on PostgreSQL, JIT and parallel workers off (``_NO_JIT``);
    and for a member's query (``halves``, see ``_split``) the ids of the notices its second
    half reads (``_notice_ids``), on PostgreSQL in the same statement (one round trip). Plain
    SQL: built with SQLAlchemy's expressions the statement cost 0.7 ms of CPU, as much as the
    rest of the unit of work (checkout, pre-ping, a read, commit) together."""
    session = session_of(uow)
    sqlite = session.get_bind().dialect.name == "sqlite"
    beyond = next((c for c in halves[1] if isinstance(c, NoticesBeyond)), None) \
        if halves is not None else None
    if sqlite:
        return _notice_ids(uow, beyond, True) if beyond is not None else None
    if beyond is None:
        session.execute(sql_text(f"SELECT {_NO_JIT}"))
        return None
    others = ("organisation_id IS NULL OR organisation_id != :o"
              if beyond.organisation_id is not None else "organisation_id IS NOT NULL")
    return list(session.execute(sql_text(
        f"SELECT {_NO_JIT}, ARRAY(SELECT id FROM events WHERE notice AND ({others}) "
        "ORDER BY id)"), {"o": beyond.organisation_id}).one()[-1])


def count_at_most(uow: UnitOfWork, conditions: Sequence[Condition], bound: int) -> int:
    """How many events meet every condition, counting no further than ``bound``."""
    session = session_of(uow)
    halves = _split(conditions)
    notice_ids = _begin(uow, halves)
    total = 0
    for half in halves or (conditions,):
        if any(isinstance(c, NoticesBeyond) for c in half) and not notice_ids:
            continue  # no notice by others: that half finds none
        clauses = _clauses(uow, half, notice_ids=notice_ids)
        if clauses is None:
            continue
        sample = select(Event.id).where(*clauses).limit(bound - total).subquery()
        total += session.scalar(select(func.count()).select_from(sample)) or 0
        if total >= bound:
            break
    return total


def contexts(uow: UnitOfWork) -> dict[int, str]:
    """Every stored ``@context`` text by its id (for resolving a query's prefixes)."""
    return {cid: body for cid, body in session_of(uow).execute(
        select(DocumentContext.id, DocumentContext.body))}


def event_by_event_id(uow: UnitOfWork, event_id: str) -> EventRow | None:
    return session_of(uow).execute(
        select(Event.body, Event.event_id, Event.record_time, Event.context_id,
               Event.organisation_id, Event.notice).where(Event.event_id == event_id)).first()


def context_texts(uow: UnitOfWork, ids: Iterable[int]) -> dict[int, str]:
    """The stored ``@context`` texts (JSON) with these ids."""
    rows = session_of(uow).execute(select(DocumentContext.id, DocumentContext.body)
                                   .where(DocumentContext.id.in_(ids)))
    return {cid: body for cid, body in rows}
