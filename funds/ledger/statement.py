"""The yearly fund statement 年度收支公示 (DOMAIN.md §4: published at least yearly): the year's and the to-date
totals, every spending item of the year and how it was shared, and every unit's deposits, use and balance.

As XLSX (one printable sheet per part, through ``backend.exports.write_table``) and as an A4 PDF for the notice
board, in reportlab's built-in CID font, with a QR back to the compound's public page: its newest published
notice, else the household fund page.
"""

import io
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape as xml_escape

from flask import current_app
from sqlalchemy import select

from backend.errors import Invalid
from backend.exports import XLSX_MIME, Column, file_response, write_table
from backend.extensions import db
from backend.money import yuan_display
from backend.names import fund_account_status_name
from backend.types import local_date_text, utcnow
from notices.models import Notice
from notices.render import FONT, draw_qr
from notices.services import public_url

from . import services
from .accounts import compound_accounts, entry_sums, summarise, today


@dataclass
class Statement:
    compound: object
    year: int
    since: date
    until: date  # the year's last day, or today for the year under way
    accounts: list  # as they stood at ``until``
    year_sums: dict  # unit_id → {"paid", "used"} for entries dated in the year
    spendings: list
    url: str

    @property
    def summary(self):
        return summarise(self.compound.id, self.accounts)

    @property
    def year_paid(self):
        return sum(s["paid"] for s in self.year_sums.values())

    @property
    def year_used(self):
        return sum(s["used"] for s in self.year_sums.values())

    @property
    def title(self):
        return f"{self.compound.name}住宅专项维修资金{self.year}年度收支公示"


def public_page(compound):
    """Where the statement's QR leads: the compound's newest published notice, else the household fund page."""
    now = utcnow()
    stmt = (
        select(Notice)
        .where(Notice.compound_id == compound.id, Notice.withdrawn_at.is_(None), Notice.publish_at <= now)
        .order_by(Notice.publish_at.desc(), Notice.id.desc())
    )
    notice = next((n for n in db.session.scalars(stmt) if n.state(now) == "published"), None)
    if notice is not None:
        return public_url(notice)
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/m/fund?compound={compound.id}"


def build(compound, year):
    now = today()
    if year > now.year:
        raise Invalid("statement_year_future", f"{year}年尚未开始，不能出具年度公示")
    since, until = date(year, 1, 1), min(date(year, 12, 31), now)
    return Statement(
        compound,
        year,
        since,
        until,
        compound_accounts(compound.id, day=until),
        entry_sums(compound.id, since=since, until=until),
        services.spendings(compound, since, until),
        public_page(compound),
    )


def figures(s):
    """(label, fen) lines of the totals, the same in the PDF and the XLSX."""
    total = s.summary
    return [
        (f"{s.year}年缴存（扣除冲正）", s.year_paid),
        (f"{s.year}年使用", s.year_used),
        (f"截至{local_date_text(s.until)}累计缴存", total.paid_fen),
        (f"截至{local_date_text(s.until)}累计使用", total.used_fen),
        (f"截至{local_date_text(s.until)}余额", total.balance_fen),
        ("应缴总额", total.due_fen),
        ("欠缴总额", total.outstanding_fen),
    ]


def counts(s):
    total = s.summary
    return (
        f"共{total.units}户：已缴足{total.units_paid}户，部分缴存{total.units_part_paid}户，"
        f"未缴{total.units_unpaid}户；余额低于首次缴存额30%、需续筹{total.units_top_up}户。"
    )


def unit_rows(s):
    for a in s.accounts:
        year = s.year_sums.get(a.unit_id, {"paid": 0, "used": 0})
        yield a, year["paid"], year["used"]


# --- XLSX ------------------------------------------------------------------------------------------------------

UNIT_COLUMNS = [
    Column("房屋"),
    Column("建筑面积", "area"),
    Column("本年缴存", "yuan"),
    Column("本年使用", "yuan"),
    Column("累计缴存", "yuan"),
    Column("累计使用", "yuan"),
    Column("余额", "yuan"),
    Column("应缴", "yuan"),
    Column("欠缴", "yuan"),
    Column("状态"),
]


