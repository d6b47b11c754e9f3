"""The committee's vote desk at the community office (1280×800): sign in → create a vote for one stair entrance →
publish → key in a stack of paper sheets (one a duplicate) → chase → close → tally → announce → result PDF.
Screenshots go to the test's temporary folder."""

from datetime import datetime, timedelta

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips or fails with the reason
    expect = None

from backend.types import CHINA_TZ
from tests.browser.shots import shot

pytestmark = pytest.mark.browser
DESK = {"width": 1280, "height": 800}


@pytest.fixture
def desk(browser):
    """A fresh office-computer browser context."""
    context = browser.new_context(viewport=DESK, locale="zh-CN", timezone_id="Asia/Shanghai", accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # "确定发布吗？" and the like
    yield page
    context.close()


def local_input(moment):
    return moment.astimezone(CHINA_TZ).strftime("%Y-%m-%dT%H:%M")


def key_sheet(page, room, option=None):
    """One sheet as a clerk keys it: room, the option's number key on each item, Enter."""
    page.fill("#room", room)
    if option:
        page.focus("#choices fieldset input:checked")
        page.keyboard.press(option)
    page.focus("#room")
    page.keyboard.press("Enter")


def test_committee_runs_an_entrance_vote_from_the_desk(world, make, live_server, desk, tmp_path):
    c1 = world.compounds["c1"]
    make.units(c1, 6, building="3", entrance="2")
    make.units(c1, 2, building="4", entrance="1")
    page = desk

    page.goto(f"{live_server}/m/committee/votes")
    expect(page.locator("#staff-login")).to_be_visible()
    page.fill("#username", "committee")
    page.fill("#password", "secret-pass-1")
    page.keyboard.press("Enter")
    expect(page.locator("#compound")).to_have_value(str(c1.id))
    expect(page.locator("#votes")).to_contain_text("还没有表决")

    page.click("#new-vote")
    expect(page.locator("#compound-name")).to_contain_text("幸福里小区")
    page.fill("#v-title", "3号楼2单元加装电梯")
    page.fill("#v-description", "电梯费用按楼层系数分摊。")
    page.check('input[name="scope"][value="entrance"]')
    page.select_option("#v-building", "3")
    page.select_option("#v-entrance", "2")
    expect(page.locator("#scope-size")).to_contain_text("共 6 户")
    now = datetime.now(CHINA_TZ)
    page.fill("#v-opens", local_input(now - timedelta(minutes=5)))
    page.fill("#v-closes", local_input(now + timedelta(days=15)))
    page.fill(".vote-item .i-title", "是否同意加装电梯")
    page.select_option(".vote-item .i-matter", "rebuild")
    expect(page.locator(".vote-item .rule")).to_contain_text("四分之三以上")
    page.screenshot(path=str(tmp_path / "1-create.png"), full_page=True)
    shot(page, "committee-vote-new", full_page=True)
    page.click("#create")

    expect(page.locator("#v-status")).to_have_text("草稿")
    page.click("#publish")
    expect(page.locator("#v-status")).to_have_text("投票中")
    expect(page.locator("#v-electorate")).to_contain_text("共 6 户、6 位业主")
    expect(page.locator("#v-electorate")).to_contain_text("480.00 平方米")
    expect(page.locator("#v-warnings")).to_contain_text("15")  # opened at once: shorter than the 15-day notice
    page.screenshot(path=str(tmp_path / "2-published.png"), full_page=True)
    shot(page, "committee-vote-published", at="h1")
    vote_url = page.url

    page.click("#chasing-link")
    expect(page.locator("#still-needed")).to_have_text("还差 4 户、320.00 平方米")
    expect(page.locator("#buildings")).to_contain_text("未投 6 户")
    page.click("#back-link")

    page.click("#paper-link")
    expect(page.locator("#building")).to_have_value("3")  # one entrance: filled in once for the stack
    expect(page.locator("#entrance")).to_have_value("2")
    page.fill("#sheet-no", "0001")
    key_sheet(page, "101", "1")
    expect(page.locator("#entered-count")).to_have_text("1")
    expect(page.locator("#sheet-no")).to_have_value("0002")  # the next sheet of the stack
    expect(page.locator("#room")).to_be_focused()
    key_sheet(page, "102", "2")
    expect(page.locator("#entered-count")).to_have_text("2")
    expect(page.locator("#entered li").first).to_contain_text("102室，选票 0002，反对")
    key_sheet(page, "101", "1")  # the same flat again: refused, in Chinese, beside the form
    error = page.locator(".error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("3号楼2单元101室（选票 0003）：该户已投票")
    expect(page.locator("#entered-count")).to_have_text("2")
    expect(page.locator("#total-count")).to_contain_text("还差 2 户")
    page.screenshot(path=str(tmp_path / "3-paper.png"), full_page=True)
    shot(page, "committee-paper-entry", at="h1")

    page.click("#back-link")
    page.click("#chasing-link")
    expect(page.locator("#still-needed")).to_have_text("还差 2 户、160.00 平方米")
    expect(page.locator("#buildings")).to_contain_text("已投 2 户")
    expect(page.locator("#buildings")).not_to_contain_text("101 ")
    page.screenshot(path=str(tmp_path / "4-chasing.png"), full_page=True)
    shot(page, "committee-chasing")

    page.goto(vote_url)
    page.click("#close")
    expect(page.locator("#v-status")).to_have_text("已结束")
    item = page.locator(".tally-item").first
    expect(item).to_contain_text("未通过")
    expect(item.locator(".explanation")).to_contain_text("参与表决条件不满足")
    expect(item.locator(".checks")).to_contain_text("2 / 6 人")
    page.screenshot(path=str(tmp_path / "5-tally.png"), full_page=True)
    shot(page, "committee-tally", at="#tally-card")

    page.click("#announce")
    expect(page.locator("#v-status")).to_have_text("已公布结果")
    expect(page.locator("#publicity")).to_contain_text("公示至")
    with page.expect_download() as download:
        page.click("#result-pdf")
    path = tmp_path / "result.pdf"
    download.value.save_as(path)
    assert download.value.suggested_filename.endswith(".pdf") and path.read_bytes().startswith(b"%PDF")
    page.screenshot(path=str(tmp_path / "6-announced.png"), full_page=True)
    shot(page, "committee-announced", at="#actions")
    print("screenshots in", tmp_path)
