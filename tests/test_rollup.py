"""Officials' roll-ups along the tree (issue 12) through HTTP, on SQLite and PostgreSQL: each level the exact sum
of the level below, rates recomputed from the sums, the filters, jurisdiction, the compounds behind a figure,
CSV (neutralised) and XLSX (with its native chart), the declared outputs and a constant number of statements."""

import csv
import io
from datetime import timedelta
from fractions import Fraction

import pytest
from openpyxl import load_workbook

from backend.types import CHINA_TZ, utcnow
from reports import rollup
from tests.statements import statements_of
from tests.test_campaigns import create as create_campaign
from tests.test_campaigns import pay as pay_campaign
from tests.test_campaigns import publish as publish_campaign
from tests.test_construction_problems import app_config, pr  # noqa: F401  (fixtures)
from tests.test_declared_outputs import Documented
from tests.test_fund_ledger import Fund
from tests.test_votes_kit import assert_error, at, item

URL = "/api/v1/reports/rollup"
SUMMED = [name for name, _, _ in rollup.COUNTS]


def ratio(value):
    """As the API shows a Fraction: rounded half up to four places."""
    from backend.outputs import shown_ratio

    return None if value is None else shown_ratio(value)


class City:
    """The world's two districts with more compounds, units, votes, surveys, campaigns, fund and management data."""

    def __init__(self, client, make, world, kit, clock):
        self.client, self.make, self.world, self.kit, self.clock = client, make, world, kit, clock
        h = world.h
        self.compounds = {
            "c1": world.compounds["c1"],
            "c1b": make.compound(world.c1, "=cmd|' /C calc'!A0"),  # a formula in a name
            "c2": world.compounds["c2"],
            "c3": world.compounds["c3"],
            "c3b": make.compound(world.c3, "书院二期"),
        }
        self.headers = {"c1": h["committee"], "c1b": h["committee"], "c2": h["committee2"],
                        "c3": h["committee3"], "c3b": h["committee3"]}  # fmt: skip
        self.units = {
            "c1": make.units(self.compounds["c1"], 6, area="80.00")
            + make.units(self.compounds["c1"], 2, area="63.33", building="2"),
            "c1b": make.units(self.compounds["c1b"], 3, area="91.10"),
            "c2": make.units(self.compounds["c2"], 4, area="70.00"),
            "c3": make.units(self.compounds["c3"], 5, area="55.55"),
            "c3b": make.units(self.compounds["c3b"], 2, area="100.00"),
        }
        # bound owners: two in c1, one in c2, one tenant in c3 (not counted), one in c3b
        make.resident(*self.units["c1"][:2])
        make.resident(self.units["c2"][0])
        make.resident(self.units["c3"][0], relation="tenant")
        make.resident(self.units["c3b"][0])

    def vote(self, key, items, choices, closes_days=1):
        """A published vote in compound ``key``, with paper ballots: ``choices`` one option per unit (None: no ballot)."""
        compound, h = self.compounds[key], self.headers[key]
        r = self.kit.create(items, headers=h, compound=compound, closes_at=at(days=closes_days))
        assert r.status_code == 201, r.get_json()
        vote = self.client.post(f"/api/v1/votes/{r.get_json()['id']}/publish", headers=h).get_json()
        for unit, choice in zip(self.units[key], choices, strict=False):
            if choice:
                r = self.kit.paper(vote, unit, choice, headers=h)
                assert r.status_code == 201, r.get_json()
        return vote

    def get(self, headers=None, status_code=200, **query):
        r = self.client.get(URL, query_string=query, headers=headers or self.world.h["admin"])
        assert r.status_code == status_code, r.get_json()
        return r.get_json()


