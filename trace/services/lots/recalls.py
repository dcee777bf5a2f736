"""Recalls: a lot called back, and with it everything made from it.

A recall names one lot. It reaches every lot whose *back* lineage contains that lot: recall a
harvest and the dried and graded lots made from it are recalled too; recall a graded lot and the
harvests it came from are not (other lots made from them may be fine). Lifting a recall keeps the
row, so the history of a lot shows every recall it ever had.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast, overload

from ...domain import policy
from ...domain.actor import AUTHORITIES, Actor
from ...domain.errors import Conflict, Forbidden, NotFound, Problem, ValidationFailed
from ...domain.recall_events import (
    NOTICE_CONTEXT,
    NoticeLot,
    lift_event,
    prefix_length,
    recall_event,
)
from ...domain.recall_notice import DEFAULT_CLASS, notice_problems
from ...gs1.canonical import canonicalise
from ...gs1.keys import LotKey
from ...store import recall_records as stored
from ...store.base import utcnow
from ...store.lots import Lot
from ...store.public_records import Recall
from ..cooperative.catalogue import gtin_or_problem
from ..cooperative.gtin_ownership import company_prefixes
from ..epcis.notices import record_notice, require_custodial_key
from ..ports import UnitOfWork
from ..verification.records import lineage_lots
from .stock import lot_facts

if TYPE_CHECKING:
    from ...sign.keyring import Keyring

REASON_MIN, REASON_MAX = 3, 1000
NO_ORGANISATION = ("an authority's recall is signed by its organisation; this account belongs "
                   "to none (an admin must add it to its authority's organisation)")
_CHUNK = 500  # lot ids per IN (...): well under every database's parameter limit


@dataclass(frozen=True)
class RecallView:
    """One recall and the lot it names (which may be upstream of the lot asked about)."""

    id: int
    lot_id: int
    uri: str
    gtin: str | None
    lot: str | None
    reason: str
    organisation_id: int | None
    organisation_name: str | None
    created_at: datetime
    recorded_by: int | None = None
    lifted_at: datetime | None = None
    lifted_by: int | None = None
    notice: dict | None = None  # class, who ordered it, reasons, actions, contact

    @property
    def active(self) -> bool:
        return self.lifted_at is None


@dataclass(frozen=True)
class LotRecalls:
    """What GET .../recalls answers: the lot's own recalls, newest first, lifted ones included,
    and the active recalls of the lots it was made from."""

    uri: str
    gtin: str
    lot: str
    recalls: list[RecallView]
    inherited: list[RecallView]

    @property
    def recalled(self) -> bool:
        return bool(self.inherited) or any(r.active for r in self.recalls)


@overload
def _utc(value: datetime) -> datetime: ...


@overload
def _utc(value: datetime | None) -> datetime | None: ...


def _utc(value: datetime | None) -> datetime | None:
    # SQLite hands timezone-aware columns back naive; they were stored in UTC.
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _view(row: Any) -> RecallView:
    r = row.Recall
    return RecallView(r.id, r.lot_id, row.uri, row.gtin, row.code, r.reason, r.organisation_id,
                      row.name, _utc(r.created_at), r.recorded_by, _utc(r.lifted_at),
                      r.lifted_by, _notice(r, row.name))


def _notice(r: Recall, organisation_name: str | None) -> dict[str, Any]:
    """What the consumer page shows of a recall beside its reason (domain.recall_notice)."""
    return {"recallClass": r.recall_class or DEFAULT_CLASS,
            "orderedBy": r.ordered_by or organisation_name,
            "byAuthority": bool(r.by_authority),
            "reasons": {"vi": r.reason_vi, "en": r.reason_en},
            "actions": {"vi": r.action_vi, "en": r.action_en}, "contact": r.contact}


def recall_notices(uow: UnitOfWork, recall_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The notice of each of these recalls, by id."""
    ids = sorted(set(recall_ids))
    if not ids:
        return {}
    return {r.id: _notice(r, name) for r, name in stored.recalls_with_recorder(uow, ids)}


def _newest_first(views: Iterable[RecallView]) -> list[RecallView]:
    return sorted(views, key=lambda v: (v.created_at, v.id), reverse=True)


