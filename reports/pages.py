"""The officials' dashboard (/m/official): a shell ``static/official.js`` fills from the roll-up API. The column
names come from ``reports.rollup`` and the filters' names from ``backend.names``; the page computes nothing."""

from flask import Blueprint, render_template

from backend.names import MATTER_NAMES, VOTE_STATUS_NAMES

from .rollup import HEADER_OF, KIND_OF, RATES

bp = Blueprint(
    "reports_pages", __name__, template_folder="templates", static_folder="static", static_url_path="/m/official/static"
)

# The dashboard's columns (the export has them all): figure key; a rate links to the compounds of its numerator.
SHOWN = [
    "compounds", "units", "binding_rate", "items", "items_passed", "items_failed_participation",
    "items_failed_consent", "participation_owners_rate", "consent_owners_rate", "consent_area_rate", "response_rate",
    "cofund_target_fen", "cofund_paid_fen", "cofund_gap_fen", "fund_due_fen", "fund_outstanding_fen",
    "fund_collection_rate", "unmanaged", "fee_collection_rate", "problems_unclosed",
]  # fmt: skip
NUMERATOR = {name: num for name, _, num, _ in RATES}


def columns():
    return [
        {"key": key, "header": HEADER_OF[key], "kind": KIND_OF.get(key, "percent"), "figure": NUMERATOR.get(key, key)}
        for key in SHOWN
    ]


@bp.get("/m/official")
def dashboard():
    statuses = {k: v for k, v in VOTE_STATUS_NAMES.items() if k != "draft"}
    return render_template(
        "reports/official.html", page="official", columns=columns(), matters=MATTER_NAMES, statuses=statuses
    )
