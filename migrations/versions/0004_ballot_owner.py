"""ballots record the owner they count for, so a unit sold mid-vote counts for its buyer

Revision ID: 0004_ballot_owner
Revises: 0003_merge
"""
from alembic import op
import sqlalchemy as sa

revision = "0004_ballot_owner"
down_revision = "0003_merge"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("ballots", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
    # Ballots cast so far count for the owner frozen at publish, as they did before this column existed.
    op.execute("UPDATE ballots SET owner_id = (SELECT vu.owner_id FROM vote_units vu "
               "WHERE vu.vote_id = ballots.vote_id AND vu.unit_id = ballots.unit_id)")
    with op.batch_alter_table("ballots", schema=None) as batch_op:
        batch_op.alter_column("owner_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f("fk_ballots_owner_id_owners"), "owners", ["owner_id"], ["id"])


def downgrade():
    with op.batch_alter_table("ballots", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_ballots_owner_id_owners"), type_="foreignkey")
        batch_op.drop_column("owner_id")
