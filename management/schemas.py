from marshmallow import Schema, fields, validate

from backend.inputs import Id
from backend.names import management_model_name, period_name, rating_aspect_name, rights_holder_name
from backend.outputs import Named, Out, Ratio, Shown, When
from backend.roster.schemas import CompoundBrief
from backend.types import local_date_text

from .models import CHOSEN_MODELS, MODELS, RIGHTS_HOLDERS

Fee = lambda **kw: fields.Integer(strict=True, validate=validate.Range(min=0, max=100_000), **kw)  # noqa: E731


class ManagementIn(Schema):
    """The whole record as it now stands; ``version`` is the one the clerk saw (0 for a compound never recorded)."""

    version = fields.Integer(required=True, validate=validate.Range(min=0))
    model = fields.String(required=True, validate=validate.OneOf(MODELS))
    provider_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    provider_contact = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    provider_licence = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    fee_fen_per_m2_month = Fee(load_default=None, allow_none=True, metadata={"description": "每月每平方米物业费（分）"})
    contract_start = fields.Date(load_default=None, allow_none=True)
    contract_end = fields.Date(load_default=None, allow_none=True)
    rights_holder = fields.String(load_default="unknown", validate=validate.OneOf(RIGHTS_HOLDERS))
    responsible_party = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=200), metadata={"description": "空＝失管"}
    )
    effective_from = fields.Date(load_default=None, allow_none=True, metadata={"description": "默认今天"})
    basis = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class ManagementFieldsOut(Out):
    model = fields.String()
    model_name = Named(management_model_name, attribute="model")
    provider_name = fields.String(allow_none=True)
    provider_contact = fields.String(allow_none=True)
    provider_licence = fields.String(allow_none=True)
    fee_fen_per_m2_month = fields.Integer(allow_none=True)
    contract_start = fields.Date(allow_none=True)
    contract_end = fields.Date(allow_none=True)
    rights_holder = fields.String()
    rights_holder_name = Named(rights_holder_name, attribute="rights_holder")
    responsible_party = fields.String(allow_none=True)
    unmanaged = fields.Boolean(metadata={"description": "无人负责即失管"})
    version = fields.Integer()
    effective_from = fields.Date(allow_none=True)
    effective_from_text = Shown(lambda s: local_date_text(s.effective_from), description="如 2026年12月1日")
    basis = fields.String()
    vote_item_id = fields.Integer(allow_none=True, metadata={"description": "选定该模式的业主表决事项"})


class ManagementOut(ManagementFieldsOut):
    compound = fields.Nested(CompoundBrief)
    updated_by = fields.String(allow_none=True)
    updated_at = When("updated_at")


class ResidentManagementOut(ManagementFieldsOut):
    """What a household reads: no staff names."""

    compound = fields.Nested(CompoundBrief)


class ChangeOut(ManagementFieldsOut):
    changed_by = fields.String()
    changed_at = When("changed_at")


class ProposalIn(Schema):
    model = fields.String(required=True, validate=validate.OneOf(CHOSEN_MODELS))
    fee_fen_per_m2_month = Fee(load_default=None, allow_none=True)


def _unique_models(proposals):
    models = [p["model"] for p in proposals]
    if len(set(models)) != len(models):
        raise validate.ValidationError("每种模式只能提出一次")


