"""The bulk reads and writes of a capture, in as few statements as the databases allow."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from operator import itemgetter

from sqlalchemy import bindparam, func, insert, select, text, update
from sqlalchemy.orm import Session

from ..domain.custody import Holding
from .accounts import Organisation
from .events import DocumentContext, Event, EventObject
from .lots import Lot, LotLink

_CHUNK = 500  # stays under every database's bound-parameter limit


def _chunks(values: list, size: int = _CHUNK) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def stored_hashes(session: Session, hashes: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(list(set(hashes))):
        found.update(session.scalars(select(Event.event_hash).where(Event.event_hash.in_(chunk))))
    return found


def stored_event_ids(session: Session, ids: Iterable[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for chunk in _chunks(list(set(ids))):
        rows = session.execute(select(Event.event_id, Event.event_hash)
                               .where(Event.event_id.in_(chunk)))
        found.update({r.event_id: r.event_hash for r in rows})
    return found


def load_holdings(session: Session,
                  uris: Iterable[str]) -> tuple[dict[str, Holding], dict[str, int]]:
    """The custody state of ``uris`` and of everything packed inside them, plus their lot ids."""
    holdings: dict[str, Holding] = {}
    ids: dict[str, int] = {}

    def add(rows) -> None:
        for lot in rows:
            ids[lot.uri] = lot.id
            holdings[lot.uri] = Holding(owner=lot.owner_id, in_transit_to=lot.in_transit_to_id,
                                        container=lot.container, quantity=lot.quantity,
                                        unit=lot.unit)

    uri_list = list(set(uris))
    for chunk in _chunks(uri_list):
        add(session.execute(select(Lot.id, Lot.uri, Lot.owner_id, Lot.in_transit_to_id,
                                   Lot.container, Lot.quantity, Lot.unit)
                            .where(Lot.uri.in_(chunk))))
    # Contents of containers move with them; one level of nesting per pass, bounded.
    frontier = [u for u in uri_list if u in ids]
    for _ in range(5):
        if not frontier:
            break
        before = set(ids)
        for chunk in _chunks(frontier):
            add(session.execute(select(Lot.id, Lot.uri, Lot.owner_id, Lot.in_transit_to_id,
                                       Lot.container, Lot.quantity, Lot.unit)
                                .where(Lot.container.in_(chunk))))
        frontier = [u for u in ids if u not in before]
    return holdings, ids


def orgs_by_party(session: Session) -> dict[str, int]:
    """Party identifiers (PGLN and GLN Digital Links) of every organisation → its id."""
    out: dict[str, int] = {}
    for org_id, gln in session.execute(select(Organisation.id, Organisation.gln)):
        out[f"https://id.gs1.org/417/{gln}"] = org_id
        out[f"https://id.gs1.org/414/{gln}"] = org_id
    return out


def context_id(session: Session, body: str) -> int:
    digest = hashlib.sha256(body.encode()).hexdigest()
    found = session.scalar(select(DocumentContext.id).where(DocumentContext.digest == digest))
    if found is not None:
        return found
    return session.execute(insert(DocumentContext).values(digest=digest, body=body)
                           .returning(DocumentContext.id)).scalar_one()


def reserve_ids(session: Session, table, count: int) -> list[int]:
    """``count`` fresh primary keys for ``table``, so bulk inserts need no RETURNING.

    (SQLAlchemy's INSERT…RETURNING for many rows costs quadratic time on SQLite.) PostgreSQL
    hands them out from the table's sequence, safe under concurrency; on SQLite the capture holds
    the database's write lock (BEGIN IMMEDIATE), so the next ids after the largest are ours.
    """
    if count == 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        seq = f"{table.name}_id_seq"
        return list(session.scalars(text(
            f"SELECT nextval('{seq}') FROM generate_series(1, :n)"), {"n": count}))
    start = (session.scalar(select(func.max(table.c.id))) or 0) + 1
    return list(range(start, start + count))


def bulk_insert(session: Session, table, rows: list[dict]) -> None:
    """INSERT many rows with the driver's executemany, skipping SQLAlchemy's per-value work.

    On the bulk capture path this is a sixth of the write transaction. Every row must carry the
    same keys. SQLite gets datetimes in the text form SQLAlchemy itself stores and reads back.
    """
    if not rows:
        return
    columns = list(rows[0])
    conn = session.connection()
    if conn.dialect.name != "sqlite":
        conn.execute(table.insert(), rows)
        return
    for c in [c for c in columns if isinstance(rows[0][c], datetime)]:
        for row in rows:
            row[c] = _sqlite_time(row[c])
    pick = itemgetter(*columns)
    values = [pick(row) for row in rows] if len(columns) > 1 else [(pick(r),) for r in rows]
    sql = (f"INSERT INTO {table.name} ({', '.join(columns)}) "
           f"VALUES ({', '.join('?' for _ in columns)})")
    conn.exec_driver_sql(sql, values)


def bulk_update(session: Session, table, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """UPDATE ``columns`` of many rows by id; each row is (*values, id)."""
    if not rows:
        return
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        sets = ", ".join(f"{c} = ?" for c in columns)
        conn.exec_driver_sql(f"UPDATE {table.name} SET {sets} WHERE id = ?", rows)
        return
    stmt = (update(table).where(table.c.id == bindparam("id_"))
            .values({c: bindparam(f"v_{c}") for c in columns}))
    conn.execute(stmt, [{**{f"v_{c}": v for c, v in zip(columns, row[:-1], strict=True)},
                         "id_": row[-1]} for row in rows])


def _sqlite_time(value):
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat(" ", "microseconds")  # always 6 digits: text order = time order
    return value


def insert_events(session: Session, rows: list[dict]) -> list[int]:
    ids = reserve_ids(session, Event.__table__, len(rows))
    for row, pk in zip(rows, ids, strict=True):
        row["id"] = pk
    bulk_insert(session, Event.__table__, rows)
    return ids


def insert_objects(session: Session, rows: list[dict]) -> None:
    if rows:
        bulk_insert(session, EventObject.__table__, rows)


def write_holdings(session: Session, holdings: dict[str, Holding], lot_ids: dict[str, int],
                   created_pk: dict[str, int], describe) -> dict[str, int]:
    """Insert new lots and update changed ones; returns uri → lot id for all of them."""
    new = [(uri, h) for uri, h in holdings.items() if h.new]
    now = datetime.now(UTC)
    if new:
        rows = []
        for uri, h in new:
            kind, gtin, code = describe(uri)
            rows.append({"uri": uri, "kind": kind, "gtin": gtin, "code": code,
                         "quantity": h.quantity, "unit": h.unit, "owner_id": h.owner,
                         "in_transit_to_id": h.in_transit_to, "container": h.container,
                         "created_event_pk": created_pk.get(uri), "created_at": now})
        ids = reserve_ids(session, Lot.__table__, len(rows))
        for row, (uri, _), lot_id in zip(rows, new, ids, strict=True):
            row["id"] = lot_id
            lot_ids[uri] = lot_id
        bulk_insert(session, Lot.__table__, rows)
    bulk_update(session, Lot.__table__,
                ("owner_id", "in_transit_to_id", "container", "quantity", "unit"),
                [(h.owner, h.in_transit_to, h.container, h.quantity, h.unit, lot_ids[uri])
                 for uri, h in holdings.items() if h.changed and not h.new])
    return lot_ids


def insert_links(session: Session, rows: list[dict]) -> None:
    if rows:
        unique = {(r["source_id"], r["target_id"], r["event_pk"]): r for r in rows}
        bulk_insert(session, LotLink.__table__, list(unique.values()))
