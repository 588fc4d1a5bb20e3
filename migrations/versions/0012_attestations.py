"""attestations: the statement confirmed on each module and on completing a course

A module acknowledgement keeps the id and the SHA-256 of the statement text shown; a
completion keeps the final statement's id, hash and locale and when it was confirmed.
Rows written before this revision have none (they were plain acknowledgements).

Revision ID: f3a7c9e1b2d4
Revises: e2a5c3b6d7f8
Create Date: 2026-12-06 03:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3a7c9e1b2d4'
down_revision = 'e2a5c3b6d7f8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('module_progress', schema=None) as batch_op:
        batch_op.add_column(sa.Column('statement_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('statement_hash', sa.String(length=64), nullable=True))
    with op.batch_alter_table('completions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attestation_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('attestation_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('attestation_locale', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('attested_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('completions', schema=None) as batch_op:
        batch_op.drop_column('attested_at')
        batch_op.drop_column('attestation_locale')
        batch_op.drop_column('attestation_hash')
        batch_op.drop_column('attestation_id')
    with op.batch_alter_table('module_progress', schema=None) as batch_op:
        batch_op.drop_column('statement_hash')
        batch_op.drop_column('statement_id')
