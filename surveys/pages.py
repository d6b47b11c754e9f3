"""Survey pages: the resident's answer page and the committee's survey desk (data comes from the API)."""

from flask import Blueprint, render_template

bp = Blueprint("surveys_pages", __name__, template_folder="templates")


@bp.get("/m/survey/<int:survey_id>")
def answer(survey_id):
    return render_template("surveys/answer.html", page="survey", survey_id=survey_id)


@bp.get("/m/committee/surveys")
def desk_list():
    return render_template("surveys/desk_list.html", page="surveys_list", committee_area="surveys")


@bp.get("/m/committee/surveys/<int:survey_id>")
def desk_detail(survey_id):
    return render_template(
        "surveys/desk_detail.html", page="surveys_detail", committee_area="surveys", survey_id=survey_id
    )
