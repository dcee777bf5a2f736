"""Reads of capture jobs: a job as `GET /epcis/capture/{id}` shows it, and the capture seals
that verification and the anchorer check."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Row, select

from .accounts import Organisation, User
from .events import CaptureJob
from .uow import session_of

if TYPE_CHECKING:
    from ..services.ports import UnitOfWork

# A capture's seal as stored, with its organisation's GLN: a row of (id, gln, user_id,
# created_at, seal_signature, seal_signer, seal_root), each also an attribute.
SealHead = Row[*tuple[Any, ...]]
# The same with ``seal_leaves`` (the sealed event hashes, 32 bytes each) before the GLN.
SealRecord = Row[*tuple[Any, ...]]


def capture_job(uow: UnitOfWork, job_id: str) -> CaptureJob | None:
    """The job's row (an ORM instance, plain data once the unit of work ends)."""
    return session_of(uow).get(CaptureJob, job_id)


def organisation_of_user(uow: UnitOfWork, user_id: int | None) -> int | None:
    """The organisation of the user ``user_id`` (None: no such user, or one of none)."""
    return session_of(uow).scalar(select(User.organisation_id).where(User.id == user_id))


def seal_heads(uow: UnitOfWork, capture_ids: set[str]) -> list[SealHead]:
    """The seals of those of ``capture_ids`` that have one (without their leaves)."""
    return list(session_of(uow).execute(
        select(CaptureJob.id, Organisation.gln, CaptureJob.user_id, CaptureJob.created_at,
               CaptureJob.seal_signature, CaptureJob.seal_signer, CaptureJob.seal_root)
        .outerjoin(Organisation, Organisation.id == CaptureJob.organisation_id)
        .where(CaptureJob.id.in_(list(capture_ids)),
               CaptureJob.seal_signature.is_not(None))).all())


def seal_leaves(uow: UnitOfWork, capture_ids: list[str]) -> list[tuple[str, bytes | None]]:
    """(capture id, the sealed event hashes as stored) of each of ``capture_ids``."""
    return list(session_of(uow).execute(select(CaptureJob.id, CaptureJob.seal_leaves)
                                        .where(CaptureJob.id.in_(capture_ids))))


def seal_record(uow: UnitOfWork, capture_id: str) -> SealRecord | None:
    """The capture's seal with its leaves and its organisation's GLN; None: no such capture."""
    return session_of(uow).execute(
        select(CaptureJob.id, CaptureJob.user_id, CaptureJob.created_at,
               CaptureJob.seal_signature, CaptureJob.seal_signer, CaptureJob.seal_root,
               CaptureJob.seal_leaves, Organisation.gln)
        .outerjoin(Organisation, Organisation.id == CaptureJob.organisation_id)
        .where(CaptureJob.id == capture_id)).first()
