from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from backend.pagination import PageArgs
from backend.types import local_iso, utcnow

from .models import MATTERS, NEVER_WIN

STATUSES = ("draft", "scheduled", "open", "closed", "announced")
Text = lambda n, **kw: fields.String(validate=validate.Length(min=1, max=n), **kw)  # noqa: E731
When = lambda attr: fields.Function(lambda o: local_iso(getattr(o, attr)))  # noqa: E731


class WindowIn(Schema):
    opens_at = fields.AwareDateTime(required=True)
    closes_at = fields.AwareDateTime(required=True)

    @validates_schema
    def window(self, data, **kwargs):
        if {"opens_at", "closes_at"} <= set(data):
            if data["closes_at"] <= data["opens_at"]:
                raise ValidationError("结束时间必须晚于开始时间", "closes_at")
            if data["closes_at"] <= utcnow():
                raise ValidationError("结束时间必须在将来", "closes_at")


class ScopeIn(Schema):
    building = Text(32)
    entrance = Text(32)

    @validates_schema
    def entrance_needs_building(self, data, **kwargs):
        if "entrance" in data and "building" not in data:
            raise ValidationError("指定单元时必须同时指定楼栋", "entrance")


def _options(options):
    if len(set(options)) != len(options):
        raise ValidationError("选项不能重复")
    if not [o for o in options if o not in NEVER_WIN]:
        raise ValidationError("至少需要一个可以获得通过的选项")


class ItemIn(Schema):
    title = Text(200, required=True)
    matter = fields.String(required=True, validate=validate.OneOf(MATTERS))
    options = fields.List(Text(50), validate=[validate.Length(min=2, max=12), _options])


class VoteIn(WindowIn):
    title = Text(200, required=True)
    description = fields.String(load_default="", validate=validate.Length(max=5000))
    scope = fields.Nested(ScopeIn, load_default=dict)
    require_confirmation = fields.Boolean(load_default=False, metadata={"description": "纸质选票须第二人复核确认"})
    items = fields.List(fields.Nested(ItemIn), required=True, validate=validate.Length(min=1, max=30))


class RunoffIn(WindowIn):
    title = Text(200)


Choices = lambda **kw: fields.Dict(keys=fields.String(), values=fields.String(allow_none=True), **kw)  # noqa: E731


class BallotIn(Schema):
    unit_id = fields.Integer(required=True)
    choices = Choices(required=True)


class PaperFields(Schema):
    choices = Choices(load_default=dict)
    spoiled = fields.Boolean(load_default=False, metadata={"description": "空白或无效票：每项计为弃权"})
    sheet_no = Text(32)
    proxy_name = Text(100)
    evidence = Text(255)

    @validates_schema
    def proxy_evidence(self, data, **kwargs):
        if data.get("proxy_name") and not data.get("evidence"):
            raise ValidationError("委托投票须登记书面委托的凭证", "evidence")


class PaperBallotIn(PaperFields):
    unit_id = fields.Integer(metadata={"description": "可省略：填了打印的表决票编号时，房屋取自该表决票"})

    @validates_schema
    def unit_or_sheet(self, data, **kwargs):
        if data.get("unit_id") is None and not data.get("sheet_no"):
            raise ValidationError("请选择房屋或填写表决票编号", "unit_id")


class SheetIn(PaperFields):
    building = Text(32, required=True)
    entrance = fields.String(load_default="1", validate=validate.Length(min=1, max=32))
    room = Text(32, required=True)


class BulkIn(Schema):
    sheets = fields.List(fields.Nested(SheetIn), required=True, validate=validate.Length(min=1, max=3000))


class CorrectionIn(Schema):
    choices = Choices(required=True)
    sheet_no = Text(32)
    reason = fields.String(required=True, validate=validate.Length(min=2, max=500))


class IssueIn(Schema):
    sheet_nos = fields.List(Text(32), required=True, validate=validate.Length(min=1, max=5000))


