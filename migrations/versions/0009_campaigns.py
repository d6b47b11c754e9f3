"""co-funding campaigns: campaigns, subsidies, frozen shares, pledges, payment entries; money notices

Revision ID: 0009_campaigns
Revises: 0008_sheet_void
"""
import sqlalchemy as sa
from alembic import op

from backend.types import UTCDateTime

revision = "0009_campaigns"
down_revision = "0008_sheet_void"
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('announcement', 'vote_notice', 'survey_invite', 'result_notice')"
NEW_KINDS = "kind IN ('announcement', 'vote_notice', 'survey_invite', 'result_notice', 'money_notice')"


def upgrade():
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("scope_building", sa.String(length=32), nullable=True),
        sa.Column("scope_entrance", sa.String(length=32), nullable=True),
        sa.Column("total_cost_fen", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=16), nullable=False),
        sa.Column("coefficients_json", sa.Text(), nullable=False),
        sa.Column("vote_item_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint("status IN ('draft', 'open')", name=op.f("ck_campaigns_status")),
        sa.CheckConstraint("rule IN ('area', 'equal', 'floor_area')", name=op.f("ck_campaigns_rule")),
        sa.CheckConstraint("total_cost_fen >= 0", name=op.f("ck_campaigns_cost")),
        sa.CheckConstraint("scope_entrance IS NULL OR scope_building IS NOT NULL", name=op.f("ck_campaigns_scope")),
        sa.ForeignKeyConstraint(["compound_id"], ["compounds.id"], name=op.f("fk_campaigns_compound_id_compounds")),
        sa.ForeignKeyConstraint(["vote_item_id"], ["vote_items.id"], name=op.f("fk_campaigns_vote_item_id_vote_items")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
    )
    op.create_index(op.f("ix_campaigns_compound_id"), "campaigns", ["compound_id"], unique=False)

    op.create_table(
        "campaign_subsidies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "source IN ('city', 'district', 'provident_fund', 'other')", name=op.f("ck_campaign_subsidies_source")
        ),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_campaign_subsidies_amount_positive")),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_campaign_subsidies_campaign_id_campaigns"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_subsidies")),
    )
    op.create_index(op.f("ix_campaign_subsidies_campaign_id"), "campaign_subsidies", ["campaign_id"], unique=False)

    op.create_table(
        "campaign_shares",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("building", sa.String(length=32), nullable=False),
        sa.Column("entrance", sa.String(length=32), nullable=False),
        sa.Column("room", sa.String(length=32), nullable=False),
        sa.Column("floor", sa.Integer(), nullable=True),
        sa.Column("area_cents", sa.Integer(), nullable=False),
        sa.Column("coefficient", sa.Numeric(precision=6, scale=2), nullable=True),
        sa.Column("share_fen", sa.Integer(), nullable=False),
        sa.CheckConstraint("share_fen >= 0", name=op.f("ck_campaign_shares_share_nonnegative")),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_campaign_shares_campaign_id_campaigns"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_campaign_shares_unit_id_units")),
        sa.PrimaryKeyConstraint("campaign_id", "unit_id", name=op.f("pk_campaign_shares")),
    )

    op.create_table(
        "campaign_pledges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_campaign_pledges_amount_positive")),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_campaign_pledges_campaign_id_campaigns"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_campaign_pledges_unit_id_units")),
        sa.ForeignKeyConstraint(["resident_id"], ["residents.id"], name=op.f("fk_campaign_pledges_resident_id_residents")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_pledges")),
        sa.UniqueConstraint("campaign_id", "unit_id", name=op.f("uq_campaign_pledges_campaign_id_unit_id")),
    )

    op.create_table(
        "campaign_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=True),
        sa.Column("reference", sa.String(length=64), nullable=True),
        sa.Column("reverses_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=255), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('payment', 'reversal')", name=op.f("ck_campaign_payments_kind")),
        sa.CheckConstraint(
            "method IS NULL OR method IN ('cash', 'bank', 'wechat', 'alipay')", name=op.f("ck_campaign_payments_method")
        ),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_campaign_payments_amount_positive")),
        sa.CheckConstraint(
            "(kind = 'reversal') = (reverses_id IS NOT NULL)", name=op.f("ck_campaign_payments_reversal_link")
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_campaign_payments_campaign_id_campaigns"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_campaign_payments_unit_id_units")),
        sa.ForeignKeyConstraint(
            ["reverses_id"], ["campaign_payments.id"], name=op.f("fk_campaign_payments_reverses_id_campaign_payments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_payments")),
        sa.UniqueConstraint("campaign_id", "reference", name=op.f("uq_campaign_payments_campaign_id_reference")),
        sa.UniqueConstraint("reverses_id", name=op.f("uq_campaign_payments_reverses_id")),
    )
    op.create_index(op.f("ix_campaign_payments_campaign_id"), "campaign_payments", ["campaign_id"], unique=False)

    # A money notice announces a campaign (a plain integer like vote_id: the notices feature keeps no FK).
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("campaign_id", sa.Integer(), nullable=True))
        batch_op.drop_constraint(batch_op.f("ck_notices_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_notices_kind"), NEW_KINDS)


def downgrade():
    op.execute("DELETE FROM notices WHERE kind = 'money_notice'")
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_notices_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_notices_kind"), OLD_KINDS)
        batch_op.drop_column("campaign_id")
    op.drop_index(op.f("ix_campaign_payments_campaign_id"), table_name="campaign_payments")
    op.drop_table("campaign_payments")
    op.drop_table("campaign_pledges")
    op.drop_table("campaign_shares")
    op.drop_index(op.f("ix_campaign_subsidies_campaign_id"), table_name="campaign_subsidies")
    op.drop_table("campaign_subsidies")
    op.drop_index(op.f("ix_campaigns_compound_id"), table_name="campaigns")
    op.drop_table("campaigns")
