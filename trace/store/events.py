"""What happened: captured EPCIS events, the objects they name, and the capture jobs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Double,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class CaptureJob(Base):
    """One POST /epcis/capture: its outcome is what `GET /epcis/capture/{id}` reports."""

    __tablename__ = "capture_jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    running: Mapped[bool] = mapped_column(default=False)
    success: Mapped[bool] = mapped_column(default=True)
    error_behaviour: Mapped[str] = mapped_column(String(10), default="rollback")
    event_count: Mapped[int] = mapped_column(default=0)
    stored_count: Mapped[int] = mapped_column(default=0)
    errors: Mapped[list] = mapped_column(default=list)
    duplicates: Mapped[list] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    # The capture seal (``domain.commitments``): the organisation's signature, made in the
    # transaction that stored the events, over its id, this capture's id, user and time and the
    # Merkle root of the stored event hashes (``seal_leaves``: 32 bytes each, in order).
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    seal_signature: Mapped[str | None] = mapped_column(String(132))
    seal_signer: Mapped[str | None] = mapped_column(String(42))
    seal_root: Mapped[str | None] = mapped_column(String(66))
    seal_leaves: Mapped[bytes | None] = mapped_column(LargeBinary)


class DocumentContext(Base):
    """The `@context` of a captured document, stored once however many events share it.

    Extension prefixes in an event only mean something with the context they came with, so a
    query answer carries the contexts of the events it returns.
    """

    __tablename__ = "document_contexts"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    body: Mapped[str] = mapped_column(Text)


class Event(Base):
    """A captured EPCIS event, kept byte-for-byte as it arrived (``body``).

    The indexed columns are copies for querying; ``body`` stays the record of truth, and
    ``prehash`` is what the CBV 2.0 event hash was computed over, so anyone can check it.

    An error declaration (EPCIS 2.0 ``errorDeclaration``) is a row of its own: the declared
    event repeated, with the same ``event_id``, its own record time, capture, seal and batch
    leaf, ``declaration`` set and ``declares_pk`` pointing at the declared event's row. Its
    ``event_hash`` is the declaration hash (``domain.commitments.declaration_event_hash``: the
    CBV hash, which leaves ``errorDeclaration`` out, bound to the declaration's content), so an
    event and its declaration coexist and the same declaration twice is a duplicate.
    """

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_hash: Mapped[str] = mapped_column(String(100), unique=True)
    event_id: Mapped[str] = mapped_column(String(500))
    event_type: Mapped[str] = mapped_column(String(30))
    event_time: Mapped[datetime]
    record_time: Mapped[datetime] = mapped_column(default=utcnow)
    action: Mapped[str | None] = mapped_column(String(10))
    biz_step: Mapped[str | None] = mapped_column(String(300))
    disposition: Mapped[str | None] = mapped_column(String(300))
    read_point: Mapped[str | None] = mapped_column(String(500))
    biz_location: Mapped[str | None] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    prehash: Mapped[str] = mapped_column(Text)
    context_id: Mapped[int] = mapped_column(ForeignKey("document_contexts.id"))
    capture_id: Mapped[str] = mapped_column(ForeignKey("capture_jobs.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    # EIP-191 signature of the event hash by the organisation's key, and that key's address.
    signature: Mapped[str | None] = mapped_column(String(132))
    signer: Mapped[str | None] = mapped_column(String(42))
    # The Merkle batch that anchors this event, and the event's leaf position in it.
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("anchor_batches.id"))
    leaf_index: Mapped[int | None]
    # Error declarations (migration 0009): at most one per declared event.
    declaration: Mapped[bool] = mapped_column(default=False, server_default=false())
    declares_pk: Mapped[int | None] = mapped_column(ForeignKey("events.id"), unique=True)
    # A public notice (migration 0013): a recall or its lift, which every signed-in actor may
    # read (domain.policy.may_read_event; docs/RECALLS.md).
    notice: Mapped[bool] = mapped_column(default=False, server_default=false())

    __table_args__ = (
        # One event per eventID, and beside it at most one declaration of it.
        UniqueConstraint("event_id", "declaration", name="uq_events_event_id_declaration"),
        Index("ix_events_batch", "batch_id"),
        Index("ix_events_time", "event_time"),
        Index("ix_events_biz_step", "biz_step"),
        Index("ix_events_org", "organisation_id"),
        Index("ix_events_record_time", "record_time"),
        Index("ix_events_notice", "notice"),
        # WD_readPoint / WD_bizLocation (migration 0012): a place's events in an organisation.
        Index("ix_events_read_point", "organisation_id", "read_point",
              sqlite_where=text("read_point IS NOT NULL"),
              postgresql_where=text("read_point IS NOT NULL")),
        Index("ix_events_biz_location", "organisation_id", "biz_location",
              sqlite_where=text("biz_location IS NOT NULL"),
              postgresql_where=text("biz_location IS NOT NULL")),
    )


class EventObject(Base):
    """One identifier an event names, in one role, canonicalised (GS1 Digital Link).

    Roles: epc, parent, child, input, output (EPC lists and parentID) and the same with a
    ``_class`` suffix for quantity lists. The MATCH_* query parameters are lookups here.
    Role ``origin``: the lot a commissioning event makes items of (ILMD), so that the lot's
    history (``domain.event_lots``) finds the event too.
    """

    __tablename__ = "event_objects"

    event_pk: Mapped[int] = mapped_column(ForeignKey("events.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    uri: Mapped[str] = mapped_column(String(500), primary_key=True)

    # On SQLite the table is its primary key (no separate rowid tree): one B-tree less to write
    # per identifier on the bulk capture path.
    __table_args__ = (Index("ix_event_objects_uri", "uri", "role"), {"sqlite_with_rowid": False})


class EventField(Base):
    """One member of an event that the query's pattern families look up (``EQ_quantity``,
    ``EQ_ILMD_*``, ``EXISTS_*``, sensor reports, error declarations...): see
    ``capture.query_fields`` for the keys. ``text_value`` answers equality, ``num_value`` ranges
    (numbers, and date-times as seconds since 1970 UTC). Written with the event; ``body`` stays
    the record of truth, and the rows can be rebuilt from it (migration 0008 does).
    """

    __tablename__ = "event_fields"

    # No foreign key: the rows are a derived index, rebuilt from bodies; a row whose event is
    # gone matches nothing (every lookup goes through ``events``), and deleting an event row
    # (what tests/integration/verification/test_completeness.py does to simulate tampering)
    # must not be refused because of it.
    event_pk: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200))
    text_value: Mapped[str | None] = mapped_column(String(300))
    num_value: Mapped[float | None] = mapped_column(Double)
    # The event's organisation (0: none), copied so that a member's query reads only its own
    # organisation's part of an index; ``events.organisation_id`` is the record.
    organisation_id: Mapped[int] = mapped_column(default=0)

    # The table is clustered by event (no rowid tree on SQLite): an EXISTS probe for one event
    # reads its few rows; the two indexes find events by a value or a range of values.
    __table_args__ = (
        # Not the quantity rows (4 in 10): looked up by number (migration 0019).
        Index("ix_event_fields_text", "organisation_id", "name", "text_value", "event_pk",
              sqlite_where=text("name != 'quantity'"),
              postgresql_where=text("name <> 'quantity'")),
        # Only rows with a number (a third of them): a range or a number is never NULL.
        Index("ix_event_fields_num", "organisation_id", "name", "num_value", "event_pk",
              sqlite_where=text("num_value IS NOT NULL"),
              postgresql_where=text("num_value IS NOT NULL")),
        {"sqlite_with_rowid": False})
