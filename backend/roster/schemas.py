from marshmallow import Schema, fields, validate

from ..pagination import PageArgs
from ..types import area_str, local_iso, mask_phone


class CompoundIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    org_id = fields.Integer(required=True)
    address = fields.String(load_default="", validate=validate.Length(max=255))
    notice_lead_days = fields.Integer(validate=validate.Range(min=0, max=90))
    publicity_days = fields.Integer(validate=validate.Range(min=1, max=90))


class CompoundPatch(Schema):
    name = fields.String(validate=validate.Length(min=1, max=100))
    address = fields.String(validate=validate.Length(max=255))
    notice_lead_days = fields.Integer(validate=validate.Range(min=0, max=90))
    publicity_days = fields.Integer(validate=validate.Range(min=1, max=90))


class CompoundOut(Schema):
    id = fields.Integer()
    name = fields.String()
    org_id = fields.Integer()
    address = fields.String()
    notice_lead_days = fields.Integer()
    publicity_days = fields.Integer()
    created_at = fields.Function(lambda c: local_iso(c.created_at))


class CompoundBrief(Schema):
    id = fields.Integer()
    name = fields.String()


class OwnerBrief(Schema):
    name = fields.String()
    phone_masked = fields.Function(lambda m: mask_phone(m.phone))


class UnitOut(Schema):
    id = fields.Integer()
    building = fields.String()
    entrance = fields.String()
    room = fields.String()
    floor = fields.Integer(allow_none=True)
    area = fields.Function(lambda u: area_str(u.area))
    area_source = fields.String()
    owner_type = fields.Function(lambda u: u.owner.owner_type)
    owners = fields.Function(lambda u: OwnerBrief(many=True).dump(u.owner.members))


class UnitArgs(PageArgs):
    building = fields.String()
    entrance = fields.String()


class ImportOut(Schema):
    units = fields.Integer()
    owners = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    warnings = fields.List(fields.Dict())


class RosterFile(Schema):
    file = fields.Raw(metadata={"type": "string", "format": "binary"}, required=True)


class ExportArgs(Schema):
    format = fields.String(load_default="csv", validate=validate.OneOf(["csv", "xlsx"]))


class OwnerSummary(Schema):
    id = fields.Integer()
    name = fields.String()
    owner_type = fields.String()
    phone_masked = fields.Function(lambda o: mask_phone(o["phone"]))
    has_id = fields.Boolean()
    units = fields.List(fields.String())


class DuplicateGroup(Schema):
    name = fields.String()
    owners = fields.List(fields.Nested(OwnerSummary))


class MergeIn(Schema):
    keep_owner_id = fields.Integer(required=True)
    merge_owner_ids = fields.List(fields.Integer(), required=True, validate=validate.Length(min=1))
    reason = fields.String(required=True, validate=validate.Length(min=2, max=500))


class EntranceSummary(Schema):
    entrance = fields.String()
    units = fields.Integer()
    area = fields.Function(lambda e: area_str(e["area"]))


class BuildingSummary(Schema):
    building = fields.String()
    units = fields.Integer()
    area = fields.Function(lambda b: area_str(b["area"]))
    entrances = fields.List(fields.Nested(EntranceSummary))
