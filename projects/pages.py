"""The committee's projects desk (a shell desk.js fills): its compound's projects with their steps and funding, and
the construction problems residents reported. Residents follow the works on the mobile home page (m.js)."""

from flask import Blueprint, render_template

bp = Blueprint("projects_pages", __name__, template_folder="templates")


@bp.get("/m/committee/projects")
def desk():
    return render_template("projects/desk.html", page="projects_desk", committee_area="projects")
