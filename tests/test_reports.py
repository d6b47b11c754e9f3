"""The consent-rate report: JSON, CSV and XLSX opened back and checked against the tallies; region only."""

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.test_votes_kit import Kit, assert_error, item

URL = "/api/v1/reports/consent-rates"


@pytest.fixture
def votes(kit, make, world):
    """Two closed votes in community 1 (one a choice with no winner, one with a consultation) and one elsewhere."""
    units = make.units(kit.compound, 6)
    first = kit.vote(
        [item("rebuild", "加装电梯"), item("consultation", '=HYPERLINK("x")方案', ["a", "b"])],
        title="+一号楼改造",
        scope={"building": "1"},
    )
    for k, u in enumerate(units[:5]):
        kit.paper(first, u, choices=["agree" if k < 4 else "disagree", "a" if k < 2 else "b"])
    assert kit.post(first, "close").status_code == 200  # on 2025-03-14, Beijing time
    kit.clock.advance(days=40)
    second = kit.vote([item("property_manager", "管理模式", ["professional", "quasi"])], title="@物业选择")
    kit.cast(second, units[:2], "professional")
    kit.cast(second, units[2:5], "quasi")
    kit.cast(second, units[5:], "abstain")
    assert kit.post(second, "close").status_code == 200  # on 2025-04-23
    make.units(world.compounds["c3"], 3)
    other = kit_for(kit, world).vote()
    return first, second, other


def kit_for(kit, world, committee="committee3", compound="c3"):
    k = Kit(kit.client, kit.make, world, kit.clock)
    k.h, k.compound = world.h[committee], world.compounds[compound]
    return k


def expected(kit, vote):
    return kit.tally(vote)["items"]


def test_json_rows_match_tallies(kit, votes, world):
    first, second, _ = votes
    r = kit.client.get(URL, headers=world.h["official"])
    assert r.status_code == 200 and r.headers["X-Total-Count"] == "3"  # rows are vote items, not votes
    rows = r.get_json()
    assert len(rows) == 3
    by_item = {row["item_id"]: row for row in rows}
    for vote in (first, second):
        for t in expected(kit, vote):
            row = by_item[t["item_id"]]
            assert row["participation_owners_ratio"] == t["participation"]["owners_ratio"]
            assert row["passed"] == t["passed"]
            lead = t["winner"] or t["leading"]
            assert row["consent_owners_ratio"] == t["options"][lead]["owners_ratio"]
    rebuild = by_item[first["items"][0]["id"]]
    assert (
        rebuild["district"] == "雁塔区" and rebuild["street"] == "小寨路街道" and rebuild["community"] == "幸福里社区"
    )
    assert rebuild["scope"] == "1号楼" and rebuild["electorate_owners"] == 6 and rebuild["electorate_area"] == "480.00"
    assert rebuild["passed"] is True and rebuild["consent_owners_ratio"] == 0.8
    manager = by_item[second["items"][0]["id"]]
    assert manager["passed"] is False and manager["consent_owners_ratio"] == 0.5  # leading option: quasi, 3 of 6


def test_csv_opened_back_row_by_row(kit, votes, world):
    r = kit.client.get(URL + "?format=csv", headers=world.h["official"])
    assert r.status_code == 200 and r.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[0] == "区县" and "通过" in header[-1] and len(body) == 3
    json_rows = kit.client.get(URL, headers=world.h["official"]).get_json()
    for line, row in zip(body, json_rows, strict=False):
        cells = dict(zip(header, line, strict=False))
        assert cells["小区"] == row["compound"] and cells["参与人数比例"] == str(row["participation_owners_ratio"])
        assert cells[header[-1]] == {True: "是", False: "否", None: ""}[row["passed"]]
    assert {line[4] for line in body} == {"'+一号楼改造", "'@物业选择"}
    assert '\'=HYPERLINK("x")方案' in {line[5] for line in body}


