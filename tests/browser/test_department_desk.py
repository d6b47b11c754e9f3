"""A department's desk at 375×812: 发改 (ndrc) sees its own steps of the projects in its region, the overdue one
marked, and completes the step that is ready with its document number."""

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips or fails with the reason
    expect = None

from backend.types import CHINA_TZ
from tests.browser.test_accessibility import store_tokens
from tests.test_projects import create, department_user, pj, ready_to_apply  # noqa: F401  (pj: the fixture)

pytestmark = pytest.mark.browser


def test_a_department_completes_its_ready_step(live_server, browser, pj, world, clock):  # noqa: F811
    project = create(
        pj, steps=[{"step": "applied", "due_on": "2025-04-30"}, {"step": "in_plan", "due_on": "2025-03-01"}]
    )
    ready_to_apply(pj, project)
    ndrc = department_user(pj.make, "ndrc", "ndrc", world.street)
    today = clock.now.astimezone(CHINA_TZ).date().isoformat()
    page = browser.new_page(viewport={"width": 375, "height": 812})
    try:
        store_tokens(page, live_server, "sessionStorage", ["gj-staff", "gj-staff-refresh"], ndrc.user)
        page.goto(f"{live_server}/m/department")
        rows = page.locator("#dp-steps tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.nth(0)).to_contain_text("幸福里小区综合改造")
        expect(page.locator("#dp-steps tr", has_text="纳入改造计划")).to_contain_text("已逾期")
        expect(page.locator("#dp-steps tr", has_text="纳入改造计划")).to_contain_text("等上一步办结")
        page.locator("#dp-steps tr", has_text="申报").get_by_role("button", name="办结").click()
        expect(page.locator("#dp-form-title")).to_contain_text("申报")
        page.fill("#dp-date", today)
        page.fill("#dp-document", "雁发改投资〔2025〕12号")
        page.click("#dp-complete")
        expect(page.locator("#dp-form")).to_be_hidden()
        expect(rows).to_have_count(1)  # the open steps: 申报 is done, 纳入改造计划 is next
        expect(page.locator("#dp-steps tr", has_text="纳入改造计划").get_by_role("button", name="办结")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        page.close()
