from marshmallow import Schema, fields, pre_load, validate

from backend.inputs import Id
from backend.names import unit_label
from backend.outputs import Shown, When
from backend.roster.schemas import CompoundBrief

from .models import RELATIONS
from .services import RELATION_NAMES, STATUS_NAMES


def filled(most):
    """Text that must be there once trimmed (spaces alone count as empty), said in Chinese: the document's
    minLength cannot tell what ``Stripped`` removes."""
    return validate.Length(min=1, max=most, error=f"请填写（不超过{most}个字）")


def relation_field():
    return fields.String(load_default="owner", validate=validate.OneOf(RELATIONS))


class Stripped(Schema):
    """Trim surrounding spaces (and full-width ones) from every string a phone keyboard sends."""

    @pre_load
    def strip(self, data, **kwargs):
        if not isinstance(data, dict):
            return data
        return {k: v.strip().replace("\u3000", "") if isinstance(v, str) else v for k, v in data.items()}


class ConsentMixin(Schema):
    consent = fields.Boolean(load_default=False, metadata={"description": "同意《个人信息保护说明》"})


class SmsSendIn(Stripped):
    phone = fields.String(required=True, validate=filled(20))


class SmsSendOut(Schema):
    expires_in = fields.Integer()


class SmsVerifyIn(Stripped, ConsentMixin):
    phone = fields.String(required=True, validate=filled(20))
    code = fields.String(required=True, validate=validate.Regexp(r"^\d{6}$", error="请输入6位数字验证码"))


class WechatIn(Stripped):
    code = fields.String(required=True, validate=filled(128))
    state = fields.String(required=True, validate=filled(1024))


class DevIn(Stripped, ConsentMixin):
    subject = fields.String(load_default="demo", validate=validate.Length(max=64))


class ResidentBrief(Schema):
    id = fields.Integer()
    display_name = fields.String()


class ResidentTokensOut(Schema):
    access_token = fields.String()
    refresh_token = fields.String()
    resident = fields.Nested(ResidentBrief)
    next = fields.String()
    nonce = fields.String()


class ProvidersOut(Schema):
    providers = fields.List(fields.String())
    consent_version = fields.String()
    consent = fields.List(fields.String())


class InviteIn(Stripped):
    code = fields.String(required=True, validate=validate.Length(min=8, max=32))
    relation = relation_field()
    owner_name = fields.String(
        load_default="",
        validate=validate.Length(max=100),
        metadata={"description": "关系为owner时必填：名册上任一共有业主的姓名（不计空格）"},
    )


class Address(Stripped):
    compound_id = Id(required=True)
    building = fields.String(required=True, validate=filled(32))
    entrance = fields.String(load_default="1", validate=filled(32))
    room = fields.String(required=True, validate=filled(32))


class RosterMatchIn(Address):
    owner_name = fields.String(required=True, validate=filled(100))
    phone_last4 = fields.String(required=True, validate=validate.Regexp(r"^\d{4}$", error="请输入手机号后4位数字"))


class RequestIn(Address):
    relation = relation_field()
    name = fields.String(required=True, validate=filled(100))
    note = fields.String(load_default="", validate=validate.Length(max=500))


class ProxyIn(Address):
    owner_name = fields.String(required=True, validate=filled(100))
    proxy_name = fields.String(required=True, validate=filled(100))


class ProxyFile(Schema):
    photo = fields.Raw(metadata={"type": "string", "format": "binary"})


class UnitBrief(Schema):
    id = fields.Integer()
    label = fields.String()
    building = fields.String()
    entrance = fields.String()
    room = fields.String()
    area = fields.Decimal(as_string=True, places=2)
    compound = fields.Nested(CompoundBrief)


class BindingOut(Schema):
    id = fields.Integer()
    unit = fields.Nested(UnitBrief)
    relation = fields.String()
    relation_name = Shown(lambda b: RELATION_NAMES.get(b.relation, b.relation))
    method = fields.String(allow_none=True)
    may_vote = Shown(lambda b: b.relation in ("owner", "proxy"), "boolean")
    proxy_evidence = fields.String(allow_none=True)
    status = fields.String()
    created_at = When("created_at")


class Decided(Schema):
    id = fields.Integer()
    status = fields.String()
    status_name = Shown(lambda r: STATUS_NAMES[r.status])
    reason = fields.String()
    created_at = When("created_at")
    decided_at = When("decided_at")


class RequestOut(Decided):
    compound_id = fields.Integer()
    unit_id = fields.Integer(allow_none=True)
    address = Shown(lambda r: unit_label(r.building, r.entrance, r.room))
    relation = fields.String()
    name = fields.String()
    note = fields.String()


class ProxyOut(Decided):
    unit = fields.Nested(UnitBrief)
    owner_name = fields.String()
    proxy_name = fields.String()
    reference = fields.String()


class HouseholdOut(Schema):
    resident = fields.Nested(ResidentBrief)
    bindings = fields.List(fields.Nested(BindingOut))
    requests = fields.List(fields.Nested(RequestOut))
    proxies = fields.List(fields.Nested(ProxyOut))


class DecisionIn(Stripped):
    approve = fields.Boolean(required=True)
    reason = fields.String(load_default="", validate=validate.Length(max=500))
    relation = fields.String(load_default=None, validate=validate.OneOf(RELATIONS))


class ReviewArgs(Schema):
    status = fields.String(load_default="pending", validate=validate.OneOf(("pending", "approved", "rejected", "all")))


class LettersIn(Stripped):
    building = fields.String(load_default=None, validate=validate.Length(max=32))
    entrance = fields.String(load_default=None, validate=validate.Length(max=32))


class LetterJobOut(Schema):
    id = fields.Integer()
    compound_id = fields.Integer()
    building = fields.String(allow_none=True)
    entrance = fields.String(allow_none=True)
    status = fields.String()
    total = fields.Integer()
    done = fields.Integer()
    error = fields.String()
    created_at = When("created_at")
    finished_at = When("finished_at")
    download_url = Shown(lambda j: f"/api/v1/letter-jobs/{j.id}/pdf" if j.status == "done" else None, nullable=True)
    purged = fields.Boolean(metadata={"description": "文件已按保存期限（LETTERS_KEEP_DAYS）删除"})