@pytest.fixture
def city(client, make, world, kit, clock):
    c = City(client, make, world, kit, clock)
    # votes: c1 passes (6 of 8 agree), c2 fails for participation (1 of 4), c3 fails on consent (3 of 5 disagree)
    c.vote("c1", [item("rebuild", "加装电梯"), item("consultation", "井道位置")], ["agree"] * 7 + [None])
    c.vote("c2", [item("property_manager", "选聘物业")], ["agree"])
    c.vote("c3", [item("fund_use", "使用维修资金")], ["disagree", "disagree", "disagree", "agree", "agree"])
    c.vote("c1b", [item("other_major", "停车")], ["agree"] * 3, closes_days=20)  # closes later
    clock.advance(days=2)  # all but c1b's have closed
    # surveys: c1 whole compound (8 households), two answered; c2 building 1 (4), one answered
    for key, answered in (("c1", 2), ("c2", 1)):
        h = c.headers[key]
        body = {"title": "问卷", "opens_at": at(minutes=-1), "closes_at": at(days=1),
                "questions": [{"key": "q1", "type": "single", "title": "是否同意", "options": ["a", "b"]}]}  # fmt: skip
        s = c.client.post(f"/api/v1/compounds/{c.compounds[key].id}/surveys", json=body, headers=h).get_json()
        assert c.client.post(f"/api/v1/surveys/{s['id']}/publish", headers=h).status_code == 200
        for unit in c.units[key][:answered]:
            r = c.client.post(f"/api/v1/surveys/{s['id']}/paper-responses",
                              json={"unit_id": unit.id, "answers": {"q1": "a"}}, headers=h)  # fmt: skip
            assert r.status_code == 201, r.get_json()
    # co-funding: c1 a campaign of ¥8,000 with ¥2,000 subsidy, ¥1,000 paid; c3 one of ¥3,000, nothing paid
    camp = create_campaign(c.client, c.headers["c1"], c.compounds["c1"], total_cost_fen=800_000, rule="equal",
                           subsidies=[{"source": "city", "amount_fen": 200_000}])  # fmt: skip
    publish_campaign(c.client, c.headers["c1"], camp)
    assert pay_campaign(c.client, c.headers["c1"], camp, c.units["c1"][0], 75_000, "P1").status_code == 201
    assert pay_campaign(c.client, c.headers["c1"], camp, c.units["c1"][1], 25_000, "P2").status_code == 201
    camp3 = create_campaign(c.client, c.headers["c3"], c.compounds["c3"], total_cost_fen=300_000, rule="area")
    publish_campaign(c.client, c.headers["c3"], camp3)
    create_campaign(c.client, c.headers["c2"], c.compounds["c2"], total_cost_fen=999_999)  # a draft: not counted
    # maintenance fund: c1 at 30 fen/m², one unit paid in full, one part; c3 at 25 fen/m², one overpaid
    fund1 = Fund(c.client, c.compounds["c1"], c.headers["c1"])
    fund1.rate(30)
    fund1.deposit(c.units["c1"][0], 2400, "F1")
    fund1.deposit(c.units["c1"][1], 1000, "F2")
    fund3 = Fund(c.client, c.compounds["c3"], c.headers["c3"])
    fund3.rate(25)
    fund3.deposit(c.units["c3"][0], 5000, "F3")
    # management: c1 quasi at 55 fen (fees from January), c3 professional with nobody named yet (失管)
    for key, body in (
        ("c1", {"model": "quasi", "responsible_party": "幸福里社区居委会", "fee_fen_per_m2_month": 55}),
        ("c3", {"model": "professional", "provider_name": "某物业", "fee_fen_per_m2_month": 100}),
    ):
        body = {"version": 0, "effective_from": "2025-01-01", "basis": "街道安排", **body}
        r = c.client.put(f"/api/v1/compounds/{c.compounds[key].id}/management", json=body, headers=c.headers[key])
        assert r.status_code == 200, r.get_json()
    for unit, fen in ((c.units["c1"][0], 4400), (c.units["c1"][1], 100)):
        body = {"kind": "payment", "unit_id": unit.id, "period": "2025-03", "amount_fen": fen,
                "paid_on": "2025-03-10", "reference": f"M{unit.id}", "method": "wechat"}  # fmt: skip
        r = c.client.post(f"/api/v1/compounds/{c.compounds['c1'].id}/management/fees/entries", json=body,
                          headers=c.headers["c1"])  # fmt: skip
        assert r.status_code == 201, r.get_json()
    return c


