"""Construction-problem reports (issue 13 §6): residents file them with photos, the committee answers and closes
them, the region's officials count the open ones; photos are served only to those allowed."""

from flask import request, send_file
from flask.views import MethodView
from flask_jwt_extended import current_user
from flask_smorest import Blueprint

from backend import pagination
from backend.auth.decorators import MANAGERS, roles_required
from backend.names import PROBLEM_CATEGORY_NAMES
from backend.pagination import PageArgs, paginate
from backend.privacy import commit_access
from backend.ratelimit import client_address

from . import problems, services
from .problem_schemas import (
    ContractorIn,
    ContractorOut,
    OpenProblemsOut,
    ProblemCategoryOut,
    ProblemCloseIn,
    ProblemCountArgs,
    ProblemFiles,
    ProblemIn,
    ProblemListArgs,
    ProblemOut,
    ProblemReplyIn,
    ProjectProblemArgs,
)

blp = Blueprint(
    "project_problems", __name__, url_prefix="/api/v1", description="Construction-problem reports 施工问题反映"
)

READERS = ("admin", "official", "committee")
CREATORS = ("admin", "official", "committee")  # who manages projects (projects.routes)
ANSWERERS = (*MANAGERS, "provider")  # a provider account only as a project's contractor contact


@blp.before_request
def _room_for_photos():
    """Up to three photos of ``PROBLEM_PHOTO_MAX_BYTES`` each fit in one request; each is checked on its own."""
    if request.method == "POST" and request.path.endswith("/problems"):
        request.max_content_length = problems.MAX_PHOTOS * problems.max_bytes() + 256 * 1024


class ProblemListArgsPaged(ProblemListArgs, PageArgs):
    pass


class ProjectProblemArgsPaged(ProjectProblemArgs, PageArgs):
    pass


@blp.route("/my/projects/<int:project_id>/problems")
class MyProjectProblems(MethodView):
    @roles_required("resident")
    @blp.arguments(ProblemIn, location="form")
    @blp.arguments(ProblemFiles, location="files")
    @blp.response(201, ProblemOut)
    def post(self, data, files, project_id):
        """Report a construction problem (text ≤ 1000 characters, building, category, up to 3 photos as
        ``photos``) on a project covering a compound where the resident has a unit; others get 403. Photos are
        checked by content (JPG, PNG or WebP), at most 8 MB each, and stored without EXIF (no GPS location)."""
        return problems.file_problem(current_user, project_id, data, request.files.getlist("photos"))


@blp.route("/problem-categories")
class ProblemCategories(MethodView):
    @roles_required("resident", *READERS)
    @blp.response(200, ProblemCategoryOut(many=True))
    def get(self):
        """The categories a report is filed under, with their names, for the pages' forms."""
        rows = [{"code": code, "name": name} for code, name in PROBLEM_CATEGORY_NAMES.items()]
        return pagination.whole(rows)


@blp.route("/my/problems")
class MyProblems(MethodView):
    @roles_required("resident")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, ProblemOut(many=True))
    def get(self, args):
        """The problems I reported, newest first, with the committee's answers."""
        return paginate(problems.my_problems(current_user), args["page"], args["per_page"])


@blp.route("/compounds/<int:compound_id>/problems")
class CompoundProblems(MethodView):
    @roles_required(*READERS)
    @blp.arguments(ProblemListArgsPaged, location="query")
    @blp.response(200, ProblemOut(many=True))
    def get(self, args, compound_id):
        """The compound's construction-problem reports, newest first (``status``, ``project_id`` to narrow)."""
        stmt = problems.compound_problems(current_user, compound_id, args["status"], args["project_id"])
        return paginate(stmt, args["page"], args["per_page"])


@blp.route("/contractor/problems")
class ContractorProblems(MethodView):
    @roles_required("provider")
    @blp.arguments(ProjectProblemArgsPaged, location="query")
    @blp.response(200, ProblemOut(many=True))
    def get(self, args):
        """The reports of the projects this company account is the contractor's contact for, newest first."""
        return paginate(problems.contractor_problems(current_user, args["status"]), args["page"], args["per_page"])


