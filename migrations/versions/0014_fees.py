"""property fees: payments per unit and month (append-only, reversible), and the provider staff role with the
compounds a committee granted it

Revision ID: 0014_fees
Revises: 0013_survey_campaign
"""

import sqlalchemy as sa
from alembic import op

from backend.types import UTCDateTime

revision = "0014_fees"
down_revision = "0013_survey_campaign"
branch_labels = None
depends_on = None

OLD_ROLES = "role IN ('admin', 'official', 'committee')"
NEW_ROLES = "role IN ('admin', 'official', 'committee', 'provider')"


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_users_role"), type_="check")
        batch_op.create_check_constraint(op.f("ck_users_role"), NEW_ROLES)

    op.create_table(
        "provider_compounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("granted_by", sa.String(length=100), nullable=False),
        sa.Column("granted_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_provider_compounds_user_id_users")),
        sa.ForeignKeyConstraint(
            ["compound_id"], ["compounds.id"], name=op.f("fk_provider_compounds_compound_id_compounds")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_compounds")),
        sa.UniqueConstraint("user_id", "compound_id", name=op.f("uq_provider_compounds_user_id_compound_id")),
    )
    op.create_index(op.f("ix_provider_compounds_user_id"), "provider_compounds", ["user_id"], unique=False)
    op.create_index(op.f("ix_provider_compounds_compound_id"), "provider_compounds", ["compound_id"], unique=False)

    op.create_table(
        "fee_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=True),
        sa.Column("reference", sa.String(length=64), nullable=True),
        sa.Column("reverses_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=255), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('payment', 'reversal')", name=op.f("ck_fee_entries_kind")),
        sa.CheckConstraint(
            "method IS NULL OR method IN ('cash', 'bank', 'wechat', 'alipay')", name=op.f("ck_fee_entries_method")
        ),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_fee_entries_amount_positive")),
        sa.CheckConstraint("(kind = 'reversal') = (reverses_id IS NOT NULL)", name=op.f("ck_fee_entries_reversal_link")),
        sa.CheckConstraint("kind = 'reversal' OR reference IS NOT NULL", name=op.f("ck_fee_entries_reference")),
        sa.CheckConstraint("length(period) = 7", name=op.f("ck_fee_entries_period")),
        sa.ForeignKeyConstraint(["compound_id"], ["compounds.id"], name=op.f("fk_fee_entries_compound_id_compounds")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_fee_entries_unit_id_units")),
        sa.ForeignKeyConstraint(["reverses_id"], ["fee_entries.id"], name=op.f("fk_fee_entries_reverses_id_fee_entries")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fee_entries")),
        sa.UniqueConstraint("compound_id", "reference", name=op.f("uq_fee_entries_compound_id_reference")),
        sa.UniqueConstraint("reverses_id", name=op.f("uq_fee_entries_reverses_id")),
    )
    op.create_index("ix_fee_entries_account", "fee_entries", ["compound_id", "unit_id"], unique=False)
    op.create_index("ix_fee_entries_period", "fee_entries", ["compound_id", "period"], unique=False)


def downgrade():
    op.drop_index("ix_fee_entries_period", table_name="fee_entries")
    op.drop_index("ix_fee_entries_account", table_name="fee_entries")
    op.drop_table("fee_entries")
    op.drop_index(op.f("ix_provider_compounds_compound_id"), table_name="provider_compounds")
    op.drop_index(op.f("ix_provider_compounds_user_id"), table_name="provider_compounds")
    op.drop_table("provider_compounds")
    op.execute("DELETE FROM users WHERE role = 'provider'")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_users_role"), type_="check")
        batch_op.create_check_constraint(op.f("ck_users_role"), OLD_ROLES)
