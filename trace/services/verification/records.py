"""The reads verification needs: events with their context, organisation and batch; lineages."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import orjson

from ...domain.errors import NotFound, Problem, ValidationFailed
from ...gs1.keys import LotKey
from ...store import verification_reads as reads
from ...store.lineage import reachable_lot_ids
from ...store.verification_reads import Record
from ..lots.lineage import lot_key
from ..ports import UnitOfWork

__all__ = ["DIRECTIONS", "Record", "captured_with", "captured_with_id", "check_direction",
           "find_lot", "lineage_events", "lineage_lots", "lots_named_by", "organisations_in",
           "record_by_event_id", "records", "utc_iso"]

DIRECTIONS = ("back", "forward", "both")
_CHUNK = 500
_CAPTURE_GROUP_LIMIT = 2_000  # re-hash among the events captured with it only up to this many


def record_by_event_id(uow: UnitOfWork, event_id: str, *, declaration: bool = False) -> Record:
    """The event, or (``declaration``) its error declaration. :raises NotFound: none."""
    rec = reads.record_by_event_id(uow, event_id, declaration=declaration)
    if rec is None:
        raise NotFound(f"no error declaration of eventID {event_id}" if declaration
                       else f"no event with eventID {event_id}")
    return rec


def records(uow: UnitOfWork, event_pks: Iterable[int]) -> list[Record]:
    """The events, in the order they happened (event time, then capture order)."""
    pks = list(event_pks)
    out: list[Record] = []
    for start in range(0, len(pks), _CHUNK):
        out.extend(reads.records_by_pk(uow, pks[start:start + _CHUNK]))
    return sorted(out, key=lambda r: (_utc(r.event_time), r.id))


def find_lot(uow: UnitOfWork, gtin: str, lot: str) -> tuple[LotKey, int]:
    """The lot's key and row id. :raises ValidationFailed: a bad GTIN; NotFound: no such lot."""
    key = lot_key(gtin, lot)
    lot_id = reads.lot_id_by_uri(uow, key.uri)
    if lot_id is None:
        raise NotFound(f"no lot {key.lot} of GTIN {key.gtin}")
    return key, lot_id


def check_direction(direction: str) -> None:
    if direction not in DIRECTIONS:
        raise ValidationFailed("direction must be back, forward or both", [
            Problem("$.query.direction", "must be 'back', 'forward' or 'both'")])


def lineage_lots(uow: UnitOfWork, lot_id: int, direction: str) -> set[int]:
    """Ids of the lots of ``lot_id``'s lineage: where it came from (back), where it went
    (forward), or both."""
    check_direction(direction)
    ways = ("back", "forward") if direction == "both" else (direction,)
    return {i for way in ways for i in reachable_lot_ids(uow, lot_id, way)}


def lineage_events(uow: UnitOfWork, lot_ids: Iterable[int]) -> list[int]:
    """Ids of every event that names one of the lots."""
    return reads.events_naming_lots(uow, lot_ids)


def organisations_in(uow: UnitOfWork, lot_ids: set[int],
                     event_pks: Iterable[int]) -> set[int | None]:
    """The organisations that hold a lot of a lineage or recorded one of its events (ids; the
    set's type allows None, as the access policy takes it, but None is never in it)."""
    return reads.organisations_in(uow, lot_ids, event_pks)


def lots_named_by(uow: UnitOfWork, event_pk: int) -> list[int]:
    return reads.lots_named_by(uow, event_pk)


def captured_with(uow: UnitOfWork, rec: Record) -> list[dict[str, Any]] | None:
    """The events stored from the same capture document as ``rec``, in document order."""
    return captured_with_id(uow, rec.capture_id, rec.context_id)


def captured_with_id(uow: UnitOfWork, capture_id: str,
                     context_id: int) -> list[dict[str, Any]] | None:
    """The events stored from one capture document (and context), in document order."""
    bodies = reads.capture_bodies(uow, capture_id, context_id, _CAPTURE_GROUP_LIMIT + 1)
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
