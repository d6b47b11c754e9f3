"""audit entries may be stored unlinked and linked just after their commit (a vote's ballots no longer queue on the
chain's head row): seq and the hashes become nullable, and the unlinked are found through a partial index

Revision ID: 0022_audit_unlinked
Revises: 0021_vote_item_figures
"""

from alembic import op
import sqlalchemy as sa


revision = "0022_audit_unlinked"
down_revision = "0021_vote_item_figures"
branch_labels = None
depends_on = None

UNLINKED = sa.text("seq IS NULL")


def upgrade():
    with op.batch_alter_table("audit_entries") as batch:
        batch.alter_column("seq", existing_type=sa.Integer(), nullable=True)
        batch.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=True)
        batch.alter_column("hash", existing_type=sa.String(length=64), nullable=True)
    op.create_index(
        "ix_audit_entries_unlinked",
        "audit_entries",
        ["chain", "id"],
        sqlite_where=UNLINKED,
        postgresql_where=UNLINKED,
    )


def downgrade():
    op.drop_index("ix_audit_entries_unlinked", table_name="audit_entries")
    with op.batch_alter_table("audit_entries") as batch:
        batch.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
        batch.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch.alter_column("seq", existing_type=sa.Integer(), nullable=False)
