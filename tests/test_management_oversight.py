"""Service rating and the officials' view of property management (DOMAIN.md §1, §7) through HTTP, on SQLite and
PostgreSQL: means per aspect exact over two years and two providers, an anonymous survey rating like a named one,
only surveys that are over counted, each region seeing its own, the overview's counts, 失管 list, ranking and model
changes, and the CSV and XLSX exports read back with the JSON's figures."""

import csv
import io
from datetime import datetime
from decimal import Decimal

from openpyxl import load_workbook

from backend.types import CHINA_TZ
from tests.test_votes_kit import assert_error, at

ASPECTS = ["cleaning", "security", "repairs", "green", "parking", "attitude"]
OVERVIEW = "/api/v1/management/overview"


def beijing(*args):
    return datetime(*args, tzinfo=CHINA_TZ)


def record(kit, compound, version, headers=None, **fields):
    body = {"version": version, "model": "none", "basis": "登记", **fields}
    r = kit.client.put(f"/api/v1/compounds/{compound.id}/management", json=body, headers=headers or kit.h)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def scores(cleaning, security=3, repairs=3, green=3, parking=3, attitude=3, **extra):
    return {"cleaning": cleaning, "security": security, "repairs": repairs, "green": green, "parking": parking,
            "attitude": attitude, **extra}  # fmt: skip


def rating_survey(kit, compound, units, answers, template="satisfaction_after_works", headers=None, **extra):
    """A published rating survey of ``compound`` answered on paper, one answer set per unit; returned open."""
    h = headers or kit.h
    body = {"template": template, "opens_at": at(minutes=-5), "closes_at": at(days=3), **extra}
    r = kit.client.post(f"/api/v1/compounds/{compound.id}/surveys", json=body, headers=h)
    assert r.status_code == 201, r.get_json()
    survey = r.get_json()
    assert kit.client.post(f"/api/v1/surveys/{survey['id']}/publish", headers=h).status_code == 200
    for unit, answer in zip(units, answers, strict=True):
        if template == "satisfaction_after_works":
            answer = {"works": 4, **answer}
        r = kit.client.post(
            f"/api/v1/surveys/{survey['id']}/paper-responses", json={"unit_id": unit.id, "answers": answer}, headers=h
        )
        assert r.status_code == 201, r.get_json()
    return survey


def close(kit, survey, headers=None):
    r = kit.client.post(f"/api/v1/surveys/{survey['id']}/close", headers=headers or kit.h)
    assert r.status_code == 200, r.get_json()


def ratings(kit, compound, headers=None, status=200):
    r = kit.client.get(f"/api/v1/compounds/{compound.id}/management/ratings", headers=headers or kit.h)
    assert r.status_code == status, r.get_json()
    return r


def aspects(row):
    return {a["key"]: (a["responses"], a["mean_text"]) for a in row["aspects"]}


def test_the_provider_template_is_listed(kit):
    listed = {t["code"]: t for t in kit.client.get("/api/v1/survey-templates", headers=kit.h).get_json()}
    assert "provider_rating" in listed and listed["provider_rating"]["question_count"] == 7


def test_ratings_per_year_and_provider_with_exact_means(kit, make, world):
    c1 = kit.compound
    units = make.units(c1, 4)
    record(kit, c1, 0, model="professional", provider_name="安居物业", responsible_party="安居物业",
           fee_fen_per_m2_month=120, effective_from="2024-01-01")  # fmt: skip
    # 2025: the anonymous after-works survey, closed early today (2025-03-14).
    first = rating_survey(kit, c1, units[:3], [scores(5, attitude=5), scores(4, attitude=4), scores(4, attitude=4)])
    assert first["anonymous"] is True
    close(kit, first)
    # Still open (until 2027), answered: not counted.
    rating_survey(kit, c1, units[3:], [scores(1)], template="provider_rating", closes_at=at(days=800))
    # 2026: another provider from New Year; a named yearly survey, over once its closing time has passed.
    kit.clock.set(beijing(2026, 2, 1, 9))
    record(kit, c1, 1, model="professional", provider_name="新城物业", responsible_party="新城物业",
           fee_fen_per_m2_month=150, effective_from="2026-01-01")  # fmt: skip
    second = rating_survey(
        kit,
        c1,
        units[:2],
        [scores(2, parking=5), scores(5, comments="好")],
        template="provider_rating",
        anonymous=False,
    )
    assert second["anonymous"] is False
    assert [x["year"] for x in ratings(kit, c1).get_json()] == [2025]  # the 2026 survey is still open
    kit.clock.advance(days=4)

    r = ratings(kit, c1, headers=world.h["official"])
    rows = r.get_json()
    assert r.headers["X-Total-Count"] == "2"
    assert [(x["year"], x["provider"], x["surveys"], x["responses"]) for x in rows] == [
        (2025, "安居物业", 1, 3),
        (2026, "新城物业", 1, 2),
    ]
    assert aspects(rows[0]) == {
        "cleaning": (3, "4.33"),  # 13/3
        "security": (3, "3.00"),
        "repairs": (3, "3.00"),
        "green": (3, "3.00"),
        "parking": (3, "3.00"),
        "attitude": (3, "4.33"),
    }
    assert rows[0]["aspects"][0]["mean"] == 4.3333 and rows[0]["aspects"][0]["name"] == "保洁"
    # overall: (13 + 9*4 + 13) / 18 = 62/18 = 3.444…
    assert rows[0]["overall_text"] == "3.44" and rows[0]["overall_mean"] == 3.4444
    assert aspects(rows[1])["cleaning"] == (2, "3.50") and aspects(rows[1])["parking"] == (2, "4.00")
    assert rows[1]["overall_text"] == "3.25"  # (7 + 4*6 + 8) / 12 = 39/12