def cents(value):
    """An API figure as an integer: areas come as "86.50" strings, hundredths of m²."""
    return int(value.replace(".", "")) if isinstance(value, str) else value


def summed(rows):
    return {name: sum(cents(r[name]) for r in rows) for name in SUMMED}


def assert_rates_recomputed(figures):
    for name, _, num, den in rollup.RATES:
        n, d = cents(figures[num]), cents(figures[den])
        assert figures[name] == (ratio(Fraction(n, d)) if d else None), (name, n, d, figures[name])


def walk(city, headers, org_id=None, seen=None):
    """Every level under ``org_id``: its total is the sum of its rows, each row the total of its own level."""
    seen = [] if seen is None else seen
    body = city.get(headers, **({"org_id": org_id} if org_id else {}))
    assert summed(body["rows"]) == {k: cents(v) for k, v in body["total"].items() if k in SUMMED}, body["org"]
    assert_rates_recomputed(body["total"])
    for row in body["rows"]:
        assert_rates_recomputed(row)
        if row["kind"] == "org":
            below = walk(city, headers, row["id"], seen)
            assert {k: cents(row[k]) for k in SUMMED} == {k: cents(below["total"][k]) for k in SUMMED}
        else:
            seen.append(row)
    return body


def test_every_level_is_the_exact_sum_of_the_level_below(city):
    top = walk(city, city.world.h["admin"])
    assert top["org"] is None and [r["name"] for r in top["rows"]] == ["西安市"]
    total = top["total"]
    assert (total["compounds"], total["buildings"], total["units"], total["units_bound"]) == (5, 6, 22, 4)
    assert total["binding_rate"] == ratio(Fraction(4, 22))
    # c1 passes its rebuild (the consultation decides nothing), c2 lacks participation, c3 lacks consent; c1b is open
    assert (total["votes"], total["items"]) == (4, 5)
    assert (total["items_passed"], total["items_failed_participation"], total["items_failed_consent"]) == (1, 1, 1)
    assert (total["surveys"], total["survey_responses"], total["survey_audience"]) == (2, 3, 12)
    assert total["response_rate"] == 0.25
    assert (total["cofund_campaigns"], total["cofund_target_fen"], total["cofund_subsidy_fen"]) == (
        2,
        1_100_000,
        200_000,
    )
    assert (total["cofund_paid_fen"], total["cofund_gap_fen"]) == (100_000, 500_000 + 300_000)
    # fund: 30 fen × 80 m² = 2400 (six units), × 63.33 = 1899.9 → 1900 (two); 25 × 55.55 = 1388.75 → 1389 (five)
    assert total["fund_due_fen"] == 6 * 2400 + 2 * 1900 + 5 * 1389
    assert (total["fund_paid_fen"], total["fund_units_paid"]) == (2400 + 1000 + 5000, 2)
    assert total["fund_outstanding_fen"] == total["fund_due_fen"] - 2400 - 1000 - 1389
    assert total["fund_collection_rate"] == ratio(Fraction(2400 + 1000 + 1389, total["fund_due_fen"]))
    # management: c1 quasi, c3 professional without anybody responsible (失管), three never recorded (失管)
    assert [total[f"model_{m}"] for m in ("professional", "quasi", "self_managed", "none")] == [1, 1, 0, 3]
    assert total["unmanaged"] == 4
    # fees this month (2025-03): c1's eight units at 55 fen (4400 for 80 m²) and c3's five at 100 fen; one paid
    assert (total["fee_units_charged"], total["fee_units_paid"]) == (13, 1)


