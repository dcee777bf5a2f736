"""query index: event_fields (the pattern families of the EPCIS query), events by record time

Existing events get their rows here, read from their stored bodies and documents' contexts.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 06:40:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0008'
down_revision: Union[str, Sequence[str], None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_BATCH = 2000


def upgrade() -> None:
    op.create_table('event_fields',
    sa.Column('event_pk', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('text_value', sa.String(length=300), nullable=True),
    sa.Column('num_value', sa.Double(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('event_pk', 'seq', name=op.f('pk_event_fields')),
    sqlite_with_rowid=False,
    )
    _backfill()
    with op.batch_alter_table('event_fields', schema=None) as batch_op:
        batch_op.create_index('ix_event_fields_text',
                              ['organisation_id', 'name', 'text_value', 'event_pk'], unique=False)
        batch_op.create_index('ix_event_fields_num',
                              ['organisation_id', 'name', 'num_value', 'event_pk'], unique=False)
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index('ix_events_record_time', ['record_time'], unique=False)


def _backfill() -> None:
    """Index rows for every stored event, in batches by id (the indexes come after: faster)."""
    from tracechain.capture.document import stored_context_prefixes
    from tracechain.store.event_fields import field_rows

    conn = op.get_bind()
    table = sa.table('event_fields', sa.column('event_pk'), sa.column('seq'), sa.column('name'),
                     sa.column('text_value'), sa.column('num_value'),
                     sa.column('organisation_id'))
    prefixes = {cid: stored_context_prefixes(body) for cid, body in
                conn.execute(sa.text('SELECT id, body FROM document_contexts'))}
    after = 0
    while True:
        batch = conn.execute(sa.text('SELECT id, body, context_id, organisation_id FROM events '
                                     'WHERE id > :a ORDER BY id LIMIT :n'),
                             {'a': after, 'n': _BATCH}).all()
        if not batch:
            return
        rows = field_rows((pk, body, prefixes.get(cid, {}), org)
                          for pk, body, cid, org in batch)
        if rows:
            conn.execute(table.insert(), rows)
        after = batch[-1][0]


def downgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_record_time')
    with op.batch_alter_table('event_fields', schema=None) as batch_op:
        batch_op.drop_index('ix_event_fields_num')
        batch_op.drop_index('ix_event_fields_text')
    op.drop_table('event_fields')
