"""capture seals, batch leaves and the lot state

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 01:30:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('capture_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('seal_signature', sa.String(length=132), nullable=True))
        batch_op.add_column(sa.Column('seal_signer', sa.String(length=42), nullable=True))
        batch_op.add_column(sa.Column('seal_root', sa.String(length=66), nullable=True))
        batch_op.add_column(sa.Column('seal_leaves', sa.LargeBinary(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_capture_jobs_organisation_id_organisations'),
                                    'organisations', ['organisation_id'], ['id'])
    with op.batch_alter_table('anchor_batches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('leaves', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('state_root', sa.String(length=66), nullable=True))
    op.create_table('lot_heads',
    sa.Column('lot_key', sa.String(length=66), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('head', sa.String(length=66), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['anchor_batches.id'], name=op.f('fk_lot_heads_batch_id_anchor_batches')),
    sa.PrimaryKeyConstraint('lot_key', 'batch_id', name=op.f('pk_lot_heads'))
    )
    with op.batch_alter_table('lot_heads', schema=None) as batch_op:
        batch_op.create_index('ix_lot_heads_batch', ['batch_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('lot_heads', schema=None) as batch_op:
        batch_op.drop_index('ix_lot_heads_batch')
    op.drop_table('lot_heads')
    with op.batch_alter_table('anchor_batches', schema=None) as batch_op:
        batch_op.drop_column('state_root')
        batch_op.drop_column('leaves')
    with op.batch_alter_table('capture_jobs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_capture_jobs_organisation_id_organisations'), type_='foreignkey')
        batch_op.drop_column('seal_leaves')
        batch_op.drop_column('seal_root')
        batch_op.drop_column('seal_signer')
        batch_op.drop_column('seal_signature')
        batch_op.drop_column('organisation_id')
