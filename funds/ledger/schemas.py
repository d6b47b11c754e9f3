"""What the fund ledger takes and sends: integer fen in, integer fen out, display names beside their codes."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from backend.inputs import Fen, Id, Text, require_for_kind
from backend.names import fund_account_status_name, fund_entry_kind_name, scope_text
from backend.outputs import Named, Out, Reversible, Shown, Signed, When
from backend.pagination import PageArgs
from backend.types import area_str, local_date_text
from funds.campaigns.schemas import MoneyNoticeOut, PublishIn

STATUSES = ("unpaid", "part_paid", "paid")


class FundRateIn(PublishIn):
    """A rate; with ``notice`` true, the fund call is also posted on the board (``notice_title``, ``notice_body``
    optional), its QR leading households to their own account."""

    rate_fen_per_m2 = Fen(required=True)
    building = Text(32, allow_none=True, load_default=None)
    effective_from = fields.Date(required=True)
    basis = Text(500, required=True)
    vote_item_id = Id(strict=True, allow_none=True, load_default=None)
    notice = fields.Boolean(load_default=False, metadata={"description": "同时在公告栏发布维修资金通知（带二维码）"})


class FundEntryIn(Schema):
    """A deposit (``unit_id``, ``amount_fen``, ``date``, ``reference``) or a reversal (``reverses``, ``reason``;
    ``unit_id`` and ``date`` may be repeated)."""

    kind = fields.String(required=True, validate=validate.OneOf(["deposit", "reversal"]))
    unit_id = Id(strict=True)
    amount_fen = Fen()
    date = fields.Date()
    reference = Text(64)
    reverses = Id(strict=True)
    reason = Text(500)

    @validates_schema
    def by_kind(self, data, **kwargs):
        require_for_kind(
            data,
            {
                "deposit": {
                    "unit_id": "请选择房屋",
                    "amount_fen": "请填写金额",
                    "date": "请填写日期",
                    "reference": "请填写流水号或凭证号",
                },
                "reversal": {"reverses": "请指明要冲正的记录", "reason": "请填写冲正原因"},
            },
        )


class FundScopeIn(Schema):
    building = Text(32, allow_none=True)
    entrance = Text(32, allow_none=True)

    @validates_schema
    def entrance_needs_building(self, data, **kwargs):
        if data.get("entrance") and not data.get("building"):
            raise ValidationError("指定单元时必须同时指定楼栋", "entrance")


class FundSpendingIn(Schema):
    title = Text(200, required=True)
    amount_fen = Fen(required=True)
    scope = fields.Nested(FundScopeIn, load_default=dict)
    date = fields.Date(required=True)
    vote_item_id = Id(strict=True, allow_none=True, load_default=None)


class FundEntryArgs(PageArgs):
    unit_id = Id()


class FundAccountArgs(Schema):
    status = fields.String(validate=validate.OneOf(STATUSES))
    format = fields.String(validate=validate.OneOf(["csv", "xlsx"]))


class FundStatementArgs(Schema):
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    format = fields.String(load_default="pdf", validate=validate.OneOf(["pdf", "xlsx"]))


class FundImportFile(Schema):
    file = fields.Raw(metadata={"type": "string", "format": "binary"}, required=True)


# --- outputs ---------------------------------------------------------------------------------------------------


class FundRateOut(Out):
    id = fields.Integer()
    compound_id = fields.Integer()
    building = fields.String(allow_none=True)
    scope_text = Shown(lambda r: scope_text(r.building))
    rate_fen_per_m2 = fields.Integer()
    effective_from = fields.Date()
    effective_from_text = Shown(lambda r: local_date_text(r.effective_from))
    basis = fields.String()
    vote_item_id = fields.Integer(allow_none=True)
    created_at = When("created_at")


class FundRateCreatedOut(FundRateOut):
    notice = fields.Nested(MoneyNoticeOut, allow_none=True, metadata={"description": "随之发布的维修资金通知"})


class FundEntryOut(Out):
    id = fields.Integer()
    unit_id = fields.Integer()
    label = fields.String(attribute="unit.label")
    kind = fields.String()
    kind_name = Named(fund_entry_kind_name, attribute="kind")
    amount_fen = fields.Integer()
    signed_fen = Signed()
    reversible = Reversible()
    date = fields.Date()
    date_text = Shown(lambda e: local_date_text(e.date))
    reference = fields.String(allow_none=True)
    reverses = fields.Integer(attribute="reverses_id", allow_none=True)
    reason = fields.String(allow_none=True)
    spending_id = fields.Integer(allow_none=True)
    title = Shown(lambda e: e.spending.title if e.spending else None, nullable=True)
    created_at = When("created_at")


class FundScopeOut(Out):
    building = fields.String(allow_none=True)
    entrance = fields.String(allow_none=True)


class FundShareOut(Out):
    unit_id = fields.Integer()
    label = fields.String(attribute="unit.label")
    area = Shown(lambda e: area_str(e.unit.area))
    amount_fen = fields.Integer()


class FundSpendingOut(Out):
    id = fields.Integer()
    title = fields.String()
    amount_fen = fields.Integer()
    scope = fields.Nested(FundScopeOut)
    scope_text = fields.String()
    date = fields.Date()
    date_text = Shown(lambda sp: local_date_text(sp.date))
    vote_item_id = fields.Integer(allow_none=True)
    shares = fields.List(fields.Nested(FundShareOut), attribute="entries")
    created_at = When("created_at")


class FundAccountOut(Out):
    unit_id = fields.Integer()
    building = fields.String()
    entrance = fields.String()
    room = fields.String()
    label = fields.String()
    area = Shown(lambda a: area_str(a.area))
    rate_fen_per_m2 = fields.Integer(allow_none=True)
    due_fen = fields.Integer()
    first_deposit_fen = fields.Integer()
    paid_fen = fields.Integer()
    outstanding_fen = fields.Integer()
    used_fen = fields.Integer()
    balance_fen = fields.Integer()
    status = fields.String()
    status_name = Named(fund_account_status_name, attribute="status")
    top_up = fields.Boolean()


class FundMyAccountOut(FundAccountOut):
    compound_id = fields.Integer()
    compound_name = fields.String()
    entries = fields.List(fields.Nested(FundEntryOut))


class FundSummaryOut(Out):
    compound_id = fields.Integer()
    units = fields.Integer()
    due_fen = fields.Integer()
    paid_fen = fields.Integer()
    outstanding_fen = fields.Integer()
    used_fen = fields.Integer()
    balance_fen = fields.Integer()
    units_paid = fields.Integer()
    units_part_paid = fields.Integer()
    units_unpaid = fields.Integer()
    units_top_up = fields.Integer()


class FundImportOut(Out):
    entries = fields.Integer()
    amount_fen = fields.Integer()