class ChoiceIn(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(load_default="", validate=validate.Length(max=5000))
    item_title = fields.String(load_default=None, validate=validate.Length(max=200))
    opens_at = fields.AwareDateTime(required=True)
    closes_at = fields.AwareDateTime(required=True)
    survey_id = Id(load_default=None, allow_none=True)
    proposals = fields.List(
        fields.Nested(ProposalIn), required=True, validate=[validate.Length(min=2, max=3), _unique_models]
    )


class ProposalOut(Out):
    model = fields.String()
    model_name = Named(management_model_name, attribute="model")
    fee_fen_per_m2_month = fields.Integer(allow_none=True)


class ChoiceOut(Out):
    id = fields.Integer()
    compound_id = fields.Integer()
    survey_id = fields.Integer(allow_none=True)
    vote_id = fields.Integer()
    vote_item_id = fields.Integer()
    proposals = fields.List(fields.Nested(ProposalOut), attribute="proposal_rows")
    applied = Shown(lambda c: c.applied_at is not None, type_="boolean")
    created_at = When("created_at")


class ProposalArgs(Schema):
    survey_id = Id(required=True)


class SuggestedOut(Out):
    model = fields.String()
    model_name = Named(management_model_name, attribute="model")
    count = fields.Integer(metadata={"description": "选择该模式的户数"})
    share = Ratio(allow_none=True, metadata={"description": "占作答户数的比例"})
    fee_fen_per_m2_month = fields.Integer(
        allow_none=True, metadata={"description": "建议物业费：选择该模式的户中至少一半能接受的最高档（分）"}
    )


class SurveyProposalOut(Out):
    survey_id = fields.Integer()
    title = fields.String()
    responses = fields.Integer()
    models = fields.List(fields.Nested(SuggestedOut), metadata={"description": "按选择户数从多到少"})


# ---- service rating and the officials' overview (management/ratings.py, management/oversight.py) ----


class RatingAspectOut(Out):
    key = fields.String(metadata={"description": "cleaning、security、repairs、green、parking、attitude"})
    name = Named(rating_aspect_name, attribute="key")
    responses = fields.Integer(metadata={"description": "该方面的打分份数"})
    mean = Ratio(allow_none=True, metadata={"description": "平均分（1至5分），精确值四舍五入到4位"})
    mean_text = fields.String(allow_none=True, metadata={"description": "平均分四舍五入到2位，如“4.33”"})


class RatingFiguresOut(Out):
    surveys = fields.Integer(metadata={"description": "计入的问卷数"})
    responses = fields.Integer(metadata={"description": "计入的回答份数"})
    aspects = fields.List(fields.Nested(RatingAspectOut))
    overall_mean = Ratio(allow_none=True, metadata={"description": "各方面全部打分的平均分"})
    overall_text = fields.String(allow_none=True)


class CompoundRatingOut(RatingFiguresOut):
    year = fields.Integer(metadata={"description": "问卷结束日期（北京时间）所在年份"})
    provider = fields.String(metadata={"description": "问卷结束时在任的物业服务企业；未登记名称的为管理模式名称"})


class ProviderRankOut(RatingFiguresOut):
    rank = fields.Integer()
    provider = fields.String()
    compounds = fields.Integer(metadata={"description": "被评价的小区数"})


class OverviewArgs(Schema):
    org_id = Id()
    year = fields.Integer(validate=validate.Range(min=2000, max=2100), metadata={"description": "默认今年"})
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv", "xlsx"]))


class OverviewPlaceOut(Out):
    compound_id = fields.Integer()
    compound = fields.String()
    district = fields.String()
    street = fields.String()
    community = fields.String()


class ModelCountOut(Out):
    model = fields.String()
    model_name = Named(management_model_name, attribute="model")
    compounds = fields.Integer()


class UnmanagedOut(OverviewPlaceOut):
    model = fields.String()
    model_name = Named(management_model_name, attribute="model")
    rights_holder = fields.String()
    rights_holder_name = Named(rights_holder_name, attribute="rights_holder")


class ModelChangeOut(OverviewPlaceOut):
    old_model = fields.String()
    old_model_name = Named(management_model_name, attribute="old_model")
    new_model = fields.String()
    new_model_name = Named(management_model_name, attribute="new_model")
    effective_from = fields.Date()
    effective_from_text = Shown(lambda c: local_date_text(c["effective_from"]), description="如 2026年12月1日")
    basis = fields.String()
    vote_item_id = fields.Integer(allow_none=True)


class CollectionOut(Out):
    period = fields.String(metadata={"description": "统计的月份：当年12月，本年则为本月"})
    period_text = Named(period_name, attribute="period")
    units_charged = fields.Integer()
    units_paid = fields.Integer()
    rate = Ratio(allow_none=True, metadata={"description": "收缴率；无应缴户时为空"})


class OverviewCompoundOut(OverviewPlaceOut):
    model = fields.String()
    model_name = Named(management_model_name, attribute="model")
    provider_name = fields.String(allow_none=True)
    fee_fen_per_m2_month = fields.Integer(allow_none=True)
    rights_holder = fields.String()
    rights_holder_name = Named(rights_holder_name, attribute="rights_holder")
    responsible_party = fields.String(allow_none=True)
    unmanaged = fields.Boolean()
    model_changed = fields.Boolean(metadata={"description": "本年内管理模式有变更"})
    collection = fields.Nested(CollectionOut)
    rating_responses = fields.Integer()
    rating_mean = Ratio(allow_none=True)
    rating_mean_text = fields.String(allow_none=True)


class OverviewOut(Out):
    year = fields.Integer()
    org_id = fields.Integer(allow_none=True)
    compounds_total = fields.Integer()
    by_model = fields.List(fields.Nested(ModelCountOut))
    unmanaged = fields.List(fields.Nested(UnmanagedOut), metadata={"description": "失管小区：无责任主体"})
    providers = fields.List(fields.Nested(ProviderRankOut), metadata={"description": "按总平均分从高到低"})
    model_changes = fields.List(fields.Nested(ModelChangeOut))
    compounds = fields.List(fields.Nested(OverviewCompoundOut))
