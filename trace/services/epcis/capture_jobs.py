"""Capture jobs as the EPCIS 2.0 REST binding shows them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...domain import policy
from ...domain.actor import Actor
from ...domain.errors import NotFound
from ...store import capture_jobs as jobs
from ..ports import UnitOfWork

if TYPE_CHECKING:
    from .capture import CaptureOutcome


def job_document(outcome: CaptureOutcome) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "captureID": outcome.job_id, "running": False, "success": outcome.success,
        "captureErrorBehaviour": "rollback", "eventCount": outcome.event_count,
        "storedCount": outcome.stored}
    if outcome.errors:
        doc["errors"] = outcome.errors
    if outcome.duplicates:
        doc["duplicates"] = outcome.duplicates
    if getattr(outcome, "event_ids", None):
        doc["eventIDs"] = outcome.event_ids
    return doc


def load_job(job_id: str, actor: Actor, uow: UnitOfWork) -> dict[str, Any]:
    with uow:
        job = jobs.capture_job(uow, job_id)
        if job is None:
            raise NotFound(f"no capture job {job_id}")
        owner_org = jobs.organisation_of_user(uow, job.user_id)
        if not policy.may_read_capture_job(actor, job.user_id, owner_org):
            raise NotFound(f"no capture job {job_id}")
        doc = {"captureID": job.id, "running": job.running, "success": job.success,
               "captureErrorBehaviour": job.error_behaviour, "eventCount": job.event_count,
               "storedCount": job.stored_count,
               "createdAt": job.created_at.isoformat() if job.created_at else None}
        if job.errors:
            doc["errors"] = job.errors
        if job.duplicates:
            doc["duplicates"] = job.duplicates
        return doc
