"""Roster import, re-import, export, duplicate owners and their merge — all through HTTP."""

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.conftest import fixture_bytes


def upload(client, compound_id, headers, name, content=None):
    content = fixture_bytes(name) if content is None else content
    return client.post(
        f"/api/v1/compounds/{compound_id}/roster",
        headers=headers,
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def units(client, compound_id, headers, **params):
    r = client.get(f"/api/v1/compounds/{compound_id}/units", headers=headers, query_string={"per_page": 500, **params})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def csv_bytes(rows, encoding="utf-8-sig"):
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode(encoding)


HEADER = ["楼栋", "单元", "房号", "楼层", "建筑面积", "业主", "证件号", "手机", "业主类型"]


@pytest.mark.parametrize(
    "name,count",
    [
        ("roster_xingfuli.csv", 180),
        ("roster_xingfuli.xlsx", 180),
        ("roster_xingfuli_gb18030.csv", 40),
        ("roster_messy.xlsx", 60),
    ],
)
def test_sample_rosters_import(client, world, name, count):
    cid = world.compounds["c1"].id
    r = upload(client, cid, world.h["committee"], name)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["units"] == count and body["created"] == count
    assert body["updated"] == 0 and body["unchanged"] == 0
    listed = units(client, cid, world.h["committee"])
    assert len(listed) == count
    first = next(u for u in listed if (u["building"], u["entrance"], u["room"]) == ("1", "1", "101"))
    assert first["area"] == "52.75" and first["floor"] == 1
    assert [o["name"] for o in first["owners"]] == ["彭立新", "梁振华"]
    assert first["owners"][0]["phone_masked"] == "132****4768"
    assert first["owners"][1]["phone_masked"] is None


def test_full_roster_owner_headcount(client, world):
    """何秋菊 owns three flats (one id) and the cotton mill six: 180 units, 173 owners."""
    body = upload(client, world.compounds["c1"].id, world.h["committee"], "roster_xingfuli.csv").get_json()
    assert body["owners"] == 173
    owners = client.get(f"/api/v1/compounds/{world.compounds['c1'].id}/owners", headers=world.h["committee"]).get_json()
    mill = next(o for o in owners if o["name"] == "市第三棉纺织厂")
    assert mill["owner_type"] == "organisation" and len(mill["units"]) == 6
    he = next(o for o in owners if o["name"] == "何秋菊")
    assert he["units"] == ["1号楼2单元301室", "2号楼2单元502室", "4号楼2单元601室"]


def test_messy_spreadsheet_equals_clean_twin(client, world):
    messy, clean = world.compounds["c1"], world.compounds["c2"]
    assert upload(client, messy.id, world.h["committee"], "roster_messy.xlsx").status_code == 200
    rows = list(csv.reader(io.StringIO(fixture_bytes("roster_xingfuli.csv").decode("utf-8-sig"))))[:61]
    assert upload(client, clean.id, world.h["committee2"], "clean.csv", csv_bytes(rows)).status_code == 200

    def shape(listing):
        return sorted(
            (
                u["building"],
                u["entrance"],
                u["room"],
                u["floor"],
                u["area"],
                tuple((o["name"], o["phone_masked"]) for o in u["owners"]),
            )
            for u in listing
        )

    assert shape(units(client, messy.id, world.h["committee"])) == shape(units(client, clean.id, world.h["committee2"]))
    assert len(units(client, messy.id, world.h["committee"])) == 60


def test_bad_roster_names_all_five_faults_and_stores_nothing(client, world):
    cid = world.compounds["c1"].id
    r = upload(client, cid, world.h["committee"], "roster_bad.csv")
    assert r.status_code == 422
    body = r.get_json()
    assert body["code"] == "roster_invalid" and "未导入任何数据" in body["message"]
    errors = {(e["row"], e["column"]): e["message"] for e in body["errors"]}
    assert errors == {
        (5, "建筑面积"): "面积必须大于0",
        (10, "建筑面积"): "面积“七十”不是数字",
        (14, "房号"): "房号不能为空",
        (22, "房号"): "与第21行是同一户（1号楼2单元402室）",
        (27, "建筑面积"): "面积最多保留两位小数",
    }
    assert units(client, cid, world.h["committee"]) == []
    assert client.get(f"/api/v1/compounds/{cid}/owners", headers=world.h["committee"]).get_json() == []


def test_bad_reimport_leaves_existing_roster_untouched(client, world):
    cid = world.compounds["c1"].id
    upload(client, cid, world.h["committee"], "roster_xingfuli_gb18030.csv")
    before = units(client, cid, world.h["committee"])
    assert upload(client, cid, world.h["committee"], "roster_bad.csv").status_code == 422
    assert units(client, cid, world.h["committee"]) == before


def test_reimport_merges_by_place(client, world):
    cid, h = world.compounds["c1"].id, world.h["committee"]
    rows = list(csv.reader(io.StringIO(fixture_bytes("roster_xingfuli.csv").decode("utf-8-sig"))))
    assert upload(client, cid, h, "a.csv", csv_bytes(rows[:41])).get_json()["created"] == 40
    changed = [r[:] for r in rows[:51]]
    changed[1][4] = "53.10"  # 1-1-101: corrected area
    changed[2][5] = "罗秋菊、罗建军"  # 1-1-102: a co-owner added
    body = upload(client, cid, h, "b.csv", csv_bytes(changed)).get_json()
    assert (body["created"], body["updated"], body["unchanged"]) == (10, 2, 38)
    assert body["units"] == 50
    listed = {(u["building"], u["entrance"], u["room"]): u for u in units(client, cid, h)}
    assert listed[("1", "1", "101")]["area"] == "53.10"
    assert [o["name"] for o in listed[("1", "1", "102")]["owners"]] == ["罗秋菊", "罗建军"]
    again = upload(client, cid, h, "b.csv", csv_bytes(changed)).get_json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 50)
    fewer = upload(client, cid, h, "c.csv", csv_bytes(changed[:11])).get_json()
    assert fewer["units"] == 50 and any("不在本次名册中" in w["message"] for w in fewer["warnings"])


