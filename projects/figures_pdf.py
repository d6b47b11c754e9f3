"""The city figures as an A4 PDF in the survey report's own layout: its title, "一、基本情况" written as the report
writes it with the live figures in place of its blanks, the funds sentence of its second part, then the table of
every figure. Chinese text in reportlab's built-in CID font (no font file), as votes/result.py prints."""

import io
from decimal import ROUND_HALF_UP, Decimal
from xml.sax.saxutils import escape as xml_escape

from backend.money import yuan_display
from backend.names import CITY_FIGURE_UNIT_NAMES, funding_source_name

FONT = "STSong-Light"
TEN_THOUSAND = Decimal(10000)
TWO = Decimal("0.01")


def wan_yuan(fen):
    """Fen → 万元 with two places, rounded half up (the report's unit; the table keeps the fen)."""
    return str((Decimal(fen) / 100 / TEN_THOUSAND).quantize(TWO, ROUND_HALF_UP))


def wan_m2(cents):
    return str((Decimal(cents) / 100 / TEN_THOUSAND).quantize(TWO, ROUND_HALF_UP))


def percent(ratio):
    """An exact ratio as the report prints a rate: percent with two places, half up; "—" without a base."""
    if ratio is None:
        return "—"
    value = Decimal(ratio.numerator) * 100 / Decimal(ratio.denominator)
    return f"{value.quantize(TWO, ROUND_HALF_UP)}%"


def shown(row):
    if row.kind == "fen":
        return yuan_display(row.value)
    if row.kind == "area":
        return f"{row.area}"
    if row.kind == "ratio":
        return percent(row.value)
    return str(row.value)


def basic_text(f):
    """The report's first paragraph, its blanks filled."""
    v = lambda key, year=None: f.row(key, year).value  # noqa: E731
    where = f.org_name
    span = f"{f.year_from}年" if f.year_from == f.year_to else f"{f.year_from}年-{f.year_to}年"
    per_year = "，".join(f"{y}年{v('started', y)}个" for y in f.years)
    done_years = [y for y in f.years if v("completed", y)]
    done_text = f"，均为{done_years[0]}年项目" if len(done_years) == 1 else ""
    return (
        f"{where}共有符合改造政策的小区{v('eligible_compounds')}个，涉及{v('eligible_buildings')}栋楼"
        f"{v('eligible_households')}户居民，总建筑面积{wan_m2(v('eligible_area'))}万平方米，"
        f"计划总投资{wan_yuan(v('planned_investment'))}万元，其中：需加装电梯的小区有{v('elevator_compounds')}个，"
        f"涉及{v('elevator_buildings')}栋楼{v('elevator_households')}户居民。{span}，{where}有{v('in_plan')}个小区"
        f"列入中省计划，目前已开工{v('started')}个（其中：{per_year}），开工率{percent(v('start_rate'))}、"
        f"完工{v('completed')}个{done_text}，完工率{percent(v('completion_rate'))}。"
    )


def funds_text(f):
    rows = [r for r in f.rows if r.key == "funds_arrived" and r.source]
    parts = "、".join(f"{funding_source_name(r.source)}{wan_yuan(r.value)}万元" for r in rows)
    return (
        f"{f.org_name}已列入中省计划{f.row('in_plan').value}个小区，计划总投资约为"
        f"{wan_yuan(f.row('plan_investment').value)}万元，计划筹措资金{wan_yuan(f.row('funds_planned').value)}万元，"
        f"目前已到位的资金为{wan_yuan(f.row('funds_arrived').value)}万元"
        + (f"（其中：{parts}）" if parts else "")
        + "，"
        f"占计划筹措资金的{percent(f.row('arrived_share').value)}，资金缺口约为{wan_yuan(f.row('funds_gap').value)}万元。"
    )


def build(f):
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from .services import local_today

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    body = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=19, wordWrap="CJK", firstLineIndent=22)
    head = ParagraphStyle("head", parent=body, fontSize=16, leading=26, alignment=1, firstLineIndent=0)
    sub = ParagraphStyle("sub", parent=body, fontSize=12.5, leading=22, firstLineIndent=0)
    cell = ParagraphStyle("cell", fontName=FONT, fontSize=9.5, leading=12, wordWrap="CJK")

    def para(text, style):
        return Paragraph(xml_escape(text), style)

    span = f"{f.year_from}年" if f.year_from == f.year_to else f"{f.year_from}年—{f.year_to}年"
    title = f"{f.org_name}老旧小区改造工作情况（{span}）"
    story = [
        para(title, head),
        Spacer(1, 6),
        para("一、基本情况", sub),
        para(basic_text(f), body),
        para("二、资金到位情况", sub),
        para(funds_text(f), body),
        Spacer(1, 6),
        para("附表：主要指标（均为对所含小区的计数或求和，可查看所涉小区）", sub),
    ]
    rows = [["分组", "指标", "数值", "单位", "涉及小区"]]
    groups = []
    for r in f.rows:
        group = r.group_name if r.group_name not in groups else ""
        if group:
            groups.append(group)
        unit = "" if r.kind in ("fen", "ratio") else CITY_FIGURE_UNIT_NAMES[r.kind]
        rows.append([group, Paragraph(xml_escape(r.name), cell), shown(r), unit, str(r.compounds)])
    table = Table(rows, colWidths=[80, 190, 120, 45, 55], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 9.5),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("ALIGN", (2, 1), (2, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    story.append(table)
    today = local_today()
    story += [Spacer(1, 6), para(f"数据来源：共建系统实时数据，截至{today.year}年{today.month}月{today.day}日。", cell)]
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, title=title, leftMargin=50, rightMargin=50).build(story)
    return out.getvalue()
