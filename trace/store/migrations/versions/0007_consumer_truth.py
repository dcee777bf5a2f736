"""consumer truth: recall details, distinct scanners, plausibility notes, fake reports

Revision ID: 0007
Revises: 0003
Create Date: 2026-12-06 01:20:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0007'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Recalls recorded before this revision read as class I (the safe side) with no details.
    with op.batch_alter_table('recalls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recall_class', sa.String(length=3), nullable=False,
                                      server_default='I'))
        batch_op.add_column(sa.Column('ordered_by', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('by_authority', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('reason_vi', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('reason_en', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('action_vi', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('action_en', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('contact', sa.String(length=200), nullable=True))

    op.create_table('scan_visitors',
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('visitor', sa.String(length=32), nullable=False),
    sa.Column('network', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_scan_visitors_lot_id_lots')),
    sa.PrimaryKeyConstraint('lot_id', 'day', 'visitor', name=op.f('pk_scan_visitors'))
    )

    op.create_table('plausibility_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_pk', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_pk'], ['events.id'],
                            name=op.f('fk_plausibility_notes_event_pk_events')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                            name=op.f('fk_plausibility_notes_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'],
                            name=op.f('fk_plausibility_notes_recorded_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plausibility_notes'))
    )
    with op.batch_alter_table('plausibility_notes', schema=None) as batch_op:
        batch_op.create_index('ix_plausibility_notes_event', ['event_pk'], unique=False)

    op.create_table('fake_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=500), nullable=False),
    sa.Column('where_bought', sa.String(length=200), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fake_reports'))
    )


def downgrade() -> None:
    op.drop_table('fake_reports')
    with op.batch_alter_table('plausibility_notes', schema=None) as batch_op:
        batch_op.drop_index('ix_plausibility_notes_event')
    op.drop_table('plausibility_notes')
    op.drop_table('scan_visitors')
    with op.batch_alter_table('recalls', schema=None) as batch_op:
        for column in ('contact', 'action_en', 'action_vi', 'reason_en', 'reason_vi',
                       'by_authority', 'ordered_by', 'recall_class'):
            batch_op.drop_column(column)