def test_a_survey_closes_under_the_provider_then_in_force(kit, make, world):
    """No provider named: grouped under the model's name; none recorded yet: 尚未选择."""
    c1 = kit.compound
    units = make.units(c1, 2)
    survey = rating_survey(kit, c1, units[:1], [scores(3)])
    close(kit, survey)
    record(kit, c1, 0, model="quasi", responsible_party="幸福里社区居委会", effective_from="2025-03-15")
    kit.clock.set(beijing(2025, 6, 1, 9))
    close(kit, rating_survey(kit, c1, units, [scores(4), scores(5)], template="provider_rating"))
    rows = ratings(kit, c1).get_json()
    assert [(x["year"], x["provider"], x["responses"]) for x in rows] == [
        (2025, "尚未选择", 1),
        (2025, "社区准物业", 2),
    ]


def test_other_regions_see_none_of_it(kit, make, world):
    c1 = kit.compound
    close(kit, rating_survey(kit, c1, make.units(c1, 1), [scores(5)]))
    assert_error(ratings(kit, c1, headers=world.h["official_other"], status=403), 403, "outside_jurisdiction")
    assert_error(ratings(kit, c1, headers=world.h["committee2"], status=403), 403, "outside_jurisdiction")
    other = kit.client.get(OVERVIEW, headers=world.h["official_other"]).get_json()
    assert [c["compound"] for c in other["compounds"]] == ["书院小区"] and other["providers"] == []
    r = kit.client.get(OVERVIEW, query_string={"org_id": world.street.id}, headers=world.h["official_other"])
    assert_error(r, 403, "outside_jurisdiction")
    mine = kit.client.get(OVERVIEW, headers=kit.h).get_json()
    assert [c["compound_id"] for c in mine["compounds"]] == [c1.id] and mine["compounds_total"] == 1
    assert [p["provider"] for p in mine["providers"]] == ["尚未选择"]
    r = kit.client.get(OVERVIEW, query_string={"format": "csv"}, headers=world.h["committee2"])
    assert "幸福里小区" not in r.get_data(as_text=True) and "和平小区" in r.get_data(as_text=True)
    assert kit.client.get(OVERVIEW, headers=make.headers(make.resident())).status_code == 403


def build_region(kit, make, world):
    """c1: professional since 2024, quasi from 2025-03-01, rated twice; c2: 失管 (bankrupt owner), rated once."""
    c1, c2 = kit.compound, world.compounds["c2"]
    h2 = world.h["committee2"]
    record(kit, c1, 0, model="professional", provider_name="安居物业", responsible_party="安居物业",
           rights_holder="work_unit", fee_fen_per_m2_month=120, effective_from="2024-05-01")  # fmt: skip
    record(kit, c1, 1, model="quasi", provider_name="=HYPERLINK(\"x\")", responsible_party="幸福里社区居委会",
           rights_holder="work_unit", fee_fen_per_m2_month=50, effective_from="2025-03-01",
           basis="业主表决选定社区准物业")  # fmt: skip
    record(kit, c1, 2, model="quasi", provider_name="=HYPERLINK(\"x\")", responsible_party="幸福里社区居委会",
           rights_holder="work_unit", fee_fen_per_m2_month=55, effective_from="2025-03-10", basis="调价")  # fmt: skip
    record(kit, c2, 0, headers=h2, rights_holder="enterprise_bankrupt", basis="原产权单位破产，无人管理",
           effective_from="2025-01-02")  # fmt: skip
    units1, units2 = make.units(c1, 3), make.units(c2, 2)
    close(kit, rating_survey(kit, c1, units1, [scores(5), scores(4), scores(3)]))
    close(kit, rating_survey(kit, c1, units1[:1], [scores(5, attitude=5)], template="provider_rating"))
    close(kit, rating_survey(kit, c2, units2, [scores(2), scores(1)], headers=h2), headers=h2)
    return c1, c2


