"""The reads verification needs: events with their context, organisation and batch; lineages."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson
from sqlalchemy import select

from ...domain.errors import NotFound, Problem, ValidationFailed
from ...gs1.keys import LotKey
from ...store.accounts import Organisation
from ...store.anchoring import AnchorBatch
from ...store.events import DocumentContext, Event, EventObject
from ...store.lots import Lot
from ...store.transition import as_session
from ..lots.lineage import lot_key, walk

DIRECTIONS = ("back", "forward", "both")
_CHUNK = 500
_CAPTURE_GROUP_LIMIT = 2_000  # re-hash among the events captured with it only up to this many


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

    def event(self):
        """The event as captured (None when the stored text is not JSON any more)."""
        try:
            return orjson.loads(self.body)
        except orjson.JSONDecodeError:
            return None

    def context_json(self):
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
            AnchorBatch.chain_id, AnchorBatch.contract)


def _select():
    return (select(*_COLUMNS)
            .join(DocumentContext, DocumentContext.id == Event.context_id)
            .outerjoin(Organisation, Organisation.id == Event.organisation_id)
            .outerjoin(AnchorBatch, AnchorBatch.id == Event.batch_id))


def record_by_event_id(session, event_id: str) -> Record:
    """:raises NotFound: no such event."""
    row = session.execute(_select().where(Event.event_id == event_id)).first()
    if row is None:
        raise NotFound(f"no event with eventID {event_id}")
    return Record(**row._mapping)


def records(session, event_pks: Iterable[int]) -> list[Record]:
    """The events, in the order they happened (event time, then capture order)."""
    pks = list(event_pks)
    out: list[Record] = []
    for start in range(0, len(pks), _CHUNK):
        rows = session.execute(_select().where(Event.id.in_(pks[start:start + _CHUNK])))
        out.extend(Record(**r._mapping) for r in rows)
    return sorted(out, key=lambda r: (_utc(r.event_time), r.id))


def find_lot(session, gtin: str, lot: str) -> tuple[LotKey, int]:
    """The lot's key and row id. :raises ValidationFailed: a bad GTIN; NotFound: no such lot."""
    key = lot_key(gtin, lot)
    lot_id = session.scalar(select(Lot.id).where(Lot.uri == key.uri))
    if lot_id is None:
        raise NotFound(f"no lot {key.lot} of GTIN {key.gtin}")
    return key, lot_id


def check_direction(direction: str) -> None:
    if direction not in DIRECTIONS:
        raise ValidationFailed("direction must be back, forward or both", [
            Problem("$.query.direction", "must be 'back', 'forward' or 'both'")])


def lineage_lots(session, lot_id: int, direction: str) -> set[int]:
    """Ids of the lots of ``lot_id``'s lineage: where it came from (back), where it went
    (forward), or both."""
    session = as_session(session)  # store-coop bridge (store/transition.py)
    check_direction(direction)
    ways = ("back", "forward") if direction == "both" else (direction,)
    return {i for way in ways for i in walk(session, lot_id, way)}


def lineage_events(session, lot_ids: Iterable[int]) -> list[int]:
    """Ids of every event that names one of the lots."""
    ids = list(lot_ids)
    uris: list[str] = []
    for start in range(0, len(ids), _CHUNK):
        uris.extend(session.scalars(select(Lot.uri).where(Lot.id.in_(ids[start:start + _CHUNK]))))
    found: set[int] = set()
    for start in range(0, len(uris), _CHUNK):
        found.update(session.scalars(select(EventObject.event_pk).distinct()
                                     .where(EventObject.uri.in_(uris[start:start + _CHUNK]))))
    return sorted(found)


def organisations_in(session, lot_ids: set[int], event_pks: Iterable[int]) -> set[int]:
    """The organisations that hold a lot of a lineage or recorded one of its events."""
    ids = list(lot_ids)
    pks = list(event_pks)
    orgs: set[int] = set()
    for start in range(0, len(ids), _CHUNK):
        orgs.update(session.scalars(select(Lot.owner_id)
                                    .where(Lot.id.in_(ids[start:start + _CHUNK]))))
    for start in range(0, len(pks), _CHUNK):
        orgs.update(session.scalars(select(Event.organisation_id)
                                    .where(Event.id.in_(pks[start:start + _CHUNK]))))
    orgs.discard(None)
    return orgs


def lots_named_by(session, event_pk: int) -> list[int]:
    uris = list(session.scalars(select(EventObject.uri).where(EventObject.event_pk == event_pk)))
    return list(session.scalars(select(Lot.id).where(Lot.uri.in_(uris)))) if uris else []


def captured_with(session, rec: Record) -> list[dict] | None:
    """The events stored from the same capture document as ``rec``, in document order."""
    return captured_with_id(session, rec.capture_id, rec.context_id)


def captured_with_id(session, capture_id: str, context_id: int) -> list[dict] | None:
    """The events stored from one capture document (and context), in document order."""
    bodies = session.scalars(select(Event.body).where(Event.capture_id == capture_id,
                                                      Event.context_id == context_id)
                             .order_by(Event.id).limit(_CAPTURE_GROUP_LIMIT + 1)).all()
    if len(bodies) > _CAPTURE_GROUP_LIMIT:
        return None
    try:
        return [orjson.loads(b) for b in bodies]
    except orjson.JSONDecodeError:
        return None


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def utc_iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return _utc(value).astimezone(UTC).isoformat(timespec="seconds").replace(
        "+00:00", "Z")