def recalls_affecting(uow: UnitOfWork, lot_ids: Iterable[int]) -> list[RecallView]:
    """The active recalls of any of ``lot_ids``, newest first: one query per 500 lots.

    Pass a lot's back lineage (``lineage_lots(uow, lot_id, "back")``) to learn whether the
    lot is recalled, directly or through what it was made from.
    """
    ids = sorted(set(lot_ids))
    found: list[RecallView] = []
    for start in range(0, len(ids), _CHUNK):
        rows = stored.active_recall_rows(uow, ids[start:start + _CHUNK])
        found.extend(_view(r) for r in rows)
    return _newest_first(found)


def _find_lot(uow: UnitOfWork, gtin: str, lot: str, *, lock: bool = False) -> Lot:
    key = LotKey(gtin_or_problem(gtin, "$.path.gtin"), lot)
    # lock: PostgreSQL: two recalls of one lot queue here (SQLite's write lock already did)
    found = stored.lot_by_uri(uow, canonicalise(key.uri), lock=lock)
    if found is None:
        raise NotFound(f"no lot {lot} of GTIN {key.gtin}")
    return found


def _ordered_by_authority(uow: UnitOfWork, recall: Recall) -> bool:
    """Whether an inspector or admin recorded the recall: the producer may not undo it."""
    role = stored.user_role(uow, recall.recorded_by)
    return role in AUTHORITIES


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not REASON_MIN <= len(text) <= REASON_MAX:
        raise ValidationFailed("say why the lot is recalled", [
            Problem("$.reason", f"must be {REASON_MIN} to {REASON_MAX} characters")])
    return text


def _reload(uow: UnitOfWork, recall_id: int) -> RecallView:
    return _view(stored.recall_row(uow, recall_id))


def _notice_columns(notice: dict[str, Any], actor: Actor) -> dict[str, Any]:
    problems = notice_problems(notice)
    if problems:
        raise ValidationFailed(f"{problems[0].path}: {problems[0].message}", problems)

    def text(name: str) -> str | None:
        return (notice.get(name) or "").strip() or None

    return {"recall_class": notice.get("recallClass") or DEFAULT_CLASS,
            "ordered_by": text("orderedBy"), "by_authority": actor.reads_everything,
            "reason_vi": text("reasonVi"), "reason_en": text("reasonEn"),
            "action_vi": text("actionVi"), "action_en": text("actionEn"),
            "contact": text("contact")}


def _signing_organisation(w: UnitOfWork, actor: Actor, what: str) -> None:
    """The recall's event is sealed with the actor's organisation's custodial key.

    :raises Forbidden: the actor belongs to no organisation;
    :raises Conflict: the organisation keeps its own key (the server cannot sign for it).
    """
    if actor.organisation_id is None:
        raise Forbidden(NO_ORGANISATION)
    name = stored.organisation_name(w, actor.organisation_id) or "your organisation"
    require_custodial_key(w, actor.organisation_id, name, what)


def _notice_lots(w: UnitOfWork, found: Lot) -> list[NoticeLot]:
    """The recalled lot, then every lot made from it (forward lineage; what
    ``recalls_affecting`` finds recalled through it), as the notice event names them."""
    reached = lineage_lots(w, found.id, "forward") - {found.id}
    rows = [found, *stored.lots_by_id(w, sorted(reached))]
    prefixes = list(company_prefixes(w))
    return [NoticeLot(r.gtin, r.code, prefix_length(r.gtin, prefixes))
            for r in rows if r.kind == "lot" and r.gtin and r.code]


