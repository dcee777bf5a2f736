"""events: a member's events in time order on PostgreSQL (issue #10, the query at 1,000,000 events)

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06 15:30:00

A member's query with ``orderBy=eventTime`` (or ``recordTime``) and a common condition read the
time index of every organisation and dropped the other organisations' events (8 cooperatives:
about 8,000 rows for a page of 100, 4-6 ms of the query on PostgreSQL at 1,000,000 events).
``(organisation_id, event_time, id)`` and ``(organisation_id, record_time, id)`` hold one
organisation's events in the page's order (id breaks ties, as the page's order does), so the
page reads the member's events only (docs/EPCIS_QUERY.md, "PostgreSQL at 1,000,000 events").

PostgreSQL only: SQLite reads the time index, filtering by organisation (a no-op keeps it off
the organisation index), and its capture speed is the one with a target (bench_capture); each
index here is one more entry per event that capture writes. The models leave them out
(``store/migrate.ONE_BACKEND_INDEXES``). Nothing to backfill: an index is built from the rows.
"""
from typing import Sequence, Union

from alembic import op


revision: str = '0026'
down_revision: Union[str, Sequence[str], None] = '0025'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

INDEXES = {"ix_events_org_event_time": "organisation_id, event_time, id",
           "ix_events_org_record_time": "organisation_id, record_time, id"}


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for name, columns in INDEXES.items():
            op.execute(f"CREATE INDEX {name} ON events ({columns})")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for name in INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