def test_district_rows_and_a_community_lists_its_compounds(city):
    w, h = city.world, city.world.h["official_city"]
    body = city.get(h)
    assert body["org"]["id"] == w.city.id and [p["name"] for p in body["path"]] == ["西安市"]
    districts = {r["name"]: r for r in body["rows"]}
    assert set(districts) == {"雁塔区", "碑林区"} and all(r["kind"] == "org" for r in body["rows"])
    assert districts["雁塔区"]["items_passed"] == 1 and districts["碑林区"]["items_failed_consent"] == 1
    assert districts["碑林区"]["unmanaged"] == 2 and districts["碑林区"]["level_name"] == "区县"
    community = city.get(h, org_id=w.c1.id)
    assert [p["name"] for p in community["path"]] == ["西安市", "雁塔区", "小寨路街道", "幸福里社区"]
    assert [(r["kind"], r["name"]) for r in community["rows"]] == [
        ("compound", "幸福里小区"),
        ("compound", city.compounds["c1b"].name),
    ]
    assert [c["key"] for c in body["charts"]] == [
        "consent_owners_rate", "participation_owners_rate", "cofund_gap_fen", "fund_collection_rate"
    ]  # fmt: skip
    assert all(
        c["svg"].startswith("<svg") and "style=" not in c["svg"] and "雁塔区" in c["svg"] for c in body["charts"]
    )


def test_filters_matter_status_and_dates(city):
    h = city.world.h["admin"]
    rebuild = city.get(h, matter="rebuild")["total"]
    assert (rebuild["votes"], rebuild["items"], rebuild["items_passed"]) == (1, 1, 1)
    assert rebuild["electorate_owners"] == 8 and rebuild["participating_owners"] == 7
    assert rebuild["participation_owners_rate"] == ratio(Fraction(7, 8))
    open_ = city.get(h, status="open")["total"]
    assert (open_["votes"], open_["items"], open_["items_passed"]) == (1, 1, 0)
    today = utcnow().astimezone(CHINA_TZ).date()
    until_today = city.get(h, end=today.isoformat())["total"]
    assert until_today["votes"] == 3  # c1b closes in three weeks
    later = city.get(h, start=(today + timedelta(days=2)).isoformat())["total"]  # surveys close tomorrow
    assert (later["votes"], later["surveys"]) == (1, 0)
    # the fee month: December of the end date's year when that year is over (management began in 2025)
    last_year = city.get(h, end="2024-06-30")["total"]
    assert (last_year["votes"], last_year["fee_units_charged"]) == (0, 0)
    assert city.get(h, status="draft", status_code=422) is not None


def test_an_official_sees_only_their_region(city, client):
    w = city.world
    other = w.h["official_other"]
    body = city.get(other)
    assert body["org"]["name"] == "碑林区" and body["total"]["compounds"] == 2
    assert [p["name"] for p in body["path"]] == ["碑林区"]
    assert "幸福里小区" not in str(city.get(other, org_id=w.c3.id))
    for path in (URL, URL + "/compounds"):
        r = client.get(path, query_string={"org_id": w.district.id, "figure": "units"}, headers=other)
        assert_error(r, 403, "outside_jurisdiction")
    listed = client.get(URL + "/compounds", query_string={"figure": "units"}, headers=other)
    assert sorted(r["name"] for r in listed.get_json()) == ["书院二期", "书院小区"]
    street = city.get(w.h["official"])
    assert [r["name"] for r in street["rows"]] == ["幸福里社区", "和平路社区"]
    committee = city.get(w.h["committee"])
    assert committee["org"]["name"] == "幸福里社区" and committee["total"]["compounds"] == 2
    assert client.get(URL, headers=city.make.headers(city.make.resident(city.units["c1"][3]))).status_code == 403


