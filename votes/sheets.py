"""Printable paper ballot sheets: one A4 page per unit of a vote's frozen electorate, each with its own number.

The number is printed as text and as a Code128 barcode, which every USB desk scanner reads (it types the number
and presses Enter). Printing records each number against its unit in ``vote_sheets``: reconciliation counts the
sheet as issued, and a paper ballot keyed in by its number alone finds its unit. Reprinting reuses the numbers.
"""

import io
from dataclasses import dataclass
from datetime import datetime
from itertools import count
from typing import Optional

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import Paragraph
from sqlalchemy import insert, or_, select
from sqlalchemy.orm import selectinload

from backend import audit
from backend.errors import Conflict, Invalid, NotFound
from backend.extensions import db
from backend.roster.models import Owner, Unit
from backend.roster.order import natural
from backend.types import local_text
from notices.render import FONT, escape

from .models import Ballot, IssuedSheet, Vote, VoteUnit
from .services import chain


@dataclass
class Sheet:
    """A sheet as the desk sees it: its number, its unit (none for a hand-issued number) and whether it is in."""

    sheet_no: str
    issued_at: datetime
    unit_id: Optional[int] = None
    label: Optional[str] = None
    building: Optional[str] = None
    entrance: Optional[str] = None
    room: Optional[str] = None
    owners: tuple = ()
    entered: bool = False
    receipt: Optional[str] = None
    unit_voted: bool = False


def owner_names(unit):
    """The owners on the roster now: a unit sold since publish shows its buyer, whose ballot it is (DOMAIN §2)."""
    return tuple(m.name for m in unit.owner.members)


def places(vote, building=None, entrance=None):
    """(unit_id, label, owner names) of the electorate in scope, in the order a committee walks the stairs.

    Plain values, read in two queries: they outlive the commit that issues the numbers.
    """
    stmt = (
        select(VoteUnit, Unit)
        .join(Unit, Unit.id == VoteUnit.unit_id)
        .where(VoteUnit.vote_id == vote.id)
        .options(selectinload(Unit.owner).selectinload(Owner.members))
    )
    if building:
        stmt = stmt.where(VoteUnit.building == building)
    if entrance:
        stmt = stmt.where(VoteUnit.entrance == entrance)
    rows = sorted(
        db.session.execute(stmt).all(),
        key=lambda r: (natural(r[0].building), natural(r[0].entrance), natural(r[0].room)),
    )
    return [(place.unit_id, place.label, owner_names(unit)) for place, unit in rows]


def issue(actor, vote, unit_ids):
    """{unit_id: sheet_no} for these units: numbers already issued stand, the others get the lowest free ones.

    Printers of one vote queue on its row (FOR NO KEY UPDATE, which ballots' foreign-key checks do not wait for),
    so two reprints at once cannot number one unit twice; the unique constraints hold it regardless.
    """
    db.session.execute(select(Vote.id).where(Vote.id == vote.id).with_for_update(key_share=True))
    issued = db.session.execute(
        select(IssuedSheet.unit_id, IssuedSheet.sheet_no).where(IssuedSheet.vote_id == vote.id)
    ).all()
    numbers = {unit_id: sheet_no for unit_id, sheet_no in issued if unit_id is not None}
    taken = {sheet_no for _, sheet_no in issued}
    # The vote's id first: a sheet scanned at the wrong vote's desk is not found, instead of naming some unit.
    free = (no for no in (f"{vote.id}-{n:04d}" for n in count(1)) if no not in taken)
    fresh = {unit_id: next(free) for unit_id in unit_ids if unit_id not in numbers}
    if fresh:
        db.session.execute(
            insert(IssuedSheet),
            [{"vote_id": vote.id, "unit_id": unit_id, "sheet_no": no} for unit_id, no in fresh.items()],
        )
        audit.append(chain(vote), actor, "sheets_printed", {"sheets": {no: u for u, no in fresh.items()}})
    db.session.commit()
    return {**numbers, **fresh}


def ballot_sheets_pdf(actor, vote, building=None, entrance=None):
    """The sheets of a published vote's electorate (or one building or stair entrance of it), one A4 page each."""
    if vote.status == "draft":
        raise Conflict("vote_not_published", "表决尚未发布，发布后才能打印表决票")
    units = places(vote, building, entrance)
    if not units:
        raise Invalid(
            "no_units",
            "该范围内没有本次表决的房屋，请核对楼栋、单元",
            errors={"query": {"building": ["该范围内没有本次表决的房屋"]}},
        )
    numbers = issue(actor, vote, [unit_id for unit_id, _, _ in units])
    out = io.BytesIO()
    c = pdf_canvas.Canvas(out, pagesize=A4, pageCompression=1)
    c.setTitle(f"{vote.compound.name} {vote.title} 表决票")
    printer = SheetPrinter(c, vote)
    for unit_id, label, owners in units:
        printer.sheet(numbers[unit_id], label, owners)
    c.save()
    return out.getvalue()


