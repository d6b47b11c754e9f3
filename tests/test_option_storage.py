"""Vote items store each option with its label: the migration converts items stored before labels existed."""

import json

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from backend import create_app
from backend.extensions import db


def test_migration_gives_stored_options_their_labels_and_back(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.db'}"})
    with app.app_context():
        upgrade(revision="0006_binding_request_pending")
        stored = {
            1: ["agree", "disagree", "abstain"],
            2: ["professional", "quasi", "self_managed", "abstain"],
            3: ["方案一", "plan_b", "abstain"],
        }
        for item_id, options in stored.items():
            db.session.execute(
                text(
                    "INSERT INTO vote_items (id, vote_id, position, title, matter, options_json) "
                    "VALUES (:id, 1, 0, '事项', 'consultation', :options)"
                ),
                {"id": item_id, "options": json.dumps(options, ensure_ascii=False)},
            )
        db.session.commit()

        def read():
            rows = db.session.execute(text("SELECT id, options_json FROM vote_items ORDER BY id"))
            found = {item_id: json.loads(options) for item_id, options in rows}
            db.session.commit()
            return found

        upgrade(revision="0007_option_labels")
        assert read() == {
            1: [
                {"code": "agree", "label": "同意"},
                {"code": "disagree", "label": "反对"},
                {"code": "abstain", "label": "弃权"},
            ],
            2: [
                {"code": "professional", "label": "专业物业公司"},
                {"code": "quasi", "label": "社区准物业"},
                {"code": "self_managed", "label": "业主自治"},
                {"code": "abstain", "label": "弃权"},
            ],
            3: [
                {"code": "方案一", "label": "方案一"},
                {"code": "plan_b", "label": "plan_b"},
                {"code": "abstain", "label": "弃权"},
            ],
        }
        downgrade(revision="0006_binding_request_pending")
        assert read() == stored
        db.engine.dispose()
