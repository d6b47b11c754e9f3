"""City figures (DOMAIN.md §8, issue 13 §5) through HTTP on a generated three-district dataset, on SQLite and
PostgreSQL: each figure equals the sum over the compounds it lists, the districts' figures add up to the city's,
start and completion rates are exact, another district's official is refused, the CSV (BOM) and XLSX read back
equal to the JSON, and the PDF prints the report's headings and figures."""

import csv
import io
import random
import subprocess
from datetime import date
from decimal import Decimal
from fractions import Fraction
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from backend.extensions import db
from backend.outputs import shown_ratio
from projects.models import STEPS, Project, ProjectArrival, ProjectCompound, ProjectFunding, ProjectItem, ProjectStep
from tests.programs import require_program
from tests.test_declared_outputs import Documented

URL = "/api/v1/reports/city-figures"
YEARS = {"year_from": 2024, "year_to": 2025}
# (plan level, plan year, last completed step) per generated project; None: no plan step reached
SCENARIOS = [
    None,
    ("central_provincial", 2024, "completed"),
    ("central_provincial", 2024, "started"),
    ("central_provincial", 2025, "started"),
    ("central_provincial", 2025, "in_plan"),
    ("city", 2025, "started"),  # a city plan: not the central/provincial plan
    ("central_provincial", 2023, "completed"),  # outside the years asked
    ("central_provincial", 2025, "accepted"),
]
ADDITIVE = ("count", "buildings", "households", "area", "fen")


def project(compounds, scenario, rng, elevator):
    level, year, last = scenario or (None, None, "applied")
    org = compounds[0].org if len(compounds) == 1 else compounds[0].org.parent.parent.parent  # the city
    p = Project(org_id=org.id, title="改造项目", created_by="test")
    db.session.add(p)
    db.session.flush()
    for c in compounds:
        db.session.add(ProjectCompound(project_id=p.id, compound_id=c.id))
    codes = ["water", "roof_facade_stairs"] + (["elevator"] if elevator else [])
    items = []
    for n, code in enumerate(codes):
        tier = "improvement" if code == "elevator" else "basic"
        items.append(
            ProjectItem(
                project_id=p.id, tier=tier, code=code, planned_fen=rng.randint(1, 9) * 1_000_003 + n, position=n
            )
        )
    db.session.add_all(items)
    done = STEPS.index(last) if scenario else -1
    for n, step in enumerate(STEPS):
        completed = n <= done
        db.session.add(
            ProjectStep(
                project_id=p.id,
                step=step,
                position=n,
                department="housing",
                completed_on=date(year or 2025, 1, 1) if completed else None,
                evidence_kind="document" if completed else None,
                document_no="文件" if completed else None,
                plan_level=level if step == "in_plan" and completed else None,
                plan_year=year if step == "in_plan" and completed else None,
            )
        )
    for source in ("central_provincial", "city_fiscal", "ndrc_budget")[: rng.randint(1, 3)]:
        f = ProjectFunding(project_id=p.id, source=source, planned_fen=rng.randint(1, 5) * 777_777, created_by="test")
        db.session.add(f)
        db.session.flush()
        for _ in range(rng.randint(0, 2)):
            db.session.add(
                ProjectArrival(
                    funding_id=f.id, amount_fen=rng.randint(1, 400_000), arrived_on=date(2025, 3, 1), created_by="t"
                )
            )
    db.session.commit()
    return SimpleNamespace(project=p, items=sum(i.planned_fen for i in items), scenario=scenario, elevator=elevator)


@pytest.fixture
def city(make, world):
    """Three districts (雁塔 with two communities, 碑林, 新城), three generated compounds per community with units in
    one to three buildings, one project per compound of a scenario in turn, and a 连片 project across 雁塔 and 碑林."""
    rng = random.Random(13)
    district3 = make.org("新城区", "district", world.city)
    c4 = make.org("西一路社区", "community", make.org("西一路街道", "street", district3))
    communities = [world.c1, world.c2, world.c3, c4]
    compounds, projects, n = [], [], 0
    for community in communities:
        for k in range(3):
            c = make.compound(community, f"{community.name}{k + 1}号院")
            for b in range(1, rng.randint(1, 3) + 1):
                make.units(
                    c, rng.randint(2, 5), area=f"{rng.randint(50, 120)}.{rng.randint(0, 99):02d}", building=str(b)
                )
            compounds.append(c)
            scenario = SCENARIOS[n % len(SCENARIOS)]
            projects.append(project([c], scenario, rng, elevator=n % 3 == 0))
            n += 1
    joined = project([compounds[0], compounds[6]], ("central_provincial", 2024, "started"), rng, elevator=True)
    projects.append(joined)
    official3 = make.user("official_xincheng", "official", district3)
    return SimpleNamespace(
        world=world, district3=district3, compounds=compounds, projects=projects, joined=joined,
        h3=make.headers(official3),
    )  # fmt: skip


def figures(client, headers, **query):
    r = client.get(URL, query_string={**YEARS, **query}, headers=headers)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def rowmap(body):
    return {(r["key"], r["year"], r["source"]): r for r in body["rows"]}


