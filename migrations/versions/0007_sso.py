"""single sign-on: OpenID Connect role mapping

Revision ID: a7c1e9d2f3b4
Revises: 4b2d1e6fac32
Create Date: 2026-12-05 20:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c1e9d2f3b4'
down_revision = '4b2d1e6fac32'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sso_group_roles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_name', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('group_name', 'role')
    )


def downgrade():
    op.drop_table('sso_group_roles')
