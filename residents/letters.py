"""Household letters: one A4 page per unit with its address, a one-time invite code and a QR to the binding page.

A compound of 3,000 units takes seconds, so the work runs in the background — on RQ when REDIS_URL is set
(``flask residents worker`` runs the worker), in a thread otherwise — and the job row carries the progress the
committee page polls. Codes are kept in memory until the PDF is written, then the old codes of those units are
revoked and the new ones stored in one transaction: a failed job leaves the old letters valid.
"""

import contextlib
import logging
import os
import secrets
import threading
from datetime import timedelta

from flask import current_app, has_app_context
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdf_canvas
from sqlalchemy import insert, select, update

from backend.audit import actor_label
from backend.errors import Conflict, Invalid, NotFound
from backend.extensions import db
from backend.jurisdiction import require_compound
from backend.privacy import record_access
from backend.roster.models import Compound, Unit
from backend.roster.order import unit_order
from backend.types import local_date_text, utcnow
from notices.render import FONT, draw_qr

from .models import InviteCode, LetterJob
from .services import code_hash, format_code, new_invite_code

log = logging.getLogger(__name__)
QUEUE = "gongjian-letters"
PROGRESS_EVERY = 50


def scope_query(compound_id, building=None, entrance=None):
    stmt = select(Unit).where(Unit.compound_id == compound_id)
    if building:
        stmt = stmt.where(Unit.building == building)
    if entrance:
        stmt = stmt.where(Unit.entrance == entrance)
    return stmt


def start(actor, compound_id, building, entrance, address):
    """Create the job (recording the export, asked from ``address``) and hand it to the background."""
    require_compound(actor, compound_id, manage=True)
    if entrance and not building:
        raise Invalid("building_required", "按单元打印时请同时选择楼栋", {"json": {"building": ["请选择楼栋"]}})
    total = db.session.scalar(
        select(db.func.count()).select_from(scope_query(compound_id, building, entrance).subquery())
    )
    if not total:
        raise Invalid("no_units", "该范围内没有房屋，请先导入名册或核对楼栋、单元")
    recent = utcnow() - timedelta(hours=1)
    if (
        db.session.scalar(
            select(LetterJob.id).where(
                LetterJob.compound_id == compound_id,
                LetterJob.status.in_(("queued", "running")),
                LetterJob.created_at > recent,
            )
        )
        is not None
    ):
        raise Conflict("letters_running", "该小区的入户信正在生成，请等它完成后再生成")
    job = LetterJob(
        compound_id=compound_id,
        building=building or None,
        entrance=entrance or None,
        total=total,
        created_by=actor_label(actor),
    )
    db.session.add(job)
    db.session.flush()
    record_access(actor, "export", f"compound:{compound_id} letters job:{job.id}", address)
    db.session.commit()
    try:
        dispatch(job.id)
    except (RedisConnectionError, RedisTimeoutError):
        # Not queued: say so on the job, or it would block a new one for an hour as "queued".
        _fail(job.id, "RedisUnavailable")
        raise
    return job


def dispatch(job_id):
    app = current_app._get_current_object()
    if app.config.get("REDIS_URL"):
        from rq import Queue

        from backend.auth.tokens import redis_client

        Queue(QUEUE, connection=redis_client()).enqueue(run_job, job_id, job_timeout=3600)
        return
    threading.Thread(target=_run_with_app, args=(app, job_id), name=f"letters-{job_id}", daemon=True).start()


def _run_with_app(app, job_id):
    with app.app_context():
        run_job(job_id)


def run_job(job_id):
    """Entry point for the thread and for RQ workers (which may run outside any app context)."""
    if not has_app_context():
        from backend import create_app

        with create_app().app_context():
            return run_job(job_id)
    job = db.session.get(LetterJob, job_id)
    if job is None or job.status not in ("queued", "running"):
        return
    try:
        build(job)
    except Exception as e:  # the committee sees that it failed, the log has why
        log.exception("letters job %s failed", job_id)
        db.session.rollback()
        _fail(job_id, type(e).__name__)
    finally:
        db.session.remove()


def _fail(job_id, error):
    job = db.session.get(LetterJob, job_id)
    job.status, job.error, job.finished_at = "failed", error, utcnow()
    db.session.commit()


def letters_dir():
    path = current_app.config["LETTERS_DIR"]
    os.makedirs(path, exist_ok=True)
    return path


def build(job):
    job.status = "running"
    db.session.commit()
    file_name = f"letters-{job.id}-{secrets.token_hex(8)}.pdf"
    path = os.path.join(letters_dir(), file_name)
    try:
        codes = _write_letters(job, path)
        _store_codes(job, codes, file_name)
    except BaseException:
        # The new codes are stored only with the finished file: a failure anywhere leaves the old letters valid, and
        # the half-written PDF (codes in clear that will never work) is removed. The job can simply be run again.
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)
        raise


