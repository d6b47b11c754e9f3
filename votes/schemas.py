from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from backend.inputs import Id, Text, check_window
from backend.names import channel_name, matter_name, option_choice, scope_text, status_name
from backend.outputs import Named, Out, Ratio, Shown, When
from backend.pagination import PageArgs
from backend.roster.schemas import CompoundBrief

from . import explain
from .models import MATTERS, NEVER_WIN, cents_str

STATUSES = ("draft", "scheduled", "open", "closed", "announced")


class WindowIn(Schema):
    opens_at = fields.AwareDateTime(required=True)
    closes_at = fields.AwareDateTime(required=True)

    @validates_schema
    def window(self, data, **kwargs):
        check_window(data)


class ScopeIn(Schema):
    building = Text(32)
    entrance = Text(32)

    @validates_schema
    def entrance_needs_building(self, data, **kwargs):
        if "entrance" in data and "building" not in data:
            raise ValidationError("指定单元时必须同时指定楼栋", "entrance")


class OptionIn(fields.Field):
    """An option as a committee gives it: a code (``"agree"``; an unknown code is its own label), a built-in's
    Chinese name (``"弃权"``), or ``{"code", "label"}``. Loads as ``{"code", "label"}``."""

    def __init__(self, **kwargs):
        text = {"type": "string", "minLength": 1, "maxLength": 50}
        super().__init__(
            metadata={
                "oneOf": [text, {"type": "object", "required": ["code"], "properties": {"code": text, "label": text}}]
            },
            **kwargs,
        )

    def _deserialize(self, value, attr, data, **kwargs):
        spec = value if isinstance(value, dict) else {"code": value}
        texts = all(isinstance(v, str) and 1 <= len(v) <= 50 for v in spec.values())
        if "code" not in spec or set(spec) - {"code", "label"} or not texts:
            raise ValidationError('选项应为1至50个字的文字，或 {"code": 代码, "label": 名称}')
        return option_choice(value)


def _options(options):
    codes = [o["code"] for o in options]
    if len(set(codes)) != len(codes):
        raise ValidationError("选项不能重复")
    if not [c for c in codes if c not in NEVER_WIN]:
        raise ValidationError("至少需要一个可以获得通过的选项")


class ItemIn(Schema):
    title = Text(200, required=True)
    matter = fields.String(required=True, validate=validate.OneOf(MATTERS))
    options = fields.List(OptionIn(), validate=[validate.Length(min=2, max=12), _options])


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
    unit_id = Id(required=True)
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
    unit_id = Id(metadata={"description": "可省略：填了打印的表决票编号时，房屋取自该表决票"})

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
    compound_id = Id()
    status = fields.String(validate=validate.OneOf(STATUSES))


class ReceiptOut(Out):
    receipt = fields.String()
    ballot_id = fields.Integer(attribute="id")
    confirmed = Shown(lambda b: b.confirmed_at is not None, "boolean")


Labels = lambda **kw: fields.Dict(keys=fields.String(), values=fields.String(), **kw)  # noqa: E731


class BallotOut(Out):
    id = fields.Integer()
    unit_id = fields.Integer()
    label = fields.String(allow_none=True, metadata={"description": "如“3号楼2单元101室”"})
    channel = fields.String()
    channel_name = Named(channel_name, attribute="channel")
    receipt = fields.String()
    sheet_no = fields.String(allow_none=True)
    proxy_name = fields.String(allow_none=True)
    evidence = fields.String(allow_none=True)
    choices = Labels(attribute="choice_map", metadata={"description": "事项ID → 选项代码"})
    choice_labels = Labels(metadata={"description": "事项ID → 选项名称"})
    entered_by = fields.String()
    created_at = When("created_at")
    confirmed_at = When("confirmed_at")
    superseded_at = When("superseded_at")
    correction_reason = fields.String(allow_none=True)


class BallotListArgs(PageArgs):
    pending = fields.Boolean(load_default=False)


# --- outputs: each response a nested schema, so the OpenAPI document states every key ---------------------------


