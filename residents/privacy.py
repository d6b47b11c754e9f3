"""Personal data of residents (PIPL): the consent text shown at first sign-in, and the retention purge.

Retention (setting RETENTION_DAYS, default 180 days), run daily by ``flask residents purge``:
- SMS codes: deleted one day after they were sent;
- invite codes that were used or revoked: deleted RETENTION_DAYS after that;
- bindings the resident or the committee ended: deleted RETENTION_DAYS after they ended;
- binding requests and proxy authorisations that were decided: deleted RETENTION_DAYS after the decision,
  except that the photo of an *approved* 委托书 is kept while the proxy binding it supports is active
  (it is the evidence behind proxy ballots); once the binding ends, the usual period applies;
- residents with no active binding, no pending request and no sign-in for RETENTION_DAYS: deleted with their
  sign-in identities;
- household letter PDFs (every code of a compound in clear): deleted LETTERS_KEEP_DAYS (default 30) after
  their job finished; the job stays and its download says the file was deleted. The codes themselves stop
  working INVITE_CODE_DAYS (default 90) after printing;
- construction-problem photos (projects/problems.py, files under PHOTO_DIR): deleted RETENTION_DAYS after their
  report was closed, like a binding after it ended; open and answered reports keep theirs. The report's text and
  answer stay with the project's records (as ballots stay with their vote), marked ``photos_purged_at``.
Ballots are not personal data kept here: the votes feature keeps them with the vote's audit chain.
"""

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, exists, or_, select, update
from sqlalchemy.exc import IntegrityError

from backend.extensions import db
from backend.roster.models import HouseholdBinding, Resident
from backend.types import utcnow
from projects.problems import purge_photos

from .letters import purge_files
from .models import BindingRequest, InviteCode, ProxyAuthorisation, ResidentIdentity, SmsCode

CONSENT_TITLE = "个人信息保护说明"
CONSENT_SUMMARY = [
    "我们只收集为参与小区事务所必需的信息：微信标识或手机号（用于登录）、您绑定的房屋、您的表决记录。",
    "这些信息只用于核实业主身份、计票和公示结果；公示只显示房号和是否已投票，不显示您的选择。",
    "居委会工作人员查看或导出个人信息时会留下记录。",
    "解除绑定或停止使用后，相关信息在{days}天后删除；表决记录按规定随表决档案保存。",
]


def consent_lines():
    days = current_app.config["RETENTION_DAYS"]
    return [line.format(days=days) for line in CONSENT_SUMMARY]


def purge(now=None):
    """Delete what has outlived its retention period; returns counts per kind."""
    now = now or utcnow()
    cutoff = now - timedelta(days=current_app.config["RETENTION_DAYS"])
    counts = {}
    counts["sms_codes"] = db.session.execute(
        delete(SmsCode).where(SmsCode.created_at < now - timedelta(days=1))
    ).rowcount
    counts["invite_codes"] = db.session.execute(
        delete(InviteCode).where(InviteCode.status != "active", InviteCode.ended_at < cutoff)
    ).rowcount
    counts["bindings"] = db.session.execute(
        delete(HouseholdBinding).where(HouseholdBinding.status == "revoked", HouseholdBinding.revoked_at < cutoff)
    ).rowcount
    counts["binding_requests"] = db.session.execute(
        delete(BindingRequest).where(BindingRequest.status != "pending", BindingRequest.decided_at < cutoff)
    ).rowcount
    supported = exists().where(
        HouseholdBinding.unit_id == ProxyAuthorisation.unit_id,
        HouseholdBinding.resident_id == ProxyAuthorisation.resident_id,
        HouseholdBinding.status == "active",
        HouseholdBinding.relation == "proxy",
    )
    counts["proxy_authorisations"] = db.session.execute(
        delete(ProxyAuthorisation)
        .where(
            ProxyAuthorisation.status != "pending",
            ProxyAuthorisation.decided_at < cutoff,
            or_(ProxyAuthorisation.status == "rejected", ~supported),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    idle = select(Resident.id).where(
        or_(Resident.last_seen_at.is_(None), Resident.last_seen_at < cutoff),
        Resident.created_at < cutoff,
        ~exists().where(HouseholdBinding.resident_id == Resident.id),
        ~exists().where(BindingRequest.resident_id == Resident.id),
        ~exists().where(ProxyAuthorisation.resident_id == Resident.id),
    )
    counts["residents"] = 0
    for resident_id in db.session.scalars(idle).all():
        try:
            with db.session.begin_nested():
                db.session.execute(delete(ResidentIdentity).where(ResidentIdentity.resident_id == resident_id))
                db.session.execute(
                    update(InviteCode).where(InviteCode.used_by_id == resident_id).values(used_by_id=None)
                )
                db.session.execute(delete(Resident).where(Resident.id == resident_id))
            counts["residents"] += 1
        except IntegrityError:
            pass  # still referenced elsewhere (e.g. by a ballot kept with its vote's records)
    counts["letter_files"] = purge_files(now)
    counts["problem_photos"] = purge_photos(cutoff, now)
    db.session.commit()
    return counts
