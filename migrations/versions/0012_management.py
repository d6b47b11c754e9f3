"""property management: each compound's current record, its append-only history, and the owners' choices

Revision ID: 0012_management
Revises: 0011_surveys
"""

import sqlalchemy as sa
from alembic import op

from backend.types import UTCDateTime

revision = "0012_management"
down_revision = "0011_surveys"
branch_labels = None
depends_on = None

MODELS = "('professional', 'quasi', 'self_managed', 'none')"
HOLDERS = (
    "('work_unit', 'enterprise', 'enterprise_restructured', 'enterprise_bankrupt', 'village_collective', "
    "'reformed_public_housing', 'commercial', 'unknown')"
)


def fields():
    return [
        sa.Column("model", sa.String(length=16), nullable=False),
        sa.Column("provider_name", sa.String(length=200), nullable=True),
        sa.Column("provider_contact", sa.String(length=100), nullable=True),
        sa.Column("provider_licence", sa.String(length=64), nullable=True),
        sa.Column("fee_fen_per_m2_month", sa.Integer(), nullable=True),
        sa.Column("contract_start", sa.Date(), nullable=True),
        sa.Column("contract_end", sa.Date(), nullable=True),
        sa.Column("rights_holder", sa.String(length=32), nullable=False),
        sa.Column("responsible_party", sa.String(length=200), nullable=True),
        sa.Column("effective_from", sa.Date(), nullable=True),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("vote_item_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("compound_id", sa.Integer(), nullable=False),
    ]


def upgrade():
    op.create_table(
        "management_states",
        sa.Column("id", sa.Integer(), nullable=False),
        *fields(),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(f"model IN {MODELS}", name=op.f("ck_management_states_model")),
        sa.CheckConstraint(f"rights_holder IN {HOLDERS}", name=op.f("ck_management_states_rights_holder")),
        sa.CheckConstraint(
            "fee_fen_per_m2_month IS NULL OR fee_fen_per_m2_month >= 0", name=op.f("ck_management_states_fee")
        ),
        sa.ForeignKeyConstraint(
            ["compound_id"], ["compounds.id"], name=op.f("fk_management_states_compound_id_compounds")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_management_states")),
        sa.UniqueConstraint("compound_id", name=op.f("uq_management_states_compound_id")),
    )
    op.create_table(
        "management_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        *fields(),
        sa.Column("changed_by", sa.String(length=100), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["compound_id"], ["compounds.id"], name=op.f("fk_management_changes_compound_id_compounds")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_management_changes")),
        sa.UniqueConstraint("compound_id", "version", name=op.f("uq_management_changes_compound_id_version")),
    )
    op.create_index(op.f("ix_management_changes_compound_id"), "management_changes", ["compound_id"])
    op.create_table(
        "management_choices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=True),
        sa.Column("vote_id", sa.Integer(), nullable=False),
        sa.Column("vote_item_id", sa.Integer(), nullable=False),
        sa.Column("proposals_json", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("applied_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["compound_id"], ["compounds.id"], name=op.f("fk_management_choices_compound_id_compounds")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_management_choices")),
        sa.UniqueConstraint("vote_id", name=op.f("uq_management_choices_vote_id")),
        sa.UniqueConstraint("vote_item_id", name=op.f("uq_management_choices_vote_item_id")),
    )
    op.create_index(op.f("ix_management_choices_compound_id"), "management_choices", ["compound_id"])


def downgrade():
    op.drop_index(op.f("ix_management_choices_compound_id"), table_name="management_choices")
    op.drop_table("management_choices")
    op.drop_index(op.f("ix_management_changes_compound_id"), table_name="management_changes")
    op.drop_table("management_changes")
    op.drop_table("management_states")
