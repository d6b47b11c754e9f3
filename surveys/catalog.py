"""Survey templates: one JSON file each in surveys/templates/ (data, not code), checked by the same validator as
a posted survey (surveys/validation.py) when first read."""

import json
from functools import cache
from pathlib import Path

from backend.errors import Invalid

from .validation import load_questions

FOLDER = Path(__file__).parent / "templates"


@cache
def templates():
    """code → template (questions validated and normalised), in file-name order."""
    found = {}
    for path in sorted(FOLDER.glob("*.json")):
        spec = json.loads(path.read_text(encoding="utf-8"))
        spec["questions"] = load_questions(spec["questions"])
        found[spec["code"]] = spec
    return found


def template(code):
    spec = templates().get(code)
    if spec is None:
        known = "、".join(templates())
        raise Invalid(
            "template_unknown", f"没有这个问卷模板（可用：{known}）", {"json": {"template": ["没有这个问卷模板"]}}
        )
    return spec
