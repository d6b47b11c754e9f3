"""indexes for the city-wide consent-rate report: each vote's counted ballots, choices and frozen units read as
index ranges of that vote alone, so an export costs its own votes' ballots whatever the older history

Revision ID: 0015_report_indexes
Revises: 0014_fees
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_report_indexes"
down_revision = "0014_fees"
branch_labels = None
depends_on = None

COUNTED = "superseded_at IS NULL AND confirmed_at IS NOT NULL"  # votes.tally.counted_ballots()


def upgrade():
    # A vote's counted ballots in unit order, with the owner and the ballot id (index-only, merges with vote_units).
    op.create_index(
        "ix_ballots_counted",
        "ballots",
        ["vote_id", "unit_id", "id", "owner_id"],
        sqlite_where=sa.text(COUNTED),
        postgresql_where=sa.text(COUNTED),
    )
    # A ballot's choices with their option: the key plus the option, so the tally never reads the table itself.
    op.create_index("ix_ballot_choices_cover", "ballot_choices", ["ballot_id", "item_id", "option"])
    # The frozen area beside the key, so the area sum reads the index only.
    op.create_index("ix_vote_units_area", "vote_units", ["vote_id", "unit_id", "area_cents"])
    # The report's order: compound, then vote.
    op.create_index("ix_votes_compound_order", "votes", ["compound_id", "id"])


def downgrade():
    op.drop_index("ix_votes_compound_order", table_name="votes")
    op.drop_index("ix_vote_units_area", table_name="vote_units")
    op.drop_index("ix_ballot_choices_cover", table_name="ballot_choices")
    op.drop_index(
        "ix_ballots_counted", table_name="ballots", sqlite_where=sa.text(COUNTED), postgresql_where=sa.text(COUNTED)
    )
