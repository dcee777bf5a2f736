"""The query index of events (``EventField`` rows): written with the events at capture, and
rebuilt from stored bodies (migration 0008). What the rows hold: ``capture.query_fields``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, cast

import orjson
from sqlalchemy import Table, select

from ..capture.document import inline_context
from ..capture.query_fields import query_fields
from ..gs1.canonical import canonicalise
from .events import DocumentContext, EventField
from .uow import session_of

if TYPE_CHECKING:
    from ..services.ports import UnitOfWork

EVENT_FIELDS = cast(Table, EventField.__table__)
NAME_MAX = 200


def prefixes_of(context_text: str) -> dict[str, str]:
    """The inline prefix bindings of a stored ``@context`` text."""
    return inline_context({"@context": orjson.loads(context_text)})


def field_rows(events: Iterable[tuple[int, str, Mapping[str, str], int | None]]
               ) -> list[dict[str, Any]]:
    """The index rows of (event pk, body text, document prefixes, organisation id) tuples."""
    out: list[dict[str, Any]] = []
    for pk, body, prefixes, org in events:
        for seq, (name, text, num) in enumerate(query_fields(orjson.loads(body), prefixes,
                                                              canonicalise)):
            out.append({"event_pk": pk, "seq": seq, "name": name[:NAME_MAX],
                        "text_value": text, "num_value": num, "organisation_id": org or 0})
    return out


Fields = list[tuple[str, str | None, float | None]]


def index_events(uow: UnitOfWork, rows: list[dict[str, Any]],
                 fields: list[Fields] | None = None) -> None:
    """Write the index rows of freshly inserted event rows (each with id, body, context_id).

    ``fields``: ``capture.query_fields`` of each row's event, in order, worked out before the
    write transaction (CPU only, so that the lock is held for the inserts alone); without it
    they are read from the stored bodies (as migration 0008 does)."""
    from .capture_repo import bulk_insert

    if fields is not None:
        out = [{"event_pk": r["id"], "seq": seq, "name": name[:NAME_MAX], "text_value": text,
                "num_value": num, "organisation_id": r["organisation_id"] or 0}
               for r, found in zip(rows, fields, strict=True)
               for seq, (name, text, num) in enumerate(found)]
        if out:
            bulk_insert(uow, EVENT_FIELDS, out)
        return
    ids = {r["context_id"] for r in rows}
    texts = dict(session_of(uow).execute(select(DocumentContext.id, DocumentContext.body)
                                         .where(DocumentContext.id.in_(ids))).all())
    prefixes = {cid: prefixes_of(text) for cid, text in texts.items()}
    read = field_rows((r["id"], r["body"], prefixes[r["context_id"]], r["organisation_id"])
                      for r in rows)
    if read:
        bulk_insert(uow, EVENT_FIELDS, read)
