from marshmallow import Schema, fields, validate, validates_schema

from backend.inputs import Fen, Id, Text, require_for_kind
from backend.names import (
    arrival_kind_name,
    department_name,
    evidence_kind_name,
    funding_source_name,
    plan_level_name,
    project_step_name,
    project_step_state_name,
    renovation_content_name,
    renovation_tier_name,
    unit_label,
)
from backend.outputs import Named, Out, Ratio, Reversible, Shown, Signed, When
from backend.roster.schemas import CompoundBrief

from .models import ARRIVAL_KINDS, DEPARTMENTS, PLAN_LEVELS, SOURCES, STEPS, TIERS


class ProjectItemIn(Schema):
    tier = fields.String(required=True, validate=validate.OneOf(TIERS))
    code = fields.String(required=True, metadata={"description": "改造内容代码（与需求调查问卷一致），如 water"})
    title = fields.String(load_default="", validate=validate.Length(max=200))
    underground = fields.Boolean(load_default=False, metadata={"description": "地下工程（先地下、后地上）"})
    planned_fen = Fen(minimum=0, required=True, metadata={"description": "计划投资（分）"})


class ProjectStepSetIn(Schema):
    department = fields.String(validate=validate.OneOf(DEPARTMENTS))
    due_on = fields.Date(allow_none=True, metadata={"description": "办理期限（北京时间日期）"})


class ProjectStepPlanIn(ProjectStepSetIn):
    step = fields.String(required=True, validate=validate.OneOf(STEPS))


class ProjectIn(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(load_default="", validate=validate.Length(max=5000))
    compound_ids = fields.List(
        Id(),
        required=True,
        validate=validate.Length(min=1, max=50),
        metadata={"description": "连片改造可含多个小区"},
    )
    items = fields.List(fields.Nested(ProjectItemIn), load_default=list, validate=validate.Length(max=200))
    steps = fields.List(
        fields.Nested(ProjectStepPlanIn), load_default=list, metadata={"description": "各步骤的主管部门和期限"}
    )


class ProjectItemsIn(Schema):
    items = fields.List(fields.Nested(ProjectItemIn), required=True, validate=validate.Length(min=1, max=200))


class StepCompleteIn(Schema):
    completed_on = fields.Date(required=True, metadata={"description": "办结日期"})
    survey_id = Id(load_default=None, allow_none=True, metadata={"description": "需求调查：已结束的问卷"})
    vote_item_id = Id(load_default=None, allow_none=True, metadata={"description": "方案表决：已公告通过的事项"})
    campaign_id = Id(load_default=None, allow_none=True, metadata={"description": "居民出资：已发布的出资项目"})
    document_no = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=100))
    plan_level = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(PLAN_LEVELS))
    plan_year = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=2000, max=2100))
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class ProjectListArgs(Schema):
    org_id = Id(load_default=None, allow_none=True)


class DepartmentStepsArgs(Schema):
    overdue = fields.Boolean(load_default=False, metadata={"description": "1：只看逾期未办结的步骤"})
    open = fields.Boolean(load_default=False, metadata={"description": "1：只看未办结的步骤"})


class FundingIn(Schema):
    source = fields.String(required=True, validate=validate.OneOf(SOURCES))
    party = fields.String(
        load_default="", validate=validate.Length(max=100), metadata={"description": "如 国网供电公司"}
    )
    planned_fen = Fen(
        minimum=0, load_default=None, allow_none=True, metadata={"description": "计划金额（分）；居民出资取自出资项目"}
    )
    campaign_id = Id(load_default=None, allow_none=True, metadata={"description": "居民出资：已发布的出资项目"})


class ArrivalIn(Schema):
    """Money arrived (``amount_fen``, ``arrived_on``, optional ``document_no``), or the reversal of an arrival booked
    wrongly (``kind`` = ``reversal``, ``reverses``, ``reason``; dated today unless ``arrived_on`` says)."""

    kind = fields.String(load_default="arrival", validate=validate.OneOf(ARRIVAL_KINDS))
    amount_fen = Fen()
    arrived_on = fields.Date()
    document_no = fields.String(load_default="", validate=validate.Length(max=100))
    reverses = Id(strict=True, metadata={"description": "冲正：要冲正的到位记录"})
    reason = Text(255, metadata={"description": "冲正原因"})

    @validates_schema
    def by_kind(self, data, **kwargs):
        require_for_kind(
            data,
            {
                "arrival": {"amount_fen": "请填写到位金额", "arrived_on": "请填写到位日期"},
                "reversal": {"reverses": "请指明要冲正的记录", "reason": "请填写冲正原因"},
            },
        )


