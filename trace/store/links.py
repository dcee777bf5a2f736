"""Links organisations register for their products and lots (a brand page, a certificate,
instructions, a recall notice): the resolver lists them in linksets and redirects to them.

A lot-level link names the lot by its decoded number (``lot``), so however its Digital Link is
spelled the link is found; a product-level link has no lot.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow
from .lots import Lot
from .uow import session_of

if TYPE_CHECKING:
    from ..services.ports import UnitOfWork


class ResolverLink(Base):
    """One link of a product (``lot`` NULL) or of one of its lots."""

    __tablename__ = "resolver_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    gtin: Mapped[str] = mapped_column(String(14), ForeignKey("products.gtin"))
    lot: Mapped[str | None] = mapped_column(String(20))  # decoded AI (10); NULL: the product
    link_type: Mapped[str] = mapped_column(String(60))  # GS1 vocabulary name, e.g. "pip"
    href: Mapped[str] = mapped_column(String(1000))
    title: Mapped[str] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(5))  # "vi", "en", "en-GB"
    media_type: Mapped[str | None] = mapped_column(String(100))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_resolver_links_gtin_lot", "gtin", "lot"),)


def add_link(uow: UnitOfWork, link: ResolverLink) -> ResolverLink:
    session = session_of(uow)
    session.add(link)
    session.flush()
    return link


def links_of(uow: UnitOfWork, gtin: str, lots: Sequence[str] = ()) -> list[ResolverLink]:
    """The product's own links, then those of the named lots, each in the order registered."""
    stmt = select(ResolverLink).where(ResolverLink.gtin == gtin)
    stmt = stmt.where(ResolverLink.lot.is_(None) | ResolverLink.lot.in_(list(lots)))
    rows = list(session_of(uow).scalars(stmt.order_by(ResolverLink.id)))
    return sorted(rows, key=lambda r: (r.lot is not None, r.id))


def all_links_of(uow: UnitOfWork, gtin: str) -> list[ResolverLink]:
    """Every link of the product and of any of its lots, by id."""
    return list(session_of(uow).scalars(select(ResolverLink).where(
        ResolverLink.gtin == gtin).order_by(ResolverLink.id)))


def link_by_id(uow: UnitOfWork, gtin: str, link_id: int) -> ResolverLink | None:
    return session_of(uow).scalar(select(ResolverLink).where(
        ResolverLink.id == link_id, ResolverLink.gtin == gtin))


def delete_link(uow: UnitOfWork, link: ResolverLink) -> None:
    session = session_of(uow)
    session.delete(link)
    session.flush()


def stored_lot_uri(uow: UnitOfWork, spellings: Sequence[str]) -> str | None:
    """The first of ``spellings`` (one lot's or item's Digital Link, spelled several ways) that a
    stored lot or item has, or None: a record kept under an older spelling is found, unchanged."""
    found = set(session_of(uow).scalars(select(Lot.uri).where(Lot.uri.in_(list(spellings)))))
    return next((s for s in spellings if s in found), None)
