"""Property fees (DOMAIN.md §7): each unit's monthly fee = the rate in force × area, rounded half up; payments per
month, append-only with reversals; imports all or nothing; collection rate and arrears; the provider role limited
to the compounds a committee granted it; each household's own account."""

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.test_fund_ledger import csv_bytes, xlsx_bytes
from tests.test_votes_kit import assert_error

AREAS = ("80.00", "63.33", "91.10")  # × 55 fen: 4400, 3483.15 → 3483, 5010.5 → 5011


def url(compound, suffix=""):
    return f"/api/v1/compounds/{compound.id}/management{suffix}"


@pytest.fixture
def fees(kit, make):
    """幸福里小区 under 社区准物业 at ¥0.55/m² from 2025-01-01 (the clock stands at 2025-03-14); three flats."""
    units = [make.units(kit.compound, 1, area=a, building=str(n + 1))[0] for n, a in enumerate(AREAS)]
    body = {
        "version": 0,
        "model": "quasi",
        "responsible_party": "幸福里社区居委会",
        "fee_fen_per_m2_month": 55,
        "effective_from": "2025-01-01",
        "basis": "街道安排社区准物业",
    }
    assert kit.client.put(url(kit.compound), json=body, headers=kit.h).status_code == 200
    kit.units = units
    return kit


def pay(kit, unit, period, amount_fen, reference, headers=None, **extra):
    body = {"kind": "payment", "unit_id": unit.id, "period": period, "amount_fen": amount_fen}
    body.update({"paid_on": "2025-03-10", "reference": reference, "method": "wechat", **extra})
    return kit.client.post(url(kit.compound, "/fees/entries"), json=body, headers=headers or kit.h)


def reverse(kit, entry_id, reason="收据号录错"):
    body = {"kind": "reversal", "reverses": entry_id, "reason": reason}
    return kit.client.post(url(kit.compound, "/fees/entries"), json=body, headers=kit.h)


def test_dues_collection_and_a_reversal_to_the_fen(fees):
    a, b, c = fees.units
    assert pay(fees, a, "2025-01", 4400, "R1").status_code == 201
    second = pay(fees, a, "2025-02", 4400, "R2")
    assert second.status_code == 201, second.get_json()
    assert second.get_json()["period_text"] == "2025年2月" and second.get_json()["method_name"] == "微信"
    assert pay(fees, b, "2025年1月", 3483, "R3").status_code == 201  # the month as a clerk writes it
    assert pay(fees, c, "2025-01", 2000, "R4").status_code == 201
    r = reverse(fees, second.get_json()["id"])
    assert r.status_code == 201 and r.get_json()["signed_fen"] == -4400 and r.get_json()["period"] == "2025-02"

    summary = fees.client.get(url(fees.compound, "/fees"), headers=fees.h).get_json()
    assert summary["rate_fen_per_m2_month"] == 55 and summary["first_period"] == "2025-01"
    by_month = {p["period"]: p for p in summary["periods"]}
    assert list(by_month) == ["2025-03", "2025-02", "2025-01"]
    jan = by_month["2025-01"]
    assert (jan["units_charged"], jan["units_paid"], jan["units_part_paid"]) == (3, 2, 1)
    assert (jan["due_fen"], jan["paid_fen"], jan["collection_rate"]) == (4400 + 3483 + 5011, 4400 + 3483 + 2000, 0.6667)
    assert (by_month["2025-02"]["units_paid"], by_month["2025-02"]["paid_fen"]) == (0, 0)  # R2 was reversed

    arrears = fees.client.get(url(fees.compound, "/fees/arrears"), headers=fees.h)
    assert arrears.headers["X-Total-Count"] == "3"
    assert [
        (x["unit"]["label"], x["months_owed"], x["first_owed_text"], x["owed_fen"]) for x in arrears.get_json()
    ] == [
        ("1号楼1单元101室", 2, "2025年2月", 8800),
        ("2号楼1单元101室", 2, "2025年2月", 6966),
        ("3号楼1单元101室", 3, "2025年1月", 3011 + 5011 + 5011),
    ]
    last = arrears.get_json()[2]["owed_months"]
    assert [(m["period_text"], m["due_fen"], m["paid_fen"], m["owed_fen"]) for m in last] == [
        ("2025年1月", 5011, 2000, 3011),
        ("2025年2月", 5011, 0, 5011),
        ("2025年3月", 5011, 0, 5011),
    ]
    everyone = fees.client.get(url(fees.compound, "/fees/accounts"), headers=fees.h)
    assert everyone.headers["X-Total-Count"] == "3" and everyone.get_json()[0]["unit"]["area"] == "80.00"
    through_jan = fees.client.get(
        url(fees.compound, "/fees/arrears"), query_string={"through": "2025-01"}, headers=fees.h
    )
    assert [x["owed_fen"] for x in through_jan.get_json()] == [3011]