def recall_lot(gtin: str, lot: str, reason: str, actor: Actor, uow: UnitOfWork,
               notice: dict[str, Any] | None = None, keyring: Keyring | None = None
               ) -> RecallView:
    """Recall a lot (and so everything made from it). ``notice``: what the consumer page says
    (recallClass, orderedBy, reasonVi/En, actionVi/En, contact; domain.recall_notice).

    The recall is also recorded, in the same transaction, as an EPCIS ObjectEvent (OBSERVE,
    holding, recalled: ``domain.recall_events``) naming the lot and every lot made from it,
    sealed with the actor's organisation's custodial key (``keyring``) and readable by every
    signed-in actor: subscribers' webhooks receive it like any event.

    :raises ValidationFailed: a bad GTIN, reason or notice; NotFound: no such lot;
    :raises Forbidden: not the holder, the maker, an inspector or an admin; or an inspector
        of no organisation (nothing could sign the event);
    :raises Conflict: the lot already has an active recall; or the organisation keeps its own
        key (the server cannot sign for it).
    """
    text = _reason(reason)
    columns = _notice_columns(notice or {}, actor)
    with uow.writing() as w:
        found = _find_lot(w, gtin, lot, lock=True)
        policy.require_recall(actor, lot_facts(w, actor, found, producer=True),
                              cast(str, found.code))
        if stored.active_recall_id(w, found.id) is not None:
            raise Conflict(f"lot {found.code} is already recalled; lift that recall first")
        _signing_organisation(w, actor, "recall")
        now = utcnow()
        recall_id = stored.add_recall(
            w, lot_id=found.id, reason=text, organisation_id=actor.organisation_id,
            recorded_by=actor.user_id, created_at=now, **columns)
        view = _reload(w, recall_id)
        event = recall_event(recall_id, now, _notice_lots(w, found), view.notice or {}, text)
        record_notice(w, event, NOTICE_CONTEXT, actor, keyring, now)
        w.commit()
        return view


def _lift_reason(reason: str | None) -> str:
    """Why the recall is lifted: required (issue #12), 3 to 1000 characters."""
    text = (reason or "").strip()
    if not REASON_MIN <= len(text) <= REASON_MAX:
        raise ValidationFailed("say why the recall is lifted", [
            Problem("$.reason", f"must be {REASON_MIN} to {REASON_MAX} characters")])
    return text


def lift_recall(gtin: str, lot: str, actor: Actor, uow: UnitOfWork, reason: str | None = None,
                keyring: Keyring | None = None) -> RecallView:
    """Lift the lot's active recall; the row stays, with who lifted it and when. The lift is
    recorded as an EPCIS event too (OBSERVE, holding, conformant; ``tc:lift`` names the
    recall and the ``reason``, required), signed like the recall's.

    :raises NotFound: no such lot, or it has no active recall; Forbidden: as for recall_lot;
    :raises ValidationFailed: no reason, or one outside 3..1000 characters; Conflict: as for
        recall_lot.
    """
    text = _lift_reason(reason)
    with uow.writing() as w:
        found = _find_lot(w, gtin, lot, lock=True)
        facts = lot_facts(w, actor, found, producer=True)
        # Refused before saying whether the lot has an active recall at all.
        policy.require_recall(actor, facts, cast(str, found.code), "lift a recall of")
        recall = stored.active_recall(w, found.id)
        if recall is None:
            raise NotFound(f"lot {found.code} has no active recall")
        policy.require_lift_recall(actor, facts, cast(str, found.code),
                                   _ordered_by_authority(w, recall))
        _signing_organisation(w, actor, "lift")
        now = utcnow()
        recall.lifted_at = now
        recall.lifted_by = actor.user_id
        stored.flush(w)
        event = lift_event(recall.id, now, _notice_lots(w, found), text)
        record_notice(w, event, NOTICE_CONTEXT, actor, keyring, now)
        view = _reload(w, recall.id)
        w.commit()
        return view


def lot_recalls(gtin: str, lot: str, actor: Actor, uow: UnitOfWork) -> LotRecalls:
    """The lot's own recalls (history) and the active recalls reaching it through its lineage.

    :raises Forbidden: the caller may not read the lot (see services/stock.get_lot).
    """
    with uow:
        found = _find_lot(uow, gtin, lot)
        policy.require_read_lot(actor, lot_facts(uow, actor, found))
        own = _newest_first(_view(r) for r in stored.recall_rows_of_lot(uow, found.id))
        upstream = lineage_lots(uow, found.id, "back") - {found.id}
        return LotRecalls(found.uri, found.gtin or "", found.code or "", own,
                          recalls_affecting(uow, upstream))
