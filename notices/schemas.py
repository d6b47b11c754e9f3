from marshmallow import Schema, fields, validate

from backend.inputs import Id
from backend.outputs import Shown, When
from backend.roster.schemas import CompoundBrief

from .models import KINDS
from .services import public_url


class NoticeIn(Schema):
    kind = fields.String(load_default="announcement", validate=validate.OneOf(KINDS))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    body = fields.String(load_default="", validate=validate.Length(max=20000))
    vote_id = Id(load_default=None, allow_none=True)
    survey_id = Id(load_default=None, allow_none=True)
    campaign_id = Id(load_default=None, allow_none=True, metadata={"description": "出资通知：出资项目"})
    publish_at = fields.AwareDateTime(load_default=None, allow_none=True, metadata={"description": "默认立即发布"})
    expires_at = fields.AwareDateTime(load_default=None, allow_none=True)


class NoticePatch(Schema):
    title = fields.String(validate=validate.Length(min=1, max=200))
    body = fields.String(validate=validate.Length(max=20000))
    publish_at = fields.AwareDateTime()
    expires_at = fields.AwareDateTime(allow_none=True)


class PublicNoticeOut(Schema):
    """What anyone holding the QR may read: no personal data."""

    kind = fields.String()
    kind_name = fields.String()
    title = fields.String()
    body = fields.String()
    vote_id = fields.Integer(allow_none=True)
    survey_id = fields.Integer(allow_none=True)
    campaign_id = fields.Integer(allow_none=True)
    compound = fields.Nested(CompoundBrief)
    publish_at = When("publish_at")
    expires_at = When("expires_at")
    state = Shown(lambda n: n.state())


class ResidentNoticeOut(PublicNoticeOut):
    """A notice in a resident's list: the public view, with the id and the address of its landing page."""

    id = fields.Integer()
    url = Shown(public_url)


class NoticeOut(PublicNoticeOut):
    id = fields.Integer()
    compound_id = fields.Integer()
    token = fields.String()
    url = Shown(public_url)
    scan_count = fields.Integer()
    last_scan_at = When("last_scan_at")
    withdrawn_at = When("withdrawn_at")
    created_by = fields.String()
    created_at = When("created_at")
