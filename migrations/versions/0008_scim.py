"""SCIM provisioning and API token scopes

Revision ID: b8d2f0e3a4c5
Revises: a7c1e9d2f3b4
Create Date: 2026-12-05 20:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b8d2f0e3a4c5'
down_revision = 'a7c1e9d2f3b4'
branch_labels = None
depends_on = None


def upgrade():
    # tokens issued before scopes keep what they could do: read the HR API
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scopes', sa.String(length=100), server_default='hr_read', nullable=False))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('external_id', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(), nullable=True))
        batch_op.create_unique_constraint('uq_users_external_id', ['external_id'])


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint('uq_users_external_id', type_='unique')
        batch_op.drop_column('deleted_at')
        batch_op.drop_column('external_id')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('scopes')
