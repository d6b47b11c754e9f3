"""renovation projects (DOMAIN.md §5, §8): compounds, items, pipeline steps, funding and arrivals, each compound's
readiness threshold; the department staff role with its department code

Revision ID: 0016_projects
Revises: 0014_fees (the main branch re-chains it after 0015)
"""

from alembic import op
import sqlalchemy as sa

import backend.types  # noqa: F401  (custom column types used below)


revision = "0016_projects"
down_revision = "0015_report_indexes"
branch_labels = None
depends_on = None

OLD_ROLES = "role IN ('admin', 'official', 'committee', 'provider')"
NEW_ROLES = "role IN ('admin', 'official', 'committee', 'provider', 'department')"


def upgrade():
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", backend.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["orgs.id"], name=op.f("fk_projects_org_id_orgs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
    )
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_projects_org_id"), ["org_id"], unique=False)

    op.create_table(
        "project_compounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["compound_id"], ["compounds.id"], name=op.f("fk_project_compounds_compound_id_compounds")
        ),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name=op.f("fk_project_compounds_project_id_projects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_compounds")),
        sa.UniqueConstraint("project_id", "compound_id", name=op.f("uq_project_compounds_project_id_compound_id")),
    )
    with op.batch_alter_table("project_compounds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_compounds_compound_id"), ["compound_id"], unique=False)

    op.create_table(
        "project_fundings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=24), nullable=False),
        sa.Column("party", sa.String(length=100), nullable=False),
        sa.Column("planned_fen", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", backend.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "(source = 'residents') = (campaign_id IS NOT NULL)", name=op.f("ck_project_fundings_campaign")
        ),
        sa.CheckConstraint(
            "source IN ('central_provincial', 'city_fiscal', 'ndrc_budget', 'residents', 'utilities', 'social_capital')",
            name=op.f("ck_project_fundings_source"),
        ),
        sa.CheckConstraint("planned_fen >= 0", name=op.f("ck_project_fundings_planned")),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name=op.f("fk_project_fundings_project_id_projects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_fundings")),
        sa.UniqueConstraint("project_id", "campaign_id", name=op.f("uq_project_fundings_project_id_campaign_id")),
    )
    with op.batch_alter_table("project_fundings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_fundings_project_id"), ["project_id"], unique=False)

    op.create_table(
        "project_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("tier", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("underground", sa.Boolean(), nullable=False),
        sa.Column("planned_fen", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint("tier IN ('basic', 'improvement', 'enhancement')", name=op.f("ck_project_items_tier")),
        sa.CheckConstraint("planned_fen >= 0", name=op.f("ck_project_items_planned")),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name=op.f("fk_project_items_project_id_projects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_items")),
    )
    with op.batch_alter_table("project_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_items_project_id"), ["project_id"], unique=False)

    op.create_table(
        "project_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("pledge_threshold_bp", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", backend.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "pledge_threshold_bp > 0 AND pledge_threshold_bp <= 10000", name=op.f("ck_project_settings_threshold")
        ),
        sa.ForeignKeyConstraint(
            ["compound_id"], ["compounds.id"], name=op.f("fk_project_settings_compound_id_compounds")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_settings")),
        sa.UniqueConstraint("compound_id", name=op.f("uq_project_settings_compound_id")),
    )
    op.create_table(
        "project_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=24), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("department", sa.String(length=24), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("evidence_kind", sa.String(length=16), nullable=True),
        sa.Column("evidence_id", sa.Integer(), nullable=True),
        sa.Column("document_no", sa.String(length=100), nullable=True),
        sa.Column("plan_level", sa.String(length=24), nullable=True),
        sa.Column("plan_year", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("completed_by", sa.String(length=100), nullable=True),
        sa.Column("completed_at", backend.types.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "department IN ('housing', 'ndrc', 'finance', 'planning', 'urban_management', 'water', 'power')",
            name=op.f("ck_project_steps_department"),
        ),
        sa.CheckConstraint(
            "evidence_kind IS NULL OR evidence_kind IN ('survey', 'vote_item', 'campaign', 'document')",
            name=op.f("ck_project_steps_evidence_kind"),
        ),
        sa.CheckConstraint(
            "plan_level IS NULL OR plan_level IN ('central_provincial', 'city')",
            name=op.f("ck_project_steps_plan_level"),
        ),
        sa.CheckConstraint(
            "step IN ('needs_surveyed', 'plan_voted', 'cofunding_pledged', 'applied', 'in_plan', 'started', 'completed', 'accepted')",
            name=op.f("ck_project_steps_step"),
        ),
        sa.CheckConstraint("(completed_on IS NULL) = (evidence_kind IS NULL)", name=op.f("ck_project_steps_evidence")),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name=op.f("fk_project_steps_project_id_projects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_steps")),
        sa.UniqueConstraint("project_id", "position", name=op.f("uq_project_steps_project_id_position")),
        sa.UniqueConstraint("project_id", "step", name=op.f("uq_project_steps_project_id_step")),
    )
    with op.batch_alter_table("project_steps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_steps_department"), ["department"], unique=False)

    op.create_table(
        "project_arrivals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("funding_id", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("arrived_on", sa.Date(), nullable=False),
        sa.Column("document_no", sa.String(length=100), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", backend.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_project_arrivals_amount_positive")),
        sa.ForeignKeyConstraint(
            ["funding_id"], ["project_fundings.id"], name=op.f("fk_project_arrivals_funding_id_project_fundings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_arrivals")),
    )
    with op.batch_alter_table("project_arrivals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_arrivals_funding_id"), ["funding_id"], unique=False)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("department", sa.String(length=24), nullable=True))
        batch_op.drop_constraint(batch_op.f("ck_users_role"), type_="check")
        batch_op.create_check_constraint(op.f("ck_users_role"), NEW_ROLES)


def downgrade():
    op.execute("DELETE FROM users WHERE role = 'department'")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_users_role"), type_="check")
        batch_op.create_check_constraint(op.f("ck_users_role"), OLD_ROLES)
        batch_op.drop_column("department")

    with op.batch_alter_table("project_arrivals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_arrivals_funding_id"))

    op.drop_table("project_arrivals")
    with op.batch_alter_table("project_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_steps_department"))

    op.drop_table("project_steps")
    op.drop_table("project_settings")
    with op.batch_alter_table("project_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_items_project_id"))

    op.drop_table("project_items")
    with op.batch_alter_table("project_fundings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_fundings_project_id"))

    op.drop_table("project_fundings")
    with op.batch_alter_table("project_compounds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_compounds_compound_id"))

    op.drop_table("project_compounds")
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_projects_org_id"))

    op.drop_table("projects")