def test_header_aliases_title_rows_and_normalisation(client, world):
    content = csv_bytes(
        [
            ["某某小区业主名册"],
            [],
            ["门牌号", "楼号", "单元号", "面积", "业主姓名", "身份证号", "联系电话", "业主类型"],
            ["１０１", "3号楼", "2单元", " 70.5 ", " 张三 ", "61010119500101001x", "13912345678", "个人"],
            ["102", "3栋", "2", "70", "某某公司", "91610000ABCDEFGH12", "", "单位"],
        ]
    )
    r = upload(client, world.compounds["c1"].id, world.h["committee"], "aliases.csv", content)
    assert r.status_code == 200, r.get_json()
    listed = units(client, world.compounds["c1"].id, world.h["committee"])
    assert [(u["building"], u["entrance"], u["room"], u["area"], u["owner_type"]) for u in listed] == [
        ("3", "2", "101", "70.50", "person"),
        ("3", "2", "102", "70.00", "organisation"),
    ]


def test_rounded_id_and_bad_header_refused(client, world):
    cid, h = world.compounds["c1"].id, world.h["committee"]
    r = upload(
        client, cid, h, "sci.csv", csv_bytes([HEADER, ["1", "1", "101", "1", "60", "李四", "6.10122E+17", "", ""]])
    )
    assert r.status_code == 422
    assert r.get_json()["errors"] == [
        {"row": 2, "column": "证件号", "message": "证件号被表格软件改成了科学计数法，请把该列设为文本格式后重新填写"}
    ]
    r = upload(client, cid, h, "nohdr.csv", csv_bytes([["名字", "地址"], ["x", "y"]]))
    assert r.status_code == 422 and r.get_json()["code"] == "roster_no_header"
    r = upload(client, cid, h, "junk.xlsx", b"PK\x03\x04not really a workbook")
    assert r.status_code == 422 and r.get_json()["code"] == "roster_unreadable"


def test_same_id_different_names_warns(client, world):
    content = csv_bytes(
        [HEADER, ["1", "1", "101", "1", "60", "王五", "X1", "", ""], ["1", "1", "102", "1", "60", "王伍", "X1", "", ""]]
    )
    body = upload(client, world.compounds["c1"].id, world.h["committee"], "w.csv", content).get_json()
    assert body["owners"] == 1
    assert body["warnings"] == [
        {"rows": [2, 3], "message": "同一证件号对应不同姓名：王五、王伍，已按同一业主导入，请核对"}
    ]


def test_same_id_in_two_compounds_is_two_owners(client, world):
    content = csv_bytes([HEADER, ["1", "1", "101", "1", "60", "王五", "X1", "", ""]])
    upload(client, world.compounds["c1"].id, world.h["committee"], "a.csv", content)
    upload(client, world.compounds["c2"].id, world.h["committee2"], "a.csv", content)
    a = client.get(f"/api/v1/compounds/{world.compounds['c1'].id}/owners", headers=world.h["committee"]).get_json()
    b = client.get(f"/api/v1/compounds/{world.compounds['c2'].id}/owners", headers=world.h["committee2"]).get_json()
    assert a[0]["id"] != b[0]["id"]


