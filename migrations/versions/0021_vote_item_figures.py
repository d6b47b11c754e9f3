"""votes: an announced vote's counts stored at announcement; votes announced before this are counted here

Revision ID: 0021_vote_item_figures
Revises: 0020_problem_photo_retention
"""

from alembic import op
import sqlalchemy as sa


revision = "0021_vote_item_figures"
down_revision = "0020_problem_photo_retention"
branch_labels = None
depends_on = None

# The live count (votes/tally.py aggregate_stmt) of every announced vote, written as it stands today: no ballot of
# an announced vote can be corrected any more, so this is what announcing them now would have stored.
BACKFILL = """
INSERT INTO vote_item_figures (vote_id, item_id, option, owners, area_cents)
SELECT b.vote_id, c.item_id, c.option, COUNT(DISTINCT b.owner_id), COALESCE(SUM(vu.area_cents), 0)
FROM ballot_choices c
JOIN ballots b ON b.id = c.ballot_id
JOIN vote_units vu ON vu.vote_id = b.vote_id AND vu.unit_id = b.unit_id
JOIN votes v ON v.id = b.vote_id
WHERE v.status = 'announced' AND b.superseded_at IS NULL AND b.confirmed_at IS NOT NULL
GROUP BY b.vote_id, c.item_id, c.option
"""


def upgrade():
    op.create_table(
        "vote_item_figures",
        sa.Column("vote_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("option", sa.String(length=50), nullable=False),
        sa.Column("owners", sa.Integer(), nullable=False),
        sa.Column("area_cents", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"], ["vote_items.id"], name=op.f("fk_vote_item_figures_item_id_vote_items"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["vote_id"], ["votes.id"], name=op.f("fk_vote_item_figures_vote_id_votes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("vote_id", "item_id", "option", name=op.f("pk_vote_item_figures")),
    )
    op.execute(BACKFILL)


def downgrade():
    op.drop_table("vote_item_figures")
