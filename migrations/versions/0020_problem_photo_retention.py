"""construction problems: when the retention purge deleted a closed report's photos

Revision ID: 0020_problem_photo_retention
Revises: 0019_project_corrections
"""

from alembic import op
import sqlalchemy as sa

import backend.types  # noqa: F401  (custom column types used below)


revision = "0020_problem_photo_retention"
down_revision = "0019_project_corrections"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("construction_problems", schema=None) as batch_op:
        batch_op.add_column(sa.Column("photos_purged_at", backend.types.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("construction_problems", schema=None) as batch_op:
        batch_op.drop_column("photos_purged_at")
