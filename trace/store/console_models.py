"""The console's sign-in records: server-side sessions, one-time password links, and the
counters that slow down guessing (docs/CONSOLE.md). Only hashes of the secrets are kept."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class ConsoleSession(Base):
    """A signed-in browser. The cookie holds a random id; the row keeps only its SHA-256, so a
    database leak signs nobody in. Signing out (or an admin disabling the user) deletes it."""

    __tablename__ = "console_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The per-session CSRF token every state-changing form carries (random, not a secret
    # derived from the id, so knowing one never gives the other).
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class PasswordLink(Base):
    """A one-time link to set a password: an invitation or a reset an admin made. Only the
    token's SHA-256 is kept; ``used_at`` makes it single use."""

    __tablename__ = "password_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(10))  # invite | reset
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class SignInThrottle(Base):
    """Failed sign-ins counted per key (an account's e-mail or a client address, hashed so the
    table says nothing about which e-mails exist), and until when that key must wait."""

    __tablename__ = "sign_in_throttles"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime]
    locked_until: Mapped[datetime | None]
