"""Renovation projects: creating and reading them, the pipeline's steps, funding, the reserve pool, each
department's steps and the overdue count per department, and what residents follow."""

from flask.views import MethodView
from flask_jwt_extended import current_user
from flask_smorest import Blueprint

from backend import pagination
from backend.auth.decorators import MANAGERS, roles_required, url_gate
from backend.pagination import PageArgs, paginate

from . import services
from .schemas import (
    ArrivalIn,
    DepartmentStepOut,
    DepartmentStepsArgs,
    FundingIn,
    FundingReviseIn,
    OverdueStepsOut,
    ProjectBriefOut,
    ProjectFundingOut,
    ProjectIn,
    ProjectItemsIn,
    ProjectListArgs,
    ProjectOut,
    ProjectStepOut,
    ProjectStepSetIn,
    ReadinessOut,
    ReservePoolOut,
    ResidentProjectOut,
    StepCompleteIn,
    ThresholdIn,
    ThresholdOut,
)

blp = Blueprint("projects", __name__, url_prefix="/api/v1", description="Renovation projects 改造项目")

READERS = ("admin", "official", "committee", "department")
CREATORS = ("admin", "official", "committee")
OFFICIALS = ("admin", "official", "department")
project_gate = url_gate("project", services.get_project)


class ProjectListArgsPaged(ProjectListArgs, PageArgs):
    pass


@blp.route("/projects")
class Projects(MethodView):
    @roles_required(*READERS)
    @blp.arguments(ProjectListArgsPaged, location="query")
    @blp.response(200, ProjectBriefOut(many=True))
    def get(self, args):
        """Projects the caller reaches (a committee: those covering its compounds; others: their region,
        narrowed to ``org_id``), newest first."""
        stmt = services.list_projects(current_user, args.get("org_id"))
        return paginate(stmt, args["page"], args["per_page"])

    @roles_required(*CREATORS)
    @blp.arguments(ProjectIn)
    @blp.response(201, ProjectOut)
    def post(self, data):
        """Create a project of one compound or several neighbouring ones (连片改造): a committee within its
        community, an official within their region. Its eight steps are created with it, each with its owning
        department (default 住建, 发改 for applying and the plan) and an optional due date."""
        return services.view(current_user, services.create_project(current_user, data))


@blp.route("/projects/<int:project_id>")
class ProjectDetail(MethodView):
    @roles_required(*READERS)
    @blp.response(200, ProjectOut)
    @project_gate()
    def get(self, project):
        """The project: compounds, items (underground first), steps with their evidence and due dates."""
        return services.view(current_user, project)


@blp.route("/projects/<int:project_id>/items")
class ProjectItems(MethodView):
    @roles_required(*CREATORS)
    @project_gate(manage=True)
    @blp.arguments(ProjectItemsIn)
    @blp.response(201, ProjectOut)
    def post(self, data, project):
        """Add items; the list is reordered: underground first, then basic, improvement, enhancement."""
        return services.view(current_user, services.add_items(current_user, project, data["items"]))


@blp.route("/projects/<int:project_id>/steps/<step>")
class ProjectStepSet(MethodView):
    @roles_required(*CREATORS)
    @project_gate(manage=True)
    @blp.arguments(ProjectStepSetIn)
    @blp.response(200, ProjectStepOut)
    def patch(self, data, project, step):
        """Set a step's owning department or due date."""
        return services.set_step(current_user, project, step, data)


@blp.route("/projects/<int:project_id>/steps/<step>/complete")
class ProjectStepComplete(MethodView):
    @roles_required(*READERS)
    @project_gate()
    @blp.arguments(StepCompleteIn)
    @blp.response(200, ProjectStepOut)
    def post(self, data, project, step):
        """Complete a step, in order, with its date and evidence: needs_surveyed a closed survey of one of the
        project's compounds; plan_voted an announced, passed vote item of one of them; cofunding_pledged a
        published campaign of one of them (counted in the residents' funding); the rest a document number, and
        in_plan its plan level and year. Out of order → 409 step_out_of_order; twice → 409 step_already_completed.
        A department account completes only its department's steps."""
        return services.complete_step(current_user, project, step, data)


