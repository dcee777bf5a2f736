"""Storing an evidence file, serving it back, and telling whether it is still what was uploaded.

The bytes are kept under ``TRACE_EVIDENCE_DIR`` as ``<sha[:2]>/<sha256>`` (content-addressed: the
same bytes are one file however often they are uploaded); a row per organisation and file keeps
who uploaded it, its type, size and original name. Nothing is changed in the bytes (a photo is
kept with its metadata): the hash is of what was uploaded.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ...domain import policy
from ...domain.actor import Actor
from ...domain.errors import Forbidden, NotFound, Problem, ValidationFailed
from ...domain.evidence import SHA256, EvidenceRef, clean_name, upload_problems
from ...store import evidence_records as records
from ...store.evidence_models import EvidenceFile
from ..ports import UnitOfWork

OK, ALTERED, MISSING, UNKNOWN = "ok", "altered", "missing", "unknown"


def path_of(directory: Path, sha256: str) -> Path:
    return directory / sha256[:2] / sha256


def file_status(directory: Path, sha256: str) -> str:
    """``ok``: the file's bytes still hash to ``sha256``; ``altered``: they do not (edited on
    disk); ``missing``: no file."""
    path = path_of(directory, sha256)
    try:
        with path.open("rb") as f:
            digest = hashlib.file_digest(f, "sha256").hexdigest()
    except FileNotFoundError:
        return MISSING
    return OK if digest == sha256 else ALTERED


def store_file(actor: Actor, data: bytes, name: str, kind: str, uow: UnitOfWork,
               directory: Path, *, for_authority: bool = False) -> EvidenceRef:
    """Keep an uploaded file for the actor's organisation; the reference an event carries.

    :raises ValidationFailed: no file, too large, a type we do not accept, an unknown kind.
    :raises Forbidden: an inspector (they record nothing), unless ``for_authority``: an
        inspector's lab report, kept for their authority (issue #12, ``policy.require_inspect``).
    """
    if for_authority:
        policy.require_inspect(actor, "attach a lab report")
        if actor.organisation_id is None:
            raise Forbidden("this account belongs to no organisation")
        org_id = actor.organisation_id
    else:
        org_id = policy.acting_organisation(actor)
    media_type, problems = upload_problems(data, name, kind)
    if problems or media_type is None:
        raise ValidationFailed(problems[0].message if len(problems) == 1
                               else "the file cannot be kept", problems)
    sha = hashlib.sha256(data).hexdigest()
    shown = clean_name(name, media_type)
    if file_status(directory, sha) != OK:  # new, or restored over an altered copy
        _write(path_of(directory, sha), data)
    with uow.writing() as w:
        if records.file_of(w, org_id, sha) is None:
            records.add_file(w, EvidenceFile(organisation_id=org_id, uploaded_by=actor.user_id,
                                             media_type=media_type, size=len(data), sha256=sha,
                                             original_name=shown,
                                             created_at=datetime.now(UTC)))
            w.commit()
    return EvidenceRef(sha, media_type, len(data), shown, kind)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class EvidenceDownload:
    data: bytes
    media_type: str
    name: str


class EvidenceAltered(NotFound):
    """The file's bytes no longer hash to its SHA-256: it is not served."""


def open_file(actor: Actor, sha256: str, uow: UnitOfWork, directory: Path) -> EvidenceDownload:
    """The file, for whoever may read it (``policy.may_read_evidence``).

    :raises NotFound: no such file here, or not one the actor may read (which is not told
        apart: a hash names a file only to who may have it), or its bytes are gone.
    :raises EvidenceAltered: the bytes on disk no longer match the hash (not served).
    """
    if not SHA256.match(sha256):
        raise NotFound("no such evidence file", [Problem("sha256", "not a SHA-256")])
    with uow:
        rows = [(r.organisation_id, r.media_type, r.original_name)
                for r in records.files_by_sha(uow, [sha256])]
    if not rows or not policy.may_read_evidence(actor, {r[0] for r in rows}):
        raise NotFound("no such evidence file")
    mine = next((r for r in rows if r[0] == actor.organisation_id), rows[0])
    try:
        data = path_of(directory, sha256).read_bytes()
    except FileNotFoundError:
        raise NotFound("the evidence file is missing from the server") from None
    if hashlib.sha256(data).hexdigest() != sha256:
        raise EvidenceAltered("the evidence file was altered on the server")
    return EvidenceDownload(data, mine[1], mine[2])
