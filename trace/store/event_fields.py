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


def index_events(uow: UnitOfWork, rows: list[dict[str, Any]]) -> None:
    """Write the index rows of freshly inserted event rows (each with id, body, context_id)."""
    from .capture_repo import bulk_insert

    ids = {r["context_id"] for r in rows}
    texts = dict(session_of(uow).execute(select(DocumentContext.id, DocumentContext.body)
                                         .where(DocumentContext.id.in_(ids))).all())
    prefixes = {cid: prefixes_of(text) for cid, text in texts.items()}
    fields = field_rows((r["id"], r["body"], prefixes[r["context_id"]], r["organisation_id"])
                        for r in rows)
    if fields:
        bulk_insert(uow, EVENT_FIELDS, fields)
