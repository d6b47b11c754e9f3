"""Co-funding pages: the resident's campaign page and the committee's desk (shells that m.js / desk.js fill)."""

from flask import Blueprint, render_template

from backend.names import PAYMENT_METHOD_NAMES, SHARING_RULE_NAMES, SUBSIDY_SOURCE_NAMES

bp = Blueprint("campaigns_pages", __name__, template_folder="templates")


@bp.get("/m/campaign/<int:campaign_id>")
def campaign(campaign_id):
    return render_template("funds/campaign.html", page="campaign", campaign_id=campaign_id)


@bp.get("/m/committee/campaigns")
def desk_list():
    return render_template(
        "funds/campaigns_desk.html",
        page="campaigns_desk",
        committee_area="campaigns",
        sources=SUBSIDY_SOURCE_NAMES,
        rules=SHARING_RULE_NAMES,
    )


@bp.get("/m/committee/campaigns/<int:campaign_id>")
def desk_campaign(campaign_id):
    return render_template(
        "funds/campaign_desk.html",
        page="campaign_desk",
        committee_area="campaigns",
        campaign_id=campaign_id,
        methods=PAYMENT_METHOD_NAMES,
    )