def test_a_fee_change_applies_from_the_next_month(fees):
    a = fees.units[0]
    body = {
        "version": 1,
        "model": "quasi",
        "responsible_party": "幸福里社区居委会",
        "fee_fen_per_m2_month": 60,
        "effective_from": "2025-03-10",
        "basis": "业主大会同意调价",
    }
    assert fees.client.put(url(fees.compound), json=body, headers=fees.h).status_code == 200
    assert_error(pay(fees, a, "2025-03", 4800, "R1"), 422, "fee_above_due")  # March is still ¥0.55: ¥44.00
    assert pay(fees, a, "2025-03", 4400, "R1").status_code == 201
    assert pay(fees, a, "2025-04", 4800, "R2").status_code == 201  # paying ahead at the new fee
    periods = fees.client.get(
        url(fees.compound, "/fees"), query_string={"through": "2025-04"}, headers=fees.h
    ).get_json()["periods"]
    assert [(p["period"], p["rate_fen_per_m2_month"], p["units_paid"]) for p in periods[:2]] == [
        ("2025-04", 60, 1),
        ("2025-03", 55, 1),
    ]


def test_payments_refused(fees, world):
    a = fees.units[0]
    assert pay(fees, a, "2025-01", 4400, "R1").status_code == 201
    assert_error(pay(fees, a, "2025-02", 4400, "R1"), 409, "fee_payment_duplicate")
    assert_error(pay(fees, a, "2025-01", 4401, "R9"), 422, "fee_above_due")
    assert_error(pay(fees, a, "2024-12", 4400, "R9"), 422, "fee_not_set")
    assert_error(pay(fees, a, "2026-04", 4400, "R9"), 422, "period_too_far")
    assert_error(pay(fees, a, "2025-13", 4400, "R9"), 422, "validation_error")
    assert_error(pay(fees, a, "2025-02", 4400, "R9", paid_on="2025-03-15"), 422, "date_in_future")
    assert_error(pay(fees, a, "2025-02", 0, "R9"), 422, "validation_error")
    assert_error(pay(fees, a, "2025-02", 44.5, "R9"), 422, "validation_error")
    other = fees.make.units(world.compounds["c2"], 1)[0]
    assert_error(pay(fees, other, "2025-02", 100, "R9"), 404, "unit_not_found")
    first = fees.client.get(url(fees.compound, "/fees/entries"), headers=fees.h).get_json()[0]
    assert reverse(fees, first["id"]).status_code == 201
    assert_error(reverse(fees, first["id"]), 409, "entry_already_reversed")
    assert_error(pay(fees, a, "2025-02", 4400, "R9", headers=world.h["official"]), 403, "role_forbidden")
    assert_error(pay(fees, a, "2025-02", 4400, "R9", headers=world.h["committee2"]), 403, "outside_jurisdiction")
    assert fees.client.get(url(fees.compound, "/fees"), headers=world.h["official"]).status_code == 200
    for path in ("/fees", "/fees/entries", "/fees/arrears"):
        assert_error(
            fees.client.get(url(fees.compound, path), headers=world.h["official_other"]), 403, "outside_jurisdiction"
        )


def test_a_compound_without_a_fee_charges_nothing(kit, make):
    unit = make.units(kit.compound, 1)[0]
    summary = kit.client.get(url(kit.compound, "/fees"), headers=kit.h).get_json()
    assert summary["rate_fen_per_m2_month"] is None and summary["periods"] == []
    assert kit.client.get(url(kit.compound, "/fees/arrears"), headers=kit.h).get_json() == []
    assert_error(pay(kit, unit, "2025-03", 100, "R1"), 422, "fee_not_set")


HEADER = ["楼栋", "单元", "房号", "月份", "金额", "缴费日期", "收据号"]


