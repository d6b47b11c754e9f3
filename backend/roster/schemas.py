from marshmallow import Schema, fields, validate

from ..inputs import Id
from ..names import building_label, entrance_label
from ..outputs import Out, Shown, When
from ..pagination import PageArgs
from ..types import area_str, mask_phone


class CompoundIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    org_id = Id(required=True)
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
    created_at = When("created_at")


class CompoundBrief(Schema):
    id = fields.Integer()
    name = fields.String()


class OwnerBrief(Schema):
    name = fields.String()
    phone_masked = Shown(lambda m: mask_phone(m.phone), nullable=True)


class UnitOut(Schema):
    id = fields.Integer()
    building = fields.String()
    entrance = fields.String()
    room = fields.String()
    floor = fields.Integer(allow_none=True)
    area = Shown(lambda u: area_str(u.area))
    area_source = fields.String()
    owner_type = fields.String(attribute="owner.owner_type")
    owners = fields.List(fields.Nested(OwnerBrief), attribute="owner.members")


class UnitArgs(PageArgs):
    building = fields.String()
    entrance = fields.String()


class ImportWarningOut(Out):
    rows = fields.List(fields.Integer(), metadata={"description": "涉及的行号（如表格所示）；空：针对整个名册"})
    message = fields.String()


class ImportOut(Out):
    units = fields.Integer()
    owners = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    warnings = fields.List(fields.Nested(ImportWarningOut))


class RosterFile(Schema):
    file = fields.Raw(metadata={"type": "string", "format": "binary"}, required=True)


class ExportArgs(Schema):
    format = fields.String(load_default="csv", validate=validate.OneOf(["csv", "xlsx"]))


class OwnerSummary(Schema):
    id = fields.Integer()
    name = fields.String()
    owner_type = fields.String()
    phone_masked = Shown(lambda o: mask_phone(o["phone"]), nullable=True)
    has_id = fields.Boolean()
    units = fields.List(fields.String())


class DuplicateGroup(Schema):
    name = fields.String()
    owners = fields.List(fields.Nested(OwnerSummary))


class MergeIn(Schema):
    keep_owner_id = Id(required=True)
    merge_owner_ids = fields.List(Id(), required=True, validate=validate.Length(min=1))
    reason = fields.String(required=True, validate=validate.Length(min=2, max=500))


class EntranceSummary(Schema):
    entrance = fields.String()
    label = Shown(lambda e: entrance_label(e["entrance"]), description="如“2单元”")
    units = fields.Integer()
    area = Shown(lambda e: area_str(e["area"]))


class BuildingSummary(Schema):
    building = fields.String()
    label = Shown(lambda b: building_label(b["building"]), description="如“3号楼”")
    units = fields.Integer()
    area = Shown(lambda b: area_str(b["area"]))
    entrances = fields.List(fields.Nested(EntranceSummary))
