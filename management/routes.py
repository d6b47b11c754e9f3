"""Property management: the compound's record and history, the owners' choice, and each household's view."""

from flask.views import MethodView
from flask_jwt_extended import current_user
from flask_smorest import Blueprint

from backend import pagination
from backend.auth.decorators import MANAGERS, STAFF, roles_required
from backend.exports import table_response

from . import oversight, ratings, services
from .schemas import (
    ChangeOut,
    ChoiceIn,
    ChoiceOut,
    CompoundRatingOut,
    ManagementIn,
    ManagementOut,
    OverviewArgs,
    OverviewOut,
    ProposalArgs,
    ResidentManagementOut,
    SurveyProposalOut,
)

blp = Blueprint("management", __name__, url_prefix="/api/v1", description="Property management 物业管理")


@blp.route("/compounds/<int:compound_id>/management")
class CompoundManagement(MethodView):
    @roles_required(*STAFF)
    @blp.response(200, ManagementOut)
    def get(self, compound_id):
        """The compound's management now: model, provider, fee, rights holder, who is responsible (none: 失管)."""
        return services.get_state(current_user, compound_id)

    @roles_required(*MANAGERS)
    @blp.arguments(ManagementIn)
    @blp.response(200, ManagementOut)
    def put(self, data, compound_id):
        """Record the management as it now stands, with its basis; ``version`` must be the one read (else 409)."""
        return services.record(current_user, compound_id, data)


@blp.route("/compounds/<int:compound_id>/management/history")
class ManagementHistory(MethodView):
    @roles_required(*STAFF)
    @blp.response(200, ChangeOut(many=True))
    def get(self, compound_id):
        """Every change, newest first, with who made it, from when and on what basis."""
        return services.history(current_user, compound_id)


@blp.route("/compounds/<int:compound_id>/management/choices")
class ManagementChoices(MethodView):
    @roles_required(*STAFF)
    @blp.response(200, ChoiceOut(many=True))
    def get(self, compound_id):
        """The owners' choices of a model, newest first."""
        return services.choices(current_user, compound_id)

    @roles_required(*MANAGERS)
    @blp.arguments(ChoiceIn)
    @blp.response(201, ChoiceOut)
    def post(self, data, compound_id):
        """Start the owners' choice: a draft property_manager vote among the proposed models, each at its fee.

        Publish, hold and announce it on the vote desk; an announced winner sets the compound's model.
        """
        return services.start_choice(current_user, compound_id, data)


@blp.route("/compounds/<int:compound_id>/management/proposal")
class ManagementProposal(MethodView):
    @roles_required(*STAFF)
    @blp.arguments(ProposalArgs, location="query")
    @blp.response(200, SurveyProposalOut)
    def get(self, args, compound_id):
        """What the property_management survey's households prefer, as a proposal: the models by how many chose
        them, each with the highest fee per m² per month at least half of those households accept."""
        return services.proposal(current_user, compound_id, args["survey_id"])


@blp.route("/my/management")
class MyManagement(MethodView):
    @roles_required("resident")
    @blp.response(200, ResidentManagementOut(many=True))
    def get(self):
        """The management of each compound the resident has a unit in."""
        return services.my_management(current_user)


@blp.route("/compounds/<int:compound_id>/management/ratings")
class ManagementRatings(MethodView):
    @roles_required(*STAFF)
    @blp.response(200, CompoundRatingOut(many=True))
    def get(self, compound_id):
        """The households' rating of the service per year and provider: mean and answers per aspect, surveys counted.

        From the satisfaction_after_works and provider_rating surveys that are over; each rates the provider in
        force on its closing date. Aggregates only: an anonymous survey counts without telling who scored what.
        """
        rows = ratings.compound_ratings(current_user, compound_id)
        return pagination.whole(rows)


@blp.route("/management/overview")
class ManagementOverview(MethodView):
    @roles_required(*STAFF)
    @blp.arguments(OverviewArgs, location="query")
    @blp.response(200, OverviewOut)
    @blp.alt_response(200, content_type="text/csv", description="format=csv（UTF-8 BOM）或 format=xlsx：每小区一行")
    def get(self, args):
        """The caller's region (narrowed to ``org_id``) for ``year``: compounds by model, the 失管 compounds with
        their property-rights holder, providers ranked by rating, model changes, fee collection per compound."""
        found = oversight.overview(current_user, args.get("org_id"), args.get("year"))
        if args["format"] == "json":
            return found
        cells = [oversight.table_cells(r) for r in found["compounds"]]
        return table_response(
            args["format"], oversight.export_name(found["year"]), oversight.HEADER, cells, "物业管理概况"
        )
