"""event notices: recall and lift events every signed-in actor may read

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 09:00:00

A recall (and its lift) is recorded as an EPCIS event that is a public notice: ``notice`` true.
Existing events are not notices (the default); recalls recorded before this revision have no
event (history cannot be signed after the fact: docs/RECALLS.md).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0013'
down_revision: Union[str, Sequence[str], None] = '0012'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notice', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.create_index('ix_events_notice', ['notice'], unique=False)


def downgrade() -> None:
    # The notice events stay (they are signed events); only who may read them narrows back to
    # their recording organisation.
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_notice')
        batch_op.drop_column('notice')
