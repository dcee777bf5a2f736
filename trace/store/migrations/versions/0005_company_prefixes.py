"""organisations' GS1 company prefixes: a GTIN under one is owned by its organisation

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 01:10:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0005'
down_revision: Union[str, Sequence[str], None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('organisations') as batch:
        batch.add_column(sa.Column('company_prefix', sa.String(length=12), nullable=True))
        batch.create_unique_constraint('uq_organisations_company_prefix', ['company_prefix'])


def downgrade() -> None:
    with op.batch_alter_table('organisations') as batch:
        batch.drop_constraint('uq_organisations_company_prefix', type_='unique')
        batch.drop_column('company_prefix')
