"""The committee's property-management desk (a shell desk.js fills); residents read theirs on 我的小区."""

from flask import Blueprint, render_template

from backend.names import MANAGEMENT_MODEL_NAMES, PAYMENT_METHOD_NAMES, RIGHTS_HOLDER_NAMES

bp = Blueprint("management_pages", __name__, template_folder="templates")


@bp.get("/m/committee/management")
def desk():
    return render_template(
        "management/desk.html",
        page="management_desk",
        committee_area="management",
        models=MANAGEMENT_MODEL_NAMES,
        holders=RIGHTS_HOLDER_NAMES,
    )


@bp.get("/m/committee/fees")
def fees():
    """The fee desk: the committee's, and a provider account's for the compounds it was granted."""
    return render_template(
        "management/fees.html", page="fees_desk", committee_area="fees", methods=PAYMENT_METHOD_NAMES
    )
