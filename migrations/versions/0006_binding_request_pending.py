"""one pending binding request per resident and address, held by a partial unique index

Revision ID: 0006_binding_request_pending
Revises: 0005_sheet_per_unit
"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa

revision = "0006_binding_request_pending"
down_revision = "0005_sheet_per_unit"
branch_labels = None
depends_on = None

PENDING = "status = 'pending'"
KEY = ["resident_id", "compound_id", "building", "entrance", "room"]


def upgrade():
    # Before the index, two taps at once could store the same request twice: keep the first of each, and
    # close the copies with a reason the resident sees.
    op.get_bind().execute(sa.text(
        "UPDATE binding_requests SET status = 'rejected', reason = :reason, reviewed_by = 'system', "
        "decided_at = :now WHERE status = 'pending' AND id NOT IN ("
        f"SELECT MIN(id) FROM binding_requests WHERE status = 'pending' GROUP BY {', '.join(KEY)})"
    ).bindparams(sa.bindparam("now", type_=sa.DateTime()), reason="重复提交的申请，已保留最早的一份",
                 now=datetime.now(timezone.utc).replace(tzinfo=None)))
    with op.batch_alter_table("binding_requests", schema=None) as batch_op:
        batch_op.create_index("uq_binding_requests_pending", KEY, unique=True,
                              sqlite_where=sa.text(PENDING), postgresql_where=sa.text(PENDING))


def downgrade():
    with op.batch_alter_table("binding_requests", schema=None) as batch_op:
        batch_op.drop_index("uq_binding_requests_pending", sqlite_where=sa.text(PENDING),
                            postgresql_where=sa.text(PENDING))
