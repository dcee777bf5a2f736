"""holds: an authority's quarantine of a lot and its release (issue #12)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 12:10:00

A new table only: nothing stored changes. The hold and its release are also EPCIS events
(signed, anchored); the row is the console's index of them.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0023'
down_revision: Union[str, Sequence[str], None] = '0022'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('holds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('hold_event_id', sa.String(length=200), nullable=True),
    sa.Column('released_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('released_by', sa.Integer(), nullable=True),
    sa.Column('release_reason', sa.Text(), nullable=True),
    sa.Column('release_event_id', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_holds_lot_id_lots')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                            name=op.f('fk_holds_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'],
                            name=op.f('fk_holds_recorded_by_users')),
    sa.ForeignKeyConstraint(['released_by'], ['users.id'],
                            name=op.f('fk_holds_released_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_holds'))
    )
    with op.batch_alter_table('holds', schema=None) as batch_op:
        batch_op.create_index('ix_holds_lot', ['lot_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('holds', schema=None) as batch_op:
        batch_op.drop_index('ix_holds_lot')
    op.drop_table('holds')
