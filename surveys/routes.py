"""Surveys over HTTP (API.md "Surveys"): thin views over ``services``, ``results`` and ``decisions``."""

from flask.views import MethodView
from flask_jwt_extended import current_user
from flask_smorest import Blueprint

from backend.auth.decorators import ANYONE, MANAGERS, STAFF, roles_required, url_gate
from backend.privacy import commit_access
from backend.ratelimit import client_address

from . import catalog, decisions, results, services
from .schemas import (
    AnswersIn,
    ChartsOut,
    DraftCampaignIn,
    DraftCampaignOut,
    DraftVoteIn,
    DraftVoteOut,
    PendingOut,
    ResultsOut,
    StatusOut,
    SurveyExportArgs,
    SurveyIn,
    SurveyListArgs,
    SurveyOut,
    SurveyPatch,
    SurveyReceiptOut,
    SurveyResultsArgs,
    TemplateOut,
)

blp = Blueprint("surveys", __name__, url_prefix="/api/v1", description="Surveys 问卷: ask every household first")


gate = url_gate("survey", services.get_survey)


@blp.route("/survey-templates")
class Templates(MethodView):
    @roles_required(*STAFF)
    @blp.response(200, TemplateOut(many=True))
    def get(self):
        """The survey templates (surveys/templates/*.json): renovation needs, elevator, property management…"""
        return list(catalog.templates().values())


@blp.route("/compounds/<int:compound_id>/surveys")
class CompoundSurveys(MethodView):
    @roles_required(*STAFF)
    @gate()
    @blp.arguments(SurveyListArgs, location="query")
    @blp.response(200, SurveyOut(many=True))
    def get(self, args, compound):
        """A compound's surveys, newest first."""
        return services.compound_surveys(compound, args.get("status"))

    @roles_required(*MANAGERS)
    @gate(manage=True)
    @blp.arguments(SurveyIn)
    @blp.response(201, SurveyOut)
    def post(self, data, compound):
        """Create a draft survey, from its questions or from a template (``{"template": "renovation_needs"}``)."""
        return services.create_survey(current_user, compound, data)


@blp.route("/my/surveys")
class MySurveys(MethodView):
    @roles_required("resident")
    @blp.response(200, SurveyOut(many=True))
    def get(self):
        """Published surveys for the resident's units (any relation, tenants included), with what they answered."""
        return services.my_surveys(current_user)


@blp.route("/surveys/<int:survey_id>")
class SurveyDetail(MethodView):
    @roles_required(*ANYONE)
    @gate()
    @blp.response(200, SurveyOut)
    def get(self, survey):
        """One survey with its questions (a resident: also ``mine``, their units and whether each answered)."""
        if getattr(current_user, "role", "resident") == "resident":
            return services.with_mine(current_user, survey)
        return survey

    @roles_required(*MANAGERS)
    @gate(manage=True)
    @blp.arguments(SurveyPatch)
    @blp.response(200, SurveyOut)
    def patch(self, data, survey):
        """Edit a draft (any key it was created with); a published survey is frozen: 409 ``survey_published``."""
        return services.edit(current_user, survey, data)


@blp.route("/surveys/<int:survey_id>/publish")
class Publish(MethodView):
    @roles_required(*MANAGERS)
    @gate(manage=True)
    @blp.response(200, StatusOut)
    def post(self, survey):
        """Publish: freeze the questions; open now (opens_at past) or schedule."""
        return services.publish(current_user, survey)


@blp.route("/surveys/<int:survey_id>/close")
class Close(MethodView):
    @roles_required(*MANAGERS)
    @gate(manage=True)
    @blp.response(200, StatusOut)
    def post(self, survey):
        """Close the survey now (the committee's decision; it also closes itself at closes_at)."""
        return services.close(current_user, survey)


@blp.route("/surveys/<int:survey_id>/responses")
class Responses(MethodView):
    @roles_required("resident")
    @gate()
    @blp.arguments(AnswersIn)
    @blp.response(201, SurveyReceiptOut)
    def post(self, data, survey):
        """A resident's answers for a unit they are bound to: one per household (or per resident)."""
        return services.answer_online(current_user, survey, data)


@blp.route("/surveys/<int:survey_id>/paper-responses")
class PaperResponses(MethodView):
    @roles_required(*MANAGERS)
    @gate(manage=True)
    @blp.arguments(AnswersIn)
    @blp.response(201, SurveyReceiptOut)
    def post(self, data, survey):
        """Paper answers keyed by the committee, under the same one-per rule."""
        return services.answer_paper(current_user, survey, data)


@blp.route("/surveys/<int:survey_id>/pending")
class Pending(MethodView):
    @roles_required(*STAFF)
    @gate()
    @blp.response(200, PendingOut)
    def get(self, survey):
        """Who has not answered, per building and entrance (for chasing, like the vote's list)."""
        return services.pending(survey)


@blp.route("/surveys/<int:survey_id>/results")
class Results(MethodView):
    @roles_required(*STAFF)
    @gate()
    @blp.arguments(SurveyResultsArgs, location="query")
    @blp.response(200, ResultsOut)
    @blp.alt_response(200, content_type="text/csv", description="format=csv（UTF-8 BOM）或 format=xlsx：同 /export")
    def get(self, args, survey):
        """Counts and shares per option, Borda and mean rank, scale means, texts, response rate by entrance;
        ``format=csv|xlsx`` (API.md "Surveys") answers with the export of ``/export``."""
        if args["format"]:
            return exported(survey, args["format"])
        return results.results(survey)


def exported(survey, fmt):
    """One row per response; reading named answers in bulk is logged (an anonymous survey names no one)."""
    if not survey.anonymous:
        commit_access(current_user, "export", f"survey:{survey.id} responses", client_address())
    return results.export(survey, fmt)


@blp.route("/surveys/<int:survey_id>/charts")
class Charts(MethodView):
    @roles_required(*STAFF)
    @gate()
    @blp.response(200, ChartsOut)
    def get(self, survey):
        """The results page's bar charts, rendered on the server as SVG."""
        return results.charts(survey)


@blp.route("/surveys/<int:survey_id>/export")
class Export(MethodView):
    @roles_required(*STAFF)
    @gate()
    @blp.arguments(SurveyExportArgs, location="query")
    @blp.response(200, content_type="text/csv")
    @blp.alt_response(200, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    def get(self, args, survey):
        """One row per response (the unit named unless anonymous); the XLSX adds a summary sheet with bar charts."""
        if not survey.anonymous:
            commit_access(current_user, "export", f"survey:{survey.id} responses", client_address())
        return results.export(survey, args["format"])


@blp.route("/surveys/<int:survey_id>/draft-campaign")
class DraftCampaign(MethodView):
    @roles_required(*MANAGERS)
    @gate(manage=True)
    @blp.arguments(DraftCampaignIn)
    @blp.response(201, DraftCampaignOut)
    def post(self, data, survey):
        """From a closed elevator-willingness survey: a draft co-funding campaign for its entrance (floor × area)."""
        return decisions.draft_campaign(current_user, survey, data)


@blp.route("/surveys/<int:survey_id>/draft-vote")
class DraftVote(MethodView):
    @roles_required(*MANAGERS)
    @gate(manage=True)
    @blp.arguments(DraftVoteIn)
    @blp.response(201, DraftVoteOut)
    def post(self, data, survey):
        """From a closed renovation-needs survey: a draft vote on its top-ranked renovation items."""
        return decisions.draft_vote(current_user, survey, data)
