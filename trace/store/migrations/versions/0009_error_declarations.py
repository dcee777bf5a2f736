"""error declarations: a declaration is its own event row, linked to the event it declares

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 06:30:00

An EPCIS 2.0 error declaration repeats the declared event (same eventID, same content) plus its
``errorDeclaration``. It is stored as an event row of its own (``declaration`` true,
``declares_pk`` the declared event's row), so ``event_id`` is no longer unique alone: an event
and its declaration share it. Existing rows are events, not declarations (the default).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0009'
down_revision: Union[str, Sequence[str], None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('declaration', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('declares_pk', sa.Integer(), nullable=True))
        batch_op.drop_constraint('uq_events_event_id', type_='unique')
        batch_op.create_unique_constraint('uq_events_event_id_declaration',
                                          ['event_id', 'declaration'])
        batch_op.create_unique_constraint(batch_op.f('uq_events_declares_pk'), ['declares_pk'])
        batch_op.create_foreign_key(batch_op.f('fk_events_declares_pk_events'), 'events',
                                    ['declares_pk'], ['id'])


def downgrade() -> None:
    # Going back would have to delete recorded declarations (eventID was unique before): refuse
    # rather than lose them.
    conn = op.get_bind()
    count = conn.execute(sa.text("SELECT COUNT(*) FROM events WHERE declaration")).scalar()
    if count:
        raise RuntimeError(f"{count} error declarations are recorded; revision 0007 cannot "
                           "hold them (export them first)")
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_events_declares_pk_events'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_events_declares_pk'), type_='unique')
        batch_op.drop_constraint('uq_events_event_id_declaration', type_='unique')
        batch_op.create_unique_constraint('uq_events_event_id', ['event_id'])
        batch_op.drop_column('declares_pk')
        batch_op.drop_column('declaration')
