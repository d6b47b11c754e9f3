"""The one validator of survey questions (posted surveys and the template files alike) and of answers.

A question, as stored and as the API shows it::

    {"key": "q1", "type": "single", "title": "…", "section": "…" | null, "description": "…",
     "options": [{"code", "label"}] | null, "required": false, "max_choices": null, "allow_other": false,
     "show_if": {"question": "q0", "equals": "a"} | null}

Answers are keyed by question: a code (single), a list of codes (multiple; ranking, best first), an integer 1–5
(scale), a text; ``{"other": "…"}`` stands in for an option where ``allow_other``. Errors are keyed by question.
"""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from backend.errors import Invalid
from backend.names import option_label

TYPES = ("single", "multiple", "ranking", "scale", "text")
CHOICE_TYPES = ("single", "multiple", "ranking")
SCALE = range(1, 6)
TEXT_MAX = 2000
OTHER_MAX = 200
KEY = validate.Regexp(r"^[A-Za-z][A-Za-z0-9_]{0,31}$", error="题目编号须以字母开头，只含字母、数字和下划线")


class OptionField(fields.Field):
    """An option: a code (a built-in code such as ``professional`` takes its Chinese name from backend/names.py;
    any other code is its own label) or ``{"code", "label"}``. Loads as ``{"code", "label"}``."""

    def __init__(self, **kwargs):
        text = {"type": "string", "minLength": 1, "maxLength": 100}
        super().__init__(
            metadata={
                "oneOf": [text, {"type": "object", "required": ["code"], "properties": {"code": text, "label": text}}]
            },
            **kwargs,
        )

    def _deserialize(self, value, attr, data, **kwargs):
        spec = value if isinstance(value, dict) else {"code": value}
        texts = all(isinstance(v, str) and 1 <= len(v) <= 100 for v in spec.values())
        if "code" not in spec or set(spec) - {"code", "label"} or not texts:
            raise ValidationError('选项应为1至100个字的文字，或 {"code": 代码, "label": 名称}')
        return {"code": spec["code"], "label": spec.get("label") or option_label(spec["code"])}


class ShowIfIn(Schema):
    question = fields.String(required=True, metadata={"description": "前面某题的编号"})
    equals = fields.Raw(
        required=True,
        metadata={
            "description": "该题的回答等于此值（多选题：选中此项）时才显示",
            "oneOf": [{"type": "string"}, {"type": "integer"}],
        },
    )


class QuestionIn(Schema):
    key = fields.String(required=True, validate=KEY)
    type = fields.String(required=True, validate=validate.OneOf(TYPES))
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    description = fields.String(load_default="", validate=validate.Length(max=2000))
    section = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=100),
        metadata={"description": "分节标题：连续几题写同一个标题即为一节"},
    )
    options = fields.List(OptionField(), load_default=None, allow_none=True, validate=validate.Length(min=2, max=30))
    required = fields.Boolean(load_default=False)
    max_choices = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1))
    allow_other = fields.Boolean(load_default=False)
    show_if = fields.Nested(ShowIfIn, load_default=None, allow_none=True)

    @validates_schema
    def by_type(self, data, **kwargs):
        kind, options = data.get("type"), data.get("options")
        if kind in CHOICE_TYPES:
            if not options:
                raise ValidationError("单选、多选和排序题须列出至少两个选项", "options")
            codes = [o["code"] for o in options]
            if len(set(codes)) != len(codes):
                raise ValidationError("选项不能重复", "options")
            if "other" in codes:
                raise ValidationError("“other”留给“其他（请注明）”，请用 allow_other", "options")
        elif options:
            raise ValidationError("只有单选、多选和排序题有选项", "options")
        if data.get("max_choices") is not None:
            if kind != "multiple":
                raise ValidationError("只有多选题可以限定最多选几项", "max_choices")
            if data["max_choices"] > len(options) + data.get("allow_other", False):
                raise ValidationError("最多可选项数不能超过选项数", "max_choices")
        if data.get("allow_other") and kind not in ("single", "multiple"):
            raise ValidationError("只有单选和多选题可以有“其他（请注明）”", "allow_other")


