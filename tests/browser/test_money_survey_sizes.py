"""Issue 9 §5 and issue 10 ask the money and survey pages for the same rules as the other mobile pages: body text
at least 18 px and nothing wider than a 360 px phone, for the household's pages and the committee's desks alike,
and the household's pages still fitting with an elderly user's enlarged font (about 1.6×, as WeChat's largest)."""

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips or fails with the reason
    expect = None

from tests.browser.test_accessibility import store_tokens
from tests.browser.test_resident_walk import fits_width, font_px
from tests.test_campaigns import ELEVATOR, create, publish
from tests.test_surveys import EVERY_TYPE
from tests.test_votes_kit import at

pytestmark = pytest.mark.browser
NARROW = {"width": 360, "height": 740}


@pytest.fixture
def scene(client, world, make, clock):
    c1, h = world.compounds["c1"], world.h["committee"]
    units = make.units(c1, 12, area="86.50")
    campaign = create(client, h, c1, rule="floor_area", floor_coefficients=ELEVATOR, title="1号楼1单元加装电梯")
    publish(client, h, campaign)
    fund = f"/api/v1/compounds/{c1.id}/fund"
    client.post(
        f"{fund}/rates", json={"rate_fen_per_m2": 3000, "effective_from": "2025-01-01", "basis": "市规定"}, headers=h
    )
    deposit = {
        "kind": "deposit",
        "unit_id": units[11].id,
        "amount_fen": 100_000,
        "date": "2025-03-01",
        "reference": "R",
    }
    client.post(f"{fund}/entries", json=deposit, headers=h)
    body = {"title": "改造意见", "opens_at": at(minutes=-5), "closes_at": at(days=10), "questions": EVERY_TYPE}
    survey = client.post(f"/api/v1/compounds/{c1.id}/surveys", json=body, headers=h).get_json()
    client.post(f"/api/v1/surveys/{survey['id']}/publish", headers=h)
    return {"campaign": campaign["id"], "survey": survey["id"], "resident": make.resident(units[11])}


def check(page, url, ready, large=False):
    page.goto(url)
    expect(page.locator(ready).first).to_be_visible()
    assert font_px(page, "body") >= 18, url
    assert fits_width(page), f"{url} overflows 360 px"
    if large:
        # Through the CSSOM, as the browser's own font setting would: the pages' CSP forbids injected <style>.
        page.evaluate("document.documentElement.style.setProperty('font-size', '180%', 'important')")
        page.wait_for_timeout(100)
        assert fits_width(page), f"{url} overflows 360 px with large text"


def test_money_and_survey_pages_keep_18px_text_within_360px(live_server, browser, world, scene):
    resident = browser.new_context(viewport=NARROW, is_mobile=True, has_touch=True, locale="zh-CN")
    staff = browser.new_context(viewport=NARROW, is_mobile=True, has_touch=True, locale="zh-CN")
    try:
        page = resident.new_page()
        store_tokens(page, live_server, "localStorage", ["gj-access", "gj-refresh"], scene["resident"])
        check(page, f"{live_server}/m/campaign/{scene['campaign']}", "#c-mine .share", large=True)
        check(page, f"{live_server}/m/fund", "#fund-accounts .card", large=True)
        check(page, f"{live_server}/m/survey/{scene['survey']}", "#survey-form", large=True)
        check(page, f"{live_server}/m/home", "#fund-card", large=True)
        desk = staff.new_page()
        store_tokens(desk, live_server, "sessionStorage", ["gj-staff", "gj-staff-refresh"], world.users["committee"])
        check(desk, f"{live_server}/m/committee/campaigns", "#campaigns table")
        check(desk, f"{live_server}/m/committee/campaigns/{scene['campaign']}", "#c-figures table")
        check(desk, f"{live_server}/m/committee/fund", "#accounts table")
        check(desk, f"{live_server}/m/committee/surveys", "#desk")
        check(desk, f"{live_server}/m/committee/surveys/{scene['survey']}", "#r-q1 svg")
    finally:
        resident.close()
        staff.close()
