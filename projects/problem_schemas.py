"""Inputs and outputs of construction-problem reports (issue 13 §6)."""

from marshmallow import Schema, fields, validate

from backend.inputs import Id
from backend.names import problem_category_name, problem_status_name
from backend.outputs import Named, Out, When
from backend.roster.schemas import CompoundBrief

from .problem_models import CATEGORIES, STATUSES


class ProblemIn(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=1000), metadata={"description": "问题描述"})
    building = fields.String(load_default="", validate=validate.Length(max=32), metadata={"description": "楼栋"})
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    compound_id = Id(
        load_default=None, allow_none=True, metadata={"description": "连片项目里本人有多个小区的房屋时，指明小区"}
    )


class ProblemFiles(Schema):
    photos = fields.List(
        fields.Raw(metadata={"type": "string", "format": "binary"}),
        metadata={"description": "最多3张；JPG、PNG或WebP；每张不超过8MB；位置等EXIF信息会被去除"},
    )


class ProblemReplyIn(Schema):
    reply = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class ProblemCloseIn(Schema):
    reply = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=2000),
        metadata={"description": "关闭说明"},
    )


class ProblemListArgs(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    project_id = Id(load_default=None)


class ProblemCountArgs(Schema):
    org_id = Id(load_default=None, allow_none=True)


class ProblemCategoryOut(Out):
    code = fields.String()
    name = fields.String()


class ProblemPhotoOut(Out):
    id = fields.Integer()
    url = fields.Function(lambda p: f"/api/v1/problem-photos/{p.id}", metadata={"type": "string"})
    mime = fields.String()
    width = fields.Integer()
    height = fields.Integer()


class ProblemUnitOut(Out):
    id = fields.Integer()
    building = fields.String()
    entrance = fields.String()
    room = fields.String()


class ProblemOut(Out):
    id = fields.Integer()
    project_id = fields.Integer()
    compound = fields.Nested(CompoundBrief)
    unit = fields.Nested(ProblemUnitOut)  # the reporter's unit
    building = fields.String()
    category = fields.String()
    category_name = Named(problem_category_name, attribute="category")
    text = fields.String()
    status = fields.String()
    status_name = Named(problem_status_name, attribute="status")
    reply = fields.String(allow_none=True)
    replied_at = When("replied_at")
    closed_at = When("closed_at")
    created_at = When("created_at")
    photos = fields.List(fields.Nested(ProblemPhotoOut), metadata={"description": "凭令牌读取：GET url"})
    photos_purged_at = When("photos_purged_at")  # photos deleted RETENTION_DAYS after closing (PIPL purge)


class ProblemOrgOut(Out):
    id = fields.Integer()
    name = fields.String()
    level = fields.String()


class OpenProblemsCompoundOut(Out):
    compound = fields.Nested(CompoundBrief)
    open = fields.Integer(metadata={"description": "待答复"})
    answered = fields.Integer(metadata={"description": "已答复未关闭"})
    unclosed = fields.Integer(metadata={"description": "未关闭＝待答复＋已答复"})


class OpenProblemsOut(Out):
    org = fields.Nested(ProblemOrgOut, allow_none=True)
    compounds = fields.List(fields.Nested(OpenProblemsCompoundOut), metadata={"description": "有未关闭问题的小区"})
    open = fields.Integer()
    unclosed = fields.Integer()


class ContractorIn(Schema):
    username = fields.String(
        required=True, validate=validate.Length(min=1, max=64), metadata={"description": "企业账号"}
    )
    contact = fields.String(
        load_default="", validate=validate.Length(max=200), metadata={"description": "联系人和电话"}
    )


class ContractorOut(Out):
    project_id = fields.Integer()
    username = fields.String(allow_none=True, metadata={"description": "施工单位联系人的企业账号；未指定为 null"})
    contact = fields.String()


class ProjectProblemArgs(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))