def _cross_check(questions):
    """Keys unique; show_if names an earlier question and a value that question can take."""
    errors, seen = {}, {}
    for n, q in enumerate(questions):
        if q["key"] in seen:
            errors[n] = {"key": ["题目编号重复"]}
        cond = q.get("show_if")
        if cond:
            target = seen.get(cond["question"])
            if target is None:
                errors[n] = {"show_if": ["显示条件须引用前面的题目"]}
            elif target["type"] in CHOICE_TYPES and cond["equals"] not in [o["code"] for o in target["options"]]:
                errors[n] = {"show_if": ["显示条件的值须是该题的一个选项"]}
            elif target["type"] == "scale" and cond["equals"] not in SCALE:
                errors[n] = {"show_if": ["显示条件的值须是1至5的整数"]}
            elif target["type"] == "ranking":
                errors[n] = {"show_if": ["排序题不能作为显示条件"]}
        seen.setdefault(q["key"], q)
    if errors:
        raise ValidationError(errors)


def check_questions(questions):
    """Raise ``ValidationError`` (keyed by question index) when the list as a whole does not hold together."""
    if not questions:
        raise ValidationError("问卷至少需要一道题")
    _cross_check(questions)


def load_questions(raw):
    """Questions as a posted survey or a template file gives them → the stored form, or ``ValidationError``."""
    questions = QuestionIn(many=True).load(raw)
    check_questions(questions)
    return questions


# --- answers ----------------------------------------------------------------------------------------------


def _empty(value):
    return value is None or value == "" or value == [] or value == {}


def visible_keys(questions, answers):
    """The keys shown for these answers: a question with show_if shows when the named question (itself shown)
    was answered with that value (for a multiple choice: that option among the ones chosen)."""
    shown = set()
    for q in questions:
        cond = q.get("show_if")
        if cond:
            given = answers.get(cond["question"]) if cond["question"] in shown else None
            if not (given == cond["equals"] or (isinstance(given, list) and cond["equals"] in given)):
                continue
        shown.add(q["key"])
    return shown


def _other(q, value):
    text = value.get("other") if isinstance(value, dict) and set(value) == {"other"} else None
    if not q["allow_other"]:
        return None, "本题没有“其他”选项"
    if not isinstance(text, str) or not text.strip():
        return None, "请注明“其他”的内容"
    if len(text) > OTHER_MAX:
        return None, f"“其他”的内容不能超过{OTHER_MAX}字"
    return {"other": text.strip()}, None


def _answer(q, value):
    """(normalised answer, None) or (None, the Chinese complaint)."""
    kind = q["type"]
    codes = [o["code"] for o in q["options"] or []]
    if kind == "single":
        if isinstance(value, dict):
            return _other(q, value)
        if value not in codes:
            return None, "没有这个选项"
        return value, None
    if kind in ("multiple", "ranking"):
        if not isinstance(value, list):
            return None, "请以列表给出所选的选项"
        picked, others = [], []
        for v in value:
            if isinstance(v, dict) and kind == "multiple":
                other, problem = _other(q, v)
                if problem:
                    return None, problem
                others.append(other)
            elif isinstance(v, str) and v in codes:
                picked.append(v)
            else:
                return None, "没有这个选项"
        if len(set(picked)) != len(picked) or len(others) > 1:
            return None, "同一选项不能选两次"
        if kind == "multiple" and q["max_choices"] and len(picked) + len(others) > q["max_choices"]:
            return None, f"最多选{q['max_choices']}项"
        return picked + others, None
    if kind == "scale":
        if isinstance(value, bool) or not isinstance(value, int) or value not in SCALE:
            return None, "请打1至5分"
        return value, None
    if not isinstance(value, str):
        return None, "请填写文字"
    if len(value) > TEXT_MAX:
        return None, f"不能超过{TEXT_MAX}字"
    return value.strip(), None


def check_answers(questions, answers):
    """The answers normalised, or ``Invalid`` 422 with ``errors`` keyed by question. A required question hidden
    by show_if is not required, and answering a hidden question is refused (the form could not have shown it)."""
    by_key = {q["key"]: q for q in questions}
    given = {k: v for k, v in answers.items() if not _empty(v)}
    shown = visible_keys(questions, given)
    errors, clean = {}, {}
    for key, value in given.items():
        q = by_key.get(key)
        if q is None:
            errors[key] = ["问卷中没有这道题"]
        elif key not in shown:
            errors[key] = ["按您前面的回答，这道题不需要回答"]
        else:
            clean[key], problem = _answer(q, value)
            if problem:
                errors[key] = [problem]
    for q in questions:
        if q["required"] and q["key"] in shown and q["key"] not in given:
            errors[q["key"]] = ["请回答这道题"]
    if errors:
        raise Invalid("answers_invalid", "问卷回答有误，请按提示修改", errors={"json": {"answers": errors}})
    return {q["key"]: clean[q["key"]] for q in questions if q["key"] in clean}
