"""The maintenance-fund ledger through HTTP (DOMAIN.md §4, API.md "Maintenance fund"), on SQLite and PostgreSQL:
dues to the fen, which rate applies when, append-only entries, spending shared by area, the 30 % top-up flag at its
boundary, imports all or nothing, who may read and write, exports, the audit chain and the declared outputs."""

import csv
import io
import subprocess
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from openpyxl import Workbook, load_workbook

from backend import audit
from backend.types import CHINA_TZ
from tests.test_votes_kit import item

# The test clock starts on 2025-03-14, 10:00 in Beijing.
DAY = "2025-03-10"


def base(compound):
    return f"/api/v1/compounds/{compound.id}/fund"


class Fund:
    """Drive one compound's ledger as its committee would."""

    def __init__(self, client, compound, headers):
        self.client, self.compound, self.h = client, compound, headers
        self.url = base(compound)

    def post(self, path, body, status=201, headers=None):
        r = self.client.post(self.url + path, json=body, headers=headers or self.h)
        assert r.status_code == status, r.get_json()
        return r.get_json()

    def get(self, path="", expect=200, headers=None, **query):
        r = self.client.get(self.url + path, query_string=query, headers=headers or self.h)
        assert r.status_code == expect, r.get_json()
        return r.get_json() if r.is_json else r

    def rate(self, fen, building=None, effective_from="2025-01-01", **extra):
        body = {"rate_fen_per_m2": fen, "building": building, "effective_from": effective_from, "basis": "市规定"}
        return self.post("/rates", {**body, **extra})

    def deposit(self, unit, fen, reference, date=DAY, status=201):
        body = {"kind": "deposit", "unit_id": unit.id, "amount_fen": fen, "date": date, "reference": reference}
        return self.post("/entries", body, status)

    def reverse(self, entry_id, status=201, **extra):
        return self.post("/entries", {"kind": "reversal", "reverses": entry_id, "reason": "录错", **extra}, status)

    def spend(self, fen, scope=None, status=201, **extra):
        body = {"title": "屋面防水", "amount_fen": fen, "scope": scope or {}, "date": DAY, **extra}
        return self.post("/spending", body, status)

    def accounts(self, **query):
        return self.get("/accounts", **query)

    def account(self, unit):
        return next(a for a in self.accounts() if a["unit_id"] == unit.id)

    def upload(self, content, name="流水.csv", headers=None):
        return self.client.post(
            self.url + "/imports",
            headers=headers or self.h,
            data={"file": (io.BytesIO(content), name)},
            content_type="multipart/form-data",
        )


@pytest.fixture
def c1(world):
    return world.compounds["c1"]


@pytest.fixture
def fund(client, clock, world, c1):
    return Fund(client, c1, world.h["committee"])


def csv_bytes(rows):
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode("utf-8-sig")


def xlsx_bytes(rows):
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def error_code(r):
    return r.status_code, r.get_json()["code"]


# --- dues and rates --------------------------------------------------------------------------------------------


def test_due_is_rate_times_area_rounded_half_up_at_half_a_fen(fund, make, c1):
    half = make.unit(c1, "1", "1", "101", "80.50")  # 3 × 80.50 = 241.5 fen → 242
    below = make.unit(c1, "1", "1", "102", "80.49")  # 241.47 → 241
    big = make.unit(c1, "1", "1", "103", "86.50")  # 3001 × 86.50 = 259,586.5 → 259,587
    fund.rate(3)
    assert fund.account(half)["due_fen"] == 242
    assert fund.account(below)["due_fen"] == 241
    fund.rate(3001, effective_from="2025-02-01")
    account = fund.account(big)
    assert (account["due_fen"], account["rate_fen_per_m2"]) == (259_587, 3001)
    assert account["first_deposit_fen"] == 260  # 3 × 86.50 = 259.5 → 260: the first rate that applied
    assert (account["status"], account["status_name"], account["outstanding_fen"]) == ("unpaid", "未缴", 259_587)


def test_building_rate_over_compound_rate_and_a_future_rate_waits_for_its_beijing_date(fund, make, c1, clock):
    one = make.unit(c1, "1", "1", "101", "100.00")
    two = make.unit(c1, "2", "1", "101", "100.00")
    fund.rate(3000)
    fund.rate(4000, building="2号楼", effective_from="2025-02-01")  # written as people write it
    fund.rate(5000, effective_from="2025-04-01")  # in the future on the clock's day
    assert [(a["unit_id"], a["due_fen"]) for a in fund.accounts()] == [(one.id, 300_000), (two.id, 400_000)]
    clock.set(datetime(2025, 3, 31, 23, 59, tzinfo=CHINA_TZ))  # not yet 1 April in Beijing
    assert fund.account(one)["due_fen"] == 300_000
    clock.set(datetime(2025, 4, 1, 0, 1, tzinfo=CHINA_TZ))  # 31 March 16:01 UTC, but 1 April in Beijing
    assert clock().date().isoformat() == "2025-03-31"
    first, second = fund.accounts()
    assert (first["due_fen"], first["first_deposit_fen"]) == (500_000, 300_000)
    # The building's own rate stands over the compound's newer one; its first deposit is the compound's
    # 2025-01-01 rate, which applied to it before the building had one.
    assert (second["due_fen"], second["first_deposit_fen"]) == (400_000, 300_000)
    rates = fund.get("/rates")
    assert [r["rate_fen_per_m2"] for r in rates] == [5000, 4000, 3000]
    assert rates[1]["building"] == "2" and rates[1]["effective_from"] == "2025-02-01"


