"""The query index of events (``EventField`` rows): written with the events at capture, and
rebuilt from stored bodies (migration 0008). What the rows hold: ``capture.query_fields``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, cast

import orjson
from sqlalchemy import Table

from ..capture.query_fields import query_fields
from ..gs1.canonical import canonicalise
from .events import EventField
from .uow import session_of

if TYPE_CHECKING:
    from ..services.ports import UnitOfWork

EVENT_FIELDS = cast(Table, EventField.__table__)
NAME_MAX = 200


def _index_rows(pk: int, found: Iterable[tuple[str, str | None, float | None]],
                organisation_id: int | None) -> list[dict[str, Any]]:
    return [{"event_pk": pk, "seq": seq, "name": name[:NAME_MAX], "text_value": text,
             "num_value": num, "organisation_id": organisation_id or 0}
            for seq, (name, text, num) in enumerate(found)]


def field_rows(events: Iterable[tuple[int, str, Mapping[str, str], int | None]]
               ) -> list[dict[str, Any]]:
    """The index rows of (event pk, body text, document prefixes, organisation id) tuples
    (migration 0008 and the query benchmark build them from stored bodies)."""
    return [row for pk, body, prefixes, org in events
            for row in _index_rows(pk, query_fields(orjson.loads(body), prefixes, canonicalise),
                                   org)]


Fields = list[tuple[str, str | None, float | None]]


_COLUMNS = ("event_pk", "seq", "name", "text_value", "num_value", "organisation_id")
_SQLITE_INSERT = (f"INSERT INTO event_fields ({', '.join(_COLUMNS)}) "
                  f"VALUES ({', '.join('?' for _ in _COLUMNS)})")


def index_events(uow: UnitOfWork, rows: list[dict[str, Any]], fields: list[Fields]) -> None:
    """Write the index rows of freshly inserted event rows (each with its id and
    organisation_id): ``fields`` holds ``capture.query_fields`` of each row's event, in order,
    worked out before the write transaction (CPU only, so that the lock is held for the
    inserts alone). Plain tuples through the driver's executemany: on the bulk capture path
    this runs for every one of the ~3 rows an event has."""
    out = [(r["id"], seq, name if len(name) <= NAME_MAX else name[:NAME_MAX], text, num,
            r["organisation_id"] or 0)
           for r, found in zip(rows, fields, strict=True)
           for seq, (name, text, num) in enumerate(found)]
    if not out:
        return
    conn = session_of(uow).connection()
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(_SQLITE_INSERT, out)
    else:
        conn.execute(EVENT_FIELDS.insert(), [dict(zip(_COLUMNS, row, strict=True))
                                             for row in out])