def test_xlsx_opened_back_neutralised(kit, votes, world):
    r = kit.client.get(URL + "?format=xlsx", headers=world.h["official_city"])
    ws = load_workbook(io.BytesIO(r.data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == 1 + 4  # the city official sees the third community's vote too
    titles = {row[4] for row in rows[1:]}
    assert "'+一号楼改造" in titles and "'@物业选择" in titles
    assert all(not str(cell).startswith(("=", "+", "-", "@")) for row in rows for cell in row if cell is not None)


def test_region_only(kit, votes, world):
    first, _, other = votes
    mine = kit.client.get(URL, headers=world.h["committee"]).get_json()
    assert {r["vote_id"] for r in mine} == {first["id"], votes[1]["id"]}
    assert kit.client.get(URL, headers=world.h["committee2"]).get_json() == []
    theirs = kit.client.get(URL, headers=world.h["committee3"]).get_json()
    assert {r["vote_id"] for r in theirs} == {other["id"]}
    assert_error(
        kit.client.get(f"{URL}?org_id={world.c1.id}", headers=world.h["committee2"]), 403, "outside_jurisdiction"
    )
    assert_error(kit.client.get(URL), 401, "unauthorized")
    assert_error(kit.client.get(f"{URL}?format=pdf", headers=world.h["official"]), 422, "validation_error")


def test_date_filter_on_closing(kit, votes, world):
    first, second, _ = votes
    for day, vote in (("2025-03-14", first), ("2025-04-23", second)):
        rows = kit.client.get(f"{URL}?from={day}&to={day}", headers=world.h["official"]).get_json()
        assert {r["vote_id"] for r in rows} == {vote["id"]}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_files_hold_only_the_callers_region(kit, votes, world, fmt):
    """Another community's committee downloads a file with the header and nothing of this community."""

    def read(headers):
        r = kit.client.get(f"{URL}?format={fmt}", headers=headers)
        assert r.status_code == 200
        if fmt == "csv":
            return list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
        return [list(row) for row in load_workbook(io.BytesIO(r.data)).active.iter_rows(values_only=True)]

    assert len(read(world.h["committee2"])) == 1
    theirs = read(world.h["committee3"])
    assert len(theirs) == 2 and theirs[1][3] == "书院小区"
    mine = read(world.h["committee"])
    assert len(mine) == 4 and {row[3] for row in mine[1:]} == {"幸福里小区"}


def test_report_cost_does_not_grow_with_votes_compounds_or_communities(kit, make, world):
    """Each batch of votes loads its items, compounds and their communities together: no query per vote."""
    from tests.test_votes_listing import queries

    report = lambda: kit.client.get(URL, headers=world.h["official_city"])  # noqa: E731
    cost = []
    for committee, compound in (("committee", "c1"), ("committee2", "c2"), ("committee3", "c3")):
        k = kit_for(kit, world, committee, compound)
        units = make.units(k.compound, 3)
        for _ in range(2):
            k.cast(k.vote([item("rebuild"), item("fund_use")]), units[:2], "agree")
        cost.append(queries(report))
    assert len(report().get_json()) == 12
    # 2 votes in one community, then 4 in two, then 6 in three: the same statements (lazy loading took 10, 12, 14)
    assert cost[0] == cost[1] == cost[2] <= 10, cost


def test_json_is_paged_like_every_list(kit, votes, world):
    """Rows are vote items; ``page``/``per_page`` page them in report order and X-Total-Count counts them all."""
    h = world.h["official_city"]
    whole = kit.client.get(URL, headers=h).get_json()
    assert len(whole) == 4
    pages = []
    for page in (1, 2, 3):
        r = kit.client.get(f"{URL}?per_page=3&page={page}", headers=h)
        assert r.status_code == 200 and r.headers["X-Total-Count"] == "4"
        pages.append(r.get_json())
    assert [len(p) for p in pages] == [3, 1, 0]
    assert pages[0] + pages[1] == whole  # the same rows, the same figures, the same order
    assert_error(kit.client.get(f"{URL}?page=0", headers=h), 422, "validation_error")
    big = kit.client.get(f"{URL}?per_page=100000", headers=h)
    assert big.status_code == 200 and len(big.get_json()) == 4  # clamped, not refused


def test_export_statements_stay_constant_as_the_city_grows(kit, make, world):
    """CSV, XLSX and a JSON page run the same statements for 1 compound with 2 votes and 3 with 12 (the votes with
    their compounds and communities, their items, the place names, one aggregate)."""
    from tests.statements import statements_of

    h = world.h["official_city"]

    def cost(fmt):
        response, statements = statements_of(lambda: kit.client.get(f"{URL}?format={fmt}&per_page=5", headers=h))
        assert response.status_code == 200
        response.get_data()  # a streamed body runs its statements while it is read
        return len(statements)

    seen = []
    for committee, compound, n in (("committee", "c1", 2), ("committee2", "c2", 5), ("committee3", "c3", 5)):
        k = kit_for(kit, world, committee, compound)
        units = make.units(k.compound, 3)
        for _ in range(n):
            k.cast(k.vote([item("rebuild"), item("fund_use")]), units[:2], "agree")
        seen.append({fmt: cost(fmt) for fmt in ("csv", "xlsx", "json")})
    assert seen[0] == seen[1] == seen[2], seen
    assert seen[0]["csv"] <= 8, seen


def test_csv_streams_its_first_row_at_once(kit, votes, world):
    r = kit.client.get(URL + "?format=csv", headers=world.h["official_city"], buffered=False)
    chunks = iter(r.response)
    first = next(chunks)
    first = first if isinstance(first, bytes) else first.encode()
    assert first.startswith("\ufeff区县".encode()) and first.count(b"\n") == 2  # the header and the first row
    r.close()


def test_xlsx_prints_and_reads_as_a_clerk_needs(kit, votes, world):
    """Bold frozen header with filters, widths that fit the Chinese headers, percents, two-place areas, A4 landscape
    fitted to the page width."""
    from openpyxl.utils import get_column_letter

    r = kit.client.get(URL + "?format=xlsx", headers=world.h["official_city"])
    assert r.status_code == 200 and r.headers["Content-Length"] == str(len(r.data))
    ws = load_workbook(io.BytesIO(r.data)).active
    header = [c.value for c in ws[1]]
    assert all(c.font.bold for c in ws[1]) and ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{get_column_letter(len(header))}5"
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0
    for n, title in enumerate(header, start=1):
        # A Chinese character takes two columns: every header fits its column, uncut.
        assert ws.column_dimensions[get_column_letter(n)].width >= 2 * len(title), title
    for row in ws.iter_rows(min_row=2):
        cells = dict(zip(header, row, strict=True))
        assert cells["参与人数比例"].number_format == "0.00%" and 0 <= cells["参与人数比例"].value <= 1
        assert cells["应参与专有部分面积（平方米）"].number_format == "0.00"
        assert isinstance(cells["应参与专有部分面积（平方米）"].value, float | int)
        assert cells["应参与业主人数"].number_format == "0"
