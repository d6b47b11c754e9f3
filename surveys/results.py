"""Survey results (API.md "Surveys"): counts and shares per option, Borda points and mean rank, scale means,
texts and "other" answers, response rate per building and entrance; charts as server-rendered SVG; exports.

Every ratio is an exact ``Fraction``; the output schema rounds it to 4 places for display only.
"""

import io
from fractions import Fraction

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from sqlalchemy import func, select

from backend.charts import bar_chart
from backend.exports import XLSX_MIME, Column, file_response, table_response, write_table
from backend.extensions import db
from backend.names import OTHER_LABEL, scope_text
from backend.roster.models import Unit
from backend.roster.order import natural, unit_key

from .models import AnonymousResponse, Participation, Response
from .services import units_in_scope


def answer_sets(survey):
    """Every stored answer set: named ones with their unit and channel, in unit order; anonymous ones alone,
    in the order of their random ids (which says nothing about who or when)."""
    if survey.anonymous:
        rows = db.session.scalars(
            select(AnonymousResponse).where(AnonymousResponse.survey_id == survey.id).order_by(AnonymousResponse.id)
        )
        return [(None, None, r.answers) for r in rows]
    rows = db.session.execute(
        select(Response, Unit).join(Unit, Unit.id == Response.unit_id).where(Response.survey_id == survey.id)
    ).all()
    rows.sort(key=lambda ru: (unit_key(ru[1]), ru[0].id))
    return [(unit, response, response.answers) for response, unit in rows]


def _share(count, answered):
    return Fraction(count, answered) if answered else None


def question_result(question, answers):
    """One question's figures over ``answers`` (a list of answer dicts)."""
    key, kind = question["key"], question["type"]
    given = [a[key] for a in answers if key in a]
    answered = len(given)
    out = {
        "key": key,
        "type": kind,
        "title": question["title"],
        "answered": answered,
        "options": None,
        "other": None,
        "mean": None,
        "ranking": None,
        "texts": None,
        "option_order": [o["code"] for o in question["options"] or []]
        or ([str(n) for n in range(1, 6)] if kind == "scale" else []),
    }
    labels = {o["code"]: o["label"] for o in question["options"] or []}
    if kind in ("single", "multiple"):
        counts = dict.fromkeys(labels, 0)
        other = []
        for value in given:
            for v in value if isinstance(value, list) else [value]:
                if isinstance(v, dict):
                    other.append(v["other"])
                else:
                    counts[v] += 1
        out["options"] = {c: {"label": labels[c], "count": n, "share": _share(n, answered)} for c, n in counts.items()}
        out["other"] = other
    elif kind == "ranking":
        k = len(labels)
        borda, positions = dict.fromkeys(labels, 0), {c: [] for c in labels}
        for ranked in given:
            for p, code in enumerate(ranked, start=1):
                borda[code] += k - p
                positions[code].append(p)
        out["ranking"] = {
            c: {
                "label": labels[c],
                "borda": borda[c],
                "ranked": len(positions[c]),
                "mean_rank": Fraction(sum(positions[c]), len(positions[c])) if positions[c] else None,
            }
            for c in labels
        }
    elif kind == "scale":
        counts = {str(n): 0 for n in range(1, 6)}
        for v in given:
            counts[str(v)] += 1
        out["options"] = {c: {"label": f"{c}分", "count": n, "share": _share(n, answered)} for c, n in counts.items()}
        out["mean"] = Fraction(sum(given), answered) if answered else None
    else:
        out["texts"] = list(given)
    return out


def results(survey):
    answers = [a for _, _, a in answer_sets(survey)]
    units = units_in_scope(survey)
    per_place = {
        (b, e): n
        for b, e, n in db.session.execute(
            select(Unit.building, Unit.entrance, func.count())
            .select_from(Participation)
            .join(Unit, Unit.id == Participation.unit_id)
            .where(Participation.survey_id == survey.id)
            .group_by(Unit.building, Unit.entrance)
        )
    }
    places = {}
    for unit in units:
        places.setdefault((unit.building, unit.entrance), 0)
        places[(unit.building, unit.entrance)] += 1
    by_entrance = [
        {
            "building": b,
            "entrance": e,
            "label": scope_text(b, e),
            "households": n,
            "responses": per_place.get((b, e), 0),
        }
        for (b, e), n in sorted(places.items(), key=lambda p: (natural(p[0][0]), natural(p[0][1])))
    ]
    households = len(units)
    return {
        "survey_id": survey.id,
        "title": survey.title,
        "status": survey.status_at(),
        "anonymous": survey.anonymous,
        "responses": len(answers),
        "households": households,
        "response_rate": Fraction(len(answers), households) if households else None,
        "questions": [question_result(q, answers) for q in survey.questions],
        "by_entrance": by_entrance,
    }


