"""subscriptions: the media type its documents are delivered in (issue #10, XML both ways)

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06 16:50:00

A subscriber that speaks only XML (many ERP and warehouse systems) asks for it with the
subscription request's ``Accept`` header; the webhook's documents are then EPCIS 2.0 XML. Every
subscription made before this one delivered JSON-LD, which the server default keeps.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = '0027'
down_revision: Union[str, Sequence[str], None] = '0026'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('subscriptions') as batch:
        batch.add_column(sa.Column('media_type', sa.String(length=40), nullable=False,
                                   server_default='application/ld+json'))


def downgrade() -> None:
    with op.batch_alter_table('subscriptions') as batch:
        batch.drop_column('media_type')
