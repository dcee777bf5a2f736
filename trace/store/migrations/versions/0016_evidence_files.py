"""evidence files: a row per uploaded file (the bytes are on disk, by SHA-256)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 09:50:00

A new table only: nothing stored changes.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0016'
down_revision: Union[str, Sequence[str], None] = '0015'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('evidence_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_by', sa.Integer(), nullable=True),
    sa.Column('media_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                            name=op.f('fk_evidence_files_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['uploaded_by'], ['users.id'],
                            name=op.f('fk_evidence_files_uploaded_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_files')),
    sa.UniqueConstraint('organisation_id', 'sha256',
                        name='uq_evidence_files_organisation_id_sha256')
    )
    with op.batch_alter_table('evidence_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_files_organisation_id'),
                              ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_files_sha256'), ['sha256'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('evidence_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_files_sha256'))
        batch_op.drop_index(batch_op.f('ix_evidence_files_organisation_id'))
    op.drop_table('evidence_files')