def test_the_compounds_behind_a_figure_paged(city, client):
    h = city.world.h["official_city"]
    r = client.get(URL + "/compounds", query_string={"figure": "unmanaged", "per_page": 2}, headers=h)
    assert r.status_code == 200 and r.headers["X-Total-Count"] == "4"
    first = [x["name"] for x in r.get_json()]
    r = client.get(URL + "/compounds", query_string={"figure": "unmanaged", "per_page": 2, "page": 2}, headers=h)
    assert sorted(first + [x["name"] for x in r.get_json()]) == sorted(
        [city.compounds[k].name for k in ("c1b", "c2", "c3", "c3b")]
    )
    failed = client.get(URL + "/compounds", query_string={"figure": "items_failed_participation"}, headers=h)
    assert [x["name"] for x in failed.get_json()] == ["和平小区"]
    owing = client.get(URL + "/compounds", query_string={"figure": "fund_outstanding_fen"}, headers=h).get_json()
    assert [x["name"] for x in owing] == ["幸福里小区", "书院小区"] and all(x["kind"] == "compound" for x in owing)
    r = client.get(URL + "/compounds", query_string={"figure": "nothing"}, headers=h)
    assert r.status_code == 422


def test_csv_is_neutralised_and_xlsx_has_its_chart(city, client):
    w, h = city.world, city.world.h["committee"]
    r = client.get(URL, query_string={"format": "csv"}, headers=h)
    assert r.status_code == 200 and r.mimetype == "text/csv"
    text = r.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][:3] == ["名称", "层级", "小区数"]
    names = [row[0] for row in rows[1:]]
    assert names == ["幸福里小区", "'" + city.compounds["c1b"].name, "合计（幸福里社区）"]
    body = city.get(h)
    column = rows[0].index(rollup.HEADER_OF["fund_due_fen"])
    assert rows[-1][column] == f"{body['total']['fund_due_fen'] // 100}.{body['total']['fund_due_fen'] % 100:02d}"
    column = rows[0].index(rollup.HEADER_OF["participation_owners_rate"])
    assert Fraction(rows[1][column]) == Fraction(7 + 7, 8 + 8)  # both items of c1's vote: 7 of 8, exact

    r = client.get(URL, query_string={"format": "xlsx", "org_id": w.city.id}, headers=w.h["admin"])
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.data))
    assert wb.sheetnames == ["汇总表", "图表"]
    table, summary = wb["汇总表"], wb["图表"]
    assert [c.value for c in table[1]][:2] == ["名称", "层级"] and table.freeze_panes == "A2"
    assert [table.cell(row=n, column=1).value for n in (2, 3, 4)] == ["雁塔区", "碑林区", "合计（西安市）"]
    assert len(summary._charts) == 1 and summary._charts[0].tagname == "barChart"
    assert summary.cell(row=2, column=2).number_format == "0.00%"


def test_declared_outputs(city, client):
    api = Documented(client)
    h = city.world.h["official_city"]
    api("GET", URL, headers=h)
    api("GET", URL, headers=city.world.h["admin"], query_string={"org_id": city.world.c1.id, "matter": "rebuild"})
    api("GET", URL + "/compounds", headers=h, query_string={"figure": "units"})


def test_a_constant_number_of_statements(city, client, make):
    h = city.world.h["admin"]
    _, before = statements_of(lambda: client.get(URL, headers=h))
    # more compounds, units, a vote, a campaign and a fund rate: the same statements
    for n in range(3):
        compound = make.compound(city.world.c2, f"新小区{n}")
        city.compounds[f"n{n}"], city.headers[f"n{n}"] = compound, city.world.h["committee2"]
        city.units[f"n{n}"] = make.units(compound, 3)
        city.vote(f"n{n}", [item("rebuild", "加装电梯")], ["agree"] * 3)
    r, after = statements_of(lambda: client.get(URL, headers=h))
    assert r.get_json()["total"]["compounds"] == 8
    assert len(after) == len(before), (len(before), len(after))
    print(f"statements per roll-up: {len(after)}")


