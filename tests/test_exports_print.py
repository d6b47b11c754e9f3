"""Spreadsheets are what committees print and officials forward: a bold frozen header repeated on each page,
fitted widths, numbers as numbers with their formats, A4 fitted to the page width."""

import io
from decimal import Decimal

from openpyxl import load_workbook

from tests.test_roster import upload


def test_roster_xlsx_prints_on_a4_with_a_bold_frozen_header(client, world):
    cid, h = world.compounds["c1"].id, world.h["committee"]
    upload(client, cid, h, "roster_xingfuli_gb18030.csv")
    r = client.get(f"/api/v1/compounds/{cid}/roster/export", headers=h, query_string={"format": "xlsx"})
    ws = load_workbook(io.BytesIO(r.data)).active
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:I41"
    assert ws.print_title_rows == "$1:$1"
    assert all(cell.font.bold for cell in ws[1])
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    area, floor = ws["E2"], ws["D2"]
    assert area.value == 52.75 and area.number_format == "0.00"  # a number, shown with two places
    assert floor.value == 1 and floor.number_format == "0"
    widths = {c: ws.column_dimensions[c].width for c in "ABCDEFGHI"}
    # The owners' names (two Chinese names joined) are the widest column; a short column stays narrow.
    assert widths["G"] >= 2 * len("彭立新、梁振华") and widths["A"] < widths["G"]


def test_report_ratios_are_percent_cells(kit, world):
    from tests.test_reports import URL, votes  # noqa: F401  (the fixture)

    r = kit.client.get(URL + "?format=xlsx", headers=world.h["official_city"])
    ws = load_workbook(io.BytesIO(r.data)).active
    header = [c.value for c in ws[1]]
    assert ws.freeze_panes == "A2"
    for row in ws.iter_rows(min_row=2):
        cell = row[header.index("参与人数比例")]
        if cell.value is not None:
            assert isinstance(cell.value, float) and cell.number_format == "0.00%"
        area = row[header.index("应参与专有部分面积（平方米）")]
        assert Decimal(str(area.value)) > 0 and area.number_format == "0.00"