class VoteListArgs(PageArgs):
    compound_id = fields.Integer()
    status = fields.String(validate=validate.OneOf(STATUSES))


class ReceiptOut(Schema):
    receipt = fields.String()
    ballot_id = fields.Integer(attribute="id")
    confirmed = fields.Function(lambda b: b.confirmed_at is not None)


class BallotOut(Schema):
    id = fields.Integer()
    unit_id = fields.Integer()
    channel = fields.String()
    receipt = fields.String()
    sheet_no = fields.String(allow_none=True)
    proxy_name = fields.String(allow_none=True)
    evidence = fields.String(allow_none=True)
    choices = fields.Dict(attribute="choice_map")
    entered_by = fields.String()
    created_at = When("created_at")
    confirmed_at = When("confirmed_at")
    superseded_at = When("superseded_at")
    correction_reason = fields.String(allow_none=True)


class BallotListArgs(PageArgs):
    pending = fields.Boolean(load_default=False)


# Outputs are built as dicts by ``present``/``tally``/``result``; these schemas document them (and drop nothing).
class VoteOut(Schema):
    id = fields.Integer()
    title = fields.String()
    description = fields.String()
    status = fields.String(metadata={"enum": list(STATUSES)})
    opens_at = fields.String()
    closes_at = fields.String()
    compound = fields.Dict()
    items = fields.List(fields.Dict())
    units = fields.List(fields.Dict(), metadata={"description": "居民：本人可投票的房屋及其投票状态"})
    scope = fields.Dict()
    require_confirmation = fields.Boolean()
    electorate = fields.Dict(allow_none=True)
    warnings = fields.List(fields.String())
    counts = fields.Dict()
    participation = fields.Dict(allow_none=True)
    runoff_of_item_id = fields.Integer(allow_none=True)
    created_by = fields.String()
    published_at = fields.String(allow_none=True)
    closed_at = fields.String(allow_none=True)
    announced_at = fields.String(allow_none=True)
    publicity_until = fields.String(allow_none=True)


class TallyOut(Schema):
    vote_id = fields.Integer()
    status = fields.String()
    electorate = fields.Dict()
    warnings = fields.List(fields.String())
    items = fields.List(fields.Dict())


class ResultOut(TallyOut):
    title = fields.String()
    compound = fields.Dict()
    scope = fields.Dict()
    opens_at = fields.String()
    closes_at = fields.String()
    closed_at = fields.String()
    announced_at = fields.String()
    publicity = fields.Dict()
    units = fields.List(fields.Dict(), metadata={"description": "每户只列房号、是否投票与回执码，不含表决意见"})


class ProgressOut(Schema):
    vote_id = fields.Integer()
    status = fields.String()
    electorate = fields.Dict()
    participation = fields.Dict()
    still_needed = fields.Dict()
    buildings = fields.List(fields.Dict())


class BulkOut(Schema):
    entered = fields.Integer()
    refused = fields.Integer()
    results = fields.List(fields.Dict())


class SheetsOut(Schema):
    issued = fields.Integer()
    returned = fields.Integer()
    outstanding = fields.List(fields.String())
    not_issued = fields.List(fields.String())


class SheetOut(Schema):
    """A printed sheet looked up by its number (scanned or typed at the desk)."""
    sheet_no = fields.String()
    unit_id = fields.Integer(allow_none=True, metadata={"description": "手工登记的编号没有对应房屋时为空"})
    label = fields.String(allow_none=True)
    building = fields.String(allow_none=True)
    entrance = fields.String(allow_none=True)
    room = fields.String(allow_none=True)
    owners = fields.List(fields.String())
    entered = fields.Boolean(metadata={"description": "这张表决票已经录入"})
    receipt = fields.String(allow_none=True)
    unit_voted = fields.Boolean(metadata={"description": "该户已有选票（任何渠道）"})
    issued_at = When("issued_at")
