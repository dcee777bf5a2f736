"""Kept dossiers: the inspector's dossier of a big lineage, built once and kept for every
process (docs/inspector/DOSSIER.md "Speed", docs/TRUST.md "Kept dossiers").

A row is attacker-writable like every other: it is used only when its MAC (a key from the
configuration, never stored here) matches and the digest of the stored facts it rests on is
still the one it was built from; otherwise the dossier is built again from the records.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class KeptDossier(Base):
    __tablename__ = "kept_dossiers"

    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64))  # sha-256 hex of the facts it rests on
    built_at: Mapped[datetime]
    chain: Mapped[bool]  # verdicts established with a chain reader
    events: Mapped[int]  # its timeline's events (which dossiers are worth keeping)
    body: Mapped[bytes] = mapped_column(LargeBinary)  # orjson: the model, URIs, organisations
    mac: Mapped[str] = mapped_column(String(64))  # HMAC-SHA256 hex (kept_dossier.py)