def value(row):
    return row[{"count": "count", "buildings": "count", "households": "count"}.get(row["kind"], row["kind"])]


def listed(client, headers, row, **query):
    q = {**YEARS, **query, "figure": row["key"], "per_page": 500}
    q.update({k: row[k] for k in ("year", "source") if row[k] is not None})
    r = client.get(URL + "/compounds", query_string=q, headers=headers)
    assert r.status_code == 200, r.get_json()
    assert r.headers["X-Total-Count"] == str(row["compounds"]) == str(len(r.get_json()))
    return r.get_json()


FIELD = {
    "eligible_buildings": "buildings",
    "eligible_households": "households",
    "elevator_buildings": "buildings",
    "elevator_households": "households",
    "planned_investment": "planned_fen",
    "plan_investment": "plan_fen",
}


def test_each_figure_is_the_sum_over_the_compounds_it_lists(client, city):
    api = Documented(client)
    h = city.world.h["official_city"]
    body = api("GET", URL, query_string={**YEARS, "org_id": city.world.city.id}, headers=h)
    rows = rowmap(body)
    assert body["org"]["name"] == "西安市" and [g["group"] for g in body["rows"]][:1] == ["basic"]
    n_compounds = len(city.compounds) + 3  # and the world's three compounds without units
    assert value(rows[("eligible_compounds", None, None)]) == n_compounds
    # Planned investment: every project's items, 连片 included, to the fen.
    assert value(rows[("planned_investment", None, None)]) == sum(p.items for p in city.projects)

    # Every figure against the compounds it lists.
    for key, row in rows.items():
        compounds = listed(client, h, row, org_id=city.world.city.id)
        if row["key"] in FIELD:
            assert value(row) == sum(c[FIELD[row["key"]]] for c in compounds), key
        if row["key"] == "eligible_area":
            assert Decimal(row["area"]) == sum(Decimal(c["area"]) for c in compounds)
        if row["key"] in ("eligible_compounds", "elevator_compounds", "in_plan", "started", "completed"):
            assert value(row) == len(compounds), key
        if row["key"] in ("started", "completed"):
            assert all(c[row["key"]] for c in compounds)
        if row["key"] == "funds_planned" and row["source"] is None:
            assert value(row) == sum(c["funds_planned_fen"] for c in compounds)
        if row["key"] == "funds_arrived" and row["source"] is None:
            assert value(row) == sum(c["funds_arrived_fen"] for c in compounds)
    api("GET", URL + "/compounds", query_string={**YEARS, "figure": "in_plan"}, headers=h)

    # Rates, exact: in plan 2024–2025 at central/provincial level, by the generated scenarios.
    def expected(pred):
        return {c.id for p in city.projects if p.scenario and p.scenario[0] == "central_provincial"
                and p.scenario[1] in (2024, 2025) and pred(p.scenario) for c in p.project.compounds}  # fmt: skip

    in_plan = expected(lambda s: True)
    started = expected(lambda s: STEPS.index(s[2]) >= STEPS.index("started"))
    completed = expected(lambda s: STEPS.index(s[2]) >= STEPS.index("completed"))
    assert value(rows[("in_plan", None, None)]) == len(in_plan)
    assert value(rows[("started", None, None)]) == len(started)
    assert value(rows[("completed", None, None)]) == len(completed)
    assert rows[("start_rate", None, None)]["ratio"] == shown_ratio(Fraction(len(started), len(in_plan)))
    assert rows[("completion_rate", None, None)]["ratio"] == shown_ratio(Fraction(len(completed), len(in_plan)))
    for year in (2024, 2025):
        y_plan = expected(lambda s, y=year: s[1] == y)
        y_started = expected(lambda s, y=year: s[1] == y and STEPS.index(s[2]) >= STEPS.index("started"))
        assert value(rows[("in_plan", year, None)]) == len(y_plan)
        assert rows[("start_rate", year, None)]["ratio"] == shown_ratio(Fraction(len(y_started), len(y_plan)))
    # Funds: every in-plan project's funding, whole (the city holds all its compounds).
    plan_projects = [p.project for p in city.projects if p.scenario and p.scenario[0] == "central_provincial"
                     and p.scenario[1] in (2024, 2025)]  # fmt: skip
    fundings = [f for f in db.session.query(ProjectFunding).all() if f.project_id in {p.id for p in plan_projects}]
    planned = sum(f.planned_fen for f in fundings)
    arrived = sum(a.amount_fen for f in fundings for a in f.arrivals)
    assert value(rows[("funds_planned", None, None)]) == planned
    assert value(rows[("funds_arrived", None, None)]) == arrived
    assert rows[("arrived_share", None, None)]["ratio"] == shown_ratio(Fraction(arrived, planned))


