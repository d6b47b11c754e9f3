"""construction-problem reports residents file on a project (issue 13 §6), with their photos' stored files, and each
project's contractor contact account

Revision ID: 0017_construction_problems
Revises: 0016_projects
"""

from alembic import op
import sqlalchemy as sa

import backend.types  # noqa: F401  (custom column types used below)


revision = "0017_construction_problems"
down_revision = "0016_projects"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "construction_problems",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("building", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("replied_by", sa.String(length=100), nullable=True),
        sa.Column("replied_at", backend.types.UTCDateTime(), nullable=True),
        sa.Column("closed_by", sa.String(length=100), nullable=True),
        sa.Column("closed_at", backend.types.UTCDateTime(), nullable=True),
        sa.Column("created_at", backend.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "category IN ('noise', 'safety', 'access', 'quality', 'other')",
            name=op.f("ck_construction_problems_category"),
        ),
        sa.CheckConstraint("status IN ('open', 'answered', 'closed')", name=op.f("ck_construction_problems_status")),
        sa.CheckConstraint("(status = 'open') = (reply IS NULL)", name=op.f("ck_construction_problems_reply")),
        sa.CheckConstraint(
            "(status = 'closed') = (closed_at IS NOT NULL)", name=op.f("ck_construction_problems_closed")
        ),
        sa.ForeignKeyConstraint(
            ["compound_id"], ["compounds.id"], name=op.f("fk_construction_problems_compound_id_compounds")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_construction_problems_project_id_projects")
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["residents.id"], name=op.f("fk_construction_problems_resident_id_residents")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_construction_problems_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_construction_problems")),
    )
    with op.batch_alter_table("construction_problems", schema=None) as batch_op:
        batch_op.create_index("ix_construction_problems_compound_id_status", ["compound_id", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_construction_problems_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_construction_problems_resident_id"), ["resident_id"], unique=False)

    op.create_table(
        "problem_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("problem_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=64), nullable=False),
        sa.Column("mime", sa.String(length=16), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.CheckConstraint("mime IN ('image/jpeg', 'image/png', 'image/webp')", name=op.f("ck_problem_photos_mime")),
        sa.ForeignKeyConstraint(
            ["problem_id"],
            ["construction_problems.id"],
            name=op.f("fk_problem_photos_problem_id_construction_problems"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_problem_photos")),
        sa.UniqueConstraint("file_name", name=op.f("uq_problem_photos_file_name")),
    )
    with op.batch_alter_table("problem_photos", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_problem_photos_problem_id"), ["problem_id"], unique=False)

    op.create_table(
        "project_contractors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("set_by", sa.String(length=100), nullable=False),
        sa.Column("set_at", backend.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_project_contractors_project_id_projects")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_project_contractors_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_contractors")),
        sa.UniqueConstraint("project_id", name=op.f("uq_project_contractors_project_id")),
    )
    with op.batch_alter_table("project_contractors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_contractors_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("project_contractors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_contractors_user_id"))
    op.drop_table("project_contractors")
    with op.batch_alter_table("problem_photos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_problem_photos_problem_id"))
    op.drop_table("problem_photos")
    with op.batch_alter_table("construction_problems", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_construction_problems_resident_id"))
        batch_op.drop_index(batch_op.f("ix_construction_problems_project_id"))
        batch_op.drop_index("ix_construction_problems_compound_id_status")
    op.drop_table("construction_problems")
