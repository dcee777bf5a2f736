"""text index without quantities: the quantity rows are found by their number only

A quantity row (``name = 'quantity'``, the unit as its text, the quantity as its number) is
looked up by its number (``EQ_/GT_/GE_/LT_/LE_quantity[_<uom>]``: the number index, the unit
checked on the rows the range finds); no lookup reads its entry in the text index, which was
4 in 10 of that index's entries. The text index becomes partial, ``name <> 'quantity'``; every
lookup by text states that condition (``store.event_reads.TEXT_INDEXED``). The rows themselves
are unchanged (the table and the number index hold them as before): only index entries go, and
the downgrade builds them again.

Revision ID: 0019
Revises: 0016
Create Date: 2026-12-06 10:15:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0019'
down_revision: Union[str, Sequence[str], None] = '0016'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_COLUMNS = ['organisation_id', 'name', 'text_value', 'event_pk']


def upgrade() -> None:
    with op.batch_alter_table('event_fields', schema=None) as batch_op:
        batch_op.drop_index('ix_event_fields_text')
        batch_op.create_index('ix_event_fields_text', _COLUMNS, unique=False,
                              sqlite_where=sa.text("name != 'quantity'"),
                              postgresql_where=sa.text("name <> 'quantity'"))


def downgrade() -> None:
    with op.batch_alter_table('event_fields', schema=None) as batch_op:
        batch_op.drop_index('ix_event_fields_text')
        batch_op.create_index('ix_event_fields_text', _COLUMNS, unique=False)
