"""supplier sites: public course links, anonymous counts, the site of a concern

Revision ID: 4b2d1e6fac32
Revises: 3a1c0f5e9b21
Create Date: 2026-12-06 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4b2d1e6fac32'
down_revision = '3a1c0f5e9b21'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('supplier_sites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_code', sa.String(length=32), nullable=False),
    sa.Column('supplier_name', sa.String(length=200), nullable=False),
    sa.Column('site_name', sa.String(length=200), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('public_code')
    )
    with op.batch_alter_table('supplier_sites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supplier_sites_country'), ['country'], unique=False)

    op.create_table('supplier_counts',
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('locale', sa.String(length=16), nullable=False),
    sa.Column('started', sa.Integer(), nullable=False),
    sa.Column('completed', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['supplier_sites.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('site_id', 'month', 'locale')
    )

    with op.batch_alter_table('concerns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('supplier_site_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            'fk_concerns_supplier_site_id', 'supplier_sites', ['supplier_site_id'], ['id'], ondelete='SET NULL'
        )


def downgrade():
    with op.batch_alter_table('concerns', schema=None) as batch_op:
        batch_op.drop_constraint('fk_concerns_supplier_site_id', type_='foreignkey')
        batch_op.drop_column('supplier_site_id')

    op.drop_table('supplier_counts')
    with op.batch_alter_table('supplier_sites', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supplier_sites_country'))

    op.drop_table('supplier_sites')
