"""a printed ballot sheet names its unit: at most one sheet number per unit per vote

Revision ID: 0005_sheet_per_unit
Revises: 0004_ballot_owner
"""
from alembic import op

revision = "0005_sheet_per_unit"
down_revision = "0004_ballot_owner"
branch_labels = None
depends_on = None


def upgrade():
    # Hand-issued sheets carry no unit; NULLs never clash in a unique constraint on either database.
    with op.batch_alter_table("vote_sheets", schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f("uq_vote_sheets_vote_id_unit_id"), ["vote_id", "unit_id"])


def downgrade():
    with op.batch_alter_table("vote_sheets", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_vote_sheets_vote_id_unit_id"), type_="unique")
