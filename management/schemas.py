from marshmallow import Schema, fields, validate

from backend.names import management_model_name, rights_holder_name
from backend.outputs import Named, Out, Ratio, Shown, When
from backend.roster.schemas import CompoundBrief
from backend.types import local_date_text

from .models import CHOSEN_MODELS, MODELS, RIGHTS_HOLDERS

Fee = lambda **kw: fields.Integer(validate=validate.Range(min=0, max=100_000), **kw)  # noqa: E731


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
    survey_id = fields.Integer(load_default=None, allow_none=True)
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
    survey_id = fields.Integer(required=True)


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
