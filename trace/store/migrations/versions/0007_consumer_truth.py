"""consumer truth: recall details, distinct scanners, plausibility notes, fake reports

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 01:20:00

"""
import re
from typing import Sequence, Union
from urllib.parse import quote, unquote

from alembic import op
import sqlalchemy as sa


revision: str = '0007'
down_revision: Union[str, Sequence[str], None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Recalls recorded before this revision read as class I (the safe side) with no details.
    with op.batch_alter_table('recalls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recall_class', sa.String(length=3), nullable=False,
                                      server_default='I'))
        batch_op.add_column(sa.Column('ordered_by', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('by_authority', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('reason_vi', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('reason_en', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('action_vi', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('action_en', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('contact', sa.String(length=200), nullable=True))

    op.create_table('scan_visitors',
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('visitor', sa.String(length=32), nullable=False),
    sa.Column('network', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_scan_visitors_lot_id_lots')),
    sa.PrimaryKeyConstraint('lot_id', 'day', 'visitor', name=op.f('pk_scan_visitors'))
    )

    op.create_table('plausibility_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_pk', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_pk'], ['events.id'],
                            name=op.f('fk_plausibility_notes_event_pk_events')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                            name=op.f('fk_plausibility_notes_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'],
                            name=op.f('fk_plausibility_notes_recorded_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plausibility_notes'))
    )
    with op.batch_alter_table('plausibility_notes', schema=None) as batch_op:
        batch_op.create_index('ix_plausibility_notes_event', ['event_pk'], unique=False)

    _respell_lots()

    op.create_table('fake_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=500), nullable=False),
    sa.Column('where_bought', sa.String(length=200), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fake_reports'))
    )


# A lot or serial is now stored under one spelling (hash.digital_link.canonicalise): decoded,
# then percent-encoded with only A-Z a-z 0-9 - . _ left. Lots captured before with a raw "+" or
# "(" are respelled so that the next event naming them finds them. Kept here, not imported: a
# migration must not change when the code does. (Downgrading keeps the new spelling, which the
# older code looked lots up under anyway.)
_LOT_OR_SERIAL = re.compile(r"^(https://id\.gs1\.org/01/\d{14}/(?:10|21)/)([^/?#]+)$")


def _one_spelling(uri: str) -> str:
    m = _LOT_OR_SERIAL.match(uri or "")
    if m is None:
        return uri
    try:
        return m.group(1) + quote(unquote(m.group(2), errors="strict"), safe="")
    except UnicodeDecodeError:
        return uri


def _respell_lots() -> None:
    conn = op.get_bind()
    taken = {u for (u,) in conn.execute(sa.text("SELECT uri FROM lots"))}
    for table, column in (("lots", "uri"), ("lots", "container"), ("event_objects", "uri")):
        rows = conn.execute(sa.text(
            f"SELECT DISTINCT {column} FROM {table} WHERE {column} LIKE 'https://id.gs1.org/01/%'"))
        for (old,) in rows.all():
            new = _one_spelling(old)
            if new == old or (table, column) == ("lots", "uri") and new in taken:
                continue  # already right, or both spellings were stored: left for a person
            conn.execute(sa.text(f"UPDATE {table} SET {column} = :new WHERE {column} = :old"),
                         {"new": new, "old": old})


def downgrade() -> None:
    op.drop_table('fake_reports')
    with op.batch_alter_table('plausibility_notes', schema=None) as batch_op:
        batch_op.drop_index('ix_plausibility_notes_event')
    op.drop_table('plausibility_notes')
    op.drop_table('scan_visitors')
    with op.batch_alter_table('recalls', schema=None) as batch_op:
        for column in ('contact', 'action_en', 'action_vi', 'reason_en', 'reason_vi',
                       'by_authority', 'ordered_by', 'recall_class'):
            batch_op.drop_column(column)
