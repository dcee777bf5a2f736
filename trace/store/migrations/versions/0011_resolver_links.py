"""resolver links: links organisations register for their products and lots

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 07:00:00

Nothing stored is respelled here: a lot kept under an older spelling of its Digital Link is found
by the resolver's lookup (it tries the other spellings when the one spelling finds nothing).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0011'
down_revision: Union[str, Sequence[str], None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('resolver_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('gtin', sa.String(length=14), nullable=False),
    sa.Column('lot', sa.String(length=20), nullable=True),
    sa.Column('link_type', sa.String(length=60), nullable=False),
    sa.Column('href', sa.String(length=1000), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=True),
    sa.Column('media_type', sa.String(length=100), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['gtin'], ['products.gtin'],
                            name=op.f('fk_resolver_links_gtin_products')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                            name=op.f('fk_resolver_links_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resolver_links'))
    )
    with op.batch_alter_table('resolver_links', schema=None) as batch_op:
        batch_op.create_index('ix_resolver_links_gtin_lot', ['gtin', 'lot'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('resolver_links', schema=None) as batch_op:
        batch_op.drop_index('ix_resolver_links_gtin_lot')
    op.drop_table('resolver_links')
