"""The reads verification needs: events with their context, organisation and batch (``Record``),
the events naming lots, the lots of a lineage and who takes part in it.

``Record`` is a frozen dataclass built from one row of one query (``records_by_pk``); the other
results are ids, identifiers and texts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import Select, select

from .accounts import Organisation
from .anchoring import AnchorBatch
from .events import DocumentContext, Event, EventObject
from .lots import Lot
from .uow import session_of

if TYPE_CHECKING:
    from ..services.ports import UnitOfWork

_CHUNK = 500


@dataclass(frozen=True)
class Record:
    """One stored event with everything verification reads about it (one query for many)."""

    id: int
    event_id: str
    event_hash: str
    prehash: str | None
    body: str
    context: str
    context_id: int
    capture_id: str
    event_time: datetime
    signature: str | None
    signer: str | None
    organisation_id: int | None
    gln: str | None
    organisation_name: str | None
    signing_address: str | None
    batch_id: int | None
    leaf_index: int | None
    batch_found: bool
    root: str | None
    leaf_count: int | None
    batch_status: str | None
    tx_hash: str | None
    block_number: int | None
    block_time: datetime | None
    chain_id: int | None
    contract: str | None
    # An error declaration's row: set, and the row id of the event it declares (migration 0009).
    declaration: bool = False
    declares_pk: int | None = None
    notice: bool = False  # a public notice (a recall, its lift: migration 0013)

    def event(self) -> Any:
        """The event as captured (None when the stored text is not JSON any more)."""
        try:
            return orjson.loads(self.body)
        except orjson.JSONDecodeError:
            return None

    def context_json(self) -> Any:
        try:
            return orjson.loads(self.context)
        except orjson.JSONDecodeError:
            return []


_COLUMNS = (Event.id, Event.event_id, Event.event_hash, Event.prehash, Event.body,
            DocumentContext.body.label("context"), Event.context_id, Event.capture_id,
            Event.event_time, Event.signature, Event.signer, Event.organisation_id,
            Organisation.gln, Organisation.name.label("organisation_name"),
            Organisation.signing_address, Event.batch_id, Event.leaf_index,
            AnchorBatch.id.is_not(None).label("batch_found"), AnchorBatch.root,
            AnchorBatch.leaf_count, AnchorBatch.status.label("batch_status"),
            AnchorBatch.tx_hash, AnchorBatch.block_number, AnchorBatch.block_time,
            AnchorBatch.chain_id, AnchorBatch.contract, Event.declaration, Event.declares_pk,
            Event.notice)


_FIELDS = tuple(f.name for f in fields(Record))
if len(_FIELDS) != len(_COLUMNS):
    raise RuntimeError("Record's fields and the columns read for it differ")


def records_of(rows: Iterable[Sequence[Any]]) -> list[Record]:
    """Records from rows of ``_select`` (columns in Record's order), built without the frozen
    dataclass's ``__init__`` — one ``object.__setattr__`` per field, 3 times the cost of
    filling the instance's dict at once (4.1 against 1.3 µs a row): a bulk page is thousands."""
    new = object.__new__
    out = []
    for row in rows:
        rec = new(Record)
        rec.__dict__.update(zip(_FIELDS, row, strict=True))
        out.append(rec)
    return out


def _select() -> Select[*tuple[Any, ...]]:
    return (select(*_COLUMNS)
            .join(DocumentContext, DocumentContext.id == Event.context_id)
            .outerjoin(Organisation, Organisation.id == Event.organisation_id)
            .outerjoin(AnchorBatch, AnchorBatch.id == Event.batch_id))


def record_by_event_id(uow: UnitOfWork, event_id: str, *,
                       declaration: bool = False) -> Record | None:
    """The event with this eventID, or (``declaration``) its error declaration, which shares
    the eventID. Without ``declaration``, an eventID recorded only as a declaration (of an
    event recorded elsewhere) still answers with that declaration."""
    query = _select().where(Event.event_id == event_id)
    if declaration:
        query = query.where(Event.declaration.is_(True))
    row = session_of(uow).execute(query.order_by(Event.declaration, Event.id)).first()
    return None if row is None else Record(**row._mapping)


def records_by_pk(uow: UnitOfWork, event_pks: list[int]) -> list[Record]:
    """The records of these events (row ids; at most a chunk of 500), in no particular order."""
    rows = session_of(uow).execute(_select().where(Event.id.in_(event_pks)))
    return [Record(**r._mapping) for r in rows]


def events_naming(uow: UnitOfWork, uris: list[str]) -> list[tuple[str, int]]:
    """(uri, event row id) for each event an index row says names one of ``uris`` (at most a
    chunk of 500)."""
    return list(session_of(uow).execute(select(EventObject.uri, EventObject.event_pk).distinct()
                                        .where(EventObject.uri.in_(uris))))


def lot_id_by_uri(uow: UnitOfWork, uri: str) -> int | None:
    return session_of(uow).scalar(select(Lot.id).where(Lot.uri == uri))


# One recursive query per direction over ``lot_links`` (the same as ``services.lots.lineage``).
# UNION (not UNION ALL) keeps each lot once, so a lot that is both input and output of a step
# cannot loop forever.
def events_naming_lots(uow: UnitOfWork, lot_ids: Iterable[int]) -> list[int]:
    """Ids of every event an index row says names one of the lots, in id order."""
    session = session_of(uow)
    ids = list(lot_ids)
    uris: list[str] = []
    for start in range(0, len(ids), _CHUNK):
        uris.extend(session.scalars(select(Lot.uri).where(Lot.id.in_(ids[start:start + _CHUNK]))))
    found: set[int] = set()
    for start in range(0, len(uris), _CHUNK):
        found.update(session.scalars(select(EventObject.event_pk).distinct()
                                     .where(EventObject.uri.in_(uris[start:start + _CHUNK]))))
    return sorted(found)


def organisations_in(uow: UnitOfWork, lot_ids: set[int],
                     event_pks: Iterable[int]) -> set[int | None]:
    """The organisations that hold one of the lots or recorded one of the events."""
    session = session_of(uow)
    ids = list(lot_ids)
    pks = list(event_pks)
    orgs: set[int | None] = set()
    for start in range(0, len(ids), _CHUNK):
        orgs.update(session.scalars(select(Lot.owner_id)
                                    .where(Lot.id.in_(ids[start:start + _CHUNK]))))
    for start in range(0, len(pks), _CHUNK):
        orgs.update(session.scalars(select(Event.organisation_id)
                                    .where(Event.id.in_(pks[start:start + _CHUNK]))))
    orgs.discard(None)
    return orgs


def lots_named_by(uow: UnitOfWork, event_pk: int) -> list[int]:
    """Ids of the lots an event's index rows name."""
    session = session_of(uow)
    uris = list(session.scalars(select(EventObject.uri).where(EventObject.event_pk == event_pk)))
    return list(session.scalars(select(Lot.id).where(Lot.uri.in_(uris)))) if uris else []


def capture_bodies(uow: UnitOfWork, capture_id: str, context_id: int, limit: int) -> list[str]:
    """The bodies of up to ``limit`` events stored from one capture document (and context), in
    document order."""
    return list(session_of(uow).scalars(select(Event.body).where(Event.capture_id == capture_id,
                                                                 Event.context_id == context_id)
                                        .order_by(Event.id).limit(limit)).all())