def test_rate_refuses_unknown_building_and_bad_values(fund, make, c1):
    make.unit(c1, "1", "1", "101")
    r = fund.client.post(
        fund.url + "/rates",
        json={"rate_fen_per_m2": 3000, "building": "9", "effective_from": "2025-01-01", "basis": "x"},
        headers=fund.h,
    )
    assert error_code(r) == (422, "building_unknown")
    for bad in (0, -1, 1.5, "3000", True, None):
        body = {"rate_fen_per_m2": bad, "effective_from": "2025-01-01", "basis": "x"}
        r = fund.client.post(fund.url + "/rates", json=body, headers=fund.h)
        assert r.status_code == 422 and "rate_fen_per_m2" in r.get_json()["errors"]["json"], bad


def approved_item(kit, make, matter, passes=True, building="8"):
    """An announced vote whose one item of ``matter`` passed (or failed), in community 1's compound."""
    units = make.units(kit.compound, 4, building=building)
    vote = kit.vote([item(matter, "维修资金事项")], scope={"building": building})
    kit.cast(vote, units, "agree" if passes else "disagree")
    assert kit.post(vote, "close").status_code == 200
    assert kit.post(vote, "announce").status_code == 200
    return vote["items"][0]["id"]


def test_rate_and_spending_rest_on_the_owners_approved_decision(kit, make, client, world, c1):
    fund = Fund(client, c1, world.h["committee"])
    raising, use = approved_item(kit, make, "fund_raising"), approved_item(kit, make, "fund_use", building="9")
    failed = approved_item(kit, make, "fund_raising", passes=False, building="10")
    assert fund.rate(3000, vote_item_id=raising)["vote_item_id"] == raising
    for item_id, code in ((use, "vote_item_invalid"), (failed, "vote_item_not_approved"), (99999, "vote_item_invalid")):
        body = {"rate_fen_per_m2": 3000, "effective_from": "2025-01-01", "basis": "x", "vote_item_id": item_id}
        assert error_code(client.post(fund.url + "/rates", json=body, headers=fund.h)) == (422, code)
    assert fund.spend(100, vote_item_id=use)["vote_item_id"] == use
    body = {"title": "x", "amount_fen": 100, "date": DAY, "vote_item_id": raising}
    assert error_code(client.post(fund.url + "/spending", json=body, headers=fund.h)) == (422, "vote_item_invalid")


def test_a_fund_call_posts_a_notice_whose_landing_leads_to_the_households_account(fund, make, c1, client, runner):
    """Issue 9 §6: recording a rate (the back-payment call) can post a notice on the board, with its QR flow."""
    make.unit(c1, "3", "1", "101", "80.00")
    assert fund.rate(3000)["notice"] is None  # no notice unless asked
    rate = fund.rate(3000, building="3", effective_from="2025-03-01", notice=True)
    notice = rate["notice"]
    assert notice["url"].endswith(f"/n/{notice['token']}")
    public = client.get(f"/api/v1/public/notices/{notice['token']}").get_json()
    assert (public["kind"], public["title"]) == ("fund_notice", "幸福里小区维修资金缴存通知")
    page = client.get(f"/n/{notice['token']}").get_data(as_text=True)
    assert f'href="/m/fund?compound={c1.id}"' in page and "维修资金通知" in page
    assert "3号楼住宅专项维修资金按每平方米 ¥30.00 缴存，自2025年3月1日起执行" in page and "依据：市规定" in page
    assert 'next=/m/fund"' in page  # an unbound household binds, then lands on its account
    titled = fund.rate(2000, notice=True, notice_title="补交维修资金的通知", notice_body="请各户补交。")["notice"]
    public = client.get(f"/api/v1/public/notices/{titled['token']}").get_json()
    assert (public["title"], public["body"]) == ("补交维修资金的通知", "请各户补交。")
    chained = [e.data.get("notice_id") for e in audit.entries(f"fund:{c1.id}") if e.action == "fund_rate_set"]
    assert chained == [None, notice["id"], titled["id"]]
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    # Through the notices API too: a fund notice needs no link, its compound is enough.
    r = client.post(f"/api/v1/compounds/{c1.id}/notices", json={"kind": "fund_notice", "title": "x"}, headers=fund.h)
    assert r.status_code == 201, r.get_json()