def test_import_is_all_or_nothing_with_spreadsheet_rows(fees):
    a = fees.units[0]
    assert pay(fees, a, "2025-01", 4400, "SJ-001").status_code == 201
    bad = csv_bytes(
        [
            ["物业费收据登记表"],
            HEADER,
            ["1号楼", "1", "101", "2025-02", "44.00", "2025-03-01", "SJ-002"],
            ["2", "1", "101", "2025年13月", "34.83", "2025-03-01", "SJ-003"],
            ["3", "1", "101", "2025-01", "50.12", "2025-03-01", "SJ-004"],
            ["3", "1", "101", "2024-12", "10.00", "2025-03-01", "SJ-001"],
        ]
    )
    r = fees.client.post(
        url(fees.compound, "/fees/imports"), data={"file": (io.BytesIO(bad), "收据.csv")}, headers=fees.h
    )
    assert_error(r, 422, "import_invalid")
    errors = [(e["row"], e["column"]) for e in r.get_json()["errors"]]
    assert (4, "月份") in errors and (5, "金额") in errors and (6, "收据号") in errors and (6, "月份") in errors
    assert all(row != 3 for row, _ in errors)
    assert len(fees.client.get(url(fees.compound, "/fees/entries"), headers=fees.h).get_json()) == 1  # nothing stored

    good = xlsx_bytes(
        [
            HEADER,
            ["1", "1", "101", "2025-02", 44, "2025-03-01", "SJ-002"],
            ["2", "1", "101", "2025/1", 34.83, "2025-03-02", "SJ-003"],
        ]
    )
    r = fees.client.post(
        url(fees.compound, "/fees/imports"), data={"file": (io.BytesIO(good), "收据.xlsx")}, headers=fees.h
    )
    assert r.status_code == 200, r.get_json()
    assert r.get_json() == {"entries": 2, "amount_fen": 4400 + 3483}
    jan = fees.client.get(url(fees.compound, "/fees"), headers=fees.h).get_json()["periods"][-1]
    assert (jan["period"], jan["units_paid"]) == ("2025-01", 2)


def test_arrears_export_reads_back(fees):
    r = fees.client.get(url(fees.compound, "/fees/arrears"), query_string={"format": "csv"}, headers=fees.h)
    assert r.status_code == 200 and r.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert rows[0] == ["楼栋", "单元", "房号", "建筑面积", "欠缴月数", "最早欠缴月份", "欠缴金额"]
    assert rows[2][:3] == ["2", "1", "101"] and rows[2][4:6] == ["3", "2025年1月"]
    r = fees.client.get(url(fees.compound, "/fees/arrears"), query_string={"format": "xlsx"}, headers=fees.h)
    sheet = load_workbook(io.BytesIO(r.data)).active
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b
    assert [c.value for c in sheet[4]][4:] == [3, "2025年1月", 150.33]  # 5011 × 3 fen, in yuan
    assert sheet["G4"].number_format.startswith("¥") or "0.00" in sheet["G4"].number_format


def test_the_provider_role_reaches_only_granted_compounds(fees, make, world, client):
    admin = world.h["admin"]
    body = {"username": "anju", "password": "anju-pass-123", "role": "provider", "org_id": world.district.id}
    r = client.post("/api/v1/auth/users", json=body, headers=admin)
    assert r.status_code == 201, r.get_json()
    far = make.user("far_wuye", "provider", world.c3)  # a provider registered in another district
    login = client.post("/api/v1/auth/login", json={"username": "anju", "password": "anju-pass-123"}).get_json()
    provider = {"Authorization": f"Bearer {login['access_token']}"}
    a = fees.units[0]

    assert_error(pay(fees, a, "2025-01", 4400, "P1", headers=provider), 403, "outside_jurisdiction")
    assert client.get("/api/v1/compounds", headers=provider).get_json() == []
    grants = url(fees.compound, "/providers")
    assert_error(
        client.post(grants, json={"username": "anju"}, headers=world.h["committee2"]), 403, "outside_jurisdiction"
    )
    assert_error(client.post(grants, json={"username": "far_wuye"}, headers=fees.h), 403, "provider_outside_region")
    assert_error(client.post(grants, json={"username": "committee2"}, headers=fees.h), 422, "provider_not_found")
    r = client.post(grants, json={"username": "anju"}, headers=fees.h)
    assert r.status_code == 201 and r.get_json()["username"] == "anju"
    assert_error(client.post(grants, json={"username": "anju"}, headers=fees.h), 409, "provider_already_granted")

    assert [c["name"] for c in client.get("/api/v1/compounds", headers=provider).get_json()] == ["幸福里小区"]
    assert pay(fees, a, "2025-01", 4400, "P1", headers=provider).status_code == 201
    assert client.get(url(fees.compound, "/fees/arrears"), headers=provider).status_code == 200
    c2 = world.compounds["c2"]
    assert_error(client.get(url(c2, "/fees"), headers=provider), 403, "outside_jurisdiction")
    # fees only: the owners' votes, the fund and the management record itself stay the committee's
    assert_error(client.get(f"/api/v1/compounds/{fees.compound.id}/votes", headers=provider), 403, "role_forbidden")
    assert_error(client.get(url(fees.compound, "/history"), headers=provider), 403, "role_forbidden")
    assert_error(client.get(f"/api/v1/compounds/{fees.compound.id}/fund", headers=provider), 403, "role_forbidden")
    assert_error(client.get(grants, headers=provider), 403, "role_forbidden")
    assert_error(client.get("/api/v1/reports/consent-rates", headers=provider), 403, "role_forbidden")

    user_id = r.get_json()["user_id"]
    assert client.delete(f"{grants}/{user_id}", headers=fees.h).status_code == 204
    assert_error(pay(fees, a, "2025-02", 4400, "P2", headers=provider), 403, "outside_jurisdiction")
    assert far.role == "provider"