def test_file_too_large_413(client, world):
    big = b"x" * (10 * 1024 * 1024 + 1)
    r = upload(client, world.compounds["c1"].id, world.h["committee"], "big.csv", big)
    assert r.status_code == 413 and r.get_json()["code"] == "too_large"


def test_upload_without_file_422(client, world):
    r = client.post(
        f"/api/v1/compounds/{world.compounds['c1'].id}/roster",
        headers=world.h["committee"],
        data={},
        content_type="multipart/form-data",
    )
    assert r.status_code == 422 and "file" in r.get_json()["errors"]["files"]


def test_duplicate_owners_listed_and_merged_with_audit(client, world, runner):
    cid, h = world.compounds["c1"].id, world.h["committee"]
    content = csv_bytes(
        [
            HEADER,
            ["1", "1", "101", "1", "60.00", "赵六", "ID-A", "13900001111", ""],
            ["1", "1", "102", "1", "50.00", "赵六", "", "13900001111", ""],
            ["2", "1", "101", "1", "55.00", "赵六", "ID-B", "13900001111", ""],
            ["2", "1", "102", "1", "55.00", "钱七", "", "13900002222", ""],
        ]
    )
    assert upload(client, cid, h, "d.csv", content).get_json()["owners"] == 4
    dups = client.get(f"/api/v1/compounds/{cid}/owners/duplicates", headers=h).get_json()
    assert len(dups) == 1 and dups[0]["name"] == "赵六"
    group = dups[0]["owners"]
    assert [o["phone_masked"] for o in group] == ["139****1111"] * 3
    assert "phone" not in group[0] and "id_hash" not in str(group)
    keep, others = group[0]["id"], [o["id"] for o in group[1:]]
    r = client.post(
        f"/api/v1/compounds/{cid}/owners/merge",
        headers=h,
        json={"keep_owner_id": keep, "merge_owner_ids": others, "reason": "核对房产证，同一人"},
    )
    assert r.status_code == 200, r.get_json()
    assert len(r.get_json()["units"]) == 3
    owners = client.get(f"/api/v1/compounds/{cid}/owners", headers=h).get_json()
    assert len(owners) == 2
    assert client.get(f"/api/v1/compounds/{cid}/owners/duplicates", headers=h).get_json() == []
    # The merge survives an unchanged re-import and is in the audit chain.
    assert upload(client, cid, h, "d.csv", content).get_json()["owners"] == 2
    from backend.audit import entries

    merged = [e for e in entries(f"owners:{cid}") if e.action == "owners_merged"]
    assert merged and merged[0].data["reason"] == "核对房产证，同一人" and merged[0].actor.startswith("committee:")
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    # Refusals: unknown owner, and another community's committee.
    r = client.post(
        f"/api/v1/compounds/{cid}/owners/merge",
        headers=h,
        json={"keep_owner_id": keep, "merge_owner_ids": [999999], "reason": "误操作测试"},
    )
    assert r.status_code == 404 and r.get_json()["code"] == "owner_not_found"
    r = client.post(
        f"/api/v1/compounds/{cid}/owners/merge",
        headers=world.h["committee2"],
        json={"keep_owner_id": keep, "merge_owner_ids": others, "reason": "越权测试"},
    )
    assert r.status_code == 403


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_masks_phones_and_hides_ids(client, world, fmt):
    cid, h = world.compounds["c1"].id, world.h["committee"]
    upload(client, cid, h, "roster_xingfuli_gb18030.csv")
    r = client.get(f"/api/v1/compounds/{cid}/roster/export", headers=h, query_string={"format": fmt})
    assert r.status_code == 200
    if fmt == "csv":
        assert r.data.startswith("\ufeff".encode())
        rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    else:
        rows = [
            [("" if c is None else str(c)) for c in row]
            for row in load_workbook(io.BytesIO(r.data)).active.iter_rows(values_only=True)
        ]
    assert rows[0] == ["楼栋", "单元", "房号", "楼层", "建筑面积", "面积来源", "业主", "业主类型", "手机"]
    assert len(rows) == 41
    assert rows[1] == ["1", "1", "101", "1", "52.75", "不动产登记", "彭立新、梁振华", "个人", "132****4768"]
    text = "\n".join(",".join(r) for r in rows)
    assert "13272344768" not in text and "610122195807080014" not in text


