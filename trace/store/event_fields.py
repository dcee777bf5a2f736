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


def index_events(uow: UnitOfWork, rows: list[dict[str, Any]], fields: list[Fields]) -> None:
    """Write the index rows of freshly inserted event rows (each with its id and
    organisation_id): ``fields`` holds ``capture.query_fields`` of each row's event, in order,
    worked out before the write transaction (CPU only, so that the lock is held for the
    inserts alone)."""
    from .capture_repo import bulk_insert

    out = [row for r, found in zip(rows, fields, strict=True)
           for row in _index_rows(r["id"], found, r["organisation_id"])]
    if out:
        bulk_insert(uow, EVENT_FIELDS, out)
