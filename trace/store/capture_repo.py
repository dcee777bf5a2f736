"""The bulk reads and writes of a capture, in as few statements as the databases allow."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from operator import itemgetter
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from sqlalchemy import Table, bindparam, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from ..domain.custody import Holding
from .accounts import Organisation
from .catalogue import Farm, Plot
from .events import CaptureJob, DocumentContext, Event, EventObject
from .lots import Lot, LotLink
from .uow import session_of

if TYPE_CHECKING:
    from ..services.ports import UnitOfWork

# A write lost a race on a unique key (two workers capturing the same new event or lot): the
# transaction is rolled back whole, and the use case may run it again.
RowConflict = IntegrityError

EVENTS = cast(Table, Event.__table__)
EVENT_OBJECTS = cast(Table, EventObject.__table__)
LOTS = cast(Table, Lot.__table__)
LOT_LINKS = cast(Table, LotLink.__table__)

_CHUNK = 500  # stays under every database's bound-parameter limit


def _chunks(values: list[Any], size: int = _CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def sqlite_rows_in(uow: UnitOfWork, sql: str, values: list[Any]) -> list[Any] | None:
    """On SQLite, the rows of ``sql`` (whose ``IN ({})`` takes ``values``, 500 at a time) read
    through the driver; None on other databases (the caller then uses SQLAlchemy).

    A capture looks up ~1,000 hashes and ~800 lot URIs while it holds SQLite's one write lock:
    building those IN lists through SQLAlchemy (coercing and naming each value) cost about as
    much as running them. ``sql`` is a constant of this package, never user text.
    """
    conn = session_of(uow).connection()
    if conn.dialect.name != "sqlite":
        return None
    rows: list[Any] = []
    for chunk in _chunks(values):
        rows += conn.exec_driver_sql(sql.format(", ".join("?" * len(chunk))),
                                     tuple(chunk)).all()
    return rows


def stored_hashes(uow: UnitOfWork, hashes: Iterable[str]) -> set[str]:
    """Those of ``hashes`` some stored event already has."""
    wanted = list(set(hashes))
    rows = sqlite_rows_in(uow, "SELECT event_hash FROM events WHERE event_hash IN ({})", wanted)
    if rows is not None:
        return {r[0] for r in rows}
    session = session_of(uow)
    found: set[str] = set()
    for chunk in _chunks(wanted):
        found.update(session.scalars(select(Event.event_hash).where(Event.event_hash.in_(chunk))))
    return found


def stored_event_ids(uow: UnitOfWork, ids: Iterable[str]) -> dict[str, str]:
    """Those of ``ids`` already taken → the hash of the event that has it."""
    session = session_of(uow)
    found: dict[str, str] = {}
    for chunk in _chunks(list(set(ids))):
        rows = session.execute(select(Event.event_id, Event.event_hash)
                               .where(Event.event_id.in_(chunk)))
        found.update({r.event_id: r.event_hash for r in rows})
    return found


_LOT_STATE = (Lot.id, Lot.uri, Lot.owner_id, Lot.in_transit_to_id, Lot.container, Lot.quantity,
              Lot.unit)
_LOT_STATE_SQL = ("SELECT id, uri, owner_id, in_transit_to_id, container, quantity, unit "
                  "FROM lots WHERE {column} IN ({{}})")


def _lot_states(uow: UnitOfWork, column: str, values: list[str]) -> Iterable[Any]:
    """(id, uri, owner_id, in_transit_to_id, container, quantity, unit) of the lots whose
    ``column`` (uri or container) is one of ``values``."""
    rows = sqlite_rows_in(uow, _LOT_STATE_SQL.format(column=column), values)
    if rows is not None:
        return rows
    session = session_of(uow)
    where = Lot.uri if column == "uri" else Lot.container
    return [row for chunk in _chunks(values)
            for row in session.execute(select(*_LOT_STATE).where(where.in_(chunk)))]


def load_holdings(uow: UnitOfWork,
                  uris: Iterable[str]) -> tuple[dict[str, Holding], dict[str, int]]:
    """The custody state of ``uris``, of everything packed inside them and of the containers
    they are packed in, plus their lot ids."""
    holdings: dict[str, Holding] = {}
    ids: dict[str, int] = {}

    def add(rows: Iterable[Any]) -> None:
        for lot_id, uri, owner_id, in_transit_to_id, container, quantity, unit in rows:
            ids[uri] = lot_id
            holdings[uri] = Holding(owner=owner_id, in_transit_to=in_transit_to_id,
                                    container=container, quantity=quantity, unit=unit)

    uri_list = list(set(uris))
    add(_lot_states(uow, "uri", uri_list))
    # Contents of containers move with them; one level of nesting per pass, bounded.
    frontier = [u for u in uri_list if u in ids]
    for _ in range(5):
        if not frontier:
            break
        before = set(ids)
        add(_lot_states(uow, "container", frontier))
        frontier = [u for u in ids if u not in before]
    # ...and containers around them decide too (a lot inside a shipped unit travels with it):
    # walk outwards, one level per pass, bounded.
    for _ in range(5):
        outer = list({h.container for h in holdings.values()
                      if h.container is not None and h.container not in holdings})
        if not outer:
            break
        add(_lot_states(uow, "uri", outer))
        if not any(c in holdings for c in outer):
            break
    return holdings, ids


def orgs_by_party(uow: UnitOfWork) -> dict[str, int]:
    """Party identifiers (PGLN and GLN Digital Links) of every organisation → its id."""
    session = session_of(uow)
    out: dict[str, int] = {}
    for org_id, gln in session.execute(select(Organisation.id, Organisation.gln)):
        out[f"https://id.gs1.org/417/{gln}"] = org_id
        out[f"https://id.gs1.org/414/{gln}"] = org_id
    return out


def context_id(uow: UnitOfWork, body: str) -> int:
    """The id of the stored ``@context`` text ``body``, stored now if it is new."""
    session = session_of(uow)
    digest = hashlib.sha256(body.encode()).hexdigest()
    found = session.scalar(select(DocumentContext.id).where(DocumentContext.digest == digest))
    if found is not None:
        return found
    new_id = session.scalar(insert(DocumentContext).values(digest=digest, body=body)
                            .returning(DocumentContext.id))
    assert new_id is not None, "INSERT … RETURNING gives the new row's id"
    return new_id


def reserve_ids(uow: UnitOfWork, table: Table, count: int) -> list[int]:
    """``count`` fresh primary keys for ``table``, so bulk inserts need no RETURNING.

    (SQLAlchemy's INSERT…RETURNING for many rows costs quadratic time on SQLite.) PostgreSQL
    hands them out from the table's sequence, safe under concurrency; on SQLite the capture holds
    the database's write lock (BEGIN IMMEDIATE), so the next ids after the largest are ours.
    """
    if count == 0:
        return []
    session = session_of(uow)
    if session.get_bind().dialect.name == "postgresql":
        seq = f"{table.name}_id_seq"
        return list(session.scalars(text(
            f"SELECT nextval('{seq}') FROM generate_series(1, :n)"), {"n": count}))
    start = (session.scalar(select(func.max(table.c.id))) or 0) + 1
    return list(range(start, start + count))


def bulk_insert(uow: UnitOfWork, table: Table, rows: list[dict[str, Any]]) -> None:
    """INSERT many rows with the driver's executemany, skipping SQLAlchemy's per-value work.

    On the bulk capture path this is a sixth of the write transaction. Every row must carry the
    same keys. SQLite gets datetimes in the text form SQLAlchemy itself stores and reads back.
    """
    if not rows:
        return
    columns = list(rows[0])
    conn = session_of(uow).connection()
    if conn.dialect.name != "sqlite":
        conn.execute(table.insert(), rows)
        return
    for c in [c for c in columns if any(isinstance(row[c], datetime) for row in rows)]:
        # A capture's rows share one record time (and its lots one creation time): each
        # distinct value is converted once (this runs in the write lock).
        texts: dict[Any, Any] = {}
        for row in rows:
            value = row[c]
            text = texts.get(value)
            if text is None:
                text = texts[value] = _sqlite_time(value)
            row[c] = text
    pick = itemgetter(*columns)
    values = [pick(row) for row in rows] if len(columns) > 1 else [(pick(r),) for r in rows]
    sql = (f"INSERT INTO {table.name} ({', '.join(columns)}) "
           f"VALUES ({', '.join('?' for _ in columns)})")
    conn.exec_driver_sql(sql, values)


def bulk_update(uow: UnitOfWork, table: Table, columns: tuple[str, ...],
                rows: list[tuple[Any, ...]]) -> None:
    """UPDATE ``columns`` of many rows by id; each row is (*values, id)."""
    if not rows:
        return
    conn = session_of(uow).connection()
    if conn.dialect.name == "sqlite":
        sets = ", ".join(f"{c} = ?" for c in columns)
        conn.exec_driver_sql(f"UPDATE {table.name} SET {sets} WHERE id = ?", rows)
        return
    stmt = (update(table).where(table.c.id == bindparam("id_"))
            .values({c: bindparam(f"v_{c}") for c in columns}))
    conn.execute(stmt, [{**{f"v_{c}": v for c, v in zip(columns, row[:-1], strict=True)},
                         "id_": row[-1]} for row in rows])


def _sqlite_time(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat(" ", "microseconds")  # always 6 digits: text order = time order
    return value


def insert_events(uow: UnitOfWork, rows: list[dict[str, Any]], fields: list) -> list[int]:
    """Insert event rows (ids given here, set on each row) and their query index rows
    (``fields``: ``capture.query_fields`` of each row's event); their ids."""
    ids = reserve_ids(uow, EVENTS, len(rows))
    for row, pk in zip(rows, ids, strict=True):
        row["id"] = pk
    bulk_insert(uow, EVENTS, rows)
    from .event_fields import index_events  # the query index (its own module; imports this one)
    index_events(uow, rows, fields)
    return ids


def insert_objects(uow: UnitOfWork, rows: list[dict[str, Any]]) -> None:
    if rows:
        bulk_insert(uow, EVENT_OBJECTS, rows)


class Making(NamedTuple):
    """The stored event that made a new lot: its row id, its event time (as the events row
    holds it) and its organisation, copied to the lot (``made_at``/``made_by``, which the
    inspector's search sorts and filters by)."""

    pk: int
    at: Any
    by: int | None


def write_holdings(uow: UnitOfWork, holdings: dict[str, Holding], lot_ids: dict[str, int],
                   made: dict[str, Making],
                   describe: Callable[[str], tuple[str, str | None, str | None]]
                   ) -> dict[str, int]:
    """Insert new lots and update changed ones; returns uri → lot id for all of them."""
    new = [(uri, h) for uri, h in holdings.items() if h.new]
    now = datetime.now(UTC)
    if new:
        rows = []
        for uri, h in new:
            kind, gtin, code = describe(uri)
            making = made.get(uri)
            rows.append({"uri": uri, "kind": kind, "gtin": gtin, "code": code,
                         "quantity": h.quantity, "unit": h.unit, "owner_id": h.owner,
                         "in_transit_to_id": h.in_transit_to, "container": h.container,
                         "created_event_pk": making.pk if making else None, "created_at": now,
                         "made_at": making.at if making else None,
                         "made_by": making.by if making else None})
        ids = reserve_ids(uow, LOTS, len(rows))
        for row, (uri, _), lot_id in zip(rows, new, ids, strict=True):
            row["id"] = lot_id
            lot_ids[uri] = lot_id
        bulk_insert(uow, LOTS, rows)
    bulk_update(uow, LOTS,
                ("owner_id", "in_transit_to_id", "container", "quantity", "unit"),
                [(h.owner, h.in_transit_to, h.container, h.quantity, h.unit, lot_ids[uri])
                 for uri, h in holdings.items() if h.changed and not h.new])
    return lot_ids


def insert_links(uow: UnitOfWork, rows: list[dict[str, Any]]) -> None:
    if rows:
        unique = {(r["source_id"], r["target_id"], r["event_pk"]): r for r in rows}
        bulk_insert(uow, LOT_LINKS, list(unique.values()))


def record_capture_job(uow: UnitOfWork, job_id: str, user_id: int | None, *, success: bool,
                       event_count: int, stored_count: int, created_at: datetime,
                       finished_at: datetime, errors: list[dict[str, Any]] | None = None,
                       duplicates: list[dict[str, Any]] | None = None,
                       organisation_id: int | None = None,
                       seal: Mapping[str, Any] | None = None) -> None:
    """Add the capture job's row (flushed: the events' rows refer to it)."""
    session = session_of(uow)
    extra: dict[str, Any] = dict(seal or {})
    if errors is not None:
        extra["errors"] = errors
    if duplicates is not None:
        extra["duplicates"] = duplicates
    session.add(CaptureJob(id=job_id, user_id=user_id, success=success, event_count=event_count,
                           stored_count=stored_count, created_at=created_at,
                           finished_at=finished_at, organisation_id=organisation_id, **extra))
    session.flush()


def plot_owners(uow: UnitOfWork, plot_ids: set[int]) -> dict[int, int]:
    """Plot id → the organisation whose farm it is, for those of ``plot_ids`` that exist."""
    session = session_of(uow)
    return dict(session.execute(select(Plot.id, Farm.organisation_id).join(Farm)
                                .where(Plot.id.in_(plot_ids))).all())


def assign_plot(uow: UnitOfWork, lot_ids: list[int], plot_id: int) -> None:
    """Record that the lots ``lot_ids`` were harvested on plot ``plot_id``."""
    session_of(uow).execute(update(Lot).where(Lot.id.in_(lot_ids)).values(plot_id=plot_id))


def signing_key_of(uow: UnitOfWork, organisation_id: int) -> tuple[str | None, str | None]:
    """The organisation's signing address and (when the service keeps its key) its keystore."""
    address, keystore = session_of(uow).execute(
        select(Organisation.signing_address, Organisation.signing_keystore)
        .where(Organisation.id == organisation_id)).one()
    return address, keystore


def sealing_key_of(uow: UnitOfWork, organisation_id: int) -> tuple[str, str | None]:
    """The organisation's GLN and the keystore of its custodial key (None: it keeps its own)."""
    gln, keystore = session_of(uow).execute(
        select(Organisation.gln, Organisation.signing_keystore)
        .where(Organisation.id == organisation_id)).one()
    return gln, keystore