def test_the_overview(kit, make, world):
    build_region(kit, make, world)
    r = kit.client.get(OVERVIEW, query_string={"year": 2025}, headers=world.h["official"])
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["year"] == 2025 and body["compounds_total"] == 2
    assert {m["model"]: (m["model_name"], m["compounds"]) for m in body["by_model"]} == {
        "professional": ("专业物业公司", 0),
        "quasi": ("社区准物业", 1),
        "self_managed": ("业主自治", 0),
        "none": ("尚未选择", 1),
    }
    [lost] = body["unmanaged"]
    assert (lost["compound"], lost["community"], lost["street"]) == ("和平小区", "和平路社区", "小寨路街道")
    assert (lost["rights_holder"], lost["rights_holder_name"]) == ("enterprise_bankrupt", "破产企业")
    ranked = [(p["rank"], p["provider"], p["compounds"], p["surveys"], p["responses"], p["overall_text"])
              for p in body["providers"]]  # fmt: skip
    # Both of c1's surveys closed under the provider recorded from 2025-03-10; c2's under nobody (尚未选择).
    assert ranked == [(1, '=HYPERLINK("x")', 1, 2, 4, "3.29"), (2, "尚未选择", 1, 1, 2, "2.75")]
    # c1: cleaning 5+4+3+5 = 17/4; attitude 3+3+3+5 = 14/4; overall (17 + 4*4*3 + 14)/24 = 79/24 = 3.2916…
    top = {a["key"]: a["mean_text"] for a in body["providers"][0]["aspects"]}
    assert top["cleaning"] == "4.25" and top["attitude"] == "3.50"
    [change] = body["model_changes"]
    assert (change["compound"], change["old_model"], change["new_model"]) == ("幸福里小区", "professional", "quasi")
    assert change["new_model_name"] == "社区准物业" and change["effective_from"] == "2025-03-01"
    assert change["basis"] == "业主表决选定社区准物业" and change["effective_from_text"] == "2025年3月1日"
    rows = {c["compound"]: c for c in body["compounds"]}
    assert rows["幸福里小区"]["model_changed"] and not rows["和平小区"]["model_changed"]
    assert rows["幸福里小区"]["fee_fen_per_m2_month"] == 55 and rows["幸福里小区"]["rating_mean_text"] == "3.29"
    assert rows["和平小区"]["unmanaged"] and rows["和平小区"]["collection"]["units_charged"] == 0
    assert rows["和平小区"]["collection"]["rate"] is None
    # c1's fee collection for the month officials watch: one of three flats paid it in full
    watched = rows["幸福里小区"]["collection"]
    assert (watched["units_charged"], watched["units_paid"], watched["rate"]) == (3, 0, 0.0)
    month = kit.client.get(f"/api/v1/compounds/{kit.compound.id}/management/fees", headers=kit.h).get_json()["periods"][
        0
    ]
    assert month["period"] == watched["period"]
    unit = kit.client.get(f"/api/v1/compounds/{kit.compound.id}/management/fees/arrears", headers=kit.h).get_json()[0]
    paid = {
        "kind": "payment",
        "unit_id": unit["unit"]["id"],
        "period": month["period"],
        "amount_fen": month["due_fen"] // 3,
    }
    paid.update(paid_on=month["period"] + "-01", reference="SJ-1")
    r = kit.client.post(f"/api/v1/compounds/{kit.compound.id}/management/fees/entries", json=paid, headers=kit.h)
    assert r.status_code == 201, r.get_json()
    again = kit.client.get(OVERVIEW, query_string={"year": 2025}, headers=world.h["official"]).get_json()
    watched = next(c for c in again["compounds"] if c["compound"] == "幸福里小区")["collection"]
    assert (watched["units_paid"], watched["rate"], watched["period_text"]) == (1, 0.3333, month["period_text"])
    body = again
    last_year = kit.client.get(OVERVIEW, query_string={"year": 2024}, headers=world.h["official"]).get_json()
    assert [(c["old_model"], c["new_model"]) for c in last_year["model_changes"]] == [("none", "professional")]
    assert last_year["providers"] == [] and body == kit.client.get(OVERVIEW, headers=world.h["official"]).get_json()
    everyone = kit.client.get(OVERVIEW, headers=world.h["admin"]).get_json()
    assert everyone["compounds_total"] == 3 and len(everyone["unmanaged"]) == 2
    narrowed = kit.client.get(OVERVIEW, query_string={"org_id": world.c2.id}, headers=world.h["official"]).get_json()
    assert [c["compound"] for c in narrowed["compounds"]] == ["和平小区"]
    assert_error(kit.client.get(OVERVIEW, query_string={"year": 1999}, headers=kit.h), 422, "validation_error")


