"""Property fees on a 375×812 phone: the committee's desk shows each month's collection and the arrears list by
entrance, a payment is keyed from a row of that list, and the household reads its own fee account on 我的小区."""

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips or fails with the reason
    expect = None

from tests.browser.test_accessibility import store_tokens

pytestmark = pytest.mark.browser


def test_a_payment_from_the_arrears_list_and_the_households_account(live_server, browser, phone, client, kit, make):
    # 社区准物业 at ¥0.55/m² from 2025-01-01; the clock stands at 2025-03-14, so January to March are due.
    units = [
        make.units(kit.compound, 1, area=a, building="1", entrance=e)[0] for a, e in (("80.00", "1"), ("91.10", "2"))
    ]
    body = {"version": 0, "model": "quasi", "responsible_party": "幸福里社区居委会", "fee_fen_per_m2_month": 55}
    body.update(effective_from="2025-01-01", basis="街道安排社区准物业")
    assert client.put(f"/api/v1/compounds/{kit.compound.id}/management", json=body, headers=kit.h).status_code == 200
    resident = make.resident(units[1])

    desk = browser.new_context(
        viewport={"width": 375, "height": 812},
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    desk.set_default_timeout(15_000)
    staff = desk.new_page()
    try:
        store_tokens(
            staff, live_server, "sessionStorage", ["gj-staff", "gj-staff-refresh"], kit.world.users["committee"]
        )
        staff.goto(f"{live_server}/m/committee/fees")
        summary = staff.locator("#fee-summary")
        expect(summary).to_contain_text("本月物业费：每月每平方米 ¥0.55")
        expect(summary.locator("tbody tr").first).to_contain_text("2025年3月")
        arrears = staff.locator("#fee-arrears")
        expect(arrears.locator("h3")).to_have_text(["1号楼1单元（1 户）", "1号楼2单元（1 户）"])
        row = arrears.locator("tr", has_text="1号楼2单元")
        expect(row).to_contain_text("¥150.33")  # 91.10 m² × ¥0.55 = ¥50.105 → ¥50.11 a month, three months

        # The oldest month of that flat, filled in from its row: only the receipt number and the date are typed.
        row.get_by_role("button", name="登记缴费").click()
        expect(staff.locator("#p-period")).to_have_value("2025-01")
        expect(staff.locator("#p-amount")).to_have_value("50.11")
        expect(staff.locator("#p-reference")).to_be_focused()
        staff.fill("#p-reference", "SJ-0001")
        staff.fill("#p-date", "2025-03-14")  # the server's (frozen) today; the box starts at the browser's
        staff.select_option("#p-method", "cash")
        staff.click("#record-fee")
        expect(staff.locator("#fee-recorded")).to_contain_text("2025年1月 物业费 ¥50.11")
        expect(summary.locator("tr", has_text="2025年1月")).to_contain_text("50%")
        expect(staff.locator("#fee-entries")).to_contain_text("SJ-0001")
        expect(arrears.locator("tr", has_text="1号楼2单元")).to_contain_text("¥100.22")

        # The same receipt twice: refused in Chinese, nothing stored.
        row = arrears.locator("tr", has_text="1号楼2单元")
        row.get_by_role("button", name="登记缴费").click()
        staff.fill("#p-reference", "SJ-0001")
        staff.fill("#p-date", "2025-03-14")
        staff.click("#record-fee")
        expect(staff.locator(".error")).to_contain_text("已在本小区登记过")
        assert staff.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        desk.close()

    store_tokens(phone, live_server, "localStorage", ["gj-access", "gj-refresh"], resident)
    phone.goto(f"{live_server}/m/home")
    account = phone.locator("#home-management .fee-account")
    expect(account).to_contain_text("1号楼2单元")
    expect(account).to_contain_text("每月物业费 ¥50.11（91.10 平方米）")
    expect(account).to_contain_text("欠缴 2 个月，共 ¥100.22（最早 2025年2月）")
    phone.click("text=最近各月")
    expect(account.locator("li").first).to_have_text("2025年3月：应缴 ¥50.11，未缴")
    expect(account.locator("li").last).to_have_text("2025年1月：应缴 ¥50.11，已缴清")


def test_a_provider_account_has_the_fee_desk_only(live_server, browser, client, kit, make, world):
    make.units(kit.compound, 2)
    body = {"version": 0, "model": "professional", "responsible_party": "安居物业", "fee_fen_per_m2_month": 120}
    body.update(effective_from="2025-01-01", basis="物业服务合同 AJ-2025-01")
    assert client.put(f"/api/v1/compounds/{kit.compound.id}/management", json=body, headers=kit.h).status_code == 200
    provider = make.user("anju", "provider", world.district)
    grants = f"/api/v1/compounds/{kit.compound.id}/management/providers"
    assert client.post(grants, json={"username": "anju"}, headers=kit.h).status_code == 201
    page = browser.new_page(viewport={"width": 375, "height": 812})
    try:
        store_tokens(page, live_server, "sessionStorage", ["gj-staff", "gj-staff-refresh"], provider)
        page.goto(f"{live_server}/m/committee/fees")
        expect(page.locator("#fee-summary")).to_contain_text("每月每平方米 ¥1.20")
        expect(page.locator("#fee-arrears tr", has_text="1号楼1单元101室")).to_contain_text(
            "¥288.00"
        )  # 80 m² × ¥1.20 × 3
        expect(page.locator("#providers-card")).to_be_hidden()  # granting accounts is the committee's
        expect(page.locator(".desk-top nav a:visible")).to_have_text(["物业费"])
    finally:
        page.close()
