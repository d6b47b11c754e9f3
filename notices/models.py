"""Notices on the notice board, each with an unguessable public token behind its QR code."""

import secrets
from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.extensions import db
from backend.roster.models import Compound
from backend.types import UTCDateTime, utcnow

KINDS = ("announcement", "vote_notice", "survey_invite", "result_notice", "money_notice", "fund_notice")
KIND_NAMES = {
    "announcement": "公告",
    "vote_notice": "表决通知",
    "survey_invite": "问卷邀请",
    "result_notice": "结果公示",
    "money_notice": "出资通知",  # a co-funding campaign (funds/campaigns)
    "fund_notice": "维修资金通知",  # a maintenance-fund call: its landing leads to the household's account
}


def new_token():
    return secrets.token_urlsafe(16)  # 128 bits: cannot be guessed or enumerated


class Notice(db.Model):
    __tablename__ = "notices"
    id: Mapped[int] = mapped_column(primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="announcement")
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    # What the notice announces. Plain integers, no foreign keys: votes and surveys are other features'
    # tables, and this migration must not depend on theirs.
    vote_id: Mapped[Optional[int]] = mapped_column(index=True)
    survey_id: Mapped[Optional[int]]
    campaign_id: Mapped[Optional[int]]  # a co-funding campaign (funds/campaigns), as plain as vote_id
    token: Mapped[str] = mapped_column(String(32), unique=True, default=new_token)
    publish_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    scan_count: Mapped[int] = mapped_column(default=0)
    last_scan_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    compound: Mapped[Compound] = relationship()

    __table_args__ = (
        CheckConstraint(f"kind IN {KINDS}", name="kind"),
        CheckConstraint("expires_at IS NULL OR expires_at > publish_at", name="expiry_after_publish"),
    )

    @property
    def kind_name(self):
        return KIND_NAMES[self.kind]

    def state(self, now=None):
        now = now or utcnow()
        if self.withdrawn_at is not None:
            return "withdrawn"
        if now < self.publish_at:
            return "scheduled"
        if self.expires_at is not None and now >= self.expires_at:
            return "expired"
        return "published"
