"""The announced result: its record (aggregates, and per unit only whether it voted), the printable notice (PDF),
and the evidence package for disputes (XLSX: every ballot, and the vote's audit chain)."""

import io
from xml.sax.saxutils import escape as xml_escape

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from backend import audit
from backend.errors import Conflict
from backend.exports import neutralise
from backend.extensions import db
from backend.names import channel_name, unit_label
from backend.roster.order import unit_order
from backend.types import local_iso, local_naive, local_text

from . import tally as counting
from .models import Ballot, VoteUnit
from .schemas import ResultOut


def unit_list(vote):
    """Per unit: its label, whether a counted ballot stands, and that ballot's receipt — never the choice."""
    rows = db.session.execute(
        select(VoteUnit.building, VoteUnit.entrance, VoteUnit.room, Ballot.receipt)
        .outerjoin(
            Ballot,
            (Ballot.vote_id == VoteUnit.vote_id)
            & (Ballot.unit_id == VoteUnit.unit_id)
            & Ballot.superseded_at.is_(None)
            & Ballot.confirmed_at.is_not(None),
        )
        .where(VoteUnit.vote_id == vote.id)
        .order_by(*unit_order(VoteUnit))
    )
    return [
        {"label": unit_label(b, e, r), "room": r, "voted": receipt is not None, "receipt": receipt}
        for b, e, r, receipt in rows
    ]


def record(vote):
    """The result record: the tally (``ResultOut`` renders it) with the vote's dates, publicity and units."""
    tallied = counting.tally(vote)
    return {
        "vote_id": vote.id,
        "title": vote.title,
        "status": vote.status,
        "compound": vote.compound,
        "scope": vote.scope,
        "opens_at": local_iso(vote.opens_at),
        "closes_at": local_iso(vote.closes_at),
        "closed_at": local_iso(vote.closed_at),
        "announced_at": local_iso(vote.announced_at),
        "publicity": {
            "days": vote.compound.publicity_days,
            "from": local_iso(vote.announced_at),
            "until": local_iso(vote.publicity_until),
        },
        "electorate": tallied.electorate,
        "warnings": vote.warnings,
        "items": tallied.items,
        "units": unit_list(vote),
    }


def announced_vote(vote):
    if vote.status != "announced":
        raise Conflict("vote_not_announced", "表决结果尚未公告")
    return vote


def result(vote):
    return record(announced_vote(vote))


