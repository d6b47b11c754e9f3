"""Co-funding pages: the resident's campaign page and the committee's desk (shells that m.js / desk.js fill)."""

from flask import Blueprint, render_template

bp = Blueprint("campaigns_pages", __name__, template_folder="templates")


@bp.get("/m/campaign/<int:campaign_id>")
def campaign(campaign_id):
    return render_template("funds/campaign.html", page="campaign", campaign_id=campaign_id)


@bp.get("/m/committee/campaigns")
def desk_list():
    return render_template("funds/campaigns_desk.html", page="campaigns-desk", committee_area="campaigns")


@bp.get("/m/committee/campaigns/<int:campaign_id>")
def desk_campaign(campaign_id):
    return render_template(
        "funds/campaign_desk.html", page="campaign-desk", committee_area="campaigns", campaign_id=campaign_id
    )
