"""A survey on a 375×812 phone: a tenant opens it from its notice, answers every question type (the ranking by
number selects, a question shown by an earlier answer, an error shown beside its question), and the committee's
result page, on the same phone size, shows the answer counted with its server-rendered chart."""

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips or fails with the reason
    expect = None

from backend.auth.services import issue_tokens
from tests.browser.conftest import PHONE
from tests.browser.shots import shot
from tests.test_surveys import EVERY_TYPE
from tests.test_votes_kit import at

pytestmark = pytest.mark.browser


def store(page, base, storage, keys, user):
    tokens = issue_tokens(user)
    page.goto(base + "/m/privacy")
    page.evaluate(
        f"([k, a, r]) => {{ {storage}.setItem(k[0], a); {storage}.setItem(k[1], r); }}",
        [keys, tokens["access_token"], tokens["refresh_token"]],
    )


def test_a_tenant_answers_from_the_notice_and_the_committee_sees_it_counted(
    client, world, make, live_server, phone, browser, tmp_path
):
    h, c1 = world.h["committee"], world.compounds["c1"]
    units = make.units(c1, 4, building="3", entrance="2")
    survey = client.post(
        f"/api/v1/compounds/{c1.id}/surveys",
        headers=h,
        json={"title": "3号楼改造意见", "opens_at": at(minutes=-5), "closes_at": at(days=10), "questions": EVERY_TYPE},
    ).get_json()
    assert client.post(f"/api/v1/surveys/{survey['id']}/publish", headers=h).status_code == 200
    notice = client.post(
        f"/api/v1/compounds/{c1.id}/notices",
        headers=h,
        json={"kind": "survey_invite", "title": "请填写改造意见问卷", "survey_id": survey["id"], "body": "每户一份。"},
    ).get_json()
    tenant = make.resident(units[1], relation="tenant", name="租户")

    page = phone
    store(page, live_server, "localStorage", ["gj-access", "gj-refresh"], tenant)
    page.goto(notice["url"])
    page.click("#go-survey")
    page.locator("#survey-form").wait_for()
    expect(page.locator("#survey-title")).to_have_text("3号楼改造意见")
    q = lambda key: page.locator(f"#sv-q-{key}")  # noqa: E731
    expect(q("q6")).to_be_hidden()  # shown only when q1 is 甲
    q("q1").get_by_label("甲").check()
    expect(q("q6")).to_be_visible()
    q("q6").get_by_label("yes").check()
    q("q2").get_by_label("甲").check()
    q("q2").get_by_label("其他（请注明）").check()
    q("q2").locator("input[type=text]").fill("自行车棚")
    page.select_option("#sv-rank-q3-z", "1")
    page.select_option("#sv-rank-q3-x", "2")
    q("q5").locator("textarea").fill("楼道灯常坏")
    page.click("#submit-survey")  # the required scale is missing
    expect(page.locator("#sv-err-q4")).to_have_text("请回答这道题")
    expect(page.locator("#sv-err-q1")).to_be_hidden()
    q("q4").get_by_label("4分").check()
    shot(page, "resident-survey", at="#sv-q-q3")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.click("#submit-survey")
    page.locator("#survey-done").wait_for()
    page.goto(f"{live_server}/m/home")
    expect(page.locator("#home-surveys")).to_contain_text("3号楼改造意见")
    expect(page.locator("#home-surveys")).to_contain_text("已填写")

    context = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
    desk = context.new_page()
    try:
        desk.goto(f"{live_server}/m/committee/surveys/{survey['id']}")
        desk.fill("#username", "committee")
        desk.fill("#password", "secret-pass-1")
        desk.keyboard.press("Enter")
        expect(desk.locator("#r-rate")).to_contain_text("已回答 1 份，范围内 4 户，回答率 25%")
        expect(desk.locator("#r-q1 svg.chart")).to_be_visible()
        expect(desk.locator("#r-q1 svg title")).to_have_text("单选")
        expect(desk.locator("#r-q1 table")).to_contain_text("甲1100%")
        expect(desk.locator("#r-q2")).to_contain_text("其他：自行车棚")
        expect(desk.locator("#r-q3 table")).to_contain_text("z21")
        expect(desk.locator("#r-q4")).to_contain_text("平均 4 分")
        expect(desk.locator("#r-q5")).to_contain_text("楼道灯常坏")
        expect(desk.locator("#pending")).to_contain_text("未答 3 户")
        shot(desk, "committee-survey-results", at="#results-card")
        assert desk.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        context.close()


def test_the_committee_keys_a_paper_answer_by_keyboard(client, world, make, live_server, browser):
    """Issue 10 §4: paper answers keyed at the desk with the keyboard alone (arrows and space to choose, Enter to
    store); the unit leaves the list of those still to answer, and a missing answer is named beside its question."""
    from tests.browser.test_accessibility import store_tokens

    h, c1 = world.h["committee"], world.compounds["c1"]
    units = make.units(c1, 3, building="4", entrance="1")
    questions = [
        {"key": "q1", "type": "single", "title": "楼道要不要装灯", "options": ["装", "不装"], "required": True},
        {"key": "q2", "type": "scale", "title": "满意程度", "required": True},
    ]
    body = {"title": "4号楼纸质问卷", "opens_at": at(minutes=-5), "closes_at": at(days=10), "questions": questions}
    survey = client.post(f"/api/v1/compounds/{c1.id}/surveys", headers=h, json=body).get_json()
    assert client.post(f"/api/v1/surveys/{survey['id']}/publish", headers=h).status_code == 200
    context = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        desk = context.new_page()
        store_tokens(desk, live_server, "sessionStorage", ["gj-staff", "gj-staff-refresh"], world.users["committee"])
        desk.goto(f"{live_server}/m/committee/surveys/{survey['id']}")
        desk.locator("#paper-form").wait_for()
        expect(desk.locator("#pending")).to_contain_text("未答 3 户")
        desk.locator("#pp-q-q1 input[type=radio]").first.focus()
        desk.keyboard.press("Enter")  # nothing chosen yet: the required questions are named, nothing stored
        expect(desk.locator("#pp-err-q1")).to_have_text("请回答这道题")
        desk.select_option("#paper-unit", str(units[1].id))
        desk.locator("#pp-q-q1 input[type=radio]").first.focus()
        desk.keyboard.press("Space")  # 装
        desk.keyboard.press("ArrowDown")  # 不装
        desk.locator("#pp-q-q2 input[type=radio]").first.focus()
        desk.keyboard.press("Space")
        for _ in range(3):
            desk.keyboard.press("ArrowDown")  # 4分
        desk.keyboard.press("Enter")
        expect(desk.locator("#paper-done")).to_have_text("已录入：4号楼1单元102室")
        expect(desk.locator("#paper-unit")).to_be_focused()  # ready for the next sheet
        expect(desk.locator("#pending")).to_contain_text("未答 2 户")
        assert desk.locator(f"#paper-unit option[value='{units[1].id}']").count() == 0
        expect(desk.locator("#r-rate")).to_contain_text("已回答 1 份")
    finally:
        context.close()
    results = client.get(f"/api/v1/surveys/{survey['id']}/results", headers=h).get_json()
    q1, q2 = results["questions"]
    assert q1["options"]["不装"]["count"] == 1 and q1["options"]["装"]["count"] == 0 and q2["mean"] == 4.0
