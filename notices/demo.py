"""Demo data for notices: the board notice of the demo vote, whose QR leads residents to it."""

from sqlalchemy import select

from backend.extensions import db

from . import services
from .models import Notice


def load(context):
    vote = context.get("vote")
    if vote is None:
        return []
    notice = db.session.scalar(select(Notice).where(Notice.vote_id == vote.id, Notice.kind == "vote_notice"))
    if notice is None:
        notice = services.create_notice(
            context["committee"],
            context["compound"].id,
            {
                "kind": "vote_notice",
                "title": f"关于{vote.title}的通知",
                "vote_id": vote.id,
                "body": "各位业主：\n本单元加装电梯事项现开始表决，请扫码登录后投票，或到社区居委会领取纸质表决票。\n"
                "截止前未投票的，视为未参与表决。",
            },
        )
    return [f"demo notice (the QR on the board): {services.public_url(notice)}"]
