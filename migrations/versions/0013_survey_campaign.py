"""a survey remembers the co-funding campaign drafted from it (an elevator survey → its entrance's campaign)

Revision ID: 0013_survey_campaign
Revises: 0012_management
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_survey_campaign"
down_revision = "0012_management"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("draft_campaign_id", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.drop_column("draft_campaign_id")