def result_pdf(vote):
    """The result notice to print and post: Chinese text in reportlab's built-in CID font (no font file)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

    vote = announced_vote(vote)
    data = ResultOut().dump(record(vote))  # the notice prints what the API states, worded the same
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("body", fontName="STSong-Light", fontSize=10.5, leading=16, wordWrap="CJK")
    head = ParagraphStyle("head", parent=body, fontSize=16, leading=24, alignment=1)
    sub = ParagraphStyle("sub", parent=body, fontSize=12, leading=20)
    e = data["electorate"]
    story = [
        _para(f"{data['compound']['name']}业主共同决定事项表决结果公告", head),
        Spacer(1, 8),
        _para(f"表决事项：{data['title']}", sub),
        _para(
            f"表决范围：{data['scope_text']}；"
            f"应参与表决业主{e['owners']}人（{e['units']}户），专有部分总面积{e['area']}平方米。",
            body,
        ),
        _para(
            f"表决时间：{local_text(vote.opens_at)} 至 {local_text(vote.closed_at)}；"
            f"公告日期：{local_text(vote.announced_at)}；"
            f"公示期{data['publicity']['days']}日，至{local_text(vote.publicity_until)}止。",
            body,
        ),
        Spacer(1, 6),
    ]
    for n, item in enumerate(data["items"], start=1):
        story.append(_para(f"{n}. {item['title']}", sub))
        story.append(_para(item["explanation"], body))
        shown = [item["options"][code] for code in item["option_order"]]  # in ballot order, by label
        rows = [["选项", "人数", "面积（平方米）"]] + [[o["label"], o["owners"], o["area"]] for o in shown]
        story.append(_table(rows, [200, 80, 120], colors, Table, TableStyle))
        story.append(Spacer(1, 6))
    for w in data["warnings"]:
        story.append(_para(f"特别提示：{w}。", body))
    story += [Spacer(1, 8), _para("各户投票情况（只列是否投票及回执码，不公开表决意见）：", sub)]
    units = [["房屋", "是否投票", "回执码"]] + [
        [u["label"], "已投票" if u["voted"] else "未投票", u["receipt"] or ""] for u in data["units"]
    ]
    story.append(_table(units, [200, 80, 140], colors, Table, TableStyle))
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, title=data["title"], leftMargin=50, rightMargin=50).build(story)
    return out.getvalue()


def _para(text, style):
    """reportlab parses Paragraph text as markup: titles like "3号楼 <改造> & 加装" must arrive as plain text."""
    from reportlab.platypus import Paragraph

    return Paragraph(xml_escape(text), style)


def _table(rows, widths, colors, Table, TableStyle):
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), "STSong-Light", 9.5),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
            ]
        )
    )
    return table


# Excel keeps no zone: times are written as Beijing wall-clock datetimes and shown the way the notices print them.
from backend.exports import XLSX_TIME  # noqa: E402  (one format for every export)


def evidence_xlsx(actor, vote):
    """Every ballot ever recorded (superseded ones too) with who keyed it when, and the vote's audit chain."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    def cells(sheet, values, times):
        """Text through ``neutralise`` (no formulas from residents' input); the columns in ``times`` as real times."""
        row = []
        for n, v in enumerate(values):
            if n in times and v is not None:
                cell = WriteOnlyCell(sheet, value=local_naive(v))
                cell.number_format = XLSX_TIME
            else:
                cell = neutralise(v)
            row.append(cell)
        sheet.append(row)

    items = vote.items
    places = {p.unit_id: p.label for p in db.session.scalars(select(VoteUnit).where(VoteUnit.vote_id == vote.id))}
    wb = Workbook(write_only=True)
    ballots = wb.create_sheet("选票")
    ballots.append(
        [
            "选票ID",
            "房屋",
            "渠道",
            "纸质选票编号",
            "委托人",
            "委托凭证",
            *[i.title for i in items],
            "投票/录入时间",
            "录入人",
            "复核人",
            "复核时间",
            "回执码",
            "状态",
            "更正原因",
            "更正自选票ID",
        ]
    )
    for b in db.session.scalars(
        select(Ballot).where(Ballot.vote_id == vote.id).order_by(Ballot.id).options(selectinload(Ballot.choices))
    ):
        chosen = b.choice_map
        state = "已被更正" if b.superseded_at else ("待复核" if b.confirmed_at is None else "有效")
        at = 6 + len(items)  # the column of the entry time; the confirmation time is three further on
        cells(
            ballots,
            (
                b.id,
                places.get(b.unit_id),
                channel_name(b.channel),
                b.sheet_no,
                b.proxy_name,
                b.evidence,
                *[i.label(chosen.get(str(i.id), "")) for i in items],
                b.created_at,
                b.entered_by,
                b.confirmed_by,
                b.confirmed_at,
                b.receipt,
                state,
                b.correction_reason,
                b.supersedes_id,
            ),
            times={at, at + 3},
        )
    trail = wb.create_sheet("审计链")
    trail.append(["序号", "时间", "操作人", "操作", "内容", "前一条哈希", "本条哈希"])
    for entry in audit.entries(f"vote:{vote.id}"):
        cells(
            trail,
            (entry.seq, entry.created_at, entry.actor, entry.action, entry.payload, entry.prev_hash, entry.hash),
            times={1},
        )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), f"{vote.compound.name}-{vote.title}-证据包.xlsx"
