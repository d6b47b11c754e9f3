"""Property management on a 375×812 phone: the committee walks the three steps on its desk (a survey from the
template, a vote prefilled from what households said, the announced winner in force), a resident answers the
survey and then reads the model and fee on 我的小区."""

import re
from datetime import UTC, datetime, timedelta

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips or fails with the reason
    expect = None

from tests.browser.test_accessibility import store_tokens

pytestmark = pytest.mark.browser


def test_the_committee_walks_three_steps_and_the_resident_sees_the_result(
    live_server, browser, phone, client, kit, make, world
):
    kit.clock.set(datetime.now(UTC))  # the desk's pages take their default times from the browser's clock
    units = make.units(kit.compound, 4)
    resident = make.resident(units[0])
    h = kit.h
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
        store_tokens(staff, live_server, "sessionStorage", ["gj-staff", "gj-staff-refresh"], world.users["committee"])
        staff.goto(f"{live_server}/m/committee/management")
        expect(staff.locator("#m-current")).to_contain_text("无人负责（失管）")
        # Step 1: the property_management template, published on the survey desk.
        staff.click("#m-new-survey")
        staff.wait_for_url(re.compile(r"/m/committee/surveys/\d+$"))
        survey_id = int(staff.url.rsplit("/", 1)[1])
        staff.click("#s-publish")
        expect(staff.locator("#s-publish")).to_be_hidden()

        # The survey opened at the browser's minute, which the frozen test clock may not have reached yet.
        kit.clock.set(datetime.now(UTC) + timedelta(minutes=1))
        # A resident answers on the phone; three more households answer on paper.
        store_tokens(phone, live_server, "localStorage", ["gj-access", "gj-refresh"], resident)
        phone.goto(f"{live_server}/m/survey/{survey_id}")
        q = lambda key: phone.locator(f"#sv-q-{key}")  # noqa: E731
        q("satisfaction").get_by_label("2分").check()
        q("model").get_by_label("社区准物业").check()
        q("fee").get_by_label("0.3至0.6元").check()
        phone.click("#submit-survey")
        phone.locator("#survey-done").wait_for()
        for unit, model, fee in (
            (units[1], "quasi", "0_6_1_0"),
            (units[2], "quasi", "0_3_0_6"),
            (units[3], "professional", "over_1_0"),
        ):
            body = {"unit_id": unit.id, "answers": {"satisfaction": 3, "model": model, "fee": fee}}
            assert client.post(f"/api/v1/surveys/{survey_id}/paper-responses", json=body, headers=h).status_code == 201

        # Step 2: the vote, prefilled from the survey (quasi: 60 fen is what at least half of its households accept).
        staff.goto(f"{live_server}/m/committee/management")
        staff.select_option("#m-survey", str(survey_id))
        expect(staff.locator("#m-proposal")).to_contain_text("共 4 户作答")
        expect(staff.locator("#m-fee-quasi")).to_have_value("0.60")
        expect(staff.locator("#m-fee-professional")).to_have_value("1.00")
        staff.uncheck("#m-use-self_managed")
        staff.click("#m-start")
        staff.wait_for_url(re.compile(r"/m/committee/votes/\d+$"))
        vote_id = int(staff.url.rsplit("/", 1)[1])

        # Step 3: publish, vote, close, announce (the vote desk's own flows are tested elsewhere).
        vote = client.post(f"/api/v1/votes/{vote_id}/publish", headers=h).get_json()
        assert vote["items"][0]["option_labels"]["quasi"] == "社区准物业（每月每平方米¥0.60）"
        kit.clock.set(datetime.fromisoformat(vote["opens_at"]) + timedelta(minutes=1))  # the desk's default: 15 days on
        kit.cast(vote, units, "quasi")
        kit.end_window(vote)
        assert kit.post(vote, "close").status_code == 200
        assert kit.post(vote, "announce").status_code == 200
        staff.goto(f"{live_server}/m/committee/management")
        expect(staff.locator("#m-current")).to_contain_text("社区准物业")
        expect(staff.locator("#m-current")).to_contain_text("每月每平方米 ¥0.60")
        expect(staff.locator("#m-choices")).to_contain_text("已按公告结果生效")
        assert staff.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        desk.close()

    phone.goto(f"{live_server}/m/home")
    card = phone.locator("#home-management")
    expect(card).to_contain_text("社区准物业")
    expect(card).to_contain_text("每月每平方米 ¥0.60")
    expect(card).to_contain_text("社区准物业胜出")
