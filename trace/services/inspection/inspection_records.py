"""Inspection records: an inspector records an inspection, a sample taken or a result (with the
lab's report attached) of one lot, for their authority: an EPCIS ObjectEvent OBSERVE
(``domain.inspection_events``), sealed with the authority's custodial key and anchored.

They are recorded as notices (``notices.record_notice``): every signed-in actor reads them,
the lot's holder and every partner downstream included, and subscriptions deliver them to a
partner's query on its own lot (docs/inspector/ACTIONS.md says why they are not private).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import orjson

from ...domain import policy
from ...domain.actor import Actor
from ...domain.errors import Problem, ValidationFailed
from ...domain.evidence import EvidenceRef, references
from ...domain.inspection_events import (
    INSPECTION_MEMBER,
    InspectionFacts,
    inspection_event,
    inspection_problems,
)
from ...domain.local_time import parse_moment
from ...domain.recall_events import NOTICE_CONTEXT, NoticeLot, prefix_length
from ...store import evidence_records
from ...store import inspection_act_reads as act_reads
from ...store.base import utcnow
from ..cooperative.gtin_ownership import company_prefixes
from ..epcis.notices import record_notice
from ..lots.recalls import _find_lot, _signing_organisation
from ..ports import UnitOfWork

if TYPE_CHECKING:
    from ...sign.keyring import Keyring


@dataclass(frozen=True)
class InspectionRecorded:
    event_id: str
    event_hash: str
    kind: str


def record_inspection(gtin: str, lot: str, facts: InspectionFacts, actor: Actor,
                      uow: UnitOfWork, keyring: Keyring | None = None,
                      report_sha256: str | None = None) -> InspectionRecorded:
    """Record an inspection, a sample or a result of a lot for the actor's authority.
    ``report_sha256``: a file the authority uploaded (``services.evidence.files``), attached
    as ``tc:evidence`` (kind lab-result).

    :raises Forbidden: not an inspector or admin, or of no organisation;
    :raises ValidationFailed: bad facts, or a report the authority did not upload;
    :raises NotFound: no such lot; Conflict: the authority keeps its own key.
    """
    policy.require_inspect(actor)
    problems = inspection_problems(facts)
    if problems:
        raise ValidationFailed(problems[0].message if len(problems) == 1
                               else "invalid inspection record", problems)
    with uow.writing() as w:
        found = _find_lot(w, gtin, lot)
        _signing_organisation(w, actor, "inspection record")
        evidence = []
        if report_sha256:
            row = evidence_records.file_of(w, actor.organisation_id or 0, report_sha256)
            if row is None:
                raise ValidationFailed("this report was not uploaded by your organisation", [
                    Problem("$.report", "this report was not uploaded by your organisation")])
            evidence.append(EvidenceRef(row.sha256, row.media_type, row.size,
                                        row.original_name, "lab-result").member())
        now = utcnow()
        notice_lot = NoticeLot(found.gtin or "", found.code or "",
                               prefix_length(found.gtin or "", list(company_prefixes(w))))
        event = inspection_event(facts, now, notice_lot, evidence)
        recorded = record_notice(w, event, NOTICE_CONTEXT, actor, keyring, now)
        w.commit()
        return InspectionRecorded(recorded.event_id, recorded.event_hash, facts.kind)


@dataclass(frozen=True)
class InspectionView:
    event_id: str
    kind: str
    time: datetime | None
    authority: str | None
    note: str | None
    sample_id: str | None
    result: str | None
    reports: list[str]  # names of the attached files


def lot_inspections(gtin: str, lot: str, actor: Actor, uow: UnitOfWork
                    ) -> list[InspectionView]:
    """The lot's inspection records (its signed notices), newest first.

    :raises Forbidden: not an inspector or admin; NotFound: no such lot."""
    policy.require_inspect(actor, "list a lot's inspection records")
    with uow:
        found = _find_lot(uow, gtin, lot)
        rows = act_reads.inspection_rows(uow, found.uri)
    out = []
    for event_id, body, authority in rows:
        event = orjson.loads(body)
        ext = event.get(INSPECTION_MEMBER) if isinstance(event, dict) else None
        if not isinstance(ext, dict):
            continue
        out.append(InspectionView(event_id, str(ext.get("kind") or ""),
                                  parse_moment(event.get("eventTime")), authority,
                                  ext.get("note"), ext.get("sampleId"), ext.get("result"),
                                  [r.name for r in references(event)]))
    return out