class FundingReviseIn(Schema):
    planned_before_fen = Fen(
        minimum=0, required=True, metadata={"description": "修改前的计划金额（分），即您看到的金额"}
    )
    planned_fen = Fen(minimum=0, required=True, metadata={"description": "新的计划金额（分）"})
    reason = Text(255, required=True)


class ThresholdIn(Schema):
    pledge_threshold_bp = fields.Integer(
        required=True, validate=validate.Range(min=1, max=10000), metadata={"description": "万分比：6000＝60%"}
    )


# ---- outputs ----


class ProjectOrgOut(Out):
    id = fields.Integer()
    name = fields.String()
    level = fields.String()


class ProjectItemOut(Out):
    id = fields.Integer()
    tier = fields.String()
    tier_name = Named(renovation_tier_name, attribute="tier")
    code = fields.String()
    code_name = Named(renovation_content_name, attribute="code")
    title = fields.String()
    underground = fields.Boolean()
    planned_fen = fields.Integer()


class ProjectStepOut(Out):
    step = fields.String()
    step_name = Named(project_step_name, attribute="step")
    position = fields.Integer()
    department = fields.String()
    department_name = Named(department_name, attribute="department")
    due_on = fields.Date(allow_none=True)
    overdue = Shown(lambda s: _overdue(s), "boolean")
    completed_on = fields.Date(allow_none=True)
    evidence_kind = fields.String(allow_none=True)
    evidence_kind_name = Named(evidence_kind_name, attribute="evidence_kind", allow_none=True)
    evidence_id = fields.Integer(allow_none=True, metadata={"description": "问卷、表决事项或出资项目的编号"})
    document_no = fields.String(allow_none=True)
    plan_level = fields.String(allow_none=True)
    plan_level_name = Named(plan_level_name, attribute="plan_level", allow_none=True)
    plan_year = fields.Integer(allow_none=True)
    note = fields.String()
    completed_by = fields.String(allow_none=True)
    completed_at = When("completed_at")


def _overdue(step):
    from .services import is_overdue

    return is_overdue(step)


class ProjectOut(Out):
    id = fields.Integer()
    title = fields.String()
    description = fields.String()
    org = fields.Nested(ProjectOrgOut)
    compounds = fields.List(fields.Nested(CompoundBrief))
    items = fields.List(fields.Nested(ProjectItemOut), metadata={"description": "先地下后地上，再按基础、完善、提升"})
    planned_investment_fen = fields.Integer()
    steps = fields.List(fields.Nested(ProjectStepOut), metadata={"description": "职能部门账号只见本部门的步骤"})
    current_step = Shown(lambda p: _current(p), nullable=True, description="下一个待办步骤；全部办结为 null")
    created_by = fields.String()
    created_at = When("created_at")


def _current(project):
    from .services import current_step

    step = current_step(getattr(project, "project", project))
    return step.step if step else None


class ProjectBriefOut(Out):
    id = fields.Integer()
    title = fields.String()
    org = fields.Nested(ProjectOrgOut)
    compounds = fields.List(fields.Nested(CompoundBrief))
    planned_investment_fen = fields.Integer()
    current_step = Shown(lambda p: _current(p), nullable=True)
    current_step_name = Shown(lambda p: project_step_name(_current(p)) if _current(p) else None, nullable=True)


class ProjectArrivalOut(Out):
    id = fields.Integer()
    kind = fields.String()
    kind_name = Named(arrival_kind_name, attribute="kind")
    amount_fen = fields.Integer(metadata={"description": "金额（分，正数；冲正记录从到位金额中减去）"})
    signed_fen = Signed()
    arrived_on = fields.Date()
    document_no = fields.String()
    reverses_id = fields.Integer(allow_none=True)
    reason = fields.String(allow_none=True)
    reversed = fields.Boolean(metadata={"description": "已被冲正"})
    reversible = Reversible()
    created_by = fields.String()
    created_at = When("created_at")