# The roll-up's statements on SQLite (authentication, the compounds, one grouped query or so per figure, the votes,
# their items and one streamed aggregate of their ballots); PostgreSQL adds `SET LOCAL jit = off` before the stream.
ROLLUP_STATEMENTS = {"sqlite": 22, "postgresql": 23}


def test_statements_do_not_grow_with_the_number_of_votes(city, client):
    """Votes are counted by one aggregate streamed a vote at a time, never a query per vote or per batch of votes:
    twelve more votes with their ballots, the same statements, and the pinned number of them."""
    from backend.extensions import db

    h = city.world.h["admin"]
    _, before = statements_of(lambda: client.get(URL, headers=h))
    for _ in range(6):
        city.vote("c2", [item("rebuild", "加装电梯"), item("fund_use", "使用维修资金")], ["agree", "disagree", "agree"])
        city.vote("c3", [item("other_major", "停车")], ["agree"] * 5)
    city.clock.advance(days=2)
    r, after = statements_of(lambda: client.get(URL, headers=h))
    total = r.get_json()["total"]
    decided = (total["items_passed"], total["items_failed_participation"], total["items_failed_consent"])
    assert total["votes"] == 16 and decided == (1 + 12, 1, 1 + 6)  # c2's rebuild: 2 of 3 agree, short of 3/4
    assert len(after) == len(before) == ROLLUP_STATEMENTS[db.engine.dialect.name], "\n".join(after)


def test_each_compound_agrees_with_its_own_desk(city, client):
    """The grouped figures equal what each compound's fund, fee and campaign pages give for it."""
    h = city.world.h["admin"]
    rows = {}
    for community in (city.world.c1, city.world.c2, city.world.c3):
        rows |= {r["id"]: r for r in city.get(h, org_id=community.id)["rows"]}
    for compound in city.compounds.values():
        row = rows[compound.id]
        fund = client.get(f"/api/v1/compounds/{compound.id}/fund", headers=h).get_json()
        assert (row["fund_due_fen"], row["fund_paid_fen"]) == (fund["due_fen"], fund["paid_fen"])
        assert (row["fund_outstanding_fen"], row["fund_units_paid"]) == (fund["outstanding_fen"], fund["units_paid"])
        fees = client.get(f"/api/v1/compounds/{compound.id}/management/fees", headers=h).get_json()
        month = next((p for p in fees["periods"] if p["period"] == "2025-03"), None)
        charged, paid = (month["units_charged"], month["units_paid"]) if month else (0, 0)
        assert (row["fee_units_charged"], row["fee_units_paid"]) == (charged, paid)
        campaigns = client.get(f"/api/v1/compounds/{compound.id}/campaigns", headers=h).get_json()
        published = [client.get(f"/api/v1/campaigns/{c['id']}", headers=h).get_json() for c in campaigns]
        published = [c for c in published if c["status"] != "draft"]
        for key in ("pledged_fen", "paid_fen", "gap_fen"):
            assert row[f"cofund_{key}"] == sum(c[key] for c in published), (compound.name, key)


def test_unclosed_construction_problems_roll_up(pr, world, client):  # noqa: F811  (pr: the fixture)
    from tests.test_construction_problems import file

    problem = file(pr, pr.project, pr.rh)
    h = world.h["official"]
    total = client.get("/api/v1/reports/rollup", headers=h).get_json()["total"]
    assert total["problems_unclosed"] == 1
    behind = client.get("/api/v1/reports/rollup/compounds", query_string={"figure": "problems_unclosed"}, headers=h)
    assert [c["name"] for c in behind.get_json()] == [pr.c1.name]
    assert (
        client.post(
            f"/api/v1/problems/{problem['id']}/reply", json={"reply": "已要求夜间停工"}, headers=pr.h
        ).status_code
        == 200
    )
    assert client.post(f"/api/v1/problems/{problem['id']}/close", headers=pr.h).status_code == 200
    assert client.get("/api/v1/reports/rollup", headers=h).get_json()["total"]["problems_unclosed"] == 0