class Area(fields.String):
    """Exact hundredths of m² as the API's two-place string ("86.50")."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else cents_str(value)


class ElectorateOut(Out):
    units = fields.Integer()
    owners = fields.Integer(metadata={"description": "同一业主多套房屋只计一人"})
    area = Area()


class FiguresOut(Out):
    owners = fields.Integer()
    area = Area()
    owners_ratio = Ratio()
    area_ratio = Ratio()


class ParticipationOut(FiguresOut):
    """Over the electorate."""

    met = fields.Boolean(metadata={"description": "人数和面积均达到三分之二以上"})


class OptionFiguresOut(FiguresOut):
    """Over the participating owners and area."""

    label = fields.String()


class RuleOut(Out):
    participation = fields.String(metadata={"enum": ["2/3"]})
    consent = fields.String(allow_none=True, metadata={"enum": ["3/4", ">1/2", None]})


class CheckOut(Out):
    """One threshold the decision turns on, worded for the page; ``met`` is the server's exact comparison."""

    key = fields.String(
        metadata={"enum": ["participation_owners", "participation_area", "consent_owners", "consent_area"]}
    )
    option = fields.String(allow_none=True, metadata={"description": "同意率检查所针对的选项代码"})
    label = Shown(explain.check_label, description="如“参与人数”“同意（面积）”")
    rule = Shown(explain.check_rule, description="如“三分之二以上”“过半数”")
    value = Shown(explain.check_value, description="如“2 / 6 人”")
    met = fields.Boolean()


class ItemTallyOut(Out):
    item_id = fields.Integer()
    title = fields.String()
    matter = fields.String(metadata={"enum": list(MATTERS)})
    matter_name = Named(matter_name, attribute="matter")
    rule = fields.Nested(RuleOut, attribute="rule_codes")
    participation = fields.Nested(ParticipationOut)
    options = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(OptionFiguresOut),
        attribute="option_map",
        metadata={"description": "每个选项（含零票）：选项代码 → 人数、面积及其占参与的比例"},
    )
    option_order = fields.List(fields.String(), attribute="codes", metadata={"description": "选票上的选项顺序"})
    passed = fields.Boolean(allow_none=True)
    winner = fields.String(allow_none=True)
    leading = fields.String(allow_none=True)
    runoff = fields.List(fields.String(), allow_none=True, metadata={"description": "无选项通过时，可决选的前两位"})
    checks = fields.List(fields.Nested(CheckOut), metadata={"description": "参与与同意的各项门槛及是否达到"})
    explanation = Shown(explain.explanation)


class ScopeOut(Schema):
    """No keys: the whole compound; ``building``: one building; both: one stair entrance."""

    building = fields.String()
    entrance = fields.String()


Scoped = lambda: Named(lambda scope: scope_text(**scope), attribute="scope")  # noqa: E731


class TallyOut(Out):
    vote_id = fields.Integer()
    status = fields.String(metadata={"enum": list(STATUSES)})
    status_name = Named(status_name, attribute="status")
    scope = fields.Nested(ScopeOut)
    scope_text = Scoped()
    electorate = fields.Nested(ElectorateOut)
    warnings = fields.List(fields.String())
    items = fields.List(fields.Nested(ItemTallyOut))


class ItemBriefOut(Out):
    id = fields.Integer()
    title = fields.String()
    matter = fields.String(metadata={"enum": list(MATTERS)})
    matter_name = Named(matter_name, attribute="matter")
    options = fields.List(fields.String(), metadata={"description": "选项代码，按选票顺序"})
    option_labels = Labels(metadata={"description": "选项代码 → 名称"})


class VotedOut(Out):
    """A flat's standing in a vote: whether a ballot counts for it and that ballot's receipt, never the choice."""

    label = fields.String()
    voted = fields.Boolean()
    receipt = fields.String(allow_none=True)


class UnitStandingOut(VotedOut):
    unit_id = fields.Integer()


class CountsOut(Out):
    ballots = fields.Integer()
    pending_confirmation = fields.Integer()