def _write_letters(job, path):
    """Draw every letter into ``path``; the codes' rows to store, once the whole file is written."""
    compound = db.session.get(Compound, job.compound_id)
    units = db.session.scalars(
        scope_query(job.compound_id, job.building, job.entrance).order_by(*unit_order(Unit))
    ).all()
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    issued = local_date_text(utcnow())
    # The code dies INVITE_CODE_DAYS after now, at this time of day: print the day before, so it holds all day.
    valid_until = local_date_text(utcnow() + timedelta(days=current_app.config["INVITE_CODE_DAYS"] - 1))
    c = pdf_canvas.Canvas(path, pagesize=A4, pageCompression=1)
    c.setTitle(f"{compound.name} 住户绑定邀请函")
    codes = []
    for n, unit in enumerate(units, 1):
        code = new_invite_code()
        codes.append(
            {
                "unit_id": unit.id,
                "code_hash": code_hash(code),
                "status": "active",
                "letter_job_id": job.id,
                "created_at": utcnow(),
            }
        )
        draw_letter(c, compound, unit, code, f"{base}/m/bind#code={code}", issued, valid_until)
        if n % PROGRESS_EVERY == 0:
            job.done = n
            db.session.commit()
    c.save()
    return codes


def _store_codes(job, codes, file_name):
    """Revoke the old codes of the job's units and store the new ones, in one transaction."""
    now = utcnow()
    db.session.execute(
        update(InviteCode)
        .where(
            InviteCode.unit_id.in_(scope_query(job.compound_id, job.building, job.entrance).with_only_columns(Unit.id)),
            InviteCode.status == "active",
        )
        .values(status="revoked", ended_at=now)
    )
    if codes:
        db.session.execute(insert(InviteCode), codes)
    job.done, job.status, job.file_name, job.finished_at = len(codes), "done", file_name, now
    db.session.commit()


def draw_letter(c, compound, unit, code, url, issued, valid_until):
    width, height = A4
    left = 25 * mm
    y = height - 30 * mm
    c.setFont(FONT, 24)
    c.drawString(left, y, f"{compound.name} 住户绑定邀请函")
    y -= 16 * mm
    c.setFont(FONT, 18)
    c.drawString(left, y, f"致：{compound.name} {unit.label} 住户")
    y -= 12 * mm
    c.setFont(FONT, 14)
    for line in (
        "您好！小区的通知、业主表决和结果公示都可以在手机上查看和参与。",
        "请用微信“扫一扫”扫描下方二维码，按提示登录，即可绑定您家的房屋。",
        "如扫码不便，也可在绑定页面手动输入下面的邀请码。",
    ):
        c.drawString(left, y, line)
        y -= 8 * mm
    y -= 6 * mm
    c.setFont(FONT, 16)
    c.drawString(left, y, "邀请码：")
    c.setFont("Courier-Bold", 30)
    c.drawString(left + 26 * mm, y - 1 * mm, format_code(code))
    qr_size = 70 * mm
    y -= 12 * mm + qr_size
    draw_qr(c, url, (width - qr_size) / 2, y, qr_size)
    y -= 14 * mm
    c.setFont(FONT, 13)
    for line in (
        "● 邀请码只能使用一次，请勿转给他人。重新打印后，旧的邀请码作废。",
        f"● 邀请码有效期至{valid_until}，过期请向居委会索取新的入户信。",
        "● 以业主身份绑定时，须填写房产证上的业主姓名。",
        "● 同一户的其他业主，可在绑定页面选择“核对业主信息”绑定。",
        "● 子女代老人投票，须上传老人签字的委托书，经居委会审核后生效。",
        "● 家中没有智能手机的，请到居委会领取纸质表决票，或请工作人员上门。",
    ):
        c.drawString(left, y, line)
        y -= 7 * mm
    c.setFont(FONT, 12)
    c.drawString(left, 20 * mm, f"{compound.org.name if compound.org else ''}居民委员会    {issued}")
    c.showPage()


def purge_files(now):
    """Delete the PDFs of letter jobs finished more than LETTERS_KEEP_DAYS ago: each holds a whole compound's
    invite codes in clear. The job stays, with ``file_name`` cleared, so its download says why it is gone."""
    cutoff = now - timedelta(days=current_app.config["LETTERS_KEEP_DAYS"])
    jobs = db.session.scalars(
        select(LetterJob).where(
            LetterJob.status == "done", LetterJob.file_name.is_not(None), LetterJob.finished_at < cutoff
        )
    ).all()
    for job in jobs:
        with contextlib.suppress(FileNotFoundError):  # removed by hand, or LETTERS_DIR moved: still mark the job
            os.remove(os.path.join(letters_dir(), job.file_name))
        job.file_name = None
    return len(jobs)


def job_for(actor, job_id):
    job = db.session.get(LetterJob, job_id)
    if job is None:
        raise NotFound("job_not_found", "找不到该打印任务")
    require_compound(actor, job.compound_id, manage=True)
    return job


PURGED_MESSAGE = "入户信文件已按保存期限删除（其中印有邀请码）。如需补发，请重新生成"


def job_file(actor, job_id):
    job = job_for(actor, job_id)
    if job.status != "done":
        raise Conflict("job_not_done", "入户信还在生成中，请稍候")
    path = os.path.join(letters_dir(), job.file_name) if job.file_name else None
    if path is None or not os.path.exists(path):
        raise NotFound("file_purged", PURGED_MESSAGE)
    return job, path