# --- entries ---------------------------------------------------------------------------------------------------


def test_deposits_and_a_reversal_and_a_refused_second_reversal(fund, make, c1):
    unit = make.unit(c1, "1", "1", "101", "100.00")
    fund.rate(3000)
    first = fund.deposit(unit, 100_000, "B001")
    assert (first["kind"], first["kind_name"], first["label"]) == ("deposit", "缴存", "1号楼1单元101室")
    fund.deposit(unit, 50_000, "B002")
    assert (fund.account(unit)["paid_fen"], fund.account(unit)["status"]) == (150_000, "part_paid")
    reversal = fund.reverse(first["id"], unit_id=unit.id, date=DAY)
    assert (reversal["kind"], reversal["amount_fen"], reversal["reverses"]) == ("reversal", 100_000, first["id"])
    account = fund.account(unit)
    assert (account["paid_fen"], account["outstanding_fen"], account["balance_fen"]) == (50_000, 250_000, 50_000)
    assert fund.reverse(first["id"], status=409)["code"] == "entry_already_reversed"
    assert fund.reverse(reversal["id"], status=422)["code"] == "entry_not_reversible"
    assert fund.reverse(99999, status=404)["code"] == "entry_not_found"
    other = make.unit(c1, "1", "1", "102")
    second = fund.get("/entries", unit_id=unit.id)[1]
    assert fund.reverse(second["id"], unit_id=other.id, status=422)["code"] == "entry_unit_mismatch"
    fund.deposit(unit, 250_000, "B003")
    assert fund.account(unit)["status"] == "paid"
    listed = fund.get("/entries", unit_id=unit.id)
    assert [e["reference"] for e in listed] == ["B003", None, "B002", "B001"]  # newest first


def test_a_reference_is_booked_once_per_compound(fund, make, c1, world, client):
    unit = make.unit(c1, "1", "1", "101")
    fund.deposit(unit, 100, "REF-1")
    assert fund.deposit(unit, 100, "REF-1", status=409)["code"] == "payment_duplicate"
    assert fund.deposit(unit, 100, " REF-1 ", status=409)["code"] == "payment_duplicate"
    assert fund.deposit(unit, 100, "ＲＥＦ－１", status=409)["code"] == "payment_duplicate"  # typed full-width
    other = Fund(client, world.compounds["c3"], world.h["committee3"])
    elsewhere = make.unit(world.compounds["c3"], "1", "1", "101")
    other.deposit(elsewhere, 100, "REF-1")  # another compound's books


@pytest.mark.parametrize("amount", [0, -100, 1.5, 10.0, "100", "1.00", True, None])
def test_amounts_are_positive_whole_fen(fund, make, c1, amount):
    unit = make.unit(c1, "1", "1", "101")
    r = fund.deposit(unit, amount, "R", status=422)
    assert "amount_fen" in r["errors"]["json"]
    body = {"title": "x", "amount_fen": amount, "date": DAY}
    r = fund.client.post(fund.url + "/spending", json=body, headers=fund.h)
    assert r.status_code == 422 and "amount_fen" in r.get_json()["errors"]["json"]


def test_deposit_refuses_a_future_date_another_compounds_unit_and_missing_fields(fund, make, c1, world):
    unit = make.unit(c1, "1", "1", "101")
    assert fund.deposit(unit, 100, "R1", date="2025-03-15", status=422)["code"] == "date_in_future"
    stranger = make.unit(world.compounds["c2"], "1", "1", "101")
    assert fund.deposit(stranger, 100, "R2", status=404)["code"] == "unit_not_found"
    r = fund.post("/entries", {"kind": "deposit", "unit_id": unit.id}, 422)
    assert set(r["errors"]["json"]) == {"amount_fen", "date", "reference"}
    r = fund.post("/entries", {"kind": "reversal"}, 422)
    assert set(r["errors"]["json"]) == {"reverses", "reason"}


# --- spending and the top-up flag ------------------------------------------------------------------------------


