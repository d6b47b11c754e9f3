from marshmallow import Schema, fields, validate

from backend.roster.schemas import CompoundBrief
from backend.types import local_iso

from .models import KINDS
from .services import public_url


class NoticeIn(Schema):
    kind = fields.String(load_default="announcement", validate=validate.OneOf(KINDS))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    body = fields.String(load_default="", validate=validate.Length(max=20000))
    vote_id = fields.Integer(load_default=None, allow_none=True)
    survey_id = fields.Integer(load_default=None, allow_none=True)
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
    compound = fields.Nested(CompoundBrief)
    publish_at = fields.Function(lambda n: local_iso(n.publish_at))
    expires_at = fields.Function(lambda n: local_iso(n.expires_at))
    state = fields.Function(lambda n: n.state())


class ResidentNoticeOut(PublicNoticeOut):
    """A notice in a resident's list: the public view, with the id and the address of its landing page."""

    id = fields.Integer()
    url = fields.Function(public_url)


class NoticeOut(PublicNoticeOut):
    id = fields.Integer()
    compound_id = fields.Integer()
    token = fields.String()
    url = fields.Function(public_url)
    scan_count = fields.Integer()
    last_scan_at = fields.Function(lambda n: local_iso(n.last_scan_at))
    withdrawn_at = fields.Function(lambda n: local_iso(n.withdrawn_at))
    created_by = fields.String()
    created_at = fields.Function(lambda n: local_iso(n.created_at))