def find(vote, sheet_no):
    """The issued sheet with this number, its unit and owners, and whether it (or its unit) is already in."""
    found = db.session.execute(
        select(IssuedSheet, VoteUnit, Unit)
        .outerjoin(VoteUnit, (VoteUnit.vote_id == IssuedSheet.vote_id) & (VoteUnit.unit_id == IssuedSheet.unit_id))
        .outerjoin(Unit, Unit.id == IssuedSheet.unit_id)
        .where(IssuedSheet.vote_id == vote.id, IssuedSheet.sheet_no == sheet_no)
    ).first()
    if found is None:
        raise NotFound("sheet_not_found", f"本次表决没有发放编号为{sheet_no}的表决票")
    issued, place, unit = found
    standing = db.session.scalars(
        select(Ballot).where(
            Ballot.vote_id == vote.id,
            Ballot.superseded_at.is_(None),
            or_(Ballot.sheet_no == sheet_no, Ballot.unit_id == issued.unit_id),
        )
    ).all()
    by_sheet = next((b for b in standing if b.sheet_no == sheet_no), None)
    sheet = Sheet(
        sheet_no,
        issued.issued_at,
        entered=by_sheet is not None,
        receipt=by_sheet and by_sheet.receipt,
        unit_voted=any(b.unit_id == issued.unit_id for b in standing),
    )
    if place is not None:
        sheet.unit_id, sheet.label, sheet.owners = place.unit_id, place.label, owner_names(unit)
        sheet.building, sheet.entrance, sheet.room = place.building, place.entrance, place.room
    return sheet


def unit_of(vote, data):
    """The unit a paper ballot is for: the one its sheet was printed for, or the ``unit_id`` keyed in."""
    unit_id, sheet_no = data.get("unit_id"), data.get("sheet_no")
    issued = (
        sheet_no
        and db.session.execute(
            select(IssuedSheet.unit_id, IssuedSheet.voided_at).where(
                IssuedSheet.vote_id == vote.id, IssuedSheet.sheet_no == sheet_no
            )
        ).first()
    )
    if issued and issued.voided_at is not None:  # reconciliation counts it as void: it must not count as a ballot
        raise Conflict("sheet_void", f"表决票{sheet_no}已登记作废，不能录入；如登记有误，请联系管理员")
    printed = issued and issued.unit_id
    if printed and unit_id is not None and printed != unit_id:
        place = db.session.get(VoteUnit, (vote.id, printed))
        raise Conflict("sheet_unit_mismatch", f"表决票{sheet_no}是{place.label}的表决票，与所选房屋不符，请核对")
    if printed:
        return printed
    if unit_id is None:
        raise Invalid(
            "sheet_not_found",
            f"找不到印有房屋的表决票{sheet_no}，请核对编号或选择房屋",
            errors={"json": {"sheet_no": ["找不到该编号的表决票，请核对编号或选择房屋"]}},
        )
    return unit_id


# --- drawing ----------------------------------------------------------------------------------------------

PAGE_W, PAGE_H = A4
MARGIN = 18 * mm
WIDTH = PAGE_W - 2 * MARGIN
BOX = 7 * mm  # a tick box an unsteady hand can hit
FOOT = 78 * mm  # instructions and signature, at the foot of a sheet's last page
NAMES = 48  # points of owner names in the unit band: two lines of large type, more lines of smaller
NAME_SIZES = (17, 14, 12)
NAMES_WIDTH = WIDTH - 34 * mm
INK, GREY, PAPER = (0, 0, 0), (0.35, 0.35, 0.35), (0.94, 0.94, 0.94)


def paragraph(text, size, width, leading=None):
    """A wrapped Chinese paragraph and its height, measured before it is drawn."""
    style = ParagraphStyle("p", fontName=FONT, fontSize=size, leading=leading or size * 1.4, wordWrap="CJK")
    para = Paragraph(escape(text), style)
    return para, para.wrap(width, PAGE_H)[1]


@dataclass
class Block:
    """An item as printed: its numbered title and its rows of boxes, measured once per vote."""

    title: Paragraph
    title_h: float
    rows: list

    @property
    def height(self):
        return self.title_h + 3 * mm + sum(row_height(row) + 4 * mm for row in self.rows)


def row_height(row):
    return max(BOX, *(h for _, h, _ in row))