def test_the_districts_add_up_to_the_city(client, city):
    w = city.world
    h = w.h["admin"]
    whole = rowmap(figures(client, h, org_id=w.city.id))
    parts = [rowmap(figures(client, h, org_id=d.id)) for d in (w.district, w.c3.parent.parent, city.district3)]
    for key, row in whole.items():
        if row["kind"] in ADDITIVE and row["key"] != "funds_gap":
            got = [p[key] for p in parts if key in p]
            if row["kind"] == "area":
                assert Decimal(row["area"]) == sum(Decimal(p["area"]) for p in got), key
            else:
                assert value(row) == sum(value(p) for p in got), key
            assert row["compounds"] == sum(p["compounds"] for p in got), key
    # The 连片 project's money is split over its two districts by households, to the fen.
    assert value(whole[("planned_investment", None, None)]) == sum(
        value(p[("planned_investment", None, None)]) for p in parts
    )


def test_reach_defaults_and_refusals(client, city):
    w = city.world
    mine = figures(client, w.h["official_other"])  # the caller's own district by default
    assert mine["org"]["name"] == "碑林区"
    assert rowmap(mine)[("eligible_compounds", None, None)]["count"] == 3 + 1  # three generated, the world's one
    for path in (URL, URL + "/compounds"):
        r = client.get(path, query_string={"org_id": w.district.id, "figure": "in_plan"}, headers=w.h["official_other"])
        assert r.status_code == 403 and r.get_json()["code"] == "outside_jurisdiction"
    # The list behind a figure pages like every list: the total in X-Total-Count, pages in id order.
    q = {**YEARS, "figure": "eligible_compounds", "org_id": w.city.id}
    whole = client.get(URL + "/compounds", query_string={**q, "per_page": 500}, headers=w.h["admin"]).get_json()
    r = client.get(URL + "/compounds", query_string={**q, "per_page": 4, "page": 2}, headers=w.h["admin"])
    assert r.headers["X-Total-Count"] == str(len(whole)) and r.get_json() == whole[4:8]
    assert [c["id"] for c in whole] == sorted(c["id"] for c in whole)
    r = client.get(URL, query_string={"org_id": w.street.id}, headers=w.h["committee"])
    assert r.status_code == 403
    assert client.get(URL, query_string={"org_id": w.c1.id}, headers=w.h["committee"]).status_code == 200
    r = client.get(URL, query_string={"year_from": 2026, "year_to": 2024}, headers=w.h["admin"])
    assert r.status_code == 422 and r.get_json()["code"] == "years_invalid"
    r = client.get(URL + "/compounds", query_string={"figure": "nope"}, headers=w.h["admin"])
    assert r.status_code == 422


def test_csv_and_xlsx_read_back_equal_to_the_json(client, city):
    h = city.world.h["official_city"]
    body = figures(client, h)
    r = client.get(URL, query_string={**YEARS, "format": "csv"}, headers=h)
    assert r.status_code == 200 and r.data.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert lines[0][:3] == ["分组", "指标代码", "指标"]
    r = client.get(URL, query_string={**YEARS, "format": "xlsx"}, headers=h)
    ws = load_workbook(io.BytesIO(r.data)).active
    sheet = list(ws.iter_rows(values_only=True))
    assert ws.freeze_panes == "A2" and len(sheet) == len(lines) == len(body["rows"]) + 1
    for row, line, cells in zip(body["rows"], lines[1:], sheet[1:], strict=True):
        assert [line[0], line[1], line[2], line[9]] == [row["group_name"], row["key"], row["name"], row["unit"]]
        assert list(cells[:3]) == [row["group_name"], row["key"], row["name"]]
        assert (line[3] or None) == (str(row["year"]) if row["year"] else None) and cells[3] == row["year"]
        assert int(line[10]) == cells[10] == row["compounds"]
        if row["count"] is not None:
            assert int(line[5]) == cells[5] == row["count"]
        if row["fen"] is not None:
            assert Decimal(line[6]) * 100 == Decimal(str(cells[6])) * 100 == row["fen"]
        if row["area"] is not None:
            assert Decimal(line[7]) == Decimal(row["area"]) and Decimal(str(cells[7])).quantize(
                Decimal("0.01")
            ) == Decimal(row["area"])
        if row["ratio"] is not None:
            assert round(float(line[8]), 4) == round(cells[8], 4) == row["ratio"]


def test_the_pdf_prints_the_reports_layout(client, city):
    require_program("pdftotext")
    h = city.world.h["official_city"]
    rows = rowmap(figures(client, h))
    r = client.get(URL, query_string={**YEARS, "format": "pdf"}, headers=h)
    assert r.status_code == 200 and r.mimetype == "application/pdf" and r.data.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-", "-"], input=r.data, capture_output=True, check=True).stdout.decode()
    flat = "".join(text.split())
    for heading in ("西安市老旧小区改造工作情况", "一、基本情况", "二、资金到位情况", "附表"):
        assert heading in flat
    assert f"共有符合改造政策的小区{rows[('eligible_compounds', None, None)]['count']}个" in flat
    assert f"有{rows[('in_plan', None, None)]['count']}个小区列入中省计划" in flat
    assert f"已开工{rows[('started', None, None)]['count']}个" in flat
    fen = rows[("planned_investment", None, None)]["fen"]
    assert f"¥{fen // 100:,}.{fen % 100:02d}" in flat