@blp.route("/projects/<int:project_id>/funding")
class ProjectFunding(MethodView):
    @roles_required(*READERS)
    @blp.response(200, ProjectFundingOut)
    @project_gate()
    def get(self, project):
        """Each funding source with planned and arrived amounts (fen), arrived share and gap; then per source and
        in total. Residents' co-funding comes from its campaign: planned = its residents' part, arrived = paid."""
        return services.funding_view(project)

    @roles_required(*CREATORS)
    @project_gate(manage=True)
    @blp.arguments(FundingIn)
    @blp.response(201, ProjectFundingOut)
    def post(self, data, project):
        """Add a funding source with its planned amount; residents' co-funding names a published campaign."""
        return services.add_funding(current_user, project, data)


@blp.route("/projects/<int:project_id>/funding/<int:funding_id>/arrivals")
class ProjectArrivals(MethodView):
    @roles_required(*READERS)
    @blp.arguments(ArrivalIn)
    @blp.response(201, ProjectFundingOut)
    def post(self, data, project_id, funding_id):
        """Record money arrived from a source (append-only), or reverse one booked wrongly with a reason (once per
        arrival; never an edit): the project's managers, or the finance (中省, 财政) and ndrc (发改预算内)
        department accounts for their sources."""
        project, funding = services.get_funding(current_user, project_id, funding_id)
        if data["kind"] == "reversal":
            return services.reverse_arrival(current_user, project, funding, data)
        return services.add_arrival(current_user, project, funding, data)


@blp.route("/projects/<int:project_id>/funding/<int:funding_id>")
class ProjectFundingRevise(MethodView):
    @roles_required(*CREATORS)
    @blp.arguments(FundingReviseIn)
    @blp.response(200, ProjectFundingOut)
    def patch(self, data, project_id, funding_id):
        """Revise a source's planned amount with a reason (the project's managers); the earlier figure stays in
        its revision history. ``planned_before_fen`` is the figure shown: changed meanwhile, 409 ``planned_changed``."""
        project, funding = services.get_funding(current_user, project_id, funding_id, managers_only=True)
        return services.revise_planned(current_user, project, funding, data)


@blp.route("/projects/<int:project_id>/readiness")
class ProjectReadiness(MethodView):
    @roles_required(*READERS)
    @blp.response(200, ReadinessOut)
    @project_gate()
    def get(self, project):
        """Whether the project may apply (DOMAIN.md §8), with the pledged share per compound against its
        threshold, and what is missing."""
        return services.readiness(project)


@blp.route("/projects/reserve-pool")
class ReservePool(MethodView):
    @roles_required(*OFFICIALS)
    @blp.arguments(ProjectListArgs, location="query")
    @blp.response(200, ReservePoolOut(many=True))
    def get(self, args):
        """储备池: the region's projects ready to apply, ranked by the residents' pledged share (highest first),
        then planned investment (largest first), then the oldest project."""
        rows = services.reserve_pool(current_user, args.get("org_id"))
        return pagination.whole(rows)


@blp.route("/compounds/<int:compound_id>/project-settings")
class ProjectSettings(MethodView):
    @roles_required(*READERS)
    @blp.response(200, ThresholdOut)
    def get(self, compound_id):
        """The compound's readiness threshold: the share of the residents' part pledged (default 60%)."""
        return services.get_setting(current_user, compound_id)

    @roles_required(*MANAGERS)
    @blp.arguments(ThresholdIn)
    @blp.response(200, ThresholdOut)
    def put(self, data, compound_id):
        """Set the compound's readiness threshold in basis points (6000 = 60%)."""
        return services.put_setting(current_user, compound_id, data)


