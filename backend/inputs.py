"""Input fields every feature shares: money arrives as a whole number of fen, or not at all; ids within their
columns' range; text a person writes, trimmed."""

import numbers

from marshmallow import ValidationError, fields, validate

MAX_FEN = 2_000_000_000  # ¥20 million per amount: the 32-bit integer columns' range, with room for sums
MAX_ID = 2**31 - 1  # ids are 32-bit columns: a larger number names nothing (and past 64 bits the driver fails)


class Id(fields.Integer):
    """An id (or a count) a request names: 0 to ``MAX_ID``, so the document states the bound and a number past it
    is a 422, never a database error."""

    def __init__(self, **kwargs):
        within = validate.Range(min=0, max=MAX_ID, error=f"数值须在 0 到 {MAX_ID} 之间")
        super().__init__(validate=kwargs.pop("validate", within), **kwargs)


class Fen(fields.Integer):
    """A whole number of fen, positive (or, with ``minimum=0``, zero too, as a plan may be): negatives, fractions,
    strings and booleans are refused (422) — never a fraction of a fen cut off silently."""

    default_error_messages = {"invalid": "金额须为整数（单位：分），如 12345 表示 ¥123.45"}

    def __init__(self, minimum=1, **kwargs):
        least = "大于0" if minimum == 1 else "不小于0"
        within = validate.Range(
            min=minimum, max=MAX_FEN, error=f"金额须为{least}的整数（单位：分），不超过 ¥20,000,000.00"
        )
        super().__init__(strict=True, validate=within, **kwargs)

    def _validated(self, value):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise self.make_error("invalid")
        return super()._validated(value)


class Text(fields.String):
    """Text a person must write (a title, a reason): surrounding spaces, full-width ones too, are trimmed first,
    so spaces alone are refused like an empty box instead of being stored as an empty reason."""

    def __init__(self, most, **kwargs):
        filled = validate.Length(min=1, max=most, error=f"请填写（不超过{most}个字）")
        super().__init__(validate=kwargs.pop("validate", filled), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


def require_for_kind(data, needed):
    """An entry's fields by its kind: ``needed`` maps each kind to {field: message when missing}; a reversal takes
    back the amount of the entry it names, so it carries none."""
    missing = {key: [message] for key, message in needed.get(data.get("kind"), {}).items() if key not in data}
    if missing:
        raise ValidationError(missing)
    if data.get("kind") == "reversal" and "amount_fen" in data:
        raise ValidationError({"amount_fen": ["冲正金额即原记录金额，不必填写"]})


def check_window(data):
    """A voting or answering window: it ends after it opens, and in the future (on the app's clock)."""
    from .types import utcnow

    if {"opens_at", "closes_at"} <= set(data):
        if data["closes_at"] <= data["opens_at"]:
            raise ValidationError("结束时间必须晚于开始时间", "closes_at")
        if data["closes_at"] <= utcnow():
            raise ValidationError("结束时间必须在将来", "closes_at")
