"""grievance channel: dialogue, attachments, deadlines, handler groups

Reporter messages and attachments, acknowledgement and feedback deadlines, the
reporter's access expiry, handler groups with members, conflicts of interest.
Existing open cases get their deadlines from their history; every existing case
stays in the default group (group_id NULL), which every handler outside a group
works on, so nobody loses a case they handle today.

Revision ID: b5c9e3a7d2f1
Revises: a4b8d2f6c1e3
Create Date: 2026-12-06 06:00:00

"""
from datetime import datetime, timedelta, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b5c9e3a7d2f1'
down_revision = 'a4b8d2f6c1e3'
branch_labels = None
depends_on = None

ACK_DAYS, FEEDBACK_DAYS, ACCESS_DAYS = 7, 90, 90


def upgrade():
    op.create_table(
        'handler_groups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('regions', sa.String(length=500), nullable=False),
        sa.Column('categories', sa.String(length=1000), nullable=False),
        sa.Column('is_default', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
    )
    op.create_table(
        'handler_group_members',
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['group_id'], ['handler_groups.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('group_id', 'user_id'),
    )
    with op.batch_alter_table('handler_group_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handler_group_members_user_id'), ['user_id'], unique=False)
    op.create_table(
        'case_conflicts',
        sa.Column('concern_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['concern_id'], ['concerns.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('concern_id', 'user_id'),
    )
    with op.batch_alter_table('case_conflicts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_conflicts_user_id'), ['user_id'], unique=False)
    op.create_table(
        'concern_attachments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('concern_id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.Integer(), nullable=True),
        sa.Column('file_name', sa.String(length=64), nullable=False),
        sa.Column('media_type', sa.String(length=128), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('data_enc', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['concern_id'], ['concerns.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['message_id'], ['concern_messages.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('concern_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_concern_attachments_concern_id'), ['concern_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_concern_attachments_message_id'), ['message_id'], unique=False)
    with op.batch_alter_table('concerns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('group_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('assignee_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('acknowledged_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('feedback_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('due_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('reporter_access_until', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(
            'fk_concerns_group_id_handler_groups', 'handler_groups', ['group_id'], ['id'], ondelete='SET NULL'
        )
        batch_op.create_foreign_key('fk_concerns_assignee_id_users', 'users', ['assignee_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index(batch_op.f('ix_concerns_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_concerns_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_concerns_due_at'), ['due_at'], unique=False)
    _deadlines_from_history()


def _deadlines_from_history():
    """Acknowledged: the first answer or status change; due: the next open deadline; the
    report's time cut to its day (as new reports are stored); the code keeps working for
    the full period from today, so no reporter is shut out by the upgrade."""
    bind = op.get_bind()
    today = datetime.now(timezone.utc).replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0)
    rows = bind.execute(sa.text("SELECT id, status, created_at, updated_at FROM concerns")).all()
    for concern_id, status, created_at, updated_at in rows:
        created_at = _as_datetime(created_at).replace(hour=0, minute=0, second=0, microsecond=0)
        updated_at = _as_datetime(updated_at)
        first = bind.execute(
            sa.text("SELECT MIN(at) FROM case_events WHERE concern_id = :id AND action IN ('answer', 'status')"),
            {"id": concern_id},
        ).scalar()
        acknowledged = _as_datetime(first) if first is not None else None
        if status == 'closed':
            due = None
        elif acknowledged is None:
            due = created_at + timedelta(days=ACK_DAYS)
        else:
            due = acknowledged + timedelta(days=FEEDBACK_DAYS)
        bind.execute(
            sa.text(
                "UPDATE concerns SET acknowledged_at = :ack, due_at = :due, reporter_access_until = :until,"
                " created_at = :received, updated_at = :updated WHERE id = :id"
            ),
            {
                "ack": acknowledged,
                "due": due,
                "until": max(updated_at, today) + timedelta(days=ACCESS_DAYS),
                "received": created_at,
                "updated": updated_at.replace(hour=0, minute=0, second=0, microsecond=0),
                "id": concern_id,
            },
        )


def _as_datetime(value):
    # SQLite hands back text, PostgreSQL a datetime
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def downgrade():
    with op.batch_alter_table('concerns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_concerns_due_at'))
        batch_op.drop_index(batch_op.f('ix_concerns_assignee_id'))
        batch_op.drop_index(batch_op.f('ix_concerns_group_id'))
        batch_op.drop_constraint('fk_concerns_assignee_id_users', type_='foreignkey')
        batch_op.drop_constraint('fk_concerns_group_id_handler_groups', type_='foreignkey')
        for column in ('reporter_access_until', 'due_at', 'feedback_at', 'acknowledged_at', 'assignee_id', 'group_id'):
            batch_op.drop_column(column)
    op.drop_table('concern_attachments')
    op.drop_table('case_conflicts')
    op.drop_table('handler_group_members')
    op.drop_table('handler_groups')