# --- charts -----------------------------------------------------------------------------------------------


def _bars(question):
    """(label, value, shown) per bar: counts for choices and scales, Borda points for rankings; None: no chart."""
    if question["ranking"] is not None:
        return [(r["label"], r["borda"], f"{r['borda']}分") for r in question["ranking"].values()]
    if question["options"] is not None:
        bars = [(o["label"], o["count"], f"{o['count']}") for o in question["options"].values()]
        if question["other"]:
            bars.append((OTHER_LABEL, len(question["other"]), f"{len(question['other'])}"))
        return bars
    return None


def svg_chart(question):
    """A horizontal bar chart as SVG markup (presentation attributes only: the pages' CSP forbids inline style)."""
    bars = _bars(question)
    if bars is None:
        return None
    return bar_chart(question["title"], bars)


def charts(survey):
    found = results(survey)["questions"]
    return {
        "charts": [
            {"key": q["key"], "title": q["title"], "svg": svg} for q in found if (svg := svg_chart(q)) is not None
        ]
    }


# --- exports ----------------------------------------------------------------------------------------------


def answer_text(question, value):
    """An answer as a cell shows it: option names, rankings numbered, "其他：…"."""
    if value is None:
        return None
    labels = {o["code"]: o["label"] for o in question["options"] or []}

    def one(v):
        return f"{OTHER_LABEL}：{v['other']}" if isinstance(v, dict) else labels.get(v, v)

    if question["type"] == "ranking":
        return " ".join(f"{p}.{labels.get(c, c)}" for p, c in enumerate(value, start=1))
    if question["type"] == "multiple":
        return "、".join(one(v) for v in value)
    if question["type"] == "scale":
        return value
    return one(value)


def response_table(survey):
    questions = survey.questions
    columns = [Column("序号", "int")]
    if not survey.anonymous:
        columns += [Column("房屋"), Column("渠道"), Column("提交时间", "time")]
    columns += [Column(q["title"][:60], "int" if q["type"] == "scale" else "text") for q in questions]
    rows = []
    for n, (unit, response, answers) in enumerate(answer_sets(survey), start=1):
        row = [n]
        if not survey.anonymous:
            row += [unit.label, "纸质" if response.channel == "paper" else "线上", response.created_at]
        row += [answer_text(q, answers.get(q["key"])) for q in questions]
        rows.append(row)
    return columns, rows


SUMMARY = [Column("题目"), Column("选项"), Column("人数", "int"), Column("占比", "percent")]


def summary_rows(result):
    """(rows, charts): one row per option (Borda points for rankings), and per chartable question its rows."""
    rows, spans = [], []
    for q in result["questions"]:
        start = len(rows) + 2  # the sheet's row number (1 is the header)
        if q["ranking"] is not None:
            rows += [[q["title"], r["label"], r["borda"], None] for r in q["ranking"].values()]
        elif q["options"] is not None:
            rows += [[q["title"], o["label"], o["count"], o["share"]] for o in q["options"].values()]
            if q["other"]:
                rows.append([q["title"], OTHER_LABEL, len(q["other"]), _share(len(q["other"]), q["answered"])])
        else:
            rows += [[q["title"], t, None, None] for t in q["texts"] or []]
            continue
        spans.append((q["title"], start, len(rows) + 1))
    rows.append(["回答数", "", result["responses"], None])
    rows.append(["应答户数（范围内房屋）", "", result["households"], None])
    rows.append(["回答率", "", None, result["response_rate"]])
    return rows, spans


def export(survey, fmt):
    columns, rows = response_table(survey)
    name = f"问卷回答-{survey.title}"
    if fmt == "csv":
        return table_response("csv", name, columns, rows)
    wb = Workbook(write_only=True)
    write_table(wb, "回答", columns, rows)
    summary, spans = summary_rows(results(survey))
    ws = write_table(wb, "汇总", SUMMARY, summary)
    for n, (title, first, last) in enumerate(spans[:30]):
        chart = BarChart()
        chart.type, chart.title, chart.legend = "bar", title[:40], None
        chart.add_data(Reference(ws, min_col=3, min_row=first, max_row=last), titles_from_data=False)
        chart.set_categories(Reference(ws, min_col=2, min_row=first, max_row=last))
        chart.height, chart.width = max(4, 0.8 * (last - first + 1) + 2), 14
        ws.add_chart(chart, f"F{2 + n * 16}")
    out = io.BytesIO()
    wb.save(out)
    return file_response(out.getvalue(), XLSX_MIME, name + ".xlsx")
