"""The maintenance-fund pages on a phone (375×812): the committee keys two deposits typed in yuan at the desk
("0.10" then "0.20", by keyboard) and the account holds exactly 30 fen; the household reads its own account on
/m/fund and on 我的小区."""

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips or fails with the reason
    expect = None

from tests.browser.conftest import PHONE
from tests.browser.shots import shot
from tests.browser.test_accessibility import assert_accessible, new_page, store_tokens

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser):
    """The phone of conftest (375×812), allowing axe's script in (``bypass_csp``) to check the states reached."""
    page = new_page(browser, PHONE)
    yield page
    page.context.close()


@pytest.fixture
def flats(world, make, clock):
    compound = world.compounds["c1"]
    return compound, [make.unit(compound, "3", "2", room, "86.50") for room in ("501", "502")]


def account(client, world, compound, unit_id):
    rows = client.get(f"/api/v1/compounds/{compound.id}/fund/accounts", headers=world.h["committee"]).get_json()
    return next(a for a in rows if a["unit_id"] == unit_id)


def test_desk_records_deposits_typed_in_yuan_as_exact_fen(phone, live_server, client, world, flats):
    compound, (flat, _) = flats
    store_tokens(phone, live_server, "sessionStorage", ["gj-staff", "gj-staff-refresh"], world.users["committee"])
    phone.goto(live_server + "/m/committee/fund")
    expect(phone.locator("#accounts table")).to_contain_text("3号楼2单元501室")
    for amount, reference in (("0.10", "BANK-1"), ("0.20", "BANK-2")):
        phone.fill("#d-building", "3")
        phone.fill("#d-entrance", "2")
        phone.fill("#d-room", "501")
        phone.fill("#d-amount", amount)
        phone.fill("#d-date", "2025-03-14")
        phone.fill("#d-reference", reference)
        phone.keyboard.press("Enter")
        expect(phone.locator("#entered-count")).to_have_text("1" if reference == "BANK-1" else "2")
        expect(phone.locator("#d-room")).to_be_focused()
    expect(phone.locator("#accounts")).to_contain_text("¥0.30")
    expect(phone.locator("#fund-summary")).to_contain_text("已缴 ¥0.30")
    shot(phone, "fund-desk", at="#accounts-title")
    assert account(client, world, compound, flat.id)["paid_fen"] == 30
    # A reference already booked is refused with the API's message, and nothing more is stored.
    phone.fill("#d-room", "502")
    phone.fill("#d-amount", "1")
    phone.fill("#d-reference", "BANK-2")
    phone.keyboard.press("Enter")
    expect(phone.locator(".error")).to_contain_text("已在本小区登记过")
    assert account(client, world, compound, flat.id)["paid_fen"] == 30
    # A spending of ¥0.03 over the building's two flats of equal area: 2 fen and 1 fen, in unit order.
    phone.fill("#s-title", "单元门禁维修")
    phone.fill("#s-amount", "0.03")
    phone.fill("#s-building", "3")
    phone.fill("#s-date", "2025-03-14")  # the app runs on the test clock
    phone.click("#record-spending")
    expect(phone.locator("#spendings")).to_contain_text("2 户按面积分摊 ¥0.03")
    assert account(client, world, compound, flat.id)["used_fen"] == 2
    # A row's 冲正 names the entry; with a reason typed, the deposit of ¥0.20 is taken back.
    phone.locator("#entries tr:has-text('BANK-2') button").click()
    expect(phone.locator("#r-reason")).to_be_focused()
    phone.fill("#r-reason", "金额录错")
    phone.click("#reverse")
    expect(phone.locator("#entries")).to_contain_text("金额录错")
    assert account(client, world, compound, flat.id)["paid_fen"] == 10
    assert_accessible(phone)  # with entries, their buttons and a spending listed
    # An unpaid filter leaves out the flat that has paid something.
    phone.select_option("#status-filter", "unpaid")
    expect(phone.locator("#accounts")).not_to_contain_text("501室")
    expect(phone.locator("#accounts")).to_contain_text("502室")


def test_resident_reads_their_own_fund_account(phone, live_server, client, world, make, flats):
    compound, (flat, other) = flats
    h = world.h["committee"]
    base = f"/api/v1/compounds/{compound.id}/fund"
    body = {"rate_fen_per_m2": 3000, "effective_from": "2025-01-01", "basis": "市维修资金管理办法"}
    assert client.post(base + "/rates", json=body, headers=h).status_code == 201
    for unit, fen, ref in ((flat, 100_000, "R1"), (other, 5, "R2")):
        deposit = {"kind": "deposit", "unit_id": unit.id, "amount_fen": fen, "date": "2025-03-01", "reference": ref}
        assert client.post(base + "/entries", json=deposit, headers=h).status_code == 201
    resident = make.resident(flat)
    store_tokens(phone, live_server, "localStorage", ["gj-access", "gj-refresh"], resident)
    phone.goto(live_server + "/m/fund")
    card = phone.locator("#fund-accounts .card")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("3号楼2单元501室")
    expect(card).to_contain_text("应缴 ¥2,595.00")  # 30.00 元 × 86.50 m²
    expect(card).to_contain_text("已缴 ¥1,000.00")
    expect(card).to_contain_text("欠缴 ¥1,595.00")
    expect(card).to_contain_text("2025年3月1日 缴存 ¥1,000.00")
    shot(phone, "fund-my")
    assert_accessible(phone)
    phone.goto(live_server + "/m/home")
    expect(phone.locator("#fund-card")).to_contain_text("余额 ¥1,000.00")
    expect(phone.locator("#fund-card")).not_to_contain_text("502室")


