"""kept_dossiers: an inspector's dossier of a big lineage kept for every process (issue #12)

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06 17:00:00

A new table only: nothing stored changes, and there is nothing to backfill (a dossier is
kept by the anchorer, by ``tracechain dossiers keep`` or when a page is built; until then
pages are built as before). A row is used only when its MAC and its digest still hold
(docs/TRUST.md, "Kept dossiers").
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0028'
down_revision: Union[str, Sequence[str], None] = '0027'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('kept_dossiers',
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('built_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('chain', sa.Boolean(), nullable=False),
    sa.Column('events', sa.Integer(), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('mac', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_kept_dossiers_lot_id_lots')),
    sa.PrimaryKeyConstraint('lot_id', name=op.f('pk_kept_dossiers'))
    )


def downgrade() -> None:
    op.drop_table('kept_dossiers')
