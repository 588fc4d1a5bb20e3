"""generated files and report subscriptions

Files a task made for one admin (large exports, large scheduled reports) kept in the
database until they expire; admins' weekly or monthly report subscriptions.

Revision ID: a4b8d2f6c1e3
Revises: f3a7c9e1b2d4
Create Date: 2026-12-06 04:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a4b8d2f6c1e3'
down_revision = 'f3a7c9e1b2d4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'generated_files',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('task_run_id', sa.Integer(), nullable=True),
        sa.Column('file_name', sa.String(length=120), nullable=False),
        sa.Column('content_type', sa.String(length=120), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['owner_id'], ['users.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['task_run_id'], ['task_runs.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('generated_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_generated_files_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_generated_files_task_run_id'), ['task_run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_generated_files_expires_at'), ['expires_at'], unique=False)
    op.create_table(
        'report_subscriptions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('admin_id', sa.Integer(), nullable=False),
        sa.Column('frequency', sa.String(length=16), nullable=False),
        sa.Column('format', sa.String(length=16), nullable=False),
        sa.Column('filters', sa.JSON(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('next_due_at', sa.DateTime(), nullable=False),
        sa.Column('last_sent_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['admin_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('report_subscriptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_subscriptions_admin_id'), ['admin_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_subscriptions_active'), ['active'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_subscriptions_next_due_at'), ['next_due_at'], unique=False)


def downgrade():
    op.drop_table('report_subscriptions')
    op.drop_table('generated_files')
