"""The committee's notices page at the community office (1280×800), on the shared staff sign-in of m.js: sign in on
/m/committee → publish a notice → see it listed with its scans → poster PDF → a run-out token renewed unseen →
the menu to the vote desk and back without signing in again. Screenshots go to the test's temporary folder."""

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips or fails with the reason
    expect = None

from tests.browser.shots import shot

pytestmark = pytest.mark.browser
DESK = {"width": 1280, "height": 800}
TITLE = "关于3号楼加装电梯意见征询的通知"


@pytest.fixture
def desk(browser):
    """A fresh office-computer browser context."""
    context = browser.new_context(viewport=DESK, locale="zh-CN", timezone_id="Asia/Shanghai", accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def test_committee_publishes_a_notice_and_moves_to_the_vote_desk(world, live_server, desk, tmp_path):
    c1 = world.compounds["c1"]
    page = desk

    page.goto(f"{live_server}/m/committee")
    expect(page.locator("#staff-login")).to_be_visible()
    expect(page.locator("#desk")).to_be_hidden()
    page.screenshot(path=str(tmp_path / "0-signin.png"))
    shot(page, "committee-signin")
    page.fill("#username", "committee")
    page.fill("#password", "secret-pass-1")
    page.keyboard.press("Enter")
    expect(page.locator("#staff-login")).to_be_hidden()
    expect(page.locator("h1")).to_have_text("通知与审核")
    expect(page.locator("#compound")).to_have_value(str(c1.id))
    expect(page.locator("#notices")).to_contain_text("还没有通知")

    page.fill("#n-title", TITLE)
    page.fill("#n-body", "请各位业主于本月底前扫码表达意见。")
    page.click("#publish")
    row = page.locator("#notices .row").filter(has_text=TITLE)
    expect(row).to_contain_text("（公告，扫码 0 次）")
    expect(page.locator("#n-title")).to_have_value("")

    # A resident scans the poster's code; the committee's list counts it after a reload, still signed in.
    url = row.locator("a").get_attribute("href")
    landing = page.context.new_page()
    landing.goto(url)
    expect(landing.locator("h1")).to_contain_text(TITLE)
    landing.close()
    page.reload()
    expect(page.locator("#staff-login")).to_be_hidden()
    expect(row).to_contain_text("扫码 1 次")
    page.screenshot(path=str(tmp_path / "1-notices.png"), full_page=True)
    shot(page, "committee-notices", full_page=True)
    shot(page, "committee-letters-reviews", at="section:has(#letters)")

    with page.expect_download() as download:
        row.get_by_role("button", name="下载海报（A4）").click()
    path = tmp_path / "poster.pdf"
    download.value.save_as(path)
    assert download.value.suggested_filename.endswith(".pdf") and path.read_bytes().startswith(b"%PDF")

    # The access token runs out mid-session: the refresh token renews it and the publish still goes through.
    page.evaluate("sessionStorage.setItem('gj-staff', 'run-out')")
    page.fill("#n-title", "停水通知")
    page.click("#publish")
    expect(page.locator("#notices")).to_contain_text("停水通知")
    expect(page.locator("#staff-login")).to_be_hidden()
    assert page.evaluate("sessionStorage.getItem('gj-staff')") != "run-out"

    # A money notice names its campaign: without the number the API's refusal shows, in Chinese.
    page.select_option("#n-kind", label="出资通知")
    page.fill("#n-title", "加装电梯出资通知")
    page.click("#publish")
    expect(page.locator(".error")).to_contain_text("出资通知须关联一个出资项目")
    page.select_option("#n-kind", label="公告")

    # One menu for both areas: to the vote desk and back, signed in all the way.
    nav = page.get_by_role("navigation", name="居委会工作台")
    expect(nav.get_by_role("link", name="通知与审核")).to_have_attribute("aria-current", "page")
    nav.get_by_role("link", name="业主表决").click()
    expect(page).to_have_url(f"{live_server}/m/committee/votes")
    expect(page.locator("#staff-login")).to_be_hidden()
    expect(page.locator("#votes")).to_contain_text("还没有表决")
    expect(nav.get_by_role("link", name="业主表决")).to_have_attribute("aria-current", "page")
    page.screenshot(path=str(tmp_path / "2-votes.png"), full_page=True)
    shot(page, "committee-vote-list")
    nav.get_by_role("link", name="通知与审核").click()
    expect(page).to_have_url(f"{live_server}/m/committee")
    expect(page.locator("#staff-login")).to_be_hidden()
    expect(page.locator("#notices")).to_contain_text(TITLE)

    # Signing out from the shared menu brings back the sign-in card.
    nav.get_by_role("button", name="退出登录").click()
    expect(page.locator("#staff-login")).to_be_visible()
    expect(page.locator("#desk")).to_be_hidden()
    print("screenshots in", tmp_path)