class FundingRevisionOut(Out):
    id = fields.Integer()
    planned_before_fen = fields.Integer()
    planned_fen = fields.Integer()
    reason = fields.String()
    created_by = fields.String()
    created_at = When("created_at")


class FundingSourceOut(Out):
    OPTIONAL = ()
    id = fields.Integer()
    source = fields.String()
    source_name = Named(funding_source_name, attribute="source")
    party = fields.String()
    campaign_id = fields.Integer(allow_none=True)
    planned_fen = fields.Integer()
    arrived_fen = fields.Integer()
    pledged_fen = fields.Integer(allow_none=True, metadata={"description": "居民出资：已认捐金额"})
    arrived_share = Ratio(allow_none=True, metadata={"description": "到位率＝到位/计划（精确值四舍五入到4位）"})
    gap_fen = fields.Integer(metadata={"description": "缺口＝计划−到位（不小于0）"})
    arrivals = fields.List(fields.Nested(ProjectArrivalOut), metadata={"description": "到位记录（只增不改）"})
    revisions = fields.List(fields.Nested(FundingRevisionOut), metadata={"description": "计划金额的修改记录"})


class FundingBySourceOut(Out):
    source = fields.String()
    source_name = Named(funding_source_name, attribute="source")
    planned_fen = fields.Integer()
    arrived_fen = fields.Integer()
    arrived_share = Ratio(allow_none=True)
    gap_fen = fields.Integer()


class ProjectFundingOut(Out):
    project_id = fields.Integer()
    sources = fields.List(fields.Nested(FundingSourceOut))
    by_source = fields.List(fields.Nested(FundingBySourceOut))
    planned_fen = fields.Integer()
    arrived_fen = fields.Integer()
    arrived_share = Ratio(allow_none=True)
    gap_fen = fields.Integer()


class ThresholdOut(Out):
    compound = fields.Nested(CompoundBrief)
    pledge_threshold_bp = fields.Integer(metadata={"description": "万分比：6000＝60%"})


class ReadinessCompoundOut(Out):
    compound = fields.Nested(CompoundBrief)
    pledged_fen = fields.Integer()
    residents_part_fen = fields.Integer()
    pledged_share = Ratio(allow_none=True)
    threshold = Ratio()
    met = fields.Boolean()


class ReservePoolOut(Out):
    rank = fields.Integer()
    id = fields.Integer()
    title = fields.String()
    org = fields.Nested(ProjectOrgOut)
    planned_investment_fen = fields.Integer()
    pledged_fen = fields.Integer()
    residents_part_fen = fields.Integer()
    pledged_share = Ratio(allow_none=True)
    compounds = fields.List(fields.Nested(ReadinessCompoundOut))


class ReadinessOut(Out):
    ready = fields.Boolean()
    missing = fields.List(
        fields.String(),
        metadata={"description": "needs_surveyed、plan_voted、pledged:<小区id>（认捐未达门槛）、already_applied"},
    )
    pledged_fen = fields.Integer()
    residents_part_fen = fields.Integer()
    pledged_share = Ratio(allow_none=True)
    compounds = fields.List(fields.Nested(ReadinessCompoundOut))


class DepartmentStepOut(ProjectStepOut):
    project = fields.Nested(ProjectBriefOut)
    ready = fields.Boolean(metadata={"description": "上一步已办结，可以办理"})
    overdue = fields.Boolean()


class OverdueDepartmentOut(Out):
    department = fields.String()
    department_name = Named(department_name, attribute="department")
    open = fields.Integer(metadata={"description": "未办结的步骤"})
    overdue = fields.Integer(metadata={"description": "逾期未办结的步骤"})


class OverdueStepsOut(Out):
    org = fields.Nested(ProjectOrgOut, allow_none=True)
    today = fields.Date(metadata={"description": "北京时间的今天"})
    departments = fields.List(fields.Nested(OverdueDepartmentOut))
    overdue = fields.Integer()


class ResidentStepOut(Out):
    step = fields.String()
    step_name = Named(project_step_name, attribute="step")
    completed_on = fields.Date(allow_none=True)
    plan_level_name = Named(plan_level_name, attribute="plan_level", allow_none=True)
    plan_year = fields.Integer(allow_none=True)
    state = fields.String(metadata={"description": "done 已完成、current 进行中、pending 未开始"})
    state_name = Named(project_step_state_name, attribute="state")


