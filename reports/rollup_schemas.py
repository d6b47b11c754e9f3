from marshmallow import Schema, fields, validate

from backend.inputs import Id
from backend.outputs import Out, Ratio
from backend.pagination import PageArgs
from votes.models import MATTERS, Vote
from votes.schemas import Area

from .rollup import COUNTS, FIGURE_NAMES, RATES


class RollupArgs(Schema):
    org_id = Id(metadata={"description": "默认：调用者的管辖根节点（管理员：全部城市）"})
    start = fields.Date(metadata={"description": "表决截止日期不早于（北京时间）"})
    end = fields.Date(metadata={"description": "表决截止日期不晚于（北京时间）"})
    matter = fields.String(validate=validate.OneOf(MATTERS))
    status = fields.String(validate=validate.OneOf([s for s in Vote.STATUSES if s != "draft"]))
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv", "xlsx"]))


class RollupCompoundArgs(PageArgs):
    org_id = Id()
    start = fields.Date()
    end = fields.Date()
    matter = fields.String(validate=validate.OneOf(MATTERS))
    status = fields.String(validate=validate.OneOf([s for s in Vote.STATUSES if s != "draft"]))
    figure = fields.String(required=True, validate=validate.OneOf(FIGURE_NAMES))


def _figure_field(name, kind):
    if kind == "area":
        return Area(metadata={"description": "平方米，两位小数"})
    return fields.Integer(metadata={"description": "分" if kind == "yuan" else ""})


def _rate_field(num, den):
    return Ratio(allow_none=True, metadata={"description": f"{num} / {den}，由合计重新计算"})


RollupFigures = Out.from_dict(
    {
        **{name: _figure_field(name, kind) for name, _, kind in COUNTS},
        **{name: _rate_field(num, den) for name, _, num, den in RATES},
    },
    name="RollupFigures",
)


class RollupOrg(Out):
    id = fields.Integer()
    name = fields.String()
    level = fields.String()
    level_name = fields.String()


class RollupRow(RollupFigures):
    kind = fields.String(metadata={"description": "org 或 compound"})
    id = fields.Integer()
    name = fields.String()
    level_name = fields.String()


class RollupChart(Out):
    key = fields.String()
    title = fields.String()
    svg = fields.String()


class RollupOut(Out):
    org = fields.Nested(RollupOrg, allow_none=True)
    path = fields.List(fields.Nested(RollupOrg))
    total = fields.Nested(RollupFigures)
    rows = fields.List(fields.Nested(RollupRow))
    charts = fields.List(fields.Nested(RollupChart))
