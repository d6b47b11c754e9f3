"""a ballot sheet can be voided (spoiled or lost) with a reason, so reconciliation accounts for every number

Revision ID: 0008_sheet_void
Revises: 0007_option_labels
"""
import sqlalchemy as sa
from alembic import op

from backend.types import UTCDateTime

revision = "0008_sheet_void"
down_revision = "0007_option_labels"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("vote_sheets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("voided_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("void_reason", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("voided_by", sa.String(length=100), nullable=True))


def downgrade():
    with op.batch_alter_table("vote_sheets", schema=None) as batch_op:
        batch_op.drop_column("voided_by")
        batch_op.drop_column("void_reason")
        batch_op.drop_column("voided_at")