class HouseholdMoneyOut(Out):
    campaign_id = fields.Integer()
    campaign_title = fields.String()
    unit_id = fields.Integer()
    label = Shown(lambda s: unit_label(s.building, s.entrance, s.room))
    share_fen = fields.Integer()
    pledged_fen = fields.Integer()
    paid_fen = fields.Integer()


class ResidentFundingOut(Out):
    source = fields.String()
    source_name = Named(funding_source_name, attribute="source")
    planned_fen = fields.Integer()
    arrived_fen = fields.Integer()


class ResidentProjectOut(Out):
    """What a household follows: the works and where they stand (no staff names, no evidence ids)."""

    id = fields.Integer()
    title = fields.String()
    compounds = fields.List(fields.Nested(CompoundBrief))
    items = fields.List(fields.Nested(ProjectItemOut))
    planned_investment_fen = fields.Integer()
    steps = fields.List(fields.Nested(ResidentStepOut))
    current_step = Shown(lambda p: _current(p), nullable=True)
    my_money = fields.List(
        fields.Nested(HouseholdMoneyOut), metadata={"description": "本户为本项目的居民出资：应摊、已认捐、已缴"}
    )
    funding = fields.List(
        fields.Nested(ResidentFundingOut), metadata={"description": "本项目各资金来源的计划和到位金额"}
    )


# ---- city figures (projects/figures.py) -----------------------------------------------------------------------

from backend.names import CITY_FIGURE_UNIT_NAMES  # noqa: E402  (this section is appended; its imports stay with it)
from votes.models import cents_str  # noqa: E402


class CityFigureArea(fields.String):
    """Hundredths of m² (an int, exact) as the API's two-place string."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else cents_str(value)


class CityFiguresArgs(Schema):
    org_id = Id(load_default=None, allow_none=True, metadata={"description": "区域，默认本人所辖"})
    year_from = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=2000, max=2100))
    year_to = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=2000, max=2100),
        metadata={"description": "默认今年"},
    )


class CityFiguresExportArgs(CityFiguresArgs):
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv", "xlsx", "pdf"]))


class CityFigureCompoundsArgs(CityFiguresArgs):
    figure = fields.String(required=True, metadata={"description": "指标代码，如 in_plan"})
    year = Id(load_default=None, allow_none=True, metadata={"description": "分年度指标的年度"})
    source = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(SOURCES), metadata={"description": "资金来源"}
    )


class CityFigureOrgOut(Out):
    id = fields.Integer()
    name = fields.String()


class CityFigureRowOut(Out):
    """One figure: its value in the field of its kind (the others null) and how many compounds it covers."""

    group = fields.String()
    group_name = fields.String()
    key = fields.String()
    name = fields.String()
    year = fields.Integer(allow_none=True)
    source = fields.String(allow_none=True)
    kind = fields.String(metadata={"description": "count | buildings | households | area | fen | ratio"})
    unit = Shown(lambda r: CITY_FIGURE_UNIT_NAMES[r.kind])
    count = fields.Integer(allow_none=True)
    fen = fields.Integer(allow_none=True, metadata={"description": "金额（分）"})
    area = CityFigureArea(attribute="area_cents", allow_none=True, metadata={"description": "平方米，两位小数"})
    ratio = Ratio(allow_none=True, metadata={"description": "精确比值四舍五入到4位，仅供显示"})
    compounds = fields.Integer(metadata={"description": "涉及小区数"})


class CityFiguresOut(Out):
    org = fields.Nested(CityFigureOrgOut, allow_none=True)
    year_from = fields.Integer()
    year_to = fields.Integer()
    rows = fields.List(fields.Nested(CityFigureRowOut))


class CityFigureCompoundOut(Out):
    id = fields.Integer()
    name = fields.String()
    org_name = fields.String(metadata={"description": "所属社区"})
    buildings = fields.Integer()
    households = fields.Integer()
    area = CityFigureArea(attribute="area_cents")
    planned_fen = fields.Integer()
    elevator = fields.Boolean()
    plan_years = Shown(lambda f: sorted(f.plan_years), "array", items={"type": "integer"})
    started = fields.Boolean()
    completed = fields.Boolean()
    plan_fen = fields.Integer()
    funds_planned_fen = fields.Integer()
    funds_arrived_fen = fields.Integer()
