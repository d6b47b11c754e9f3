"""Demo data for votes: an elevator retrofit vote open in 幸福里小区 3号楼2单元, with a few paper sheets in."""

from datetime import timedelta

from sqlalchemy import select

from backend.extensions import db
from backend.types import local_iso, utcnow

from . import ballots, services
from .models import Vote, VoteUnit

TITLE = "3号楼2单元加装电梯表决"


def load(context):
    compound, committee = context["compound"], context["committee"]
    vote = db.session.scalar(select(Vote).where(Vote.compound_id == compound.id, Vote.title == TITLE))
    if vote is None:
        now = utcnow()
        vote = services.create_vote(
            committee,
            compound,
            {
                "title": TITLE,
                "description": "拟在3号楼2单元加装电梯一部，总造价约60万元，财政补贴后由本单元业主按楼层系数分摊。",
                "scope": {"building": "3", "entrance": "2"},
                "opens_at": now - timedelta(days=1),
                "closes_at": now + timedelta(days=14),
                "items": [
                    {"title": "是否同意在3号楼2单元加装电梯", "matter": "rebuild"},
                    {
                        "title": "电梯井道位置（意见征询）",
                        "matter": "consultation",
                        "options": [{"code": "north", "label": "楼北侧"}, {"code": "south", "label": "楼南侧"}],
                    },
                ],
            },
        )
        services.publish(committee, vote)
        places = db.session.scalars(
            select(VoteUnit).where(VoteUnit.vote_id == vote.id).order_by(VoteUnit.room).offset(6)
        ).all()  # upper floors vote first
        items = [str(i.id) for i in vote.items]
        for n, (place, choice) in enumerate(
            zip(places, ["agree", "agree", "agree", "disagree"], strict=False), start=1
        ):
            ballots.enter_paper(
                committee,
                vote,
                {"unit_id": place.unit_id, "sheet_no": f"{n:04d}", "choices": {items[0]: choice, items[1]: "north"}},
            )
    context["vote"] = vote
    closes = local_iso(vote.closes_at)[:16].replace("T", " ")
    return [f"demo vote: {vote.title} (id {vote.id}), open until {closes}"]
