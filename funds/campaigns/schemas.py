import re

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from backend.inputs import Fen, Id, Text
from backend.names import (
    campaign_status_name,
    payment_kind_name,
    payment_method_name,
    scope_text,
    share_status_name,
    sharing_rule_name,
    subsidy_source_name,
    unit_label,
)
from backend.outputs import Named, Out, Reversible, Shown, Signed, When
from backend.pagination import PageArgs
from backend.types import local_date_text
from votes.schemas import ScopeIn, ScopeOut

from .models import METHODS, RULES, SHARE_STATUSES, SOURCES, STATUSES

FLOOR = re.compile(r"^-?\d{1,3}$")
COEFFICIENT = re.compile(r"^\d{1,3}(\.\d{1,2})?$")


class SubsidyIn(Schema):
    source = fields.String(required=True, validate=validate.OneOf(SOURCES))
    amount_fen = Fen(required=True)


class Coefficients(fields.Dict):
    """Floor → coefficient: {"3": "0.7"}; decimal strings ≥ 0 with at most two places (never JSON numbers)."""

    def __init__(self, **kwargs):
        super().__init__(
            keys=fields.String(),
            values=fields.String(),
            metadata={"description": "楼层 → 系数（十进制字符串，≥0，最多两位小数）；表中没有的楼层系数为 0"},
            **kwargs,
        )

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, dict):
            raise ValidationError("楼层系数应为 {楼层: 系数} 的对象")
        problems = {}
        for floor, coefficient in value.items():
            if not FLOOR.match(str(floor)):
                problems[floor] = ["楼层应为整数，如 3"]
            elif not isinstance(coefficient, str) or not COEFFICIENT.match(coefficient):
                problems[floor] = ['系数应写成不小于0、最多两位小数的数字字符串，如 "0.7"']
        if problems:
            raise ValidationError(problems)
        return {int(k): v for k, v in value.items()}


class CampaignIn(Schema):
    title = Text(200, required=True)
    description = fields.String(load_default="", validate=validate.Length(max=5000))
    scope = fields.Nested(ScopeIn, load_default=dict)
    total_cost_fen = Fen(required=True)
    subsidies = fields.List(fields.Nested(SubsidyIn), load_default=list, validate=validate.Length(max=20))
    rule = fields.String(load_default="area", validate=validate.OneOf(RULES))
    floor_coefficients = Coefficients(load_default=None, allow_none=True)
    vote_item_id = Id(strict=True, load_default=None, allow_none=True)

    @validates_schema
    def coefficients_for_floor_rule(self, data, **kwargs):
        if data.get("rule") == "floor_area" and not data.get("floor_coefficients"):
            raise ValidationError("按楼层系数分摊时须填写各楼层的系数", "floor_coefficients")


class PublishIn(Schema):
    notice = fields.Boolean(load_default=False, metadata={"description": "同时在公告栏发布出资通知（带二维码）"})
    notice_title = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=200))
    notice_body = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20000))


class PledgeIn(Schema):
    unit_id = Id(strict=True, required=True)
    amount_fen = Fen(load_default=None, allow_none=True, metadata={"description": "省略：认捐本户的分摊额"})


class MyPledgeIn(PledgeIn):
    campaign_id = Id(strict=True, required=True)


class PaymentIn(Schema):
    unit_id = Id(strict=True, required=True)
    amount_fen = Fen(required=True)
    paid_on = fields.Date(required=True)
    method = fields.String(required=True, validate=validate.OneOf(METHODS))
    reference = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))


class ReverseIn(Schema):
    reason = Text(255, required=True)


class LettersArgs(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(SHARE_STATUSES))


class SharesArgs(LettersArgs):
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv", "xlsx"]))


class CampaignListArgs(PageArgs):
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))


# --- outputs ----------------------------------------------------------------------------------------------


class SubsidyOut(Out):
    source = fields.String(metadata={"enum": list(SOURCES)})
    source_name = Named(subsidy_source_name, attribute="source")
    amount_fen = fields.Integer()


