"""Publishing notices, their public landing data and their scan counts."""

from collections import namedtuple

from flask import current_app
from sqlalchemy import bindparam, select

from backend.audit import actor_label
from backend.errors import Invalid, NotFound
from backend.extensions import db
from backend.jurisdiction import is_resident, require_compound
from backend.roster.models import Compound
from backend.types import utcnow
from votes.models import Vote

from . import scans
from .models import Notice


def public_url(notice):
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/n/{notice.token}"


def _check_vote(compound_id, vote_id):
    """A notice may announce only a vote of its own compound that has been published.

    Reading the votes feature's model is allowed (a feature may read another's); the column stays a plain
    integer so this feature's migrations do not depend on theirs. One message for a missing vote and for
    another compound's, so the form does not tell which ids exist elsewhere.
    """
    vote = db.session.get(Vote, vote_id)
    if vote is None or vote.compound_id != compound_id:
        raise Invalid("vote_not_found", "找不到该表决，请从本小区的表决中选择", {"json": {"vote_id": ["找不到该表决"]}})
    if vote.status == "draft":
        raise Invalid(
            "vote_not_published", "该表决还是草稿，请先发布表决，再发表决通知", {"json": {"vote_id": ["表决尚未发布"]}}
        )


def _check_campaign(compound_id, data):
    """A money notice announces a published co-funding campaign of its own compound (funds/campaigns)."""
    from funds.campaigns.models import Campaign

    if data.get("kind") == "money_notice" and not data.get("campaign_id"):
        raise Invalid("campaign_required", "出资通知须关联一个出资项目", {"json": {"campaign_id": ["请选择出资项目"]}})
    if data.get("campaign_id") is not None:
        campaign = db.session.get(Campaign, data["campaign_id"])
        if campaign is None or campaign.compound_id != compound_id or campaign.status == "draft":
            raise Invalid(
                "campaign_not_found",
                "找不到已发布的该出资项目",
                {"json": {"campaign_id": ["请从本小区已发布的出资项目中选择"]}},
            )


def _check_links(compound_id, data):
    if data.get("kind") == "vote_notice" and not data.get("vote_id"):
        raise Invalid("vote_required", "表决通知须关联一项表决", {"json": {"vote_id": ["请选择表决"]}})
    if data.get("vote_id") is not None:
        _check_vote(compound_id, data["vote_id"])
    if data.get("kind") == "survey_invite" and not data.get("survey_id"):
        raise Invalid("survey_required", "问卷邀请须关联一份问卷", {"json": {"survey_id": ["请选择问卷"]}})
    # surveys: a notice may invite only to a published survey of its own compound (one message for a missing
    # survey and another compound's, like votes above).
    if data.get("survey_id") is not None:
        from surveys.models import Survey

        survey = db.session.get(Survey, data["survey_id"])
        if survey is None or survey.compound_id != compound_id:
            raise Invalid(
                "survey_not_found", "找不到该问卷，请从本小区的问卷中选择", {"json": {"survey_id": ["找不到该问卷"]}}
            )
        if survey.status == "draft":
            raise Invalid(
                "survey_not_published",
                "该问卷还是草稿，请先发布问卷，再发问卷邀请",
                {"json": {"survey_id": ["问卷尚未发布"]}},
            )
    _check_campaign(compound_id, data)
    publish_at, expires_at = data.get("publish_at"), data.get("expires_at")
    if expires_at is not None and expires_at <= (publish_at or utcnow()):
        raise Invalid(
            "expiry_before_publish", "截止时间必须晚于发布时间", {"json": {"expires_at": ["截止时间必须晚于发布时间"]}}
        )


def create_notice(actor, compound_id, data):
    require_compound(actor, compound_id, manage=True)
    _check_links(compound_id, data)
    notice = Notice(compound_id=compound_id, created_by=actor_label(actor), **data)
    if notice.publish_at is None:
        notice.publish_at = utcnow()
    db.session.add(notice)
    db.session.commit()
    return notice


def notices_query(actor, compound_id):
    """The compound's notices the actor may list, newest first.

    Staff see every notice, scheduled and withdrawn ones included. Residents see what the notice board shows
    and what has expired from it: a scheduled notice may still change, and a withdrawn one was taken down.
    """
    require_compound(actor, compound_id)
    stmt = select(Notice).where(Notice.compound_id == compound_id).order_by(Notice.publish_at.desc(), Notice.id.desc())
    if is_resident(actor):
        stmt = stmt.where(Notice.withdrawn_at.is_(None), Notice.publish_at <= utcnow())
    return stmt


def get_notice(actor, notice_id, manage=False):
    """The notice, with the scans counted since it was last shown folded into its count."""
    notice = db.session.get(Notice, notice_id)
    if notice is None:
        raise NotFound("notice_not_found", "找不到该通知")
    require_compound(actor, notice.compound_id, manage=manage)
    scans.settle([notice])
    return notice


def update_notice(actor, notice_id, data):
    notice = get_notice(actor, notice_id, manage=True)
    merged = {
        k: getattr(notice, k) for k in ("kind", "vote_id", "survey_id", "campaign_id", "publish_at", "expires_at")
    }
    merged.update(data)
    _check_links(notice.compound_id, merged)
    for key, value in data.items():
        setattr(notice, key, value)
    db.session.commit()
    return notice


def withdraw(actor, notice_id):
    notice = get_notice(actor, notice_id, manage=True)
    if notice.withdrawn_at is None:
        notice.withdrawn_at = utcnow()
        db.session.commit()
    return notice


def _gone():
    return NotFound("notice_not_found", "找不到该通知，可能已撤下或尚未发布")


def by_token(token):
    """The notice behind a public token, if it is up; a scheduled or withdrawn one looks like none."""
    notice = db.session.scalar(select(Notice).where(Notice.token == token))
    if notice is None or notice.state() in ("scheduled", "withdrawn"):
        raise _gone()
    return notice


LANDING_COLUMNS = (
    Notice.id,
    Notice.compound_id,
    Notice.kind,
    Notice.title,
    Notice.body,
    Notice.vote_id,
    Notice.survey_id,
    Notice.campaign_id,
    Notice.token,
    Notice.publish_at,
    Notice.expires_at,
    Notice.withdrawn_at,
)
Landing = namedtuple("Landing", [c.key for c in LANDING_COLUMNS] + ["compound_name", "state"])
# Built once: a scan should not pay for composing the same statement again.
LANDING_ROW = (
    select(*LANDING_COLUMNS, Compound.name.label("compound_name"))
    .join(Compound, Compound.id == Notice.compound_id)
    .where(Notice.token == bindparam("token"))
)


def landing(token):
    """What the landing page shows, as one row (the notice with its compound's name and its state now): a
    hashable value, so the rendered page can be kept for as long as the row is the same."""
    row = db.session.execute(LANDING_ROW, {"token": token}).first()
    if row is None:
        raise _gone()
    state = Notice.state(row)  # the row has the times state() reads
    if state in ("scheduled", "withdrawn"):
        raise _gone()
    return Landing(*row, state)
