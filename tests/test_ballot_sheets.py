"""Printed ballot sheets: one A4 page per unit, a barcode that decodes to the sheet number, entry by that number."""

import io
import re
import shutil
import subprocess

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import func, select

from backend.extensions import db
from backend.privacy import PersonalDataAccess
from tests.test_votes_concurrency import race
from tests.test_votes_kit import assert_error, item
from tests.test_votes_listing import queries
from votes.models import Ballot, IssuedSheet

NUMBER = re.compile(r"编号 (\d+-\d{4})")
AGREEMENT = item("rebuild", "3号楼加装电梯")
MODEL = item("property_manager", "小区管理模式", ["professional", "quasi", "self_managed", "维持现状"])


@pytest.fixture
def estate(make, kit):
    """Stairs that sort wrongly as text (building 10 after 2, room 1001 after 201) and one co-owned flat."""
    c1 = kit.compound
    couple = make.owner(c1, names=("张建国", "李秀英"), ids=("610100195501010011", "610100195702020022"))
    flats = [
        make.unit(c1, "10", "1", "101"),
        make.unit(c1, "2", "1", "1001"),
        make.unit(c1, "2", "1", "201"),
        make.unit(c1, "2", "2", "101", owner=couple),
        make.unit(c1, "2", "2", "102"),
    ]
    return {u.label: u for u in flats}


ORDER = ["2号楼1单元201室", "2号楼1单元1001室", "2号楼2单元101室", "2号楼2单元102室", "10号楼1单元101室"]


def sheets_pdf(kit, vote, headers=None, **scope):
    return kit.client.get(f"/api/v1/votes/{vote['id']}/ballot-sheets.pdf", query_string=scope, headers=headers or kit.h)


def printed(kit, vote, **scope):
    r = sheets_pdf(kit, vote, **scope)
    assert r.status_code == 200 and r.mimetype == "application/pdf", r.get_data(as_text=True)[:300]
    return r.data


