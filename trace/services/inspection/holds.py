"""Holds: an authority quarantines a lot (and so everything made from it) until it releases
it, each step a signed, anchored EPCIS event (``domain.inspection_events``) recorded in the
same transaction as the ``holds`` row; the release keeps the row. See docs/inspector/ACTIONS.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ...domain import policy
from ...domain.actor import Actor
from ...domain.errors import Conflict, NotFound, ValidationFailed
from ...domain.inspection_events import hold_event, reason_problems, release_event
from ...domain.recall_events import NOTICE_CONTEXT
from ...store import inspection_act_reads as stored
from ...store.base import utcnow
from ..epcis.notices import record_notice
from ..lots.recalls import _find_lot, _notice_lots, _signing_organisation
from ..ports import UnitOfWork

if TYPE_CHECKING:
    from ...sign.keyring import Keyring


@dataclass(frozen=True)
class HoldView:
    id: int
    gtin: str | None
    lot: str | None
    uri: str
    reason: str
    organisation: str | None
    since: datetime
    event_id: str | None
    released_at: datetime | None = None
    release_reason: str | None = None
    release_event_id: str | None = None
    lot_id: int | None = None

    @property
    def active(self) -> bool:
        return self.released_at is None

    def as_json(self) -> dict[str, Any]:
        def iso(v: datetime | None) -> str | None:
            return v.isoformat() if v else None
        return {"id": self.id, "gtin": self.gtin, "lot": self.lot, "uri": self.uri,
                "reason": self.reason, "organisation": self.organisation,
                "since": iso(self.since), "eventID": self.event_id, "active": self.active,
                "releasedAt": iso(self.released_at), "releaseReason": self.release_reason,
                "releaseEventID": self.release_event_id}


def _utc(v: datetime | None) -> datetime | None:
    return v.replace(tzinfo=UTC) if v is not None and v.tzinfo is None else v


def view(row: Any) -> HoldView:
    h = row.Hold
    return HoldView(h.id, row.gtin, row.code, row.uri, h.reason, row.name,
                    _utc(h.created_at) or h.created_at, h.hold_event_id, _utc(h.released_at),
                    h.release_reason, h.release_event_id, h.lot_id)


def _reason(reason: str | None, what: str) -> str:
    problems = reason_problems(reason)
    if problems:
        raise ValidationFailed(what, problems)
    return (reason or "").strip()


def hold_lot(gtin: str, lot: str, reason: str | None, actor: Actor, uow: UnitOfWork,
             keyring: Keyring | None = None) -> HoldView:
    """Put a lot on hold for the actor's authority: the row and its event (OBSERVE, holding,
    non_sellable_other, ``tc:hold``) naming the lot and every lot made from it.

    :raises Forbidden: not an inspector or admin, or one of no organisation;
    :raises ValidationFailed: no reason (3 to 1000 characters), a bad GTIN; NotFound: no lot;
    :raises Conflict: the lot is already on hold; the authority keeps its own key.
    """
    policy.require_inspect(actor, "put a lot on hold")
    text = _reason(reason, "say why the lot is put on hold")
    with uow.writing() as w:
        found = _find_lot(w, gtin, lot, lock=True)
        if stored.active_hold(w, found.id) is not None:
            raise Conflict(f"lot {found.code} is already on hold; release that hold first")
        _signing_organisation(w, actor, "hold")
        now = utcnow()
        hold = stored.add_hold(w, lot_id=found.id, organisation_id=actor.organisation_id,
                               recorded_by=actor.user_id, reason=text, created_at=now)
        event = hold_event(hold.id, now, _notice_lots(w, found), text)
        recorded = record_notice(w, event, NOTICE_CONTEXT, actor, keyring, now)
        hold.hold_event_id = recorded.event_id
        stored.flush(w)
        (row,) = stored.holds_by_id(w, [hold.id])
        out = view(row)
        w.commit()
        return out


def release_hold(gtin: str, lot: str, reason: str | None, actor: Actor, uow: UnitOfWork,
                 keyring: Keyring | None = None) -> HoldView:
    """Release the lot's active hold (the row stays, with who released it, when and why), with
    its event (OBSERVE, holding, conformant, ``tc:release``).

    :raises Forbidden: not an inspector or admin (a member never releases an authority's hold);
    :raises ValidationFailed: no reason; NotFound: no such lot, or it is not on hold.
    """
    policy.require_release_hold(actor)
    text = _reason(reason, "say why the hold is released")
    with uow.writing() as w:
        found = _find_lot(w, gtin, lot, lock=True)
        hold = stored.active_hold(w, found.id)
        if hold is None:
            raise NotFound(f"lot {found.code} is not on hold")
        _signing_organisation(w, actor, "release")
        now = utcnow()
        event = release_event(hold.id, now, _notice_lots(w, found), text)
        recorded = record_notice(w, event, NOTICE_CONTEXT, actor, keyring, now)
        hold.released_at, hold.released_by = now, actor.user_id
        hold.release_reason, hold.release_event_id = text, recorded.event_id
        stored.flush(w)
        (row,) = stored.holds_by_id(w, [hold.id])
        out = view(row)
        w.commit()
        return out


def holds_of_lots(uow: UnitOfWork, lot_ids: set[int]) -> list[HoldView]:
    """Every hold of these lots, released ones included (inside the caller's ``with uow``)."""
    return [view(r) for r in stored.hold_rows(uow, lot_ids)]


def lot_holds(gtin: str, lot: str, actor: Actor, uow: UnitOfWork) -> list[HoldView]:
    """The lot's holds, oldest first, released ones included.

    :raises Forbidden: not an inspector or admin; NotFound: no such lot."""
    policy.require_inspect(actor, "list a lot's holds")
    with uow:
        found = _find_lot(uow, gtin, lot)
        return holds_of_lots(uow, {found.id})
