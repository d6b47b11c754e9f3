"""Household letters for a published campaign: one A4 page per unit in scope with its share and how it was
computed, and a QR to the campaign's money notice (or its page), for the door-to-door round."""

import io

from flask import current_app
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdf_canvas
from sqlalchemy import select

from backend.errors import Conflict
from backend.extensions import db
from backend.money import yuan_display
from backend.names import sharing_rule_name, subsidy_source_name, unit_label
from backend.types import local_date_text, utcnow
from notices.models import Notice
from notices.render import FONT, draw_qr, wrap


def landing_url(campaign):
    """The latest money notice's landing page (the board's QR), else the campaign page itself."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    notice = db.session.scalar(
        select(Notice)
        .where(Notice.campaign_id == campaign.id, Notice.withdrawn_at.is_(None))
        .order_by(Notice.id.desc())
        .limit(1)
    )
    return f"{base}/n/{notice.token}" if notice else f"{base}/m/campaign/{campaign.id}"


def draw_letter(c, campaign, share, url, issued):
    width, height = A4
    left, text_width = 20 * mm, width - 40 * mm
    c.setFont(FONT, 14)
    c.drawString(left, height - 22 * mm, f"{campaign.compound.name} · 出资通知")
    y = wrap(c, campaign.title, left, height - 28 * mm, text_width, 22, 30)
    c.setFont(FONT, 16)
    c.drawString(left, y - 12 * mm, f"致：{unit_label(share.building, share.entrance, share.room)} 住户")
    lines = [
        f"项目总费用 {yuan_display(campaign.total_cost_fen)}"
        + "".join(f"，{subsidy_source_name(s.source)} {yuan_display(s.amount_fen)}" for s in campaign.subsidies)
        + f"，居民出资合计 {yuan_display(campaign.residents_part_fen)}，{sharing_rule_name(campaign.rule)}"
        f"（范围：{campaign.scope_text}）。",
        f"您家应分摊：{yuan_display(share.share_fen)}",
        f"计算方法：{share.how}。尾差按最大余数逐分分配，各户合计与居民出资总额分毫不差。",
    ]
    y = wrap(c, lines[0], left, y - 20 * mm, text_width, 13)
    y = wrap(c, lines[1], left, y - 6 * mm, text_width, 20, 28)
    y = wrap(c, lines[2], left, y - 4 * mm, text_width, 12)
    qr_size = 60 * mm
    qr_y = max(y - 12 * mm - qr_size, 50 * mm)
    draw_qr(c, url, (width - qr_size) / 2, qr_y, qr_size)
    c.setFont(FONT, 15)
    c.drawCentredString(width / 2, qr_y - 9 * mm, "微信扫一扫，登录后查看您家份额并在线认捐")
    c.setFont(FONT, 10)
    c.drawCentredString(width / 2, qr_y - 15 * mm, url)
    c.setFont(FONT, 12)
    c.drawString(left, 30 * mm, "没有智能手机？请到社区居委会登记纸质认捐和缴款，缴款凭收据。")
    org = campaign.compound.org
    c.drawString(left, 20 * mm, f"{org.name if org else ''}居民委员会    {issued}")
    c.showPage()


def letters_pdf(campaign, shares):
    """One page per unit of the frozen shares, in unit order."""
    if campaign.status == "draft":
        raise Conflict("campaign_not_open", "出资项目发布后才能打印入户通知（份额发布时才冻结）")
    out = io.BytesIO()
    c = pdf_canvas.Canvas(out, pagesize=A4)
    c.setTitle(f"{campaign.title} 入户通知")
    url, issued = landing_url(campaign), local_date_text(utcnow())
    for share in shares:
        draw_letter(c, campaign, share, url, issued)
    c.save()
    return out.getvalue()
