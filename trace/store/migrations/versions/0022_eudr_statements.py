"""eudr statements: the EU's reference and verification numbers of a lot's statement

Revision ID: 0022
Revises: 0019
Create Date: 2026-12-06 12:10:00

A new table only: nothing stored changes.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0022'
down_revision: Union[str, Sequence[str], None] = '0019'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('eudr_statements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('reference_number', sa.String(length=14), nullable=False),
    sa.Column('verification_number', sa.String(length=35), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('replaces_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'],
                            name=op.f('fk_eudr_statements_lot_id_lots')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                            name=op.f('fk_eudr_statements_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'],
                            name=op.f('fk_eudr_statements_recorded_by_users')),
    sa.ForeignKeyConstraint(['replaces_id'], ['eudr_statements.id'],
                            name=op.f('fk_eudr_statements_replaces_id_eudr_statements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_eudr_statements')),
    sa.UniqueConstraint('replaces_id', name=op.f('uq_eudr_statements_replaces_id'))
    )
    with op.batch_alter_table('eudr_statements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_eudr_statements_lot_id'), ['lot_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('eudr_statements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_eudr_statements_lot_id'))
    op.drop_table('eudr_statements')
