"""Demo data for co-funding: the elevator of 幸福里小区 3号楼2单元, shared by floor coefficient × area and
published with its money notice, with a paper pledge and a payment in."""

from sqlalchemy import select

from backend.errors import Invalid
from backend.extensions import db

from . import services
from .models import Campaign, CampaignShare

TITLE = "3号楼2单元加装电梯出资"
COEFFICIENTS = {1: "0", 2: "0", 3: "0.7", 4: "0.8", 5: "0.9", 6: "1.0", 7: "1.1"}


def load(context):
    compound, committee = context["compound"], context["committee"]
    campaign = db.session.scalar(select(Campaign).where(Campaign.compound_id == compound.id, Campaign.title == TITLE))
    if campaign is None:
        vote = context.get("vote")
        spec = {
            "title": TITLE,
            "description": "加装电梯总造价80万元，市、区两级补助20万元，其余由本单元业主按楼层系数×面积分摊。",
            "scope": {"building": "3", "entrance": "2"},
            "total_cost_fen": 80_000_000,
            "subsidies": [
                {"source": "city", "amount_fen": 15_000_000},
                {"source": "district", "amount_fen": 5_000_000},
            ],
            "rule": "floor_area",
            "floor_coefficients": COEFFICIENTS,
            "vote_item_id": vote.items[0].id if vote is not None else None,
        }
        try:
            campaign = services.create_campaign(committee, compound, spec)
        except Invalid:  # a roster without floors (or without 3号楼2单元): share by area instead
            db.session.rollback()
            campaign = services.create_campaign(committee, compound, {**spec, "rule": "area", "scope": {}})
        campaign, _ = services.publish(committee, campaign, {"title": None, "body": None})
        top = db.session.scalars(
            select(CampaignShare)
            .where(CampaignShare.campaign_id == campaign.id, CampaignShare.share_fen > 0)
            .order_by(CampaignShare.position.desc())
            .limit(2)
        ).all()
        if top:
            services.pledge(committee, campaign, {"unit_id": top[0].unit_id})
            services.record_payment(
                committee,
                campaign,
                {
                    "unit_id": top[0].unit_id,
                    "amount_fen": top[0].share_fen,
                    "paid_on": services.local_today(),
                    "method": "bank",
                    "reference": "DEMO-0001",
                },
            )
        if len(top) > 1:
            services.record_payment(
                committee,
                campaign,
                {
                    "unit_id": top[1].unit_id,
                    "amount_fen": 1_000_000,
                    "paid_on": services.local_today(),
                    "method": "cash",
                },
            )
    return [f"demo campaign: {campaign.title} (id {campaign.id}): /m/committee/campaigns/{campaign.id}"]
