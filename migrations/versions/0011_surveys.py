"""surveys: questions frozen at publish, participations (the one-per rule), named and anonymous answers

Revision ID: 0011_surveys
Revises: 0010_fund_ledger
"""

import sqlalchemy as sa
from alembic import op

from backend.types import UTCDateTime

revision = "0011_surveys"
down_revision = "0010_fund_ledger"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "surveys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("template", sa.String(length=40), nullable=True),
        sa.Column("audience", sa.String(length=16), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("scope_building", sa.String(length=32), nullable=True),
        sa.Column("scope_entrance", sa.String(length=32), nullable=True),
        sa.Column("opens_at", UTCDateTime(), nullable=False),
        sa.Column("closes_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("questions_json", sa.Text(), nullable=False),
        sa.Column("draft_vote_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint("status IN ('draft', 'open', 'closed')", name=op.f("ck_surveys_status")),
        sa.CheckConstraint("audience IN ('household', 'resident')", name=op.f("ck_surveys_audience")),
        sa.CheckConstraint("closes_at > opens_at", name=op.f("ck_surveys_window")),
        sa.CheckConstraint("scope_entrance IS NULL OR scope_building IS NOT NULL", name=op.f("ck_surveys_scope")),
        sa.ForeignKeyConstraint(["compound_id"], ["compounds.id"], name=op.f("fk_surveys_compound_id_compounds")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surveys")),
    )
    op.create_index(op.f("ix_surveys_compound_id"), "surveys", ["compound_id"], unique=False)
    op.create_table(
        "survey_participations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("one_key", sa.String(length=40), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("entered_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("channel IN ('online', 'paper')", name=op.f("ck_survey_participations_channel")),
        sa.ForeignKeyConstraint(
            ["survey_id"], ["surveys.id"], name=op.f("fk_survey_participations_survey_id_surveys"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_survey_participations_unit_id_units")),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["residents.id"], name=op.f("fk_survey_participations_resident_id_residents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_participations")),
        sa.UniqueConstraint("survey_id", "one_key", name="uq_survey_participations_one"),
    )
    op.create_index(
        op.f("ix_survey_participations_survey_id"), "survey_participations", ["survey_id"], unique=False
    )
    op.create_table(
        "survey_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("answers_json", sa.Text(), nullable=False),
        sa.Column("entered_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("channel IN ('online', 'paper')", name=op.f("ck_survey_responses_channel")),
        sa.ForeignKeyConstraint(
            ["survey_id"], ["surveys.id"], name=op.f("fk_survey_responses_survey_id_surveys"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_survey_responses_unit_id_units")),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["residents.id"], name=op.f("fk_survey_responses_resident_id_residents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_responses")),
    )
    op.create_index(op.f("ix_survey_responses_survey_id"), "survey_responses", ["survey_id"], unique=False)
    op.create_table(
        "survey_anonymous_responses",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("answers_json", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_survey_anonymous_responses_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_anonymous_responses")),
    )
    op.create_index(
        op.f("ix_survey_anonymous_responses_survey_id"), "survey_anonymous_responses", ["survey_id"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_survey_anonymous_responses_survey_id"), table_name="survey_anonymous_responses")
    op.drop_table("survey_anonymous_responses")
    op.drop_index(op.f("ix_survey_responses_survey_id"), table_name="survey_responses")
    op.drop_table("survey_responses")
    op.drop_index(op.f("ix_survey_participations_survey_id"), table_name="survey_participations")
    op.drop_table("survey_participations")
    op.drop_index(op.f("ix_surveys_compound_id"), table_name="surveys")
    op.drop_table("surveys")
