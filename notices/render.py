"""QR codes (PNG, SVG, and vector QR inside PDFs) and the printable A4 poster.

Chinese text uses reportlab's built-in CID font STSong-Light: no font file to ship, and pdftotext extracts it.
"""

import io

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import Paragraph

from backend.types import local_text

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
# A fixed mask skips qrcode's search over eight masks: about six times faster, and every reader still decodes
# it (the search only lowers the count of awkward patterns). Letters draw thousands of codes.
FAST_MASK = 2
POSTER_BODY_CHARS = 360  # more would push the QR off the page; the full text is one scan away


def qr_matrix(url, fast=True):
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=FAST_MASK if fast else None)
    qr.add_data(url)
    qr.make(fit=True)
    return qr.get_matrix()


def qr_png(url, box_size=10):
    img = qrcode.make(url, error_correction=ERROR_CORRECT_M, box_size=box_size, border=4)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def qr_svg(url):
    img = qrcode.make(url, error_correction=ERROR_CORRECT_M, image_factory=qrcode.image.svg.SvgPathImage)
    return img.to_string(encoding="unicode").encode("utf-8")


def draw_qr(c, url, x, y, size):
    """Draw the QR as vector rectangles (one per run of dark modules) with its quiet zone left white."""
    matrix = qr_matrix(url)
    n = len(matrix)
    cell = size / n
    c.saveState()
    c.setFillColorRGB(0, 0, 0)
    for row, line in enumerate(matrix):
        top = y + size - (row + 1) * cell
        col = 0
        while col < n:
            if line[col]:
                start = col
                while col < n and line[col]:
                    col += 1
                c.rect(x + start * cell, top, (col - start) * cell, cell, stroke=0, fill=1)
            else:
                col += 1
    c.restoreState()


def wrap(c, text, x, y, width, size, leading=None):
    """Draw wrapped Chinese text from (x, y) downwards; returns the y below it."""
    style = ParagraphStyle("body", fontName=FONT, fontSize=size, leading=leading or size * 1.5, wordWrap="CJK")
    y_end = y
    for block in (text or "").split("\n"):
        para = Paragraph(escape(block) or "&nbsp;", style)
        _, h = para.wrap(width, 10_000)
        y_end -= h
        para.drawOn(c, x, y_end)
    return y_end


def escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def poster_pdf(notice, url):
    """One A4 page for the notice board: what, where, when, and the QR to the notice's landing page."""
    out = io.BytesIO()
    c = pdf_canvas.Canvas(out, pagesize=A4)
    c.setTitle(notice.title)
    width, height = A4
    margin = 20 * mm
    c.setFont(FONT, 16)
    c.drawString(margin, height - margin - 6 * mm, f"{notice.compound.name} · {notice.kind_name}")
    y = wrap(c, notice.title, margin, height - margin - 12 * mm, width - 2 * margin, 28, 36)
    body = (
        notice.body
        if len(notice.body) <= POSTER_BODY_CHARS
        else notice.body[:POSTER_BODY_CHARS] + "……（全文请扫码查看）"
    )
    body_bottom = wrap(c, body, margin, y - 8 * mm, width - 2 * margin, 14)
    qr_size = 80 * mm
    qr_y = max(min(body_bottom - 10 * mm - qr_size, 110 * mm), 45 * mm)
    draw_qr(c, url, (width - qr_size) / 2, qr_y, qr_size)
    c.setFont(FONT, 18)
    c.drawCentredString(width / 2, qr_y - 10 * mm, "微信扫一扫，查看通知、参与表决")
    c.setFont(FONT, 11)
    c.drawCentredString(width / 2, qr_y - 17 * mm, url)
    c.setFont(FONT, 12)
    dates = f"发布：{local_text(notice.publish_at)}"
    if notice.expires_at:
        dates += f"    截止：{local_text(notice.expires_at)}"
    c.drawString(margin, margin + 8 * mm, dates)
    c.drawString(margin, margin, "家中没有智能手机？请到社区居委会领取纸质表决票，或请工作人员上门。")
    c.showPage()
    c.save()
    return out.getvalue()
