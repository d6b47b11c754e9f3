"""The committee's projects desk (a shell desk.js fills): its compound's projects with their steps and funding, and
the construction problems residents reported. Residents follow the works on the mobile home page (m.js)."""

from flask import Blueprint, render_template

from backend.names import PLAN_LEVEL_NAMES

bp = Blueprint("projects_pages", __name__, template_folder="templates")


@bp.get("/m/committee/projects")
def desk():
    return render_template("projects/desk.html", page="projects_desk", committee_area="projects")


@bp.get("/m/department")
def department():
    """A department's own steps of the projects in its region (the role ``department``)."""
    return render_template("projects/department.html", page="department_desk", plan_levels=PLAN_LEVEL_NAMES)


@bp.get("/m/contractor")
def contractor():
    """The contractor's contact (a company account): its projects' construction problems, answered and closed."""
    return render_template("projects/contractor.html", page="contractor_desk")
