"""lots: indexes on plot_id and created_event_pk (issue #12, the inspector's benchmarks)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 13:05:00

Two indexes only: nothing stored changes. Reading a lineage's plausibility flags asks for the
lots a harvest made (``created_event_pk``) and every harvest of a plot (``plot_id``); without
them each is a scan of every lot (~20 ms at 100,000 lots, on each dossier page).
"""
from typing import Sequence, Union

from alembic import op


revision: str = '0024'
down_revision: Union[str, Sequence[str], None] = '0023'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index('ix_lots_plot', 'lots', ['plot_id'], unique=False)
    op.create_index('ix_lots_created_event', 'lots', ['created_event_pk'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_lots_created_event', table_name='lots')
    op.drop_index('ix_lots_plot', table_name='lots')
