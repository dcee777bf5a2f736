"""subscriptions: the media type its documents are delivered in (issue #10, XML both ways), and
the delivery log's retention index

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06 16:50:00

A subscriber that speaks only XML (many ERP and warehouse systems) asks for it with the
subscription request's ``Accept`` header; the webhook's documents are then EPCIS 2.0 XML. Every
subscription made before this one delivered JSON-LD, which the server default keeps. The
deliverer deletes log rows older than ``TRACE_DELIVERY_LOG_DAYS`` each round; the index on
``attempted_at`` makes that one probe when there are none.
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
    op.create_index('ix_subscription_deliveries_attempted', 'subscription_deliveries',
                    ['attempted_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_subscription_deliveries_attempted', table_name='subscription_deliveries')
    with op.batch_alter_table('subscriptions') as batch:
        batch.drop_column('media_type')
