"""project funding corrections: an arrival is undone by a reversal row (kind, reverses_id unique, reason), and a
source's planned amount is revised with a reason, each revision kept

Revision ID: 0019_project_corrections
Revises: 0018_fund_notice
"""

from alembic import op
import sqlalchemy as sa

import backend.types  # noqa: F401  (custom column types used below)


revision = "0019_project_corrections"
down_revision = "0018_fund_notice"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("project_arrivals", schema=None) as batch_op:
        # Rows already booked are arrivals; the default only fills them and is dropped below.
        batch_op.add_column(sa.Column("kind", sa.String(length=16), nullable=False, server_default="arrival"))
        batch_op.add_column(sa.Column("reverses_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reason", sa.String(length=255), nullable=True))
    with op.batch_alter_table("project_arrivals", schema=None) as batch_op:
        batch_op.alter_column("kind", server_default=None)
        batch_op.create_foreign_key(
            batch_op.f("fk_project_arrivals_reverses_id_project_arrivals"), "project_arrivals", ["reverses_id"], ["id"]
        )
        batch_op.create_unique_constraint(batch_op.f("uq_project_arrivals_reverses_id"), ["reverses_id"])
        batch_op.create_check_constraint("kind", "kind IN ('arrival', 'reversal')")
        batch_op.create_check_constraint("reversal_link", "(kind = 'reversal') = (reverses_id IS NOT NULL)")
        batch_op.create_check_constraint("reversal_reason", "(kind = 'reversal') = (reason IS NOT NULL)")

    op.create_table(
        "project_funding_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("funding_id", sa.Integer(), nullable=False),
        sa.Column("planned_before_fen", sa.Integer(), nullable=False),
        sa.Column("planned_fen", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=255), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", backend.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint("planned_fen >= 0", name=op.f("ck_project_funding_revisions_planned")),
        sa.ForeignKeyConstraint(
            ["funding_id"],
            ["project_fundings.id"],
            name=op.f("fk_project_funding_revisions_funding_id_project_fundings"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_funding_revisions")),
    )
    with op.batch_alter_table("project_funding_revisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_funding_revisions_funding_id"), ["funding_id"], unique=False)


def downgrade():
    with op.batch_alter_table("project_funding_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_funding_revisions_funding_id"))
    op.drop_table("project_funding_revisions")
    with op.batch_alter_table("project_arrivals", schema=None) as batch_op:
        batch_op.drop_constraint("ck_project_arrivals_reversal_reason", type_="check")
        batch_op.drop_constraint("ck_project_arrivals_reversal_link", type_="check")
        batch_op.drop_constraint("ck_project_arrivals_kind", type_="check")
        batch_op.drop_constraint(batch_op.f("uq_project_arrivals_reverses_id"), type_="unique")
        batch_op.drop_constraint(batch_op.f("fk_project_arrivals_reverses_id_project_arrivals"), type_="foreignkey")
        batch_op.drop_column("reason")
        batch_op.drop_column("reverses_id")
        batch_op.drop_column("kind")