class VoteOut(Out):
    OPTIONAL = (
        "units",
        "require_confirmation",
        "electorate",
        "warnings",
        "counts",
        "participation",
        "runoff_of_item_id",
        "created_by",
        "published_at",
        "closed_at",
        "announced_at",
        "publicity_until",
    )

    id = fields.Integer()
    title = fields.String()
    description = fields.String()
    status = fields.String(metadata={"enum": list(STATUSES)})
    status_name = Named(status_name, attribute="status")
    opens_at = fields.String()
    closes_at = fields.String()
    compound = fields.Nested(CompoundBrief)
    scope = fields.Nested(ScopeOut)
    scope_text = Scoped()
    items = fields.List(fields.Nested(ItemBriefOut))
    units = fields.List(fields.Nested(UnitStandingOut), metadata={"description": "居民：本人可投票的房屋及其投票状态"})
    require_confirmation = fields.Boolean()
    electorate = fields.Nested(ElectorateOut, allow_none=True)
    warnings = fields.List(fields.String())
    counts = fields.Nested(CountsOut)
    participation = fields.Nested(ParticipationOut, allow_none=True)
    runoff_of_item_id = fields.Integer(allow_none=True)
    created_by = fields.String()
    published_at = fields.String(allow_none=True)
    closed_at = fields.String(allow_none=True)
    announced_at = fields.String(allow_none=True)
    publicity_until = fields.String(allow_none=True)


class PublicityOut(Out):
    days = fields.Integer()
    from_ = fields.String(data_key="from", attribute="from")
    until = fields.String()


class UnitVotedOut(VotedOut):
    room = fields.String()


class ResultOut(TallyOut):
    title = fields.String()
    compound = fields.Nested(CompoundBrief)
    opens_at = fields.String()
    closes_at = fields.String()
    closed_at = fields.String()
    announced_at = fields.String()
    publicity = fields.Nested(PublicityOut)
    units = fields.List(
        fields.Nested(UnitVotedOut), metadata={"description": "每户只列房号、是否投票与回执码，不含表决意见"}
    )


class StillNeededOut(Out):
    owners = fields.Integer()
    area = Area()
    message = fields.String()


class PlaceOut(Out):
    unit_id = fields.Integer()
    room = fields.String()
    label = fields.String()
    area = Area(attribute="area_cents")


class EntranceProgressOut(Out):
    building = fields.String()
    entrance = fields.String()
    label = fields.String(metadata={"description": "如“3号楼2单元”"})
    units = fields.Integer()
    voted = fields.Integer()
    pending_confirmation = fields.Integer()
    not_voted = fields.List(fields.Nested(PlaceOut))


class ProgressOut(Out):
    vote_id = fields.Integer()
    status = fields.String(metadata={"enum": list(STATUSES)})
    status_name = Named(status_name, attribute="status")
    scope = fields.Nested(ScopeOut)
    scope_text = Scoped()
    electorate = fields.Nested(ElectorateOut)
    participation = fields.Nested(ParticipationOut)
    still_needed = fields.Nested(StillNeededOut)
    buildings = fields.List(fields.Nested(EntranceProgressOut))


class SheetResultOut(Out):
    """A sheet entered (``receipt``) or refused (``code``, ``message`` and perhaps ``errors``)."""

    OPTIONAL = ("receipt", "code", "message", "errors")
    row = fields.Integer()
    sheet_no = fields.String(allow_none=True)
    label = fields.String(metadata={"description": "如“3号楼2单元101室”"})
    receipt = fields.String()
    code = fields.String()
    message = fields.String()
    errors = fields.Dict(keys=fields.String())


class BulkOut(Out):
    entered = fields.Integer()
    refused = fields.Integer()
    results = fields.List(fields.Nested(SheetResultOut))


class VoidedOut(Out):
    sheet_no = fields.String()
    reason = fields.String()


class SheetsOut(Out):
    issued = fields.Integer()
    returned = fields.Integer(metadata={"description": "已发放且已录入的表决票"})
    void = fields.Integer(metadata={"description": "作废的表决票"})
    voided = fields.List(fields.Nested(VoidedOut))
    outstanding = fields.List(fields.String(), metadata={"description": "已发放、未录入也未作废"})
    not_issued = fields.List(fields.String(), metadata={"description": "已录入但未登记发放"})


class VoidIn(Schema):
    reason = Text(255, required=True)


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
