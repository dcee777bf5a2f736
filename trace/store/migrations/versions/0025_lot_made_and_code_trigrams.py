"""lots: when and by whom each lot was made, and trigrams of lot codes (issue #12, the search)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06 14:30:00

The inspector's search of an organisation's lots sorted by when they were made joined every lot
to every event on PostgreSQL (a hash join over all events: p50 ~90-140 ms at 100,000 lots).
``lots.made_at`` and ``lots.made_by`` copy the event time and the organisation of the event that
made the lot (``created_event_pk``), backfilled here from those events; with the index
``(made_by, made_at)`` and the holder's index the search is two index reads.

PostgreSQL only: a trigram GIN index on ``lots.code`` (the ``pg_trgm`` extension, shipped with
Debian's postgresql), so that a partial lot code (``ILIKE '%...%'``) reads the index instead of
every lot. Where the extension is not available, or this database user may not create it, the
index is left out with a warning: the search gives the same lots, scanning. SQLite has no such
index (its scan of 100,000 codes takes a few milliseconds). The models leave it out
(``store/migrate.ONE_BACKEND_INDEXES``). The downgrade keeps the extension (other
databases' objects may use it).
"""
import warnings
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0025'
down_revision: Union[str, Sequence[str], None] = '0024'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column('lots', sa.Column('made_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('lots', sa.Column('made_by', sa.Integer(), nullable=True))
    op.execute("UPDATE lots SET "
               "made_at = (SELECT e.event_time FROM events e WHERE e.id = lots.created_event_pk),"
               " made_by = (SELECT e.organisation_id FROM events e "
               "WHERE e.id = lots.created_event_pk) "
               "WHERE created_event_pk IS NOT NULL")
    op.create_index('ix_lots_made_by', 'lots', ['made_by', 'made_at'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        _trigram_index()


def _trigram_index() -> None:
    conn = op.get_bind()
    if not conn.execute(sa.text(
            "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")).first():
        warnings.warn("pg_trgm is not installed on this server: partial lot codes are "
                      "searched without an index", stacklevel=1)
        return
    try:
        with conn.begin_nested():  # a refusal must not abort the migration's transaction
            conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError as refused:
        warnings.warn(f"pg_trgm cannot be created by this user ({refused.orig}): partial lot "
                      "codes are searched without an index", stacklevel=1)
        return
    op.execute("CREATE INDEX ix_lots_code_trgm ON lots USING gin (code gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP INDEX IF EXISTS ix_lots_code_trgm")
    op.drop_index('ix_lots_made_by', table_name='lots')
    with op.batch_alter_table('lots', schema=None) as batch_op:
        batch_op.drop_column('made_by')
        batch_op.drop_column('made_at')