@blp.route("/departments/steps")
class DepartmentSteps(MethodView):
    @roles_required("department")
    @blp.arguments(DepartmentStepsArgs, location="query")
    @blp.response(200, DepartmentStepOut(many=True))
    def get(self, args):
        """The department's steps of the projects in its region, by due date; ``overdue=1`` only those past
        their due date and not completed, ``open=1`` only those not completed."""
        rows = services.department_steps(current_user, overdue=args["overdue"], open_only=args["open"])
        return pagination.whole(rows)


@blp.route("/reports/overdue-steps")
class OverdueSteps(MethodView):
    @roles_required("admin", "official")
    @blp.arguments(ProjectListArgs, location="query")
    @blp.response(200, OverdueStepsOut)
    def get(self, args):
        """Per department, the open and the overdue steps (due date past, not completed; dates in Beijing time)
        of the projects in the caller's region, narrowed to ``org_id``."""
        return services.overdue_counts(current_user, args.get("org_id"))


@blp.route("/my/projects")
class MyProjects(MethodView):
    @roles_required("resident")
    @blp.response(200, ResidentProjectOut(many=True))
    def get(self):
        """The renovation projects of the resident's compounds, each with its items and its timeline."""
        rows = services.my_projects(current_user)
        return pagination.whole(rows)


# ---- city figures (projects/figures.py) -----------------------------------------------------------------------

from backend.auth.decorators import STAFF  # noqa: E402  (this section is appended; its imports stay with it)
from backend.errors import Invalid  # noqa: E402
from backend.exports import file_response, table_response  # noqa: E402
from backend.reports_db import reads_from_reports  # noqa: E402

from . import figures, figures_pdf  # noqa: E402
from .schemas import (  # noqa: E402
    CityFigureCompoundOut,
    CityFigureCompoundsArgs,
    CityFiguresExportArgs,
    CityFiguresOut,
)


class CityFigureCompoundsPaged(CityFigureCompoundsArgs, PageArgs):
    pass


def _figures(args):
    return figures.compute(current_user, args.get("org_id"), args.get("year_from"), args.get("year_to"))


@blp.route("/reports/city-figures")
class CityFigures(MethodView):
    @reads_from_reports
    @roles_required(*STAFF)
    @blp.arguments(CityFiguresExportArgs, location="query")
    @blp.response(200, CityFiguresOut)
    @blp.alt_response(
        200, content_type="text/csv", description="format=csv（UTF-8 BOM）、xlsx 或 pdf（A4，调研报告版式）"
    )
    def get(self, args):
        """The city report's opening table for a region (``org_id``, default the caller's own) and plan years
        (``year_from``..``year_to``, default this year), from live data: eligible compounds, buildings, households
        and floor area; planned investment; compounds needing elevators; compounds in the central/provincial plan,
        started, start rate, completed, completion rate (in total and per plan year); funds planned and arrived by
        source, arrived share and gap. Every figure is a count or sum over compounds (the rules:
        projects/figures.py); ``compounds`` says how many, and /reports/city-figures/compounds lists them."""
        data = _figures(args)
        fmt = args["format"]
        name = f"{data.org_name}老旧小区改造主要指标{data.year_from}-{data.year_to}"
        if fmt == "json":
            return data
        if fmt == "pdf":
            return file_response(figures_pdf.build(data), "application/pdf", name + ".pdf")
        header, cells = figures.table(data)
        return table_response(fmt, name, header, cells, "主要指标")


@blp.route("/reports/city-figures/compounds")
class CityFigureCompounds(MethodView):
    @reads_from_reports
    @roles_required(*STAFF)
    @blp.arguments(CityFigureCompoundsPaged, location="query")
    @blp.response(200, CityFigureCompoundOut(many=True))
    def get(self, args):
        """The compounds behind one figure (``figure`` its key; ``year`` for a per-year figure, ``source`` for a
        funding source's), by id, with what each adds; paged, the total in X-Total-Count."""
        if args["figure"] not in figures.FIGURE_KEYS:
            raise Invalid("figure_unknown", "没有这个指标")
        rows = figures.compounds_behind(_figures(args), args["figure"], args.get("year"), args.get("source"))
        return pagination.page_of(rows, args["page"], args["per_page"])