class SheetPrinter:
    """Draws a vote's sheets. What every sheet shares (titles, items, boxes, instructions) is laid out once and
    drawn once per page position as a PDF form; each unit adds only its number, barcode, unit and owners.
    That keeps a 3,000-unit compound's sheets to seconds and the file small."""

    def __init__(self, c, vote):
        self.c, self.vote = c, vote
        self.top = PAGE_H - MARGIN
        self.pages = self.paginate()
        for n, blocks in enumerate(self.pages, 1):
            c.beginForm(f"page{n}")
            self.shared(n, blocks)
            c.endForm()

    def sheet(self, sheet_no, label, owners):
        for n in range(1, len(self.pages) + 1):
            self.c.doForm(f"page{n}")
            self.number(sheet_no)
            if n == 1:
                self.unit(label, owners)
            else:
                self.text(self.rule - 3 * mm, f"房屋：{label}    第{n}页", 14)
            self.footnote(label, sheet_no)
            self.c.showPage()

    # -- layout, once per vote --

    def paginate(self):
        """Items onto pages: the last keeps the instructions and signature with it, the others fill each page."""
        self.rule = self.top - 13 * mm - 24 * 1.4 - 2 * mm
        self.title, title_h = paragraph(f"表决事项：{self.vote.title}", 16, WIDTH)
        self.band = self.rule - 3 * mm - title_h - 2 * mm - 13 * 1.4 - 5 * mm
        first = self.band - (12 * mm + NAMES + 4 * mm) - 6 * mm - 14 * 1.4
        pages, y = [[]], first
        items = self.vote.items
        for n, item in enumerate(items, 1):
            title, title_h = paragraph(f"{n}．{item.title}", 15, WIDTH)
            block = Block(title, title_h, self.option_rows([item.label(o) for o in item.options]))
            if y - block.height - 4 * mm < MARGIN + (FOOT if n == len(items) else 12 * mm) and pages[-1]:
                pages.append([])
                y = self.rule - 3 * mm - 14 * 1.4
            pages[-1].append((block, y))
            y -= block.height + 4 * mm
        return pages

    def option_rows(self, labels):
        """Options flowed left to right in rows, each a box and its label; a label too long wraps on its own row."""
        rows, row, used = [], [], 0
        for label in labels:
            room = WIDTH - 6 * mm - BOX - 3 * mm
            para, h = paragraph(label, 16, min(stringWidth(label, FONT, 16) + 1, room), 20)
            width = BOX + 3 * mm + para.width + 12 * mm
            if row and used + width > WIDTH - 6 * mm:
                rows.append(row)
                row, used = [], 0
            row.append((para, h, width))
            used += width
        return [*rows, row]

    # -- what every sheet shares, drawn into the page forms --

    def shared(self, n, blocks):
        c = self.c
        self.text(self.top, self.vote.compound.name, 15)
        heading = c.beginText(MARGIN, self.top - 13 * mm - 24)
        heading.setFont(FONT, 24)
        heading.setTextRenderMode(2)  # fill and stroke: a heavier title from the one built-in font
        c.setLineWidth(0.6)
        heading.textOut("业主共同决定事项表决票" + ("（续）" if n > 1 else ""))
        heading.setTextRenderMode(0)  # the mode is graphics state: the rest of the page is plain again
        c.drawText(heading)
        c.setLineWidth(1.2)
        c.line(MARGIN, self.rule, PAGE_W - MARGIN, self.rule)
        if n == 1:
            self.title.drawOn(c, MARGIN, self.rule - 3 * mm - self.title.height)
            self.text(
                self.rule - 5 * mm - self.title.height,
                f"投票时间：{local_text(self.vote.opens_at)} 至 {local_text(self.vote.closes_at)}",
                13,
                GREY,
            )
            height = 12 * mm + NAMES + 4 * mm
            c.setFillColorRGB(*PAPER)
            c.roundRect(MARGIN, self.band - height, WIDTH, height, 3 * mm, stroke=0, fill=1)
            self.text(self.band - 4 * mm, "房    屋", 13, GREY, MARGIN + 5 * mm)
            self.text(self.band - 13.5 * mm, "业    主", 13, GREY, MARGIN + 5 * mm)
            self.text(self.band - height - 6 * mm, "表决内容（每一事项只在一个方框内打“√”）", 14, GREY)
        for block, y in blocks:
            y -= 4 * mm + block.title_h
            block.title.drawOn(c, MARGIN, y)
            y -= 3 * mm
            for row in block.rows:
                y = self.options(row, y)
        if n == len(self.pages):
            self.foot()
        else:
            self.text(MARGIN + 6 * mm, "（接下页）", 12, GREY)

    def options(self, row, top):
        """One row of boxes hanging from ``top``; returns the y below it."""
        x = MARGIN + 6 * mm
        self.c.setLineWidth(1.2)
        for para, h, width in row:
            self.c.rect(x, top - BOX, BOX, BOX, stroke=1, fill=0)
            para.drawOn(self.c, x + BOX + 3 * mm, top - h + 0.3 * mm)
            x += width
        return top - row_height(row) - 4 * mm

    def foot(self):
        """How to fill the sheet in, and the line to sign."""
        c, closes = self.c, local_text(self.vote.closes_at)
        lines = [
            "1．每一个表决事项请只在一个方框内打“√”。",
            "2．某一事项没有打“√”的，该事项按弃权计。",
            "3．请业主本人签名；委托他人投票的，由受托人签名并附书面委托书。",
            f"4．请于{closes}前将本表决票交回社区居委会或投入表决票箱。",
        ]
        top = MARGIN + FOOT - 10 * mm
        c.setLineWidth(0.8)
        c.setStrokeColorRGB(*GREY)
        c.rect(MARGIN, top - 46 * mm, WIDTH, 46 * mm, stroke=1, fill=0)
        c.setStrokeColorRGB(*INK)
        y = self.text(top - 3 * mm, "填写说明", 14, INK, MARGIN + 4 * mm)
        for line in lines:
            para, h = paragraph(line, 13, WIDTH - 8 * mm)
            y -= h + 1 * mm
            para.drawOn(c, MARGIN + 4 * mm, y)
        base = MARGIN + 8 * mm
        c.setFont(FONT, 15)
        c.drawString(MARGIN, base, "业主（受托人）签名：")
        for x, word in ((108, "日期："), (136, "年"), (150, "月"), (164, "日")):
            c.drawString(MARGIN + x * mm, base, word)
        c.setLineWidth(0.8)
        for start, end in ((50, 106), (122, 135), (141, 149), (155, 163)):
            c.line(MARGIN + start * mm, base - 1.5 * mm, MARGIN + end * mm, base - 1.5 * mm)

    # -- what is the unit's own, on every page --

    def text(self, y, text, size, colour=INK, x=MARGIN):
        """One line hanging from ``y``; returns the y below it."""
        self.c.setFillColorRGB(*colour)
        self.c.setFont(FONT, size)
        self.c.drawString(x, y - size, text)
        self.c.setFillColorRGB(*INK)
        return y - size * 1.4

    def number(self, sheet_no):
        """The barcode a desk scanner reads, and the number under it for those who type."""
        code = Code128(sheet_no, barHeight=13 * mm, barWidth=0.42 * mm, humanReadable=False)
        code.drawOn(self.c, PAGE_W - MARGIN - code.width + code.rquiet, self.top - code.height)
        self.c.setFont(FONT, 16)
        self.c.drawCentredString(
            PAGE_W - MARGIN - (code.width - code.rquiet) / 2, self.top - code.height - 7 * mm, f"编号 {sheet_no}"
        )

    def unit(self, label, owners):
        """The unit and its owners on the grey band, so the owner sees at a glance that the sheet is theirs."""
        self.text(self.band - 3 * mm, label, 20, INK, MARGIN + 29 * mm)
        names = "、".join(owners) or "（名册无业主姓名）"
        if stringWidth(names, FONT, NAME_SIZES[0]) <= NAMES_WIDTH:  # most units: one line, no paragraph to lay out
            self.text(self.band - 12 * mm, names, NAME_SIZES[0], INK, MARGIN + 29 * mm)
            return
        para = owner_lines(owners)
        para.drawOn(self.c, MARGIN + 29 * mm, self.band - 12 * mm - para.height)

    def footnote(self, label, sheet_no):
        """The sheet named once more at the foot of every page, should its pages come apart."""
        c = self.c
        c.setFont(FONT, 10)
        c.setFillColorRGB(*GREY)
        c.drawString(MARGIN, MARGIN - 8 * mm, f"{self.vote.compound.name} · {self.vote.title} · {label}")
        c.drawRightString(PAGE_W - MARGIN, MARGIN - 8 * mm, f"表决票编号 {sheet_no}")
        c.setFillColorRGB(*INK)


def owner_lines(owners):
    """Many co-owners: their names in the largest type that fits the band, or as many as fit and how many in all."""
    for size in NAME_SIZES:
        para, h = paragraph("、".join(owners), size, NAMES_WIDTH, size * 1.3)
        if h <= NAMES:
            return para
    for shown in range(len(owners) - 1, 0, -1):
        para, h = paragraph(
            "、".join(owners[:shown]) + f"等{len(owners)}人", NAME_SIZES[-1], NAMES_WIDTH, NAME_SIZES[-1] * 1.3
        )
        if h <= NAMES:
            return para
    return para
