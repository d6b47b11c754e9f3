"""What fee collection takes and sends: months as "2026-11", integer fen, display names beside their codes."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from backend.inputs import Fen, Id, Text, require_for_kind
from backend.names import (
    building_label,
    entrance_label,
    fee_status_name,
    payment_kind_name,
    payment_method_name,
    period_name,
    unit_label,
)
from backend.outputs import Named, Out, Ratio, Shown, When
from backend.pagination import PageArgs
from backend.roster.schemas import CompoundBrief
from backend.types import area_str, local_date_text

from .dues import parse_period
from .models import METHODS


class Period(fields.String):
    """A month: "2026-11" (also "2026年11月", "2026/11")."""

    default_error_messages = {"invalid": "月份须写成 2026-11"}

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return parse_period(text)
        except ValueError as e:
            raise ValidationError(str(e)) from e


class FeeEntryIn(Schema):
    """A payment (``unit_id``, ``period``, ``amount_fen``, ``paid_on``, ``reference``, optional ``method``) or a
    reversal (``reverses``, ``reason``)."""

    kind = fields.String(required=True, validate=validate.OneOf(["payment", "reversal"]))
    unit_id = Id(strict=True)
    period = Period(metadata={"description": "缴费所属月份，如 2026-11"})
    amount_fen = Fen()
    paid_on = fields.Date()
    method = fields.String(allow_none=True, validate=validate.OneOf(METHODS))
    reference = Text(64, metadata={"description": "收据号或银行流水号，本小区内不得重复"})
    reverses = Id(strict=True)
    reason = Text(255)

    @validates_schema
    def by_kind(self, data, **kwargs):
        require_for_kind(
            data,
            {
                "payment": {
                    "unit_id": "请选择房屋",
                    "period": "请填写缴费所属月份",
                    "amount_fen": "请填写金额",
                    "paid_on": "请填写缴费日期",
                    "reference": "请填写收据号或流水号",
                },
                "reversal": {"reverses": "请指明要冲正的记录", "reason": "请填写冲正原因"},
            },
        )


class FeeEntryArgs(PageArgs):
    unit_id = Id(load_default=None)
    period = Period(load_default=None)


class FeeSummaryArgs(Schema):
    since = Period(load_default=None, metadata={"description": "默认截至月份前11个月"})
    through = Period(load_default=None, metadata={"description": "默认本月"})


class FeeAccountsArgs(Schema):
    through = Period(load_default=None, metadata={"description": "算到哪个月（含），默认本月"})


class FeeArrearsArgs(Schema):
    through = Period(load_default=None, metadata={"description": "算到哪个月（含），默认本月"})
    format = fields.String(load_default=None, validate=validate.OneOf(["csv", "xlsx"]))


class FeeImportFile(Schema):
    file = fields.Raw(metadata={"type": "string", "format": "binary"}, required=True)


class ProviderGrantIn(Schema):
    username = Text(64, required=True, metadata={"description": "物业服务企业账号的用户名"})


# --- outputs ---------------------------------------------------------------------------------------------------


class FeeUnitOut(Out):
    id = fields.Integer()
    building = fields.String()
    entrance = fields.String()
    room = fields.String()
    label = Shown(lambda u: unit_label(u.building, u.entrance, u.room), description="如“3号楼2单元301室”")
    stair = Shown(lambda u: building_label(u.building) + entrance_label(u.entrance), description="如“3号楼2单元”")
    area = Shown(lambda u: area_str(u.area), description="建筑面积（平方米，两位小数）")


class FeeEntryOut(Out):
    id = fields.Integer()
    unit = fields.Nested(FeeUnitOut)
    period = fields.String()
    period_text = Named(period_name, attribute="period")
    kind = fields.String()
    kind_name = Named(payment_kind_name, attribute="kind")
    amount_fen = fields.Integer()
    signed_fen = fields.Integer(metadata={"description": "冲正为负"})
    paid_on = fields.Date()
    paid_on_text = Shown(lambda e: local_date_text(e.paid_on), description="如 2026年12月1日")
    method = fields.String(allow_none=True)
    method_name = Shown(lambda e: payment_method_name(e.method) if e.method else None, nullable=True)
    reference = fields.String(allow_none=True)
    reverses_id = fields.Integer(allow_none=True)
    reason = fields.String(allow_none=True)
    created_at = When("created_at")


class FeePeriodOut(Out):
    period = fields.String()
    period_text = fields.String()
    rate_fen_per_m2_month = fields.Integer()
    units_charged = fields.Integer()
    units_paid = fields.Integer(metadata={"description": "当月已缴清的户数"})
    units_part_paid = fields.Integer()
    due_fen = fields.Integer()
    paid_fen = fields.Integer(metadata={"description": "计入当月应缴的已缴金额（多缴不计）"})
    collection_rate = Ratio(allow_none=True, metadata={"description": "收缴率：已缴清户数 / 应缴户数"})


class FeeSummaryOut(Out):
    compound = fields.Nested(CompoundBrief)
    rate_fen_per_m2_month = fields.Integer(allow_none=True, metadata={"description": "本月每平方米物业费（分）"})
    first_period = fields.String(allow_none=True, metadata={"description": "开始收费的月份"})
    periods = fields.List(fields.Nested(FeePeriodOut), metadata={"description": "逐月收缴情况，新的在前"})


class FeeMonthOut(Out):
    period = fields.String()
    period_text = Named(period_name, attribute="period")
    rate_fen_per_m2_month = fields.Integer()
    due_fen = fields.Integer()
    paid_fen = fields.Integer()
    owed_fen = fields.Integer()
    status = fields.String()
    status_name = Named(fee_status_name, attribute="status")


class FeeArrearsOut(Out):
    unit = fields.Nested(FeeUnitOut)
    owed_fen = fields.Integer()
    months_owed = fields.Integer()
    owed_months = fields.List(fields.Nested(lambda: FeeMonthOut()), metadata={"description": "欠缴的各月，早的在前"})
    first_owed = fields.String(allow_none=True)
    first_owed_text = Shown(lambda a: period_name(a.first_owed), description="最早欠缴的月份，如 2026年3月")


class FeeAccountOut(FeeArrearsOut):
    """A household's own fee account."""

    compound = fields.Nested(CompoundBrief)
    rate_fen_per_m2_month = fields.Integer(allow_none=True)
    monthly_fen = fields.Integer(allow_none=True, metadata={"description": "本月应缴：费率×面积，四舍五入到分"})
    recent = fields.List(fields.Nested(FeeMonthOut), metadata={"description": "最近12个月，新的在前"})
    entries = fields.List(fields.Nested(FeeEntryOut), metadata={"description": "缴费和冲正记录，新的在前"})


class FeeImportOut(Out):
    entries = fields.Integer()
    amount_fen = fields.Integer()


class ProviderGrantOut(Out):
    user_id = fields.Integer()
    username = Shown(lambda g: g.user.username, type_="string")
    display_name = Shown(lambda g: g.user.display_name, type_="string")
    granted_by = fields.String()
    granted_at = When("granted_at")
