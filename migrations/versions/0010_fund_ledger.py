"""maintenance-fund ledger: rates, spending items and append-only entries per unit (DOMAIN.md §4)

Revision ID: 0010_fund_ledger
Revises: 0009_campaigns
"""

import sqlalchemy as sa
from alembic import op

from backend.types import UTCDateTime

revision = "0010_fund_ledger"
down_revision = "0009_campaigns"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "fund_rates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("building", sa.String(length=32), nullable=True),
        sa.Column("rate_fen_per_m2", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("basis", sa.String(length=500), nullable=False),
        sa.Column("vote_item_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("rate_fen_per_m2 > 0", name=op.f("ck_fund_rates_rate_positive")),
        sa.ForeignKeyConstraint(["compound_id"], ["compounds.id"], name=op.f("fk_fund_rates_compound_id_compounds")),
        sa.ForeignKeyConstraint(
            ["vote_item_id"], ["vote_items.id"], name=op.f("fk_fund_rates_vote_item_id_vote_items")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_rates")),
    )
    op.create_index(op.f("ix_fund_rates_compound_id"), "fund_rates", ["compound_id"], unique=False)

    op.create_table(
        "fund_spendings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("scope_building", sa.String(length=32), nullable=True),
        sa.Column("scope_entrance", sa.String(length=32), nullable=True),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("vote_item_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_fund_spendings_amount_positive")),
        sa.CheckConstraint(
            "scope_entrance IS NULL OR scope_building IS NOT NULL", name=op.f("ck_fund_spendings_scope")
        ),
        sa.ForeignKeyConstraint(
            ["compound_id"], ["compounds.id"], name=op.f("fk_fund_spendings_compound_id_compounds")
        ),
        sa.ForeignKeyConstraint(
            ["vote_item_id"], ["vote_items.id"], name=op.f("fk_fund_spendings_vote_item_id_vote_items")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_spendings")),
    )
    op.create_index(op.f("ix_fund_spendings_compound_id"), "fund_spendings", ["compound_id"], unique=False)

    op.create_table(
        "fund_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=True),
        sa.Column("reverses_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("spending_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('deposit', 'reversal', 'use')", name=op.f("ck_fund_entries_kind")),
        sa.CheckConstraint(
            "amount_fen > 0 OR (kind = 'use' AND amount_fen = 0)", name=op.f("ck_fund_entries_amount_positive")
        ),
        sa.CheckConstraint(
            "(kind = 'reversal') = (reverses_id IS NOT NULL)", name=op.f("ck_fund_entries_reversal_names_entry")
        ),
        sa.CheckConstraint(
            "(kind = 'use') = (spending_id IS NOT NULL)", name=op.f("ck_fund_entries_use_names_spending")
        ),
        sa.ForeignKeyConstraint(["compound_id"], ["compounds.id"], name=op.f("fk_fund_entries_compound_id_compounds")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_fund_entries_unit_id_units")),
        sa.ForeignKeyConstraint(
            ["reverses_id"], ["fund_entries.id"], name=op.f("fk_fund_entries_reverses_id_fund_entries")
        ),
        sa.ForeignKeyConstraint(
            ["spending_id"], ["fund_spendings.id"], name=op.f("fk_fund_entries_spending_id_fund_spendings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_entries")),
        sa.UniqueConstraint("compound_id", "reference", name=op.f("uq_fund_entries_compound_id_reference")),
        sa.UniqueConstraint("reverses_id", name=op.f("uq_fund_entries_reverses_id")),
    )
    op.create_index("ix_fund_entries_account", "fund_entries", ["compound_id", "unit_id"], unique=False)
    op.create_index(op.f("ix_fund_entries_spending_id"), "fund_entries", ["spending_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_fund_entries_spending_id"), table_name="fund_entries")
    op.drop_index("ix_fund_entries_account", table_name="fund_entries")
    op.drop_table("fund_entries")
    op.drop_index(op.f("ix_fund_spendings_compound_id"), table_name="fund_spendings")
    op.drop_table("fund_spendings")
    op.drop_index(op.f("ix_fund_rates_compound_id"), table_name="fund_rates")
    op.drop_table("fund_rates")
