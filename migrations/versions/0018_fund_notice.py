"""maintenance-fund notices: a fund call (a rate and its basis) posted on the board with its QR (issue 9 §6)

Revision ID: 0018_fund_notice
Revises: 0017_construction_problems
"""

from alembic import op

revision = "0018_fund_notice"
down_revision = "0017_construction_problems"
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('announcement', 'vote_notice', 'survey_invite', 'result_notice', 'money_notice')"
NEW_KINDS = "kind IN ('announcement', 'vote_notice', 'survey_invite', 'result_notice', 'money_notice', 'fund_notice')"


def upgrade():
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_notices_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_notices_kind"), NEW_KINDS)


def downgrade():
    op.execute("DELETE FROM notices WHERE kind = 'fund_notice'")
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_notices_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_notices_kind"), OLD_KINDS)
