"""Who may do what: organisations, their users, and the API tokens those users hold."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow


class Organisation(Base):
    """A cooperative, processor, exporter, importer or authority.

    Its GLN names it in EPCIS documents (`https://id.gs1.org/417/<GLN>` as an owning party), which
    is how a shipment's destination becomes the organisation that may receive it.
    """

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    gln: Mapped[str] = mapped_column(String(13), unique=True)
    province: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2), default="VN")
    # The GS1 company prefix licensed to the organisation (4 to 12 digits), if it told us: every
    # GTIN allocated under it is its product, whoever registered it here
    # (`services.cooperative.gtin_ownership`).
    company_prefix: Mapped[str | None] = mapped_column(String(12), unique=True)
    # The organisation's secp256k1 signing key: its address, and the key itself only as an
    # encrypted keystore (the password comes from configuration, never from the database).
    signing_address: Mapped[str | None] = mapped_column(String(42), unique=True)
    signing_keystore: Mapped[str | None] = mapped_column(Text)
    # Set once the registrar's registerSigner transaction for signing_address is mined: a cache
    # of a chain fact, so the anchorer registers each key once (the chain stays the authority).
    signer_registered_tx: Mapped[str | None] = mapped_column(String(66))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="organisation")


class User(Base):
    """A person or system. Members act for their organisation; inspectors read; admins operate."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The console's sign-in (docs/CONSOLE.md): werkzeug's scrypt hash, NULL until the user sets
    # a password through a one-time link; a disabled user signs in nowhere and holds no session.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    disabled_at: Mapped[datetime | None]

    organisation: Mapped[Organisation | None] = relationship(back_populates="users")
    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user")


class ApiToken(Base):
    """A bearer token. Only its SHA-256 is stored, so a database leak reveals no usable token."""

    __tablename__ = "api_tokens"
    __table_args__ = (UniqueConstraint("token_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    label: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64))
    # The token's first characters ("tc_" and 8 of its 43 random ones): enough to name it in a
    # listing or to revoke it, far too few to guess the rest. NULL for tokens made before 0006.
    prefix: Mapped[str | None] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # NULL: never expires (tokens made before 0006; `token create --expires-in never`).
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="tokens")