def pages_text(data, tmp_path):
    """Each page's text as pdftotext lays it out (pages end with a form feed)."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "sheets.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


def numbers(data, tmp_path):
    return [NUMBER.search(page).group(1) for page in pages_text(data, tmp_path)]


def barcode(data, tmp_path, page=1):
    path = tmp_path / "scan.pdf"
    path.write_bytes(data)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "150",
            "-png",
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            str(path),
            str(tmp_path / "scan"),
        ],
        check=True,
    )
    found = zxingcpp.read_barcodes(Image.open(tmp_path / "scan.png"))
    assert len(found) == 1, found
    return found[0].text


def by_sheet(kit, vote, sheet_no, choice=None, **extra):
    choices = {str(i["id"]): choice for i in vote["items"]} if choice else {}
    return kit.client.post(
        f"/api/v1/votes/{vote['id']}/paper-ballots",
        json={"sheet_no": sheet_no, "choices": choices, **extra},
        headers=kit.h,
    )


def issued_count(vote):
    return db.session.scalar(select(func.count()).select_from(IssuedSheet).where(IssuedSheet.vote_id == vote["id"]))


def test_one_a4_page_per_unit_in_stair_order(kit, estate, tmp_path):
    vote = kit.vote(items=[AGREEMENT, MODEL], title="加装电梯与管理模式")
    data = printed(kit, vote)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == len(estate)
    assert {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages} == {(595, 842)}
    pages = pages_text(data, tmp_path)
    assert [next(label for label in ORDER if label in page) for page in pages] == ORDER
    assert numbers(data, tmp_path) == [f"{vote['id']}-{n:04d}" for n in range(1, 6)]
    couple = pages[ORDER.index("2号楼2单元101室")]
    for expected in (
        "幸福里小区",
        "加装电梯与管理模式",
        "2号楼2单元101室",
        "张建国、李秀英",
        "3号楼加装电梯",
        "同意",
        "反对",
        "弃权",
        "专业物业公司",
        "社区准物业",
        "业主自治",
        "维持现状",
        "一个方框内打“√”",
        "按弃权计",
        "签名",
        "前将本表决票交回",
    ):
        assert expected in couple, expected
    assert "业主2-1-201" in pages[0] and "张建国" not in pages[0]
    assert db.session.scalar(select(PersonalDataAccess.subject)) == f"vote:{vote['id']} ballot sheets"


def test_scanned_number_enters_the_ballot_for_its_unit(kit, estate, tmp_path):
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    vote = kit.vote(items=[AGREEMENT, MODEL])
    data = printed(kit, vote)
    third = numbers(data, tmp_path)[2]
    assert barcode(data, tmp_path, page=3) == third
    unit = estate["2号楼2单元101室"]
    desk = kit.client.get(f"/api/v1/votes/{vote['id']}/sheets/{third}", headers=kit.h).get_json()
    assert desk == {
        "sheet_no": third,
        "unit_id": unit.id,
        "label": "2号楼2单元101室",
        "building": "2",
        "entrance": "2",
        "room": "101",
        "owners": ["张建国", "李秀英"],
        "entered": False,
        "receipt": None,
        "unit_voted": False,
        "issued_at": desk["issued_at"],
    }
    agreement, model = (str(i["id"]) for i in vote["items"])
    r = kit.client.post(
        f"/api/v1/votes/{vote['id']}/paper-ballots",
        json={"sheet_no": third, "choices": {agreement: "agree"}},
        headers=kit.h,
    )
    assert r.status_code == 201, r.get_json()
    ballots = kit.client.get(f"/api/v1/votes/{vote['id']}/ballots", headers=kit.h).get_json()
    assert [(b["unit_id"], b["sheet_no"], b["channel"], b["choices"]) for b in ballots] == [
        (unit.id, third, "paper", {agreement: "agree", model: "abstain"})
    ]
    tally = kit.tally(vote)["items"][0]
    assert tally["participation"]["owners"] == 1 and tally["options"]["agree"]["area"] == "80.00"
    desk = kit.client.get(f"/api/v1/votes/{vote['id']}/sheets/{third}", headers=kit.h).get_json()
    assert desk["entered"] and desk["unit_voted"] and desk["receipt"] == r.get_json()["receipt"]
    assert_error(by_sheet(kit, vote, third, "abstain"), 409, "ballot_exists")


def test_reprinting_reuses_the_numbers_and_reconciliation_counts_them(kit, estate, tmp_path):
    vote = kit.vote()
    stair = printed(kit, vote, building="2", entrance="2")
    assert len(PdfReader(io.BytesIO(stair)).pages) == 2
    first = numbers(stair, tmp_path)
    assert first == [f"{vote['id']}-0001", f"{vote['id']}-0002"]
    whole = numbers(printed(kit, vote), tmp_path)
    assert whole[2:4] == first and len(set(whole)) == 5  # the stair keeps its numbers, the rest are new
    assert numbers(printed(kit, vote), tmp_path) == whole and issued_count(vote) == 5
    url = f"/api/v1/votes/{vote['id']}/sheets"
    assert kit.client.get(url, headers=kit.h).get_json() == {
        "issued": 5,
        "returned": 0,
        "void": 0,
        "voided": [],
        "outstanding": sorted(whole),
        "not_issued": [],
    }
    assert by_sheet(kit, vote, whole[0], "agree").status_code == 201
    assert kit.client.get(url, headers=kit.h).get_json()["returned"] == 1


def test_printing_skips_hand_issued_numbers(kit, estate, tmp_path):
    vote = kit.vote()
    url = f"/api/v1/votes/{vote['id']}/sheets"
    kit.client.post(url, json={"sheet_nos": [f"{vote['id']}-0002", "0173"]}, headers=kit.h)
    assert numbers(printed(kit, vote), tmp_path) == [f"{vote['id']}-{n:04d}" for n in (1, 3, 4, 5, 6)]
    hand = kit.client.get(f"{url}/0173", headers=kit.h).get_json()
    assert (hand["unit_id"], hand["label"], hand["owners"], hand["entered"]) == (None, None, [], False)
    assert_error(by_sheet(kit, vote, "0173", "agree"), 422, "sheet_not_found")  # no unit on it: choose one
    r = kit.paper(vote, estate["2号楼1单元201室"], "agree", sheet_no="0173")
    assert r.status_code == 201, r.get_json()


def test_entry_by_number_keeps_every_rule(kit, make, estate, tmp_path):
    c1 = kit.compound
    firm = make.owner(c1, names=("某公司",), ids=("91610000MA6TG0001X",), owner_type="organisation")
    shops = [make.unit(c1, "3", "1", "101", owner=firm), make.unit(c1, "3", "1", "102", owner=firm)]
    vote = kit.vote()
    nos = dict(
        zip(
            ["2-1-201", "2-1-1001", "2-2-101", "2-2-102", "3-1-101", "3-1-102", "10-1-101"],
            numbers(printed(kit, vote), tmp_path),
            strict=False,
        )
    )
    other = estate["10号楼1单元101室"]
    r = kit.paper(vote, other, "agree", sheet_no=nos["2-1-201"])
    assert_error(r, 409, "sheet_unit_mismatch")
    assert "2号楼1单元201室" in r.get_json()["message"]
    assert kit.paper(vote, estate["2号楼1单元201室"], "agree", sheet_no=nos["2-1-201"]).status_code == 201
    assert_error(by_sheet(kit, vote, "99-0001", "agree"), 422, "sheet_not_found")
    assert_error(
        kit.client.post(f"/api/v1/votes/{vote['id']}/paper-ballots", json={"choices": {}}, headers=kit.h),
        422,
        "validation_error",
    )
    assert by_sheet(kit, vote, nos["3-1-101"], "agree").status_code == 201
    assert_error(by_sheet(kit, vote, nos["3-1-102"], "disagree"), 409, "owner_inconsistent")
    assert kit.paper(vote, shops[1], "agree").status_code == 201  # the unit alone, as before
    assert_error(by_sheet(kit, vote, nos["3-1-102"], "agree"), 409, "ballot_exists")
    bulk = [{"building": "2", "entrance": "2", "room": "101", "sheet_no": nos["2-2-102"], "choices": {}}]
    r = kit.client.post(f"/api/v1/votes/{vote['id']}/paper-ballots/bulk", json={"sheets": bulk}, headers=kit.h)
    assert r.get_json()["results"][0]["code"] == "sheet_unit_mismatch"


def test_many_items_run_on_to_a_second_page_with_the_barcode(kit, estate, tmp_path):
    vote = kit.vote(
        items=[item("rebuild", f"第{n}项改造内容：楼道、管线、屋面防水与外墙保温") for n in range(1, 11)],
        scope={"building": "10"},
    )
    data = printed(kit, vote)
    pages = pages_text(data, tmp_path)
    assert len(pages) == 2 and "（续）" in pages[1] and "10号楼1单元101室" in pages[1]
    assert "第10项" in pages[1] and "签名" in pages[1] and "签名" not in pages[0]
    if shutil.which("pdftoppm"):
        assert barcode(data, tmp_path, page=2) == f"{vote['id']}-0001"


def test_access_and_states(kit, client, world, estate):
    draft = kit.create().get_json()
    assert_error(sheets_pdf(kit, draft), 409, "vote_not_published")
    vote = kit.vote()
    pdf = f"/api/v1/votes/{vote['id']}/ballot-sheets.pdf"
    one = f"/api/v1/votes/{vote['id']}/sheets/{vote['id']}-0001"
    for url in (pdf, one):
        assert_error(client.get(url), 401, "unauthorized")
        assert_error(client.get(url, headers=world.h["official"]), 403, "role_forbidden")
        assert_error(client.get(url, headers=world.h["committee2"]), 403, "outside_jurisdiction")
    assert_error(client.get("/api/v1/votes/9999/ballot-sheets.pdf", headers=kit.h), 404, "vote_not_found")
    assert_error(client.get(one, headers=kit.h), 404, "sheet_not_found")
    assert_error(sheets_pdf(kit, vote, entrance="1"), 422, "validation_error")
    assert_error(sheets_pdf(kit, vote, building="7"), 422, "no_units")
    assert issued_count(vote) == 0
    assert sheets_pdf(kit, vote, headers=world.h["admin"]).status_code == 200
    assert client.get(one, headers=world.h["admin"]).get_json()["label"] == "2号楼1单元201室"


def test_printing_costs_no_query_per_unit(kit, make):
    cost = []
    for building, count in (("5", 2), ("6", 12)):
        make.units(kit.compound, count, building=building)
        vote = kit.vote(scope={"building": building})
        first = queries(lambda v=vote: sheets_pdf(kit, v))
        cost.append((first, queries(lambda v=vote: sheets_pdf(kit, v))))
    assert cost[0] == cost[1], cost


@pytest.mark.postgres_only
def test_concurrent_printing_numbers_each_unit_once(app, kit, estate):
    vote = kit.vote()
    url = f"/api/v1/votes/{vote['id']}/ballot-sheets.pdf"

    scopes = [{}, {}, {"building": "2", "entrance": "2"}, {"building": "10"}]
    results = race(app, [lambda c, s=s: c.get(url, query_string=s, headers=kit.h) for s in scopes])
    assert [status for status, _ in results] == [200] * 4
    rows = db.session.execute(
        select(IssuedSheet.unit_id, IssuedSheet.sheet_no).where(IssuedSheet.vote_id == vote["id"])
    ).all()
    assert len(rows) == len({u for u, _ in rows}) == len({n for _, n in rows}) == 5
    assert {n for _, n in rows} == {f"{vote['id']}-{k:04d}" for k in range(1, 6)}


def test_a_long_list_of_co_owners_stays_in_its_band(kit, make, tmp_path):
    heirs = make.owner(kit.compound, names=tuple(f"继承人{n:02d}" for n in range(1, 41)))
    make.unit(kit.compound, "4", "1", "101", owner=heirs)
    vote = kit.vote()
    pages = pages_text(printed(kit, vote), tmp_path)
    assert len(pages) == 1 and "继承人01、继承人02" in pages[0] and "等40人" in pages[0]


def test_a_correction_takes_only_its_own_units_sheet(kit, estate, tmp_path):
    """A ballot keyed without its sheet number may get one in a correction, but only the sheet printed for its
    unit: another flat's number, or a sheet marked void, is refused as at entry."""
    vote = kit.vote()
    nos = numbers(printed(kit, vote), tmp_path)  # in stair order: ORDER
    flat = estate["2号楼1单元201室"]
    assert kit.paper(vote, flat, "agree").status_code == 201
    ballot_id = db.session.scalar(select(Ballot.id).where(Ballot.unit_id == flat.id))
    url = f"/api/v1/votes/{vote['id']}/ballots/{ballot_id}/correct"

    def correct(sheet_no):
        body = {"choices": {str(vote["items"][0]["id"]): "agree"}, "reason": "补录表决票编号", "sheet_no": sheet_no}
        return kit.client.post(url, json=body, headers=kit.h)

    assert_error(correct(nos[1]), 409, "sheet_unit_mismatch")  # 2号楼1单元1001室's sheet
    void = f"/api/v1/votes/{vote['id']}/sheets/{nos[0]}/void"
    assert kit.client.post(void, json={"reason": "污损"}, headers=kit.h).status_code == 200
    assert_error(correct(nos[0]), 409, "sheet_void")