class ShareOut(Out):
    unit_id = fields.Integer()
    building = fields.String()
    entrance = fields.String()
    room = fields.String()
    label = Shown(lambda s: unit_label(s.building, s.entrance, s.room))
    entrance_text = Shown(
        lambda s: scope_text(s.building, s.entrance), description="楼栋单元，如 3号楼2单元（上门分组用）"
    )
    floor = fields.Integer(allow_none=True, metadata={"description": "分摊所用的楼层（名册楼层，否则由房号推出）"})
    area = fields.String(metadata={"description": "建筑面积，两位小数"})
    coefficient = fields.String(
        attribute="coefficient_text", allow_none=True, metadata={"description": "楼层系数（仅按楼层系数分摊）"}
    )
    share_fen = fields.Integer()
    pledged_fen = fields.Integer()
    paid_fen = fields.Integer()
    outstanding_fen = fields.Integer(metadata={"description": "已认捐未缴的金额（分），不小于零"})
    status = fields.String(metadata={"enum": list(SHARE_STATUSES)})
    status_name = Named(share_status_name, attribute="status")
    how = fields.String(metadata={"description": "本户份额的计算方法（尾差按最大余数逐分分配）"})


class MyShareOut(ShareOut):
    may_pledge = fields.Boolean(metadata={"description": "本人是该房屋的业主、项目认捐中且该户尚未认捐"})


class CampaignOut(Out):
    OPTIONAL = ("notice",)

    id = fields.Integer()
    compound_id = fields.Integer()
    title = fields.String()
    description = fields.String()
    status = fields.String(metadata={"enum": list(STATUSES)})
    status_name = Named(campaign_status_name, attribute="status")
    rule = fields.String(metadata={"enum": list(RULES)})
    rule_name = Named(sharing_rule_name, attribute="rule")
    scope = fields.Nested(ScopeOut)
    scope_text = Named(lambda scope: scope_text(**scope), attribute="scope")
    floor_coefficients = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        attribute="coefficients_text",
        metadata={"description": "楼层 → 系数"},
    )
    vote_item_id = fields.Integer(allow_none=True)
    total_cost_fen = fields.Integer()
    subsidies = fields.List(fields.Nested(SubsidyOut))
    subsidies_fen = fields.Integer()
    residents_part_fen = fields.Integer()
    pledged_fen = fields.Integer()
    paid_fen = fields.Integer()
    unpledged_fen = fields.Integer()
    gap_fen = fields.Integer()
    households = fields.Integer()
    households_pledged = fields.Integer()
    households_paid = fields.Integer()
    created_at = When("created_at")
    published_at = When("published_at")
    mine = fields.List(fields.Nested("MyShareOut"), metadata={"description": "居民：本人绑定的房屋在本项目中的份额"})
    notice = fields.Nested("MoneyNoticeOut", allow_none=True)


class MoneyNoticeOut(Out):
    id = fields.Integer()
    token = fields.String()
    url = fields.String()


class PledgeOut(Out):
    id = fields.Integer()
    campaign_id = fields.Integer()
    unit_id = fields.Integer()
    amount_fen = fields.Integer()
    channel = fields.String()
    created_at = When("created_at")


class MyPaymentOut(Out):
    """A payment entry as its household sees it (no staff names)."""

    id = fields.Integer()
    kind = fields.String(metadata={"enum": ["payment", "reversal"]})
    kind_name = Named(payment_kind_name, attribute="kind")
    amount_fen = fields.Integer(metadata={"description": "正数；冲正记录从已缴中减去"})
    signed_fen = Signed()
    paid_on = fields.Date()
    paid_on_text = Shown(lambda e: local_date_text(e.paid_on))
    method = fields.String(allow_none=True, metadata={"enum": list(METHODS)})
    method_name = Named(payment_method_name, attribute="method", allow_none=True)
    reference = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)


class PaymentOut(MyPaymentOut):
    campaign_id = fields.Integer()
    unit_id = fields.Integer()
    unit_label = Shown(lambda e: getattr(e, "unit_label", ""))
    reverses_id = fields.Integer(allow_none=True)
    reversed = Shown(lambda e: getattr(e, "reversed", False), "boolean", description="该缴款已被冲正")
    reversible = Reversible()
    created_by = fields.String()
    created_at = When("created_at")


class MyPledgeOut(ShareOut):
    campaign_id = fields.Integer()
    campaign_title = fields.String()
    campaign_status = fields.String(metadata={"enum": list(STATUSES)})
    payments = fields.List(fields.Nested(MyPaymentOut), metadata={"description": "本户的缴款和冲正记录，按时间先后"})
