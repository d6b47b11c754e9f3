"""vote items store each option with its label: options_json becomes [{"code", "label"}] instead of [code]

Revision ID: 0007_option_labels
Revises: 0006_binding_request_pending
"""
import json

import sqlalchemy as sa
from alembic import op

from backend.names import option_label

revision = "0007_option_labels"
down_revision = "0006_binding_request_pending"
branch_labels = None
depends_on = None

items = sa.table("vote_items", sa.column("id", sa.Integer), sa.column("options_json", sa.Text))


def _rewrite(convert):
    conn = op.get_bind()
    for item_id, stored in conn.execute(sa.select(items.c.id, items.c.options_json)).all():
        conn.execute(items.update().where(items.c.id == item_id)
                     .values(options_json=json.dumps(convert(json.loads(stored)), ensure_ascii=False)))


def upgrade():
    # Existing items named only codes: the built-ins get their Chinese names, any other code is its own label.
    _rewrite(lambda options: [o if isinstance(o, dict) else {"code": o, "label": option_label(o)} for o in options])


def downgrade():
    _rewrite(lambda options: [o["code"] if isinstance(o, dict) else o for o in options])