def test_personal_data_views_are_recorded(client, world, make):
    from backend.extensions import db
    from backend.privacy import PersonalDataAccess

    cid = world.compounds["c1"].id
    unit = make.unit(world.compounds["c1"])
    client.get(f"/api/v1/compounds/{cid}/units", headers=world.h["official"])
    client.get(f"/api/v1/compounds/{cid}/roster/export", headers=world.h["committee"])
    client.get(f"/api/v1/compounds/{cid}/owners", headers=world.h["official"])
    client.get(f"/api/v1/compounds/{cid}/owners/duplicates", headers=world.h["committee"])
    client.get(f"/api/v1/units/{unit.id}", headers=world.h["committee"])
    client.get(
        f"/api/v1/compounds/{cid}/owners", headers=world.h["committee2"]
    )  # refused: nothing seen, nothing logged
    logged = [
        (a.actor.split(":")[0], a.action, a.subject)
        for a in db.session.query(PersonalDataAccess).order_by(PersonalDataAccess.id)
    ]
    assert logged == [
        ("official", "view", f"compound:{cid} units"),
        ("committee", "export", f"compound:{cid} roster"),
        ("official", "view", f"compound:{cid} owners"),
        ("committee", "view", f"compound:{cid} duplicate owners"),
        ("committee", "view", f"unit:{unit.id}"),
    ]


class TestPagination:
    @pytest.fixture
    def filled(self, client, world, make):
        make.units(world.compounds["c1"], 12)
        return world.compounds["c1"].id

    def test_pages_and_total(self, client, world, filled):
        r = client.get(f"/api/v1/compounds/{filled}/units?page=2&per_page=5", headers=world.h["committee"])
        assert r.status_code == 200 and r.headers["X-Total-Count"] == "12" and len(r.get_json()) == 5
        r = client.get(f"/api/v1/compounds/{filled}/units?page=3&per_page=5", headers=world.h["committee"])
        assert len(r.get_json()) == 2
        r = client.get(f"/api/v1/compounds/{filled}/units?page=9&per_page=5", headers=world.h["committee"])
        assert r.get_json() == [] and r.headers["X-Total-Count"] == "12"

    def test_per_page_clamped_to_500(self, client, world, filled):
        r = client.get(f"/api/v1/compounds/{filled}/units?per_page=100000", headers=world.h["committee"])
        assert r.status_code == 200 and len(r.get_json()) == 12

    @pytest.mark.parametrize("query", ["per_page=0", "page=0", "page=-1", "per_page=abc"])
    def test_bad_bounds_422(self, client, world, filled, query):
        r = client.get(f"/api/v1/compounds/{filled}/units?{query}", headers=world.h["committee"])
        assert r.status_code == 422 and r.get_json()["code"] == "validation_error"

    def test_filter_by_building(self, client, world, filled, make):
        make.units(world.compounds["c1"], 3, building="9")
        r = client.get(f"/api/v1/compounds/{filled}/units?building=9", headers=world.h["committee"])
        assert r.headers["X-Total-Count"] == "3"


def test_buildings_summary_and_area_source(client, world):
    cid, h = world.compounds["c1"].id, world.h["committee"]
    content = csv_bytes(
        [
            [*HEADER, "面积来源"],
            ["10", "1", "101", "1", "60.10", "甲", "", "", "", "测绘"],
            ["2", "1", "101", "1", "50.25", "乙", "", "", "", ""],
            ["2", "2", "101", "1", "50.25", "丙", "", "", "", "购房合同"],
        ]
    )
    assert upload(client, cid, h, "s.csv", content).status_code == 200
    r = client.get(f"/api/v1/compounds/{cid}/buildings", headers=h)
    assert r.get_json() == [
        {
            "building": "2",
            "label": "2号楼",
            "units": 2,
            "area": "100.50",
            "entrances": [
                {"entrance": "1", "label": "1单元", "units": 1, "area": "50.25"},
                {"entrance": "2", "label": "2单元", "units": 1, "area": "50.25"},
            ],
        },
        {
            "building": "10",
            "label": "10号楼",
            "units": 1,
            "area": "60.10",
            "entrances": [{"entrance": "1", "label": "1单元", "units": 1, "area": "60.10"}],
        },
    ]
    sources = {u["building"] + u["entrance"]: u["area_source"] for u in units(client, cid, h)}
    assert sources == {"101": "survey", "21": "register", "22": "contract"}
    bad = csv_bytes([[*HEADER, "面积来源"], ["1", "1", "101", "1", "60", "甲", "", "", "", "估计"]])
    r = upload(client, cid, h, "b.csv", bad)
    assert r.status_code == 422 and r.get_json()["errors"][0]["column"] == "面积来源"
    assert client.get(f"/api/v1/compounds/{cid}/buildings", headers=world.h["committee2"]).status_code == 403
