"""single sign-on: SAML 2.0 assertions accepted once

Revision ID: d1f4b2a5c6e7
Revises: c9e3a1f4b5d6
Create Date: 2026-12-05 21:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd1f4b2a5c6e7'
down_revision = 'c9e3a1f4b5d6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('saml_assertions_seen',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_index(op.f('ix_saml_assertions_seen_expires_at'), 'saml_assertions_seen', ['expires_at'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_saml_assertions_seen_expires_at'), table_name='saml_assertions_seen')
    op.drop_table('saml_assertions_seen')
