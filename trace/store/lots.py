"""Custody and lineage: who holds each lot now, and which lots were made from which."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class Lot(Base):
    """What we track custody of: a lot (LGTIN), a serialised item (SGTIN) or a logistic unit (SSCC).

    ``uri`` is its canonical GS1 Digital Link. ``owner_id`` is the organisation that holds it;
    ``in_transit_to_id`` is set by a shipment and cleared when the receiver records receipt.

    ``made_at`` and ``made_by`` copy the event time and the recording organisation of the event
    that made the lot (``created_event_pk``), written with the lot and never changed (an event
    row is never changed; a declaration or a correction is an event of its own). They exist for
    the inspector's search only (an organisation's lots sorted by when they were made, from two
    indexes instead of a join to every event): a finding aid, never read by a verdict.
    """

    __tablename__ = "lots"

    id: Mapped[int] = mapped_column(primary_key=True)
    uri: Mapped[str] = mapped_column(String(500), unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # lot | item | unit | other
    gtin: Mapped[str | None] = mapped_column(String(14))
    code: Mapped[str | None] = mapped_column(String(100))
    quantity: Mapped[float | None]
    unit: Mapped[str | None] = mapped_column(String(3))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    in_transit_to_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    container: Mapped[str | None] = mapped_column(String(500))  # uri of what it is packed in
    plot_id: Mapped[int | None] = mapped_column(ForeignKey("plots.id"))
    created_event_pk: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    made_at: Mapped[datetime | None]  # = the making event's event_time (search only)
    made_by: Mapped[int | None]  # = the making event's organisation_id (search only)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_lots_gtin_code", "gtin", "code"),
        Index("ix_lots_owner", "owner_id"),
        Index("ix_lots_container", "container"),
        Index("ix_lots_plot", "plot_id"),  # a plot's harvests (plausibility, EUDR)
        Index("ix_lots_created_event", "created_event_pk"),  # the lots an event made
        Index("ix_lots_made_by", "made_by", "made_at"),  # an organisation's lots, by when made
    )


class LotLink(Base):
    """An edge of the lineage graph: ``source`` went into ``target`` through an event.

    Transformations link inputs to outputs; packing links the packed lots to their container;
    commissioning serialised items links their lot to each item.
    Tracing back follows edges target→source, forward source→target.
    """

    __tablename__ = "lot_links"

    source_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), primary_key=True)
    event_pk: Mapped[int] = mapped_column(ForeignKey("events.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # transformation | aggregation | commissioning

    __table_args__ = (Index("ix_lot_links_target", "target_id", "source_id"),
                      {"sqlite_with_rowid": False})
