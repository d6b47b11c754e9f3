"""The officials' dashboard (/m/official) at 375×812 and at 1280×800: a city official signs in, drills down from
the city through the district, street and community to its compounds, goes back up by the breadcrumbs, sorts a
column, opens the compounds behind a figure, and downloads the CSV and the XLSX."""

import io

import pytest
from openpyxl import load_workbook

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips or fails with the reason
    expect = None

from tests.test_rollup import city  # noqa: F401  (the multi-district dataset)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    "viewport", [{"width": 375, "height": 812}, {"width": 1280, "height": 800}], ids=["phone", "desk"]
)
def test_an_official_drills_down_opens_a_figure_and_downloads(live_server, browser, city, viewport):  # noqa: F811
    phone = viewport["width"] < 600
    context = browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone, locale="zh-CN",
                                  timezone_id="Asia/Shanghai", accept_downloads=True)  # fmt: skip
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/m/official")
        page.fill("#username", "official_city")
        page.fill("#password", "secret-pass-1")
        page.click("#login")
        expect(page.locator("#o-title")).to_contain_text("西安市")
        expect(page.locator("#o-rows")).to_contain_text("碑林区")
        assert "<svg" in page.inner_html("#o-charts")

        # sort by compounds (descending, as the API's numbers say): 雁塔区 has three, 碑林区 two
        if phone:  # the header row is hidden on a phone (rows are cards): the sort menu
            page.select_option("#o-sort", "compounds")
            expect(page.locator("#o-rows tr").first).to_contain_text("雁塔区")
            page.select_option("#o-order", "asc")
        else:
            page.click("#o-table thead .o-sort[data-key='compounds']")
            expect(page.locator("#o-rows tr").first).to_contain_text("雁塔区")
            page.click("#o-table thead .o-sort[data-key='compounds']")
        expect(page.locator("#o-rows tr").first).to_contain_text("碑林区")

        for name in ("雁塔区", "小寨路街道", "幸福里社区"):
            page.click(f"#o-rows .o-drill:has-text('{name}')")
            expect(page.locator("#o-title")).to_contain_text(name)
        expect(page.locator("#o-path")).to_contain_text("西安市 › 雁塔区 › 小寨路街道 › 幸福里社区")
        expect(page.locator("#o-rows")).to_contain_text("幸福里小区")
        expect(page.locator("#o-rows")).to_contain_text("=cmd")  # a name shown as text, never run
        expect(page.locator("#o-table-title")).to_have_text("各小区")

        # the compounds behind the community's 失管 figure: only the one never recorded
        page.click("#o-rows tr.total .o-figure[data-figure='unmanaged']")
        expect(page.locator("#o-behind-count")).to_have_text("共 1 个小区")
        expect(page.locator("#o-behind-list")).to_contain_text("=cmd")

        with page.expect_download() as download:
            page.click("#o-csv")
        text = download.value.path().read_text(encoding="utf-8-sig")
        assert text.startswith("名称,层级") and "'=cmd" in text and "合计（幸福里社区）" in text
        with page.expect_download() as download:
            page.click("#o-xlsx")
        wb = load_workbook(io.BytesIO(download.value.path().read_bytes()))
        assert wb.sheetnames == ["汇总表", "图表"] and len(wb["图表"]._charts) == 1

        # back up by the breadcrumbs
        page.click("#o-path .o-drill:has-text('雁塔区')")
        expect(page.locator("#o-title")).to_contain_text("雁塔区")
        expect(page.locator("#o-rows")).to_contain_text("小寨路街道")
        # text stays readable: the body's type is at least 18 px
        assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('#o-rows')).fontSize)") >= 18
    finally:
        context.close()
