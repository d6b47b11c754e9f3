"""From survey to decision: a closed survey's results start the owners' decision they were asked for.

- ``renovation_needs`` → a draft vote whose items are the top-ranked renovation items (Borda points of the
  ``priority`` ranking), created through the votes feature's services; the survey keeps ``draft_vote_id`` and the
  vote's description names the survey.
- ``elevator_willingness`` → a draft co-funding campaign for the survey's entrance, shared by floor coefficient ×
  area (the common elevator rule, DOMAIN.md §3), created through the funds feature's services; the survey keeps
  ``draft_campaign_id`` and the campaign's description gives what the households said.
"""

from decimal import Decimal

from sqlalchemy import update

from backend import audit
from backend.errors import Conflict, Invalid
from backend.extensions import db
from backend.names import scope_text
from backend.types import local_date_text

from .models import Survey
from .results import results
from .services import chain, units_in_scope

RANKING_KEY = "priority"


def draft_vote(actor, survey, data):
    from votes import services as votes
    from votes.models import MATTERS

    if data["matter"] not in MATTERS:
        raise Invalid("validation_error", "提交的数据有误", {"json": {"matter": ["没有这个表决事项类别"]}})
    if survey.template != "renovation_needs":
        raise Conflict("not_renovation_needs", "只有“改造需求调查”问卷可以据此发起表决")
    if survey.status_at() != "closed":
        raise Conflict("survey_not_closed", "问卷结束后才能据此发起表决")
    if survey.draft_vote_id:
        raise Conflict("draft_vote_exists", f"已据此问卷发起过表决（表决编号{survey.draft_vote_id}）")
    ranking = next((q["ranking"] for q in results(survey)["questions"] if q["key"] == RANKING_KEY), None) or {}
    order = list(ranking)
    ranked = sorted(
        (r for r in ranking.items() if r[1]["borda"] > 0), key=lambda r: (-r[1]["borda"], order.index(r[0]))
    )
    top = [r["label"] for _, r in ranked[: data["items"]]]
    if not top:
        raise Conflict("no_ranking", "问卷中还没有人为改造项目排序，无法据此发起表决")
    spec = {
        "title": f"{survey.title}：优先改造项目表决",
        "description": f"依据问卷《{survey.title}》（问卷编号{survey.id}，{local_date_text(survey.effective_closed_at)}结束）"
        f"的排序结果，得分最高的{len(top)}项改造内容提请业主表决。",
        "scope": survey.scope,
        "opens_at": data["opens_at"],
        "closes_at": data["closes_at"],
        "items": [{"title": f"实施改造：{label}", "matter": data["matter"]} for label in top],
    }
    vote = votes.create_vote(actor, survey.compound, spec)
    # Conditional: of two requests at once only one links its vote (the other's draft stays, unlinked).
    linked = db.session.execute(
        update(Survey).where(Survey.id == survey.id, Survey.draft_vote_id.is_(None)).values(draft_vote_id=vote.id)
    ).rowcount
    if not linked:
        db.session.rollback()
        raise Conflict("draft_vote_exists", "已据此问卷发起过表决")
    audit.append(chain(survey), actor, "draft_vote_created", {"vote_id": vote.id, "items": top})
    db.session.commit()
    return {"survey_id": survey.id, "vote_id": vote.id, "items": top}


# DOMAIN.md §3's typical elevator table: floors 1–2 pay nothing, floor 3 0.7, then 0.1 more per floor.
def elevator_coefficients(floors):
    return {f: "0" if f <= 2 else str(Decimal("0.7") + Decimal("0.1") * (f - 3)) for f in sorted(floors)}


def draft_campaign(actor, survey, data):
    from backend.roster.order import floor_of
    from funds.campaigns import services as campaigns

    if survey.template != "elevator_willingness":
        raise Conflict("not_elevator_willingness", "只有“加装电梯意愿调查”问卷可以据此发起出资项目")
    if survey.status_at() != "closed":
        raise Conflict("survey_not_closed", "问卷结束后才能据此发起出资项目")
    if survey.draft_campaign_id:
        raise Conflict("draft_campaign_exists", f"已据此问卷发起过出资项目（项目编号{survey.draft_campaign_id}）")
    shown = results(survey)
    willing = next((q for q in shown["questions"] if q["key"] == "willing"), None)
    yes = (willing or {}).get("options", {}).get("yes", {}).get("count", 0)
    coefficients = data.get("floor_coefficients") or elevator_coefficients(
        {f for f in (floor_of(u) for u in units_in_scope(survey)) if f is not None}
    )
    spec = {
        "title": data.get("title") or f"{scope_text(survey.scope_building, survey.scope_entrance)}加装电梯居民出资",
        "description": f"依据问卷《{survey.title}》（问卷编号{survey.id}，{local_date_text(survey.effective_closed_at)}结束）："
        f"{shown['responses']}户作答，{yes}户同意加装。按楼层系数×面积分摊。",
        "scope": survey.scope,
        "total_cost_fen": data["total_cost_fen"],
        "subsidies": data.get("subsidies") or [],
        "rule": "floor_area",
        "floor_coefficients": coefficients,
    }
    campaign = campaigns.create_campaign(actor, survey.compound, spec)
    linked = db.session.execute(
        update(Survey)
        .where(Survey.id == survey.id, Survey.draft_campaign_id.is_(None))
        .values(draft_campaign_id=campaign.id)
    ).rowcount
    if not linked:
        db.session.rollback()
        raise Conflict("draft_campaign_exists", "已据此问卷发起过出资项目")
    audit.append(chain(survey), actor, "draft_campaign_created", {"campaign_id": campaign.id})
    db.session.commit()
    return {
        "survey_id": survey.id,
        "campaign_id": campaign.id,
        "floor_coefficients": {str(k): v for k, v in coefficients.items()},
    }