def test_desk_import_shows_each_bad_row_and_stores_nothing(phone, live_server, client, world, flats, tmp_path):
    compound, (flat, _) = flats
    bad = tmp_path / "流水.csv"
    bad.write_text(
        "楼栋,单元,房号,金额,日期,流水号\n3,2,501,12.345,2025-03-01,A1\n3,2,999,10,2025-03-01,A2\n",
        encoding="utf-8-sig",
    )
    store_tokens(phone, live_server, "sessionStorage", ["gj-staff", "gj-staff-refresh"], world.users["committee"])
    phone.goto(live_server + "/m/committee/fund")
    expect(phone.locator("#accounts table")).to_contain_text("3号楼2单元501室")
    phone.set_input_files("#import-file", str(bad))
    phone.click("#import")
    expect(phone.locator(".error")).to_contain_text("未导入任何数据")
    rows = phone.locator("#import-result tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("2")
    expect(rows.nth(0)).to_contain_text("金额")
    expect(rows.nth(1)).to_contain_text("房号")
    expect(rows.nth(1)).to_contain_text("3号楼2单元999室")
    assert_accessible(phone)  # the refusal and its table of rows
    assert account(client, world, compound, flat.id)["paid_fen"] == 0
    good = tmp_path / "good.csv"
    good.write_text("楼栋,单元,房号,金额,日期,流水号\n3,2,501,0.10,2025-03-01,A1\n", encoding="utf-8-sig")
    phone.set_input_files("#import-file", str(good))
    phone.click("#import")
    expect(phone.locator("#import-result")).to_contain_text("已导入 1 笔，共 ¥0.10")
    assert account(client, world, compound, flat.id)["paid_fen"] == 10


def test_statement_qr_landing_sends_an_unbound_household_to_bind_in_its_compound(phone, live_server, make, world):
    compound = world.compounds["c1"]
    store_tokens(phone, live_server, "localStorage", ["gj-access", "gj-refresh"], make.resident())
    phone.goto(f"{live_server}/m/fund?compound={compound.id}")
    link = phone.locator("#fund-accounts a.button")
    expect(link).to_have_text("绑定房屋")
    assert link.get_attribute("href") == f"/m/bind?compound={compound.id}&next=%2Fm%2Ffund"


def test_desk_posts_the_fund_call_and_lists_the_flats_to_top_up(phone, live_server, client, world, flats):
    """Issue 9 §5-6: a fund call from the desk reaches the board, its landing leading to the household's
    account; the desk lists the flats to top up."""
    compound, (flat, _) = flats
    store_tokens(phone, live_server, "sessionStorage", ["gj-staff", "gj-staff-refresh"], world.users["committee"])
    phone.goto(live_server + "/m/committee/fund")
    expect(phone.locator("#accounts table")).to_contain_text("3号楼2单元501室")
    phone.fill("#rate-yuan", "30.00")
    phone.fill("#rate-from", "2025-01-01")  # the app runs on the test clock
    phone.fill("#rate-basis", "业主大会决定筹集维修资金")
    phone.check("#rate-notice")
    phone.click("#save-rate")
    link = phone.locator("#rate-done a")
    expect(link).to_contain_text("/n/")
    expect(phone.locator("#accounts")).to_contain_text("¥2,595.00")  # 30.00 元 × 86.50 m²
    notice_url = link.get_attribute("href")
    # The top-up list: 501 paid in full (¥2,595.00), then ¥4,000.00 spent over both flats leaves it ¥595.00,
    # below 30 % of its first deposit (¥778.50); 502 never paid, so it is owed, not flagged.
    h, base = world.h["committee"], f"/api/v1/compounds/{compound.id}/fund"
    body = {"kind": "deposit", "unit_id": flat.id, "amount_fen": 259_500, "date": "2025-03-01", "reference": "T1"}
    assert client.post(base + "/entries", json=body, headers=h).status_code == 201
    body = {"title": "屋面防水", "amount_fen": 400_000, "scope": {"building": "3"}, "date": "2025-03-02"}
    assert client.post(base + "/spending", json=body, headers=h).status_code == 201
    phone.reload()
    expect(phone.locator("#top-up")).to_contain_text("3号楼2单元501室")
    expect(phone.locator("#top-up")).not_to_contain_text("502室")
    phone.goto(notice_url)
    expect(phone.locator("h1")).to_have_text("幸福里小区维修资金缴存通知")
    expect(phone.locator("article")).to_contain_text("依据：业主大会决定筹集维修资金")
    assert phone.locator("#go-fund").get_attribute("href") == f"/m/fund?compound={compound.id}"
    assert_accessible(phone)