def statement_xlsx(s):
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    write_table(
        wb,
        "汇总",
        [Column("项目"), Column("金额", "yuan")],
        [[label, fen] for label, fen in figures(s)] + [[counts(s), None], [f"网上查看：{s.url}", None]],
    )
    write_table(
        wb,
        "支出项目",
        [Column("日期", "date"), Column("项目"), Column("范围"), Column("金额", "yuan"), Column("分摊户数", "int")],
        [[sp.date, sp.title, sp.scope_text, sp.amount_fen, len(sp.entries)] for sp in s.spendings],
    )
    write_table(
        wb,
        "支出分摊",
        [Column("项目"), Column("房屋"), Column("建筑面积", "area"), Column("分摊金额", "yuan")],
        [[sp.title, e.unit.label, e.unit.area, e.amount_fen] for sp in s.spendings for e in sp.entries],
    )
    write_table(
        wb,
        "分户账",
        UNIT_COLUMNS,
        [
            [
                a.label,
                a.area,
                paid,
                used,
                a.paid_fen,
                a.used_fen,
                a.balance_fen,
                a.due_fen,
                a.outstanding_fen,
                fund_account_status_name(a.status),
            ]
            for a, paid, used in unit_rows(s)
        ],
    )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- PDF -------------------------------------------------------------------------------------------------------


def _para(text, style):
    from reportlab.platypus import Paragraph

    return Paragraph(xml_escape(text), style)


def _table(rows, widths):
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 9),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
            ]
        )
    )
    return table


QR_SIZE = 90  # points: about 32 mm, scannable from a notice board at arm's length


def statement_pdf(s):
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import SimpleDocTemplate, Spacer

    body = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=16, wordWrap="CJK")
    head = ParagraphStyle("head", parent=body, fontSize=16, leading=24, alignment=1)
    sub = ParagraphStyle("sub", parent=body, fontSize=12, leading=20)
    y = yuan_display
    story = [
        _para(s.title, head),
        Spacer(1, 6),
        _para(
            f"公示期间：{local_date_text(s.since)}至{local_date_text(s.until)}。出具日期：{local_date_text(today())}。",
            body,
        ),
        Spacer(1, QR_SIZE),  # room for the QR in the top right corner
        _para("一、资金总额", sub),
        _table([["项目", "金额"]] + [[label, y(fen)] for label, fen in figures(s)], [260, 160]),
        _para(counts(s), body),
        Spacer(1, 8),
        _para("二、本年支出及分摊", sub),
    ]
    if not s.spendings:
        story.append(_para("本年没有使用维修资金。", body))
    for n, sp in enumerate(s.spendings, start=1):
        story.append(
            _para(f"{n}. {sp.title}：{y(sp.amount_fen)}，{local_date_text(sp.date)}，由{sp.scope_text}按面积分摊", body)
        )
        shares = [["房屋", "建筑面积（平方米）", "分摊金额"]] + [
            [e.unit.label, str(e.unit.area), y(e.amount_fen)] for e in sp.entries
        ]
        story += [_table(shares, [200, 120, 120]), Spacer(1, 6)]
    story += [Spacer(1, 8), _para("三、各户缴存、使用和余额", sub)]
    rows = [["房屋", "本年缴存", "本年使用", "累计缴存", "累计使用", "余额"]] + [
        [a.label, y(paid), y(used), y(a.paid_fen), y(a.used_fen), y(a.balance_fen)] for a, paid, used in unit_rows(s)
    ]
    story.append(_table(rows, [130, 70, 70, 80, 70, 75]))
    story += [Spacer(1, 8), _para("如对公示内容有疑问，请于公示之日起15日内向业主委员会或社区居委会提出。", body)]

    def first_page(canvas, doc):
        width, height = A4
        x, top = width - doc.rightMargin - QR_SIZE, height - doc.topMargin - 40
        draw_qr(canvas, s.url, x, top - QR_SIZE, QR_SIZE)
        canvas.setFont(FONT, 8)
        canvas.drawCentredString(x + QR_SIZE / 2, top - QR_SIZE - 10, "扫码在手机上查看")

    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, title=s.title, leftMargin=50, rightMargin=50)
    doc.build(story, onFirstPage=first_page)
    return out.getvalue()


def response(compound, year, fmt):
    s = build(compound, year)
    name = f"维修资金公示-{compound.name}-{year}"
    if fmt == "xlsx":
        return file_response(statement_xlsx(s), XLSX_MIME, name + ".xlsx")
    return file_response(statement_pdf(s), "application/pdf", name + ".pdf")
