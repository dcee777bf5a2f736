"""Named queries, their webhook subscriptions and every delivery attempt (EPCIS 2.0 REST binding,
``/queries``); see docs/SUBSCRIPTIONS.md."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class NamedQuery(Base):
    """A SimpleEventQuery kept under a name, unique per owner (an organisation, or a user who
    belongs to none: ``owner`` is ``org:<id>`` or ``user:<id>``)."""

    __tablename__ = "named_queries"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(100))
    # The parameters, one string per name (lists joined with "|"), as /epcis/events reads them.
    params: Mapped[dict] = mapped_column(default=dict)
    # The query as it was sent (the binding's QueryDefinition.query), for GET /queries/{name}.
    definition: Mapped[dict] = mapped_column(default=dict)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("owner", "name"),)


class Subscription(Base):
    """A webhook subscription to a named query.

    ``cursor`` is the row id of the last event its receiver acknowledged (2xx): delivery resumes
    after it, whatever happened in between. It runs with the access of the user who made it
    (``user_id``), as that user is at delivery time.
    """

    __tablename__ = "subscriptions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    query_id: Mapped[int] = mapped_column(ForeignKey("named_queries.id"))
    owner: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    dest: Mapped[str] = mapped_column(String(2000))
    signature_token: Mapped[str | None] = mapped_column(String(500))
    stream: Mapped[bool] = mapped_column(default=False)
    schedule: Mapped[dict | None]
    report_if_empty: Mapped[bool] = mapped_column(default=False)
    # What its documents are sent as: application/ld+json or application/xml (the
    # subscription request's Accept, docs/SUBSCRIPTIONS.md).
    media_type: Mapped[str] = mapped_column(String(40), default="application/ld+json",
                                            server_default="application/ld+json")
    initial_record_time: Mapped[datetime]
    cursor: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_notified_at: Mapped[datetime | None]
    # The last scheduled run that completed (reported to the receiver): the binding's
    # minRecordTime moves with it.
    last_run_at: Mapped[datetime | None]
    # When the next scheduled run is due (None for a stream).
    next_run_at: Mapped[datetime | None]
    # Failures since the last success, and when the next attempt may be made (back-off).
    failures: Mapped[int] = mapped_column(default=0)
    retry_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_subscriptions_query", "query_id"),)


class Delivery(Base):
    """One attempt to deliver to a subscription's receiver: the delivery log."""

    __tablename__ = "subscription_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[str] = mapped_column(ForeignKey("subscriptions.id"))
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The receiver's HTTP status; None when no answer came (refused, timeout...).
    status: Mapped[int | None]
    ok: Mapped[bool] = mapped_column(default=False)
    event_count: Mapped[int] = mapped_column(default=0)
    # Row ids of the first and last event sent (None: an empty scheduled report).
    first_event: Mapped[int | None]
    last_event: Mapped[int | None]
    duration_ms: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_subscription_deliveries_sub", "subscription_id", "id"),
                      Index("ix_subscription_deliveries_attempted", "attempted_at"))
