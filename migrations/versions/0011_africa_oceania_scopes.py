"""regions: admins scoped to global also get africa and oceania

Africa and Oceania used to be part of the global region. Since content 1.1 they are
regions of their own; an admin who managed global keeps seeing the same people.

Revision ID: e2a5c3b6d7f8
Revises: d1f4b2a5c6e7
Create Date: 2026-12-05 23:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e2a5c3b6d7f8'
down_revision = 'd1f4b2a5c6e7'
branch_labels = None
depends_on = None

NEW_REGIONS = ("africa", "oceania")


def upgrade():
    for region in NEW_REGIONS:
        op.execute(
            sa.text(
                "INSERT INTO admin_scopes (admin_id, kind, value) "
                "SELECT s.admin_id, 'region', :region FROM admin_scopes s "
                "WHERE s.kind = 'region' AND s.value = 'global' AND NOT EXISTS ("
                "SELECT 1 FROM admin_scopes t WHERE t.admin_id = s.admin_id "
                "AND t.kind = 'region' AND t.value = :region)"
            ).bindparams(region=region)
        )


def downgrade():
    # Which rows the upgrade added is not recorded: an admin may have been given one
    # of the regions on purpose since. Going back leaves them: the old code ignores a
    # scope naming an unknown region.
    pass
