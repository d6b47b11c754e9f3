"""Surveys in and out: declared inputs, and outputs as nested schemas so the OpenAPI document states every key."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from backend.inputs import Id, Text, check_window
from backend.names import audience_name, question_type_name, survey_status_name, unit_label
from backend.outputs import Named, Out, Ratio, Shown, When
from backend.pagination import PageArgs
from funds.campaigns.schemas import Coefficients, Fen, SubsidyIn

from .models import AUDIENCES, STATUSES
from .validation import QuestionIn, check_questions


class SurveyScopeIn(Schema):
    building = Text(32)
    entrance = Text(32)

    @validates_schema
    def entrance_needs_building(self, data, **kwargs):
        if "entrance" in data and "building" not in data:
            raise ValidationError("指定单元时必须同时指定楼栋", "entrance")


class SurveyFields(Schema):
    title = Text(200)
    description = fields.String(validate=validate.Length(max=5000))
    audience = fields.String(
        validate=validate.OneOf(AUDIENCES), metadata={"description": "household 每户一份；resident 每人一份"}
    )
    anonymous = fields.Boolean(metadata={"description": "匿名：保存的回答不能对应到任何房屋或个人"})
    scope = fields.Nested(
        SurveyScopeIn, metadata={"description": "范围：全小区 {}、楼栋 {building} 或单元 {building, entrance}"}
    )
    opens_at = fields.AwareDateTime()
    closes_at = fields.AwareDateTime()
    questions = fields.List(
        fields.Nested(QuestionIn),
        validate=validate.Length(min=1, max=100),
        metadata={"description": "题目，按顺序；分节：在一节的题目上写相同的 section 标题"},
    )

    @validates_schema
    def questions_together(self, data, **kwargs):
        if "questions" in data:
            try:
                check_questions(data["questions"])
            except ValidationError as e:
                raise ValidationError(e.messages, "questions") from e

    @validates_schema
    def window(self, data, **kwargs):
        check_window(data)


class SurveyIn(SurveyFields):
    template = fields.String(
        metadata={"description": "从模板新建（GET /survey-templates）：题目、标题和说明取自模板，可另行给出覆盖"}
    )

    @validates_schema
    def needs(self, data, **kwargs):
        for key in ("opens_at", "closes_at"):
            if key not in data:
                raise ValidationError("请填写", key)
        if "template" not in data:
            for key in ("title", "questions"):
                if key not in data:
                    raise ValidationError("请填写", key)


class SurveyPatch(SurveyFields):
    pass


class AnswersIn(Schema):
    unit_id = Id(required=True)
    answers = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(),
        required=True,
        metadata={
            "description": '按题目编号：单选 "a"；多选 ["a", "c"]；排序 ["x", "z", "y"]（最好的在前）；'
            '打分 1–5；简答 "…"；“其他” {"other": "…"} 代替一个选项'
        },
    )


class DraftVoteIn(Schema):
    opens_at = fields.AwareDateTime(required=True)
    closes_at = fields.AwareDateTime(required=True)

    @validates_schema
    def window(self, data, **kwargs):
        SurveyFields.window(self, data)

    items = fields.Integer(
        load_default=3, validate=validate.Range(min=1, max=10), metadata={"description": "取排序前几项"}
    )
    matter = fields.String(load_default="rebuild", metadata={"description": "表决事项类别（见表决），默认 rebuild"})


class SurveyExportArgs(Schema):
    format = fields.String(load_default="csv", validate=validate.OneOf(("csv", "xlsx")))


class SurveyResultsArgs(Schema):
    format = fields.String(load_default=None, validate=validate.OneOf(("csv", "xlsx")))


class SurveyListArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(STATUSES))


# --- outputs --------------------------------------------------------------------------------------------------


class OptionOut(Out):
    code = fields.String()
    label = fields.String()


class ShowIfOut(Out):
    question = fields.String()
    equals = fields.Raw(metadata={"oneOf": [{"type": "string"}, {"type": "integer"}]})


class QuestionOut(Out):
    key = fields.String()
    type = fields.String()
    type_name = Named(question_type_name, attribute="type")
    title = fields.String()
    description = fields.String()
    section = fields.String(allow_none=True)
    options = fields.List(fields.Nested(OptionOut), allow_none=True)
    required = fields.Boolean()
    max_choices = fields.Integer(allow_none=True)
    allow_other = fields.Boolean()
    show_if = fields.Nested(ShowIfOut, allow_none=True)


class SurveyScopeOut(Schema):
    building = fields.String()
    entrance = fields.String()


def _status(survey):
    return survey.status_at()


class MySurveyOut(Out):
    unit_id = fields.Integer()
    label = fields.String()
    answered = fields.Boolean()


class SurveyOut(Out):
    OPTIONAL = ("mine",)
    id = fields.Integer()
    compound_id = fields.Integer()
    compound_name = Shown(lambda s: s.compound.name)
    title = fields.String()
    description = fields.String()
    template = fields.String(allow_none=True)
    audience = fields.String()
    audience_name = Named(audience_name, attribute="audience")
    anonymous = fields.Boolean()
    scope = fields.Nested(SurveyScopeOut)
    scope_text = fields.String()
    opens_at = When("opens_at")
    closes_at = When("closes_at")
    status = Shown(_status)
    status_name = Shown(lambda s: survey_status_name(s.status_at()))
    questions = fields.List(fields.Nested(QuestionOut))
    draft_vote_id = fields.Integer(allow_none=True)
    draft_campaign_id = fields.Integer(allow_none=True)
    created_at = When("created_at")
    published_at = When("published_at")
    closed_at = When("closed_at")
    mine = fields.List(
        fields.Nested(MySurveyOut),
        metadata={"description": "居民：可以回答的房屋及是否已答（每人一份的问卷：是否本人已答）"},
    )


class StatusOut(Out):
    id = fields.Integer()
    status = Shown(_status)
    status_name = Shown(lambda s: survey_status_name(s.status_at()))


class TemplateOut(Out):
    code = fields.String()
    title = fields.String()
    description = fields.String()
    audience = fields.String()
    question_count = Shown(lambda t: len(t["questions"]), "integer")


class SurveyReceiptOut(Out):
    survey_id = fields.Integer()
    unit_id = fields.Integer()
    label = fields.String()
    channel = fields.String()


class CountOut(Out):
    label = fields.String()
    count = fields.Integer()
    share = Ratio(allow_none=True)


class RankOut(Out):
    label = fields.String()
    borda = fields.Integer()
    ranked = fields.Integer(metadata={"description": "排了这一项的回答数"})
    mean_rank = Ratio(allow_none=True)


class QuestionResultOut(Out):
    key = fields.String()
    type = fields.String()
    type_name = Named(question_type_name, attribute="type")
    title = fields.String()
    answered = fields.Integer()
    options = fields.Dict(keys=fields.String(), values=fields.Nested(CountOut), allow_none=True)
    other = fields.List(fields.String(), allow_none=True)
    mean = Ratio(allow_none=True)
    ranking = fields.Dict(keys=fields.String(), values=fields.Nested(RankOut), allow_none=True)
    texts = fields.List(fields.String(), allow_none=True)
    option_order = fields.List(fields.String(), metadata={"description": "选项在问卷中的顺序（options、ranking 的键）"})


class EntranceOut(Out):
    building = fields.String()
    entrance = fields.String()
    label = fields.String()
    households = fields.Integer()
    responses = fields.Integer()


class ResultsOut(Out):
    survey_id = fields.Integer()
    title = fields.String()
    status = fields.String()
    status_name = Named(survey_status_name, attribute="status")
    anonymous = fields.Boolean()
    responses = fields.Integer()
    households = fields.Integer()
    response_rate = Ratio(allow_none=True)
    questions = fields.List(fields.Nested(QuestionResultOut))
    by_entrance = fields.List(fields.Nested(EntranceOut))


class ChartOut(Out):
    key = fields.String()
    title = fields.String()
    svg = fields.String(metadata={"description": "服务器生成的 SVG 条形图"})


class ChartsOut(Out):
    charts = fields.List(fields.Nested(ChartOut))


class PendingUnitOut(Out):
    unit_id = fields.Integer(attribute="id")
    room = fields.String()
    label = Shown(lambda u: unit_label(u.building, u.entrance, u.room))


class PendingGroupOut(Out):
    building = fields.String()
    entrance = fields.String()
    label = fields.String()
    households = fields.Integer()
    answered = fields.Integer()
    not_answered = fields.List(fields.Nested(PendingUnitOut))
    units = fields.List(
        fields.Nested(PendingUnitOut), metadata={"description": "该单元范围内的全部房屋（录入纸质问卷用）"}
    )


class PendingOut(Out):
    survey_id = fields.Integer()
    status = fields.String()
    households = fields.Integer()
    answered = fields.Integer()
    entrances = fields.List(fields.Nested(PendingGroupOut))


class DraftCampaignIn(Schema):
    """The cost and subsidies the survey did not ask; the floor table defaults to DOMAIN.md §3's typical one."""

    title = fields.String(load_default=None, validate=validate.Length(min=1, max=200))
    total_cost_fen = Fen(required=True)
    subsidies = fields.List(fields.Nested(SubsidyIn), load_default=list, validate=validate.Length(max=20))
    floor_coefficients = Coefficients(load_default=None, allow_none=True)


class DraftCampaignOut(Out):
    survey_id = fields.Integer()
    campaign_id = fields.Integer()
    floor_coefficients = fields.Dict(
        keys=fields.String(), values=fields.String(), metadata={"description": "楼层 → 系数"}
    )


class DraftVoteOut(Out):
    survey_id = fields.Integer()
    vote_id = fields.Integer()
    items = fields.List(fields.String())