def test_spending_is_shared_by_area_to_the_fen(fund, make, c1):
    areas = ["33.33", "66.67", "50.00", "12.34", "99.99"]
    units = [make.unit(c1, "5", str(1 + n // 3), f"{n + 1}01", a) for n, a in enumerate(areas)]
    outside = make.unit(c1, "6", "1", "101")
    total = 1_000_003
    spending = fund.spend(total, {"building": "5号楼"})
    shares = {s["unit_id"]: s["amount_fen"] for s in spending["shares"]}
    assert sum(shares.values()) == total and outside.id not in shares
    whole = sum(Fraction(a) for a in areas)
    for unit, area in zip(units, areas, strict=True):
        exact = total * Fraction(area) / whole
        assert shares[unit.id] in (int(exact), int(exact) + 1)
    assert [s["unit_id"] for s in spending["shares"]] == [u.id for u in units]  # unit order
    assert spending["scope"] == {"building": "5", "entrance": None} and spending["scope_text"] == "5号楼"
    used = {a["unit_id"]: a["used_fen"] for a in fund.accounts()}
    assert {k: used[k] for k in shares} == shares and used[outside.id] == 0
    assert fund.account(units[0])["balance_fen"] == -shares[units[0].id]  # a balance may go negative
    entrance = fund.spend(100, {"building": "5", "entrance": "2"})
    assert [s["unit_id"] for s in entrance["shares"]] == [u.id for u in units[3:]]
    assert fund.spend(100, {"building": "7"}, status=422)["code"] == "scope_empty"
    assert fund.spend(100, {"entrance": "2"}, status=422)["errors"]["json"]["scope"]
    assert [s["title"] for s in fund.get("/spending")] == ["屋面防水", "屋面防水"]


def test_top_up_flag_exactly_at_thirty_percent_of_the_first_deposit(fund, make, c1):
    unit = make.unit(c1, "1", "1", "101", "100.00")
    fund.rate(100)  # due and first deposit 10,000 fen
    fund.deposit(unit, 10_000, "R1")
    fund.spend(7_000, {"building": "1"})
    account = fund.account(unit)
    assert (account["balance_fen"], account["status"], account["top_up"]) == (3_000, "paid", False)  # = 30 %
    fund.spend(1, {"building": "1"})
    account = fund.account(unit)
    assert (account["balance_fen"], account["top_up"]) == (2_999, True)  # one fen below
    assert [a["unit_id"] for a in fund.accounts(status="paid")] == [unit.id]
    assert fund.get()["units_top_up"] == 1


def test_summary_sums_the_accounts(fund, make, c1):
    units = [make.unit(c1, "1", "1", room, "100.00") for room in ("101", "102", "201", "202")]
    fund.rate(100)  # 10,000 fen each
    fund.deposit(units[0], 10_000, "R0")
    fund.deposit(units[1], 4_000, "R1")
    fund.deposit(units[2], 15_000, "R2")  # paid more than due: outstanding 0, not −5,000
    fund.spend(8_000, {"building": "1"})
    summary = fund.get()
    accounts = fund.accounts()
    for key in ("due_fen", "paid_fen", "outstanding_fen", "used_fen", "balance_fen"):
        assert summary[key] == sum(a[key] for a in accounts), key
    assert summary["outstanding_fen"] == 6_000 + 10_000  # Σ of each unit's, not Σ due − Σ paid (11,000)
    assert (summary["units"], summary["units_paid"], summary["units_part_paid"], summary["units_unpaid"]) == (
        4,
        2,
        1,
        1,
    )
    assert [a["status"] for a in fund.accounts(status="unpaid")] == ["unpaid"]
    fund.spend(24_001, {"building": "1"})  # 6,000.25 each: the paid-in-full unit drops to 1,999 fen, flagged
    summary, accounts = fund.get(), fund.accounts()
    assert [a["top_up"] for a in accounts] == [True, False, False, False]
    assert summary["units_top_up"] == 1 and summary["balance_fen"] == sum(a["balance_fen"] for a in accounts)


# --- imports ---------------------------------------------------------------------------------------------------


def test_import_with_bad_rows_stores_nothing_and_names_rows_and_columns(fund, make, c1):
    make.unit(c1, "1", "1", "101")
    make.unit(c1, "1", "2", "301")
    fund.deposit(make.unit(c1, "2", "1", "101"), 100, "OLD-1")
    rows = [
        ["幸福里小区维修资金缴存流水"],  # a title row above the header
        ["楼号", "单元", "户号", "金额（元）", "交易日期", "交易流水号"],
        ["1号楼", "1单元", "101", "1,234.50", "2025-03-01", "T1"],  # row 3: good
        ["1", "2", "999", "10", "2025-03-01", "T2"],  # row 4: no such unit
        ["1", "1", "101", "12.345", "2025/3/2", "T3"],  # row 5: three decimals
        ["1", "1", "101", "10", "2025-02-30", "T4"],  # row 6: no such day
        ["1", "2", "301", "10", "2025年3月3日", "T1"],  # row 7: repeats row 3's reference
        ["1", "2", "301", "10", "2025-03-03", "OLD-1"],  # row 8: already recorded
        ["", "", "", "", "", ""],  # blank
        ["1", "2", "301", "-5", "2025-03-03", "T9"],  # row 10: negative
    ]
    r = fund.upload(csv_bytes(rows))
    body = r.get_json()
    assert (r.status_code, body["code"]) == (422, "import_invalid"), body
    assert [(e["row"], e["column"]) for e in body["errors"]] == [
        (4, "户号"),
        (5, "金额（元）"),
        (6, "交易日期"),
        (7, "交易流水号"),
        (8, "交易流水号"),
        (10, "金额（元）"),
    ]
    assert "第3行" in body["errors"][3]["message"]
    assert fund.get()["paid_fen"] == 100  # nothing stored


def test_good_imports_csv_and_xlsx_store_exact_fen(fund, make, c1):
    a = make.unit(c1, "1", "1", "101")
    b = make.unit(c1, "1", "2", "301")
    rows = [["楼栋", "单元", "房号", "金额", "日期", "凭证号"], ["1", "1", "101", "0.10", "2025-03-01", "A1"]]
    rows.append(["1", "2", "301", "¥1,000.20", "20250302", "A2"])
    r = fund.upload(csv_bytes(rows))
    assert r.status_code == 200 and r.get_json() == {"entries": 2, "amount_fen": 100_030}
    sheet = [["楼栋", "单元", "房号", "金额", "日期", "凭证号"], [1, 1, 101, 0.2, datetime(2025, 3, 3), 12345]]
    sheet.append([1, 2, 301, 7, "2025-03-04", "A4"])
    r = fund.upload(xlsx_bytes(sheet), "流水.xlsx")
    assert r.status_code == 200 and r.get_json() == {"entries": 2, "amount_fen": 720}, r.get_json()
    assert (fund.account(a)["paid_fen"], fund.account(b)["paid_fen"]) == (30, 100_720)
    assert {e["reference"] for e in fund.get("/entries")} == {"A1", "A2", "12345", "A4"}
    again = fund.upload(xlsx_bytes(sheet), "流水.xlsx").get_json()
    assert again["code"] == "import_invalid" and [e["row"] for e in again["errors"]] == [2, 3]
    bad = [["楼栋", "单元", "房号", "金额", "日期", "凭证号"], [1, 1, 101, 1.005, "2025-03-04", "Z"]]
    bad.append([1, 1, 101, "30000000", "2025-03-04", "Y"])  # ¥30,000,000.00 on one line: beyond any deposit
    errors = fund.upload(xlsx_bytes(bad), "x.xlsx").get_json()["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(2, "金额"), (3, "金额")]


def test_import_without_the_columns_is_refused(fund, make, c1):
    r = fund.upload(csv_bytes([["楼栋", "房号", "金额"], ["1", "101", "1"]]))
    body = r.get_json()
    assert (r.status_code, body["code"]) == (422, "import_invalid") and body["errors"][0]["row"] is None
    assert error_code(fund.upload(b"")) == (422, "import_empty")


# --- who may read and write ------------------------------------------------------------------------------------


def test_resident_sees_only_their_own_units(fund, make, c1, client):
    mine, theirs = make.unit(c1, "1", "1", "101", "100.00"), make.unit(c1, "1", "1", "102")
    fund.rate(100)
    fund.deposit(mine, 4_000, "M1")
    fund.deposit(theirs, 9_000, "T1")
    me = make.headers(make.resident(mine))
    rows = client.get("/api/v1/my/fund", headers=me).get_json()
    assert [r["unit_id"] for r in rows] == [mine.id]
    row = rows[0]
    assert (row["due_fen"], row["paid_fen"], row["outstanding_fen"], row["balance_fen"]) == (
        10_000,
        4_000,
        6_000,
        4_000,
    )
    assert [e["reference"] for e in row["entries"]] == ["M1"] and row["compound_name"] == "幸福里小区"
    for path in ("/accounts", "", "/entries", f"/entries?unit_id={theirs.id}", "/rates"):
        assert client.get(fund.url + path, headers=me).status_code == 403, path
    r = client.post(fund.url + "/entries", headers=me, json={"kind": "reversal", "reverses": 1, "reason": "x"})
    assert r.status_code == 403
    assert client.get("/api/v1/my/fund", headers=make.headers(make.resident())).get_json() == []


def test_committee2_is_refused_compound_1_and_an_official_reads_but_does_not_write(fund, make, c1, world, client):
    unit = make.unit(c1, "1", "1", "101")
    entry = fund.deposit(unit, 100, "R1")
    other = world.h["committee2"]
    for path in ("/accounts", "", "/entries", "/rates", "/spending", "/statement?year=2025"):
        r = client.get(fund.url + path, headers=other)
        assert error_code(r) == (403, "outside_jurisdiction"), path
    writes = [
        ("/rates", {"rate_fen_per_m2": 1, "effective_from": "2025-01-01", "basis": "x"}),
        ("/entries", {"kind": "reversal", "reverses": entry["id"], "reason": "x"}),
        ("/spending", {"title": "x", "amount_fen": 1, "date": DAY}),
    ]
    for path, body in writes:
        assert error_code(client.post(fund.url + path, json=body, headers=other)) == (403, "outside_jurisdiction")
        r = client.post(fund.url + path, json=body, headers=world.h["official"])
        assert error_code(r) == (403, "role_forbidden")
    assert fund.upload(csv_bytes([["x"]]), headers=world.h["official"]).status_code == 403
    assert fund.upload(csv_bytes([["x"]]), headers=other).status_code == 403
    official = world.h["official"]
    assert [a["paid_fen"] for a in fund.get("/accounts", headers=official)] == [100]
    assert fund.get(headers=official)["paid_fen"] == 100
    assert fund.get(headers=world.h["official_other"], expect=403)["code"] == "outside_jurisdiction"
    assert client.get("/api/v1/compounds/9999/fund", headers=fund.h).status_code == 404


# --- exports, audit, declared outputs --------------------------------------------------------------------------


def test_accounts_export_csv_and_xlsx_read_back(fund, make, c1):
    a = make.unit(c1, "1", "1", "101", "86.50")
    b = make.unit(c1, "1", "1", "102", "70.00")
    fund.rate(3001)
    fund.deposit(a, 259_587, "R1")
    r = fund.get("/accounts", format="csv")
    text = r.data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:5] == ["楼栋", "单元", "房号", "建筑面积", "应缴"]
    assert rows[1][:9] == ["1", "1", "101", "86.50", "2595.87", "2595.87", "0.00", "0.00", "2595.87"]
    assert rows[1][9] == "已缴足" and rows[2][9] == "未缴" and len(rows) == 3
    r = fund.get("/accounts", format="xlsx", status="unpaid")
    ws = load_workbook(io.BytesIO(r.data)).active
    values = list(ws.iter_rows(values_only=True))
    assert len(values) == 2 and values[1][2] == b.room
    assert Decimal(str(values[1][4])) == Decimal("2100.70") and ws.cell(2, 5).number_format == '"¥"#,##0.00'


def test_every_money_write_is_in_the_compounds_audit_chain(fund, make, c1, runner):
    unit = make.unit(c1, "1", "1", "101")
    fund.rate(100)
    entry = fund.deposit(unit, 100, "R1")
    fund.reverse(entry["id"])
    fund.spend(50)
    rows = [["楼栋", "单元", "房号", "金额", "日期", "凭证号"], ["1", "1", "101", "1", "2025-03-01", "I1"]]
    assert fund.upload(csv_bytes(rows)).status_code == 200
    actions = [e.action for e in audit.entries(f"fund:{c1.id}")]
    assert actions == ["fund_rate_set", "fund_deposit", "fund_reversal", "fund_spending", "fund_import"]
    assert audit.entries(f"fund:{c1.id}")[1].data["reference"] == "R1"
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


def test_declared_outputs_match_the_openapi_document(client, fund, make, c1, world):
    from tests.test_declared_outputs import Documented

    api = Documented(client)
    unit = make.unit(c1, "1", "1", "101")
    cid, h = c1.id, fund.h
    p = "/api/v1/compounds/{compound_id}/fund"
    api(
        "POST",
        p + "/rates",
        201,
        compound_id=cid,
        headers=h,
        json={"rate_fen_per_m2": 5, "effective_from": DAY, "basis": "x"},
    )
    api(
        "POST",
        p + "/rates",
        201,
        compound_id=cid,
        headers=h,
        json={"rate_fen_per_m2": 6, "building": "1", "effective_from": DAY, "basis": "y", "notice": True},
    )
    api("GET", p + "/rates", compound_id=cid, headers=h)
    body = {"kind": "deposit", "unit_id": unit.id, "amount_fen": 100, "date": DAY, "reference": "R"}
    entry = api("POST", p + "/entries", 201, compound_id=cid, headers=h, json=body)
    api(
        "POST",
        p + "/entries",
        201,
        compound_id=cid,
        headers=h,
        json={"kind": "reversal", "reverses": entry["id"], "reason": "x"},
    )
    api(
        "POST",
        p + "/spending",
        201,
        compound_id=cid,
        headers=h,
        json={"title": "x", "amount_fen": 7, "date": DAY, "scope": {"building": "1"}},
    )
    api("GET", p + "/spending", compound_id=cid, headers=h)
    api("GET", p + "/entries", compound_id=cid, headers=h)
    api("GET", p + "/accounts", compound_id=cid, headers=h)
    api("GET", p, compound_id=cid, headers=h)
    rows = [["楼栋", "单元", "房号", "金额", "日期", "凭证号"], ["1", "1", "101", "1", "2025-03-01", "I1"]]
    api(
        "POST",
        p + "/imports",
        compound_id=cid,
        headers=h,
        data={"file": (io.BytesIO(csv_bytes(rows)), "a.csv")},
        content_type="multipart/form-data",
    )
    api("GET", "/api/v1/my/fund", headers=make.headers(make.resident(unit)))
    assert len(api.walked) == 10


def test_clock_is_what_today_means(fund, make, c1, clock):
    unit = make.unit(c1, "1", "1", "101")
    clock.set(datetime(2025, 3, 15, 1, 0, tzinfo=UTC))  # 09:00 on the 15th in Beijing
    fund.deposit(unit, 100, "R1", date="2025-03-15")


# --- races (PostgreSQL) ----------------------------------------------------------------------------------------

THREADS = 6


@pytest.mark.postgres_only
def test_one_reference_sent_at_once_is_booked_once(app, fund, make, c1):
    from tests.test_votes_concurrency import race

    unit_ids = [make.unit(c1, "1", "1", f"{n + 1}01").id for n in range(THREADS)]
    chain = f"fund:{c1.id}"
    requests = [
        lambda c, u=u: c.post(
            fund.url + "/entries",
            json={"kind": "deposit", "unit_id": u, "amount_fen": 100, "date": DAY, "reference": "SAME"},
            headers=fund.h,
        )
        for u in unit_ids
    ]
    results = race(app, requests)
    assert sorted(s for s, _ in results) == [201] + [409] * (THREADS - 1), results
    assert {b["code"] for s, b in results if s == 409} == {"payment_duplicate"}
    assert fund.get()["paid_fen"] == 100
    assert [e.action for e in audit.entries(chain)] == ["fund_deposit"]


@pytest.mark.postgres_only
def test_one_entry_reversed_at_once_is_reversed_once(app, fund, make, c1):
    from tests.test_votes_concurrency import race

    entry = fund.deposit(make.unit(c1, "1", "1", "101"), 500, "R1")
    body = {"kind": "reversal", "reverses": entry["id"], "reason": "录错"}
    results = race(app, [lambda c: c.post(fund.url + "/entries", json=body, headers=fund.h)] * THREADS)
    assert sorted(s for s, _ in results) == [201] + [409] * (THREADS - 1), results
    assert {b["code"] for s, b in results if s == 409} == {"entry_already_reversed"}
    assert fund.get()["paid_fen"] == 0


@pytest.mark.postgres_only
def test_an_import_and_a_deposit_of_one_reference_at_once_book_it_once(app, fund, make, c1):
    from tests.test_votes_concurrency import race

    unit_id = make.unit(c1, "1", "1", "101").id
    rows = [["楼栋", "单元", "房号", "金额", "日期", "凭证号"], ["1", "1", "101", "1", "2025-03-01", "X1"]]
    content = csv_bytes(rows)

    def upload(c):
        data = {"file": (io.BytesIO(content), "a.csv")}
        return c.post(fund.url + "/imports", headers=fund.h, data=data, content_type="multipart/form-data")

    def deposit(c):
        body = {"kind": "deposit", "unit_id": unit_id, "amount_fen": 100, "date": DAY, "reference": "X1"}
        return c.post(fund.url + "/entries", json=body, headers=fund.h)

    results = race(app, [upload, deposit] * (THREADS // 2))
    booked = [s for s, _ in results if s in (200, 201)]
    assert len(booked) == 1, results
    refused = {(s, b["code"]) for s, b in results if s not in (200, 201)}
    assert refused <= {(409, "payment_duplicate"), (422, "import_invalid")}, refused
    assert fund.get()["paid_fen"] == 100  # the deposit's 100 fen or the import's ¥1.00, booked once


def test_ledger_services_do_not_read_the_request():
    from pathlib import Path

    from tests.test_layering import WEB, reads_request

    modules = list((Path(__file__).resolve().parent.parent / "funds" / "ledger").glob("*.py"))
    assert len(modules) > 5 and [p.name for p in modules if p.name not in WEB and reads_request(p)] == []


# --- the yearly statement --------------------------------------------------------------------------------------


def statement_scene(fund, make, c1, clock):
    """Two years of a small ledger: 2024's deposits, then 2025's deposit, reversal and spending."""
    clock.set(datetime(2024, 6, 1, 2, 0, tzinfo=UTC))
    a = make.unit(c1, "1", "1", "101", "100.00")
    b = make.unit(c1, "1", "1", "102", "50.00")
    fund.rate(100, effective_from="2024-01-01")  # due 10,000 and 5,000 fen
    fund.deposit(a, 10_000, "Y24-1", date="2024-05-01")
    clock.set(datetime(2025, 12, 20, 2, 0, tzinfo=UTC))
    wrong = fund.deposit(b, 999, "Y25-0", date="2025-02-01")
    fund.reverse(wrong["id"], date="2025-02-02")
    fund.deposit(b, 2_000, "Y25-1", date="2025-03-01")
    fund.post(
        "/spending", {"title": "单元门维修", "amount_fen": 1_501, "scope": {"building": "1"}, "date": "2025-12-01"}
    )


def test_statement_xlsx_has_totals_spending_shares_and_every_unit(fund, make, c1, clock):
    statement_scene(fund, make, c1, clock)
    r = fund.get("/statement", year=2025, format="xlsx")
    assert r.mimetype.endswith("spreadsheetml.sheet")
    wb = load_workbook(io.BytesIO(r.data))
    assert wb.sheetnames == ["汇总", "支出项目", "支出分摊", "分户账"]
    totals = {row[0]: row[1] for row in wb["汇总"].iter_rows(min_row=2, values_only=True)}
    yuan = lambda v: Decimal(str(v))  # noqa: E731
    assert yuan(totals["2025年缴存（扣除冲正）"]) == Decimal("20.00")
    assert yuan(totals["2025年使用"]) == Decimal("15.01")
    assert yuan(totals["截至2025年12月20日累计缴存"]) == Decimal("120.00")
    assert yuan(totals["截至2025年12月20日余额"]) == Decimal("104.99")
    assert any("需续筹" in str(k) for k in totals)
    spending = list(wb["支出项目"].iter_rows(min_row=2, values_only=True))
    assert [(s[1], s[2], yuan(s[3]), s[4]) for s in spending] == [("单元门维修", "1号楼", Decimal("15.01"), 2)]
    shares = list(wb["支出分摊"].iter_rows(min_row=2, values_only=True))
    assert [(s[1], yuan(s[3])) for s in shares] == [
        ("1号楼1单元101室", Decimal("10.01")),
        ("1号楼1单元102室", Decimal("5.00")),
    ]
    units = list(wb["分户账"].iter_rows(min_row=2, values_only=True))
    assert [u[0] for u in units] == ["1号楼1单元101室", "1号楼1单元102室"]
    assert [yuan(v) for v in units[0][2:7]] == [Decimal(x) for x in ("0", "10.01", "100", "10.01", "89.99")]
    assert [yuan(v) for v in units[1][2:7]] == [Decimal(x) for x in ("20", "5", "20", "5", "15")]
    last = fund.get("/statement", year=2024, format="xlsx")
    units_2024 = list(load_workbook(io.BytesIO(last.data))["分户账"].iter_rows(min_row=2, values_only=True))
    assert [yuan(u[6]) for u in units_2024] == [Decimal("100"), Decimal("0")]  # balances at 2024's end
    assert fund.get("/statement", expect=422, year=2026)["code"] == "statement_year_future"
    assert fund.get("/statement", expect=422, year=2025, format="doc")["errors"]["query"]["format"]


def test_statement_pdf_reads_back_with_its_qr_to_the_public_page(fund, make, c1, clock, client, world, tmp_path):
    from tests.programs import require_program
    from tests.test_ballot_sheets import barcode, pages_text

    statement_scene(fund, make, c1, clock)
    r = fund.get("/statement", year=2025)
    assert r.mimetype == "application/pdf"
    text = "".join(pages_text(r.data, tmp_path))
    for expected in (
        "幸福里小区住宅专项维修资金2025年度收支公示",
        "2025年1月1日至2025年12月20日",
        "¥120.00",
        "单元门维修：¥15.01，2025年12月1日，由1号楼按面积分摊",
        "1号楼1单元101室",
        "¥10.01",
        "¥89.99",
    ):
        assert expected in text, expected
    require_program("pdfinfo")
    (tmp_path / "statement.pdf").write_bytes(r.data)
    info = subprocess.run(["pdfinfo", str(tmp_path / "statement.pdf")], capture_output=True, text=True, check=True)
    sizes = [line.split(":", 1)[1] for line in info.stdout.splitlines() if line.startswith("Page size")]
    assert [round(float(n)) for n in sizes[0].split("pts")[0].split(" x ")] == [595, 842]  # A4, portrait
    require_program("pdftoppm")
    assert barcode(r.data, tmp_path) == f"http://testserver/m/fund?compound={c1.id}"
    notice = client.post(
        f"/api/v1/compounds/{c1.id}/notices",
        headers=world.h["committee"],
        json={"kind": "announcement", "title": "维修资金年度公示", "body": "请查阅。"},
    ).get_json()
    assert barcode(fund.get("/statement", year=2025).data, tmp_path) == notice["url"]
    official = fund.get("/statement", headers=world.h["official"], year=2025)
    assert official.mimetype == "application/pdf"


def test_demo_gives_the_desk_a_rate_and_some_deposits(app, runner, client):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0 and "demo fund:" in first.output, first.output
    assert "demo fund:" not in runner.invoke(args=["demo"]).output  # idempotent
    token = client.post("/api/v1/auth/login", json={"username": "committee", "password": "demo1234"}).get_json()
    h = {"Authorization": f"Bearer {token['access_token']}"}
    cid = client.get("/api/v1/compounds", headers=h).get_json()[0]["id"]
    summary = client.get(f"/api/v1/compounds/{cid}/fund", headers=h).get_json()
    assert summary["units_paid"] == 8 and summary["units_part_paid"] == 4 and summary["paid_fen"] > 0


def test_fund_lists_do_not_query_per_unit_or_entry(fund, make, c1):
    from tests.test_votes_listing import queries

    fund.rate(100)
    cost = {}
    for total in (2, 12):
        for n in range(len(fund.accounts()), total):
            unit = make.unit(c1, "1", "1", f"{n + 1:03d}")
            fund.deposit(unit, 100, f"Q{n}")
        fund.spend(total, {"building": "1"})
        cost[total] = [
            queries(lambda p=p: fund.client.get(fund.url + p, headers=fund.h))
            for p in ("/accounts", "", "/entries", "/spending")
        ]
    assert cost[2] == cost[12], cost