def test_exports_read_back_with_the_jsons_figures(kit, make, world):
    build_region(kit, make, world)
    h = world.h["official"]
    body = kit.client.get(OVERVIEW, headers=h).get_json()
    r = kit.client.get(OVERVIEW, query_string={"format": "csv"}, headers=h)
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "filename*=UTF-8''" in r.headers["Content-Disposition"] and ".csv" in r.headers["Content-Disposition"]
    raw = r.get_data(as_text=True)
    assert raw.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(raw[1:])))
    header, rows = table[0], table[1:]
    assert header[:4] == ["区县", "街道", "社区", "小区"] and len(rows) == len(body["compounds"]) == 2
    first = dict(zip(header, rows[0], strict=True))
    assert first["小区"] == "幸福里小区" and first["管理模式"] == "社区准物业"
    assert first["物业服务企业（管理人）"] == '\'=HYPERLINK("x")'  # neutralised, not a formula
    assert first["物业费（元/平方米·月）"] == "0.55" and first["产权类型"] == "原产权单位"
    assert (first["是否失管"], first["本年更换管理模式"]) == ("否", "是")
    assert first["服务评分（平均分）"] == body["compounds"][0]["rating_mean_text"] == "3.29"
    assert first["评价份数"] == "4" and first["物业费收缴率"] == "0"  # three flats charged, none paid yet
    second = dict(zip(header, rows[1], strict=True))
    assert (second["是否失管"], second["产权类型"], second["服务评分（平均分）"]) == ("是", "破产企业", "2.75")

    r = kit.client.get(OVERVIEW, query_string={"format": "xlsx"}, headers=h)
    assert r.status_code == 200 and ".xlsx" in r.headers["Content-Disposition"]
    ws = load_workbook(io.BytesIO(r.data)).active
    assert ws.freeze_panes == "A2" and ws["A1"].font.bold
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    assert cells[0] == header
    sheet = dict(zip(header, cells[1], strict=True))
    assert sheet["物业服务企业（管理人）"] == '\'=HYPERLINK("x")'
    assert Decimal(str(sheet["物业费（元/平方米·月）"])) == Decimal("0.55")
    assert Decimal(str(sheet["服务评分（平均分）"])) == Decimal(body["compounds"][0]["rating_mean_text"])
    assert sheet["评价份数"] == 4 and sheet["是否失管"] == "否"
    assert [row[3] for row in cells[1:]] == [c["compound"] for c in body["compounds"]]


def test_outputs_are_declared(client, kit, make, world):
    from tests.test_declared_outputs import Documented

    build_region(kit, make, world)
    api = Documented(client)
    api("GET", "/api/v1/compounds/{compound_id}/management/ratings", compound_id=kit.compound.id, headers=kit.h)
    api("GET", "/api/v1/management/overview", headers=world.h["official"])
    api("GET", "/api/v1/management/overview", headers=world.h["admin"], query_string={"year": 2024})


def test_fee_collection_takes_the_same_statements_for_more_compounds(kit, make, world):
    """The overview counts every compound's fee collection in a fixed number of grouped queries
    (``management.fees.dues.collection``, the roll-up's too): more compounds charging a fee, with more units and
    payments, add no statement, and each still gets its own figures."""
    from tests.statements import statements_of

    h = world.h["official_city"]

    def charge(compound, paid_units):
        record(kit, compound, 0, model="quasi", responsible_party="居委会", fee_fen_per_m2_month=55,
               effective_from="2025-01-01")  # fmt: skip
        for unit in paid_units:  # 55 fen × 80 m² = ¥44.00 for March 2025
            body = {"kind": "payment", "unit_id": unit.id, "period": "2025-03", "amount_fen": 4400,
                    "paid_on": "2025-03-10", "reference": f"C{unit.id}"}  # fmt: skip
            r = kit.client.post(f"/api/v1/compounds/{compound.id}/management/fees/entries", json=body, headers=kit.h)
            assert r.status_code == 201, r.get_json()

    def overview():
        r, seen = statements_of(lambda: kit.client.get(OVERVIEW, query_string={"year": 2025}, headers=h))
        assert r.status_code == 200, r.get_json()
        return {c["compound"]: c["collection"] for c in r.get_json()["compounds"]}, len(seen)

    charge(kit.compound, make.units(kit.compound, 2)[:1])
    _, before = overview()
    for n in range(3):
        compound = make.compound(world.c1, f"新建{n}小区")
        charge(compound, make.units(compound, 3)[:n])
    rows, after = overview()
    assert after == before, (before, after)
    for n in range(3):
        assert (rows[f"新建{n}小区"]["units_charged"], rows[f"新建{n}小区"]["units_paid"]) == (3, n)
    assert (rows["幸福里小区"]["units_charged"], rows["幸福里小区"]["units_paid"]) == (2, 1)
