"""merge the residents and votes branches, so `flask db upgrade` (a single head) works again

Revision ID: 0003_merge
Revises: 0002_residents, 0002_votes
"""

revision = "0003_merge"
down_revision = ("0002_residents", "0002_votes")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