@blp.route("/projects/<int:project_id>/problems")
class ProjectProblems(MethodView):
    @roles_required(*READERS, "provider")
    @blp.arguments(ProjectProblemArgsPaged, location="query")
    @blp.response(200, ProblemOut(many=True))
    def get(self, args, project_id):
        """A project's reports, newest first: for its contractor's contact, and for those who read the project (a
        committee: its own compounds' reports)."""
        stmt = problems.project_problems(current_user, project_id, args["status"])
        return paginate(stmt, args["page"], args["per_page"])


@blp.route("/projects/<int:project_id>/contractor")
class ProjectContractor(MethodView):
    @roles_required(*READERS)
    @blp.response(200, ContractorOut)
    def get(self, project_id):
        """The project's contractor contact (``username`` null while none is named)."""
        project = services.get_project(current_user, project_id)
        return problems.contractor_view(project)

    @roles_required(*CREATORS)
    @blp.arguments(ContractorIn)
    @blp.response(200, ContractorOut)
    def put(self, data, project_id):
        """Name the project's contractor contact: a company account (role provider), who then sees the project's
        problem reports and their photos and answers and closes them."""
        project = services.get_project(current_user, project_id, manage=True)
        return problems.set_contractor(current_user, project, data)


@blp.route("/problems/<int:problem_id>")
class ProblemDetail(MethodView):
    @roles_required("resident", *READERS, "provider")
    @blp.response(200, ProblemOut)
    def get(self, problem_id):
        """One report: its reporter, the compound's committee and the region's officials."""
        return problems.get_problem(current_user, problem_id)


@blp.route("/problems/<int:problem_id>/reply")
class ProblemReply(MethodView):
    @roles_required(*ANSWERERS)
    @blp.arguments(ProblemReplyIn)
    @blp.response(200, ProblemOut)
    def post(self, data, problem_id):
        """Answer a report (open → answered; answering again replaces the answer); closed → 409 problem_closed."""
        problem = problems.get_problem(current_user, problem_id, manage=True)
        return problems.answer(current_user, problem, data["reply"])


@blp.route("/problems/<int:problem_id>/close")
class ProblemClose(MethodView):
    @roles_required(*ANSWERERS)
    @blp.arguments(ProblemCloseIn)
    @blp.response(200, ProblemOut)
    def post(self, data, problem_id):
        """Close a report (with a closing answer if it had none); of two closes at once one wins, the other gets
        409 problem_already_closed."""
        problem = problems.get_problem(current_user, problem_id, manage=True)
        return problems.close(current_user, problem, data["reply"])


@blp.route("/problem-photos/<int:photo_id>")
class ProblemPhoto(MethodView):
    @roles_required("resident", *READERS, "provider")
    @blp.response(200, content_type="image/*")
    def get(self, photo_id):
        """A report's photo (JPG, PNG or WebP, without metadata): for its reporter, the compound's committee and
        the region's officials; never cached."""
        photo, path = problems.photo_for(current_user, photo_id)
        if (
            getattr(current_user, "role", "resident") != "resident"
        ):  # staff views of a household's photo are recorded, as 委托书 photos are
            commit_access(current_user, "view", f"problem-photo:{photo.id}", client_address())
        resp = send_file(path, mimetype=photo.mime, max_age=0, conditional=False)
        resp.headers["Cache-Control"] = "private, no-store"
        resp.headers["X-Content-Type-Options"] = "nosniff"
        return resp


@blp.route("/reports/open-problems")
class OpenProblems(MethodView):
    @roles_required("admin", "official")
    @blp.arguments(ProblemCountArgs, location="query")
    @blp.response(200, OpenProblemsOut)
    def get(self, args):
        """Per compound of the caller's region (narrowed to ``org_id``), its construction-problem reports not yet
        closed: awaiting an answer, answered, and both."""
        return problems.open_counts(current_user, args["org_id"])
