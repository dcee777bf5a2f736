"""Evidence files (docs/console/EVIDENCE.md): a row per file an organisation uploaded. The bytes
live on disk, content-addressed by their SHA-256 (``TRACE_EVIDENCE_DIR``); events reference them
by that hash, so the event's hash (its seal, its anchor) covers the reference."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class EvidenceFile(Base):
    """One organisation's upload of one file (the same bytes uploaded again by the same
    organisation are the same row; by another organisation, a row of its own)."""

    __tablename__ = "evidence_files"
    __table_args__ = (UniqueConstraint("organisation_id", "sha256",
                                       name="uq_evidence_files_organisation_id_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    original_name: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
