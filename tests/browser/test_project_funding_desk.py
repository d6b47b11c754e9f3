"""Correcting a project's money on the committee's projects desk, on a 375×812 phone: money arrived is booked, a
wrong arrival reversed with its reason (the row stays, marked 已冲正; the total drops), a refusal without a reason,
and the planned amount revised with a reason that stays listed. Every figure is the API's."""

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips or fails with the reason
    expect = None

from tests.browser.test_accessibility import store_tokens
from tests.test_projects import ITEMS

pytestmark = pytest.mark.browser


def test_the_committee_reverses_an_arrival_and_revises_a_plan(live_server, browser, client, kit, make, world):
    make.units(kit.compound, 1)
    body = {"title": "幸福里小区综合改造", "compound_ids": [kit.compound.id], "items": ITEMS}
    pid = client.post("/api/v1/projects", json=body, headers=kit.h).get_json()["id"]
    funding = {"source": "central_provincial", "planned_fen": 1_000_000}
    assert client.post(f"/api/v1/projects/{pid}/funding", json=funding, headers=kit.h).status_code == 201

    context = browser.new_context(
        viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        store_tokens(page, live_server, "sessionStorage", ["gj-staff", "gj-staff-refresh"], world.users["committee"])
        page.goto(f"{live_server}/m/committee/projects")
        money = page.locator("#pd-projects .funding")
        expect(money).to_contain_text("还没有到位记录")
        money.get_by_label("金额（元）", exact=True).fill("3000.00")
        money.get_by_label("到位日期").fill("2025-03-10")
        money.get_by_label("文号").fill("陕财建〔2025〕12号")
        money.get_by_role("button", name="登记到位").click()
        expect(page.locator("#pd-projects")).to_contain_text("合计：计划 ¥10,000.00，到位 ¥3,000.00，缺口 ¥7,000.00")
        # Reversing without a reason is refused beside the button; with one, the arrival is undone.
        row = money.locator("tbody tr").first
        row.get_by_role("button", name="冲正").click()
        expect(page.locator(".error")).to_have_text("请填写冲正原因")
        money.get_by_label("冲正原因").fill("金额录错，应为2000元")
        money.get_by_role("button", name="冲正").click()
        expect(page.locator("#pd-projects")).to_contain_text("合计：计划 ¥10,000.00，到位 ¥0.00，缺口 ¥10,000.00")
        rows = page.locator("#pd-projects .funding tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.nth(0)).to_contain_text("已冲正")
        expect(rows.nth(1)).to_contain_text("-¥3,000.00")
        expect(rows.nth(1)).to_contain_text("金额录错，应为2000元")
        expect(page.locator("#pd-projects .funding").get_by_role("button", name="冲正")).to_have_count(0)
        # The plan revised with its reason; the earlier figure stays listed.
        money = page.locator("#pd-projects .funding")
        money.get_by_label("新的计划金额（元）").fill("8000")
        money.get_by_label("修改原因").fill("中省补助下达文件调减")
        money.get_by_role("button", name="修改计划").click()
        expect(page.locator("#pd-projects")).to_contain_text("合计：计划 ¥8,000.00，到位 ¥0.00，缺口 ¥8,000.00")
        expect(page.locator("#pd-projects .revisions")).to_have_text("¥10,000.00 → ¥8,000.00：中省补助下达文件调减")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        context.close()
