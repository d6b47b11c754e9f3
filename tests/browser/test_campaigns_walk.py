"""Co-funding on a 375×812 phone: from the money notice's QR landing the owner opens the campaign, sees the
share and how it was computed, and pledges; the committee's desk shows the pledge in its totals and takes
payments by keyboard. Yuan typed in the pages arrive as exact fen."""

import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips or fails with the reason
    expect = None

from funds.campaigns.models import PaymentEntry
from tests.browser.shots import shot
from tests.browser.test_accessibility import store_tokens
from tests.test_campaigns import ELEVATOR, create, publish

pytestmark = pytest.mark.browser


@pytest.fixture
def money(live_server, client, world, make):
    c1, h = world.compounds["c1"], world.h["committee"]
    units = make.units(c1, 12, area="60.00")
    campaign = create(
        client,
        h,
        c1,
        title="1号楼1单元加装电梯",
        total_cost_fen=80_000_000,
        subsidies=[{"source": "city", "amount_fen": 20_000_000}],
        rule="floor_area",
        floor_coefficients=ELEVATOR,
    )
    opened = publish(client, h, campaign, notice=True)
    return {"units": units, "campaign": opened, "resident": make.resident(units[11]), "staff": world.users["committee"]}


def test_resident_pledges_from_the_notice_and_the_desk_shows_it(live_server, browser, phone, client, world, money):
    page, campaign = phone, money["campaign"]
    store_tokens(page, live_server, "localStorage", ["gj-access", "gj-refresh"], money["resident"])
    page.goto(f"{live_server}/n/{campaign['notice']['token']}")
    expect(page.locator("h1")).to_contain_text("出资通知")
    page.click("#go-campaign")
    page.wait_for_url(re.compile(rf"/m/campaign/{campaign['id']}$"))
    expect(page.locator("#c-mine .share")).to_have_text("¥88,235.29")
    expect(page.locator("#c-mine .explanation")).to_contain_text("6层系数 1.00")
    amount = page.locator(".pledge-amount")
    expect(amount).to_have_value("88235.29")
    # The page's parser: yuan text to integer fen by its digits.
    fen = page.evaluate("['0.10', '0.20', '1,234.5', '¥8', '0.1', '1.234', 'abc'].map(window.Gongjian.fen)")
    assert fen == [10, 20, 123450, 800, 10, None, None]
    assert page.evaluate("window.Gongjian.fen('0.10') + window.Gongjian.fen('0.20')") == 30
    shot(page, "resident-campaign", full_page=True)
    amount.fill("1,234.5")
    page.click("button.pledge")
    expect(page.locator("#c-done")).to_contain_text("¥1,234.50")
    expect(page.locator("#c-mine")).to_contain_text("已认捐未缴")
    mine = client.get("/api/v1/my/pledges", headers=world.h["committee"])  # staff: refused, residents only
    assert mine.status_code == 403
    page.goto(f"{live_server}/m/home")
    expect(page.locator("#home-campaigns")).to_contain_text("1号楼1单元加装电梯")
    expect(page.locator("#home-campaigns")).to_contain_text("认捐 ¥1,234.50")

    desk = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True, locale="zh-CN")
    try:
        staff = desk.new_page()
        store_tokens(staff, live_server, "sessionStorage", ["gj-staff", "gj-staff-refresh"], money["staff"])
        staff.goto(f"{live_server}/m/committee/campaigns/{campaign['id']}")
        expect(staff.locator("#c-figures .fig-3")).to_have_text("¥1,234.50")
        expect(staff.locator("#not-paid")).to_contain_text("602")
        # Keyboard entry: "1-1-501", amount in yuan, Enter; twice, 0.10 then 0.20 yuan.
        unit = money["units"][8]
        for amount_text, reference in (("0.10", "R-1"), ("0.20", "R-2")):
            staff.fill("#room", f"1-1-{unit.room}")
            staff.fill("#amount", amount_text)
            staff.fill("#reference", reference)
            staff.press("#reference", "Enter")
            expect(staff.locator("#entered li").first).to_contain_text(f"缴款 ¥{amount_text}")
        expect(staff.locator("#entered-count")).to_have_text("2")
        expect(staff.locator("#c-figures .fig-4")).to_have_text("¥0.30")
        shot(staff, "committee-campaign-desk", full_page=True)
        payments = client.get(f"/api/v1/campaigns/{campaign['id']}/payments", headers=world.h["committee"]).get_json()
        assert [(p["amount_fen"], p["reference"]) for p in payments] == [(10, "R-1"), (20, "R-2")]
        assert PaymentEntry.query.count() == 2
        # A bad amount is refused in the page, before the API.
        staff.fill("#room", f"1-1-{unit.room}")
        staff.fill("#amount", "0.001")
        staff.press("#amount", "Enter")
        expect(staff.locator(".error")).to_contain_text("最多两位小数")
    finally:
        desk.close()
    # The household's own payments, on 我的小区.
    body = {"unit_id": money["units"][11].id, "amount_fen": 10_000, "paid_on": "2025-03-14", "method": "cash"}
    r = client.post(f"/api/v1/campaigns/{campaign['id']}/payments", json=body, headers=world.h["committee"])
    assert r.status_code == 201
    page.goto(f"{live_server}/m/home")
    expect(page.locator("#home-campaigns .payments")).to_have_text("2025年3月14日 缴款 ¥100.00（现金）")


def test_committee_creates_previews_and_publishes(live_server, browser, world, make):
    make.units(world.compounds["c1"], 4, building="7")
    context = browser.new_context(
        viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    try:
        page = context.new_page()
        store_tokens(page, live_server, "sessionStorage", ["gj-staff", "gj-staff-refresh"], world.users["committee"])
        page.goto(f"{live_server}/m/committee/campaigns")
        expect(page.locator("#campaigns")).to_contain_text("还没有出资项目")
        page.fill("#c-title", "7号楼外墙保温")
        page.fill("#c-building", "7")
        page.fill("#c-total", "100,000")
        page.select_option("#c-rule", "equal")
        page.press("#c-total", "Enter")
        expect(page.locator("#preview-shares")).to_contain_text("¥25,000.00")
        page.fill("#c-total", "100000.03")
        page.click("#preview")
        expect(page.locator("#preview-shares tbody tr").first).to_contain_text("¥25,000.01")
        expect(page.locator("#campaigns")).to_contain_text("草稿")
        shot(page, "committee-campaign-preview", full_page=True)
        page.click("#publish")
        page.wait_for_url(re.compile(r"/m/committee/campaigns/\d+$"))
        expect(page.locator("#c-status")).to_have_text("认捐中")
        expect(page.locator("#not-pledged")).to_contain_text("7号楼1单元（4 户）")
        # A paper pledge by keyboard: arrow to 纸质认捐, the room, Enter with no amount pledges the share.
        page.focus("input[name=entry-kind][value=payment]")
        page.keyboard.press("ArrowDown")
        expect(page.locator("#payment-fields")).to_be_hidden()
        page.fill("#room", "7-1-101")
        page.press("#amount", "Enter")
        expect(page.locator("#entered li").first).to_contain_text("7号楼1单元101室 认捐 ¥25,000.01")
        expect(page.locator("#room")).to_be_focused()
        expect(page.locator("#not-pledged")).to_contain_text("7号楼1单元（3 户）")
        expect(page.locator("#c-figures .fig-3")).to_have_text("¥25,000.01")
    finally:
        context.close()