def test_a_households_fee_account(fees, make, world):
    a = fees.units[2]
    tenant = make.resident(a, relation="tenant")  # the tenant pays the fee
    assert pay(fees, a, "2025-01", 5011, "R1").status_code == 201
    r = fees.client.get("/api/v1/my/management/fees", headers=make.headers(tenant))
    assert r.status_code == 200
    [mine] = r.get_json()
    assert mine["unit"]["label"] == "3号楼1单元101室" and mine["monthly_fen"] == 5011
    assert (mine["owed_fen"], mine["months_owed"], mine["first_owed"]) == (10022, 2, "2025-02")
    assert [(m["period"], m["status_name"]) for m in mine["recent"]] == [
        ("2025-03", "未缴"),
        ("2025-02", "未缴"),
        ("2025-01", "已缴清"),
    ]
    assert mine["entries"][0]["reference"] == "R1" and mine["compound"]["name"] == "幸福里小区"
    assert fees.client.get("/api/v1/my/management/fees", headers=make.headers(make.resident())).get_json() == []


def test_outputs_are_declared(client, fees, make):
    from tests.test_declared_outputs import Documented

    api, cid, h = Documented(client), fees.compound.id, fees.h
    a = fees.units[0]
    resident = make.resident(a)
    base = "/api/v1/compounds/{compound_id}/management"
    body = {
        "kind": "payment",
        "unit_id": a.id,
        "period": "2025-01",
        "amount_fen": 100,
        "paid_on": "2025-03-01",
        "reference": "D1",
    }
    api("POST", base + "/fees/entries", 201, compound_id=cid, headers=h, json=body)
    api("GET", base + "/fees/entries", compound_id=cid, headers=h)
    api("GET", base + "/fees", compound_id=cid, headers=h)
    api("GET", base + "/fees/arrears", compound_id=cid, headers=h)
    api("GET", base + "/fees/accounts", compound_id=cid, headers=h)
    api("GET", base + "/providers", compound_id=cid, headers=h)
    api("GET", "/api/v1/my/management/fees", headers=make.headers(resident))


@pytest.mark.postgres_only
def test_one_receipt_and_one_reversal_at_once(app, fees):
    from tests.test_votes_concurrency import race

    a = fees.units[0]
    path = url(fees.compound, "/fees/entries")
    body = {"kind": "payment", "unit_id": a.id, "amount_fen": 4400, "paid_on": "2025-03-01", "reference": "SAME"}
    results = race(
        app,
        [
            lambda c, p=p: c.post(path, json={**body, "period": p}, headers=fees.h)
            for p in ("2025-01", "2025-02", "2025-03")
        ],
    )
    assert sorted(s for s, _ in results) == [201, 409, 409], results
    assert {b["code"] for s, b in results if s == 409} == {"fee_payment_duplicate"}
    entry_id = next(b["id"] for s, b in results if s == 201)
    undo = {"kind": "reversal", "reverses": entry_id, "reason": "重复"}
    results = race(app, [lambda c: c.post(path, json=undo, headers=fees.h)] * 3)
    assert sorted(s for s, _ in results) == [201, 409, 409], results
    assert {b["code"] for s, b in results if s == 409} == {"entry_already_reversed"}
