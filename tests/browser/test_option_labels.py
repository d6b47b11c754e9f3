"""Every option a page shows is its label, never its code: the resident's ballot and result pages and the
committee's vote, paper-entry and tally views, for a yes/no item, a choice among management models and a
consultation with labels of its own. The pages take names and threshold results from the API only."""

import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips or fails with the reason
    expect = None

from tests.test_votes_kit import item

pytestmark = pytest.mark.browser
LABELS = ["同意", "反对", "弃权", "专业物业公司", "社区准物业", "业主自治", "楼北侧"]
CODES = re.compile(r"\b(agree|disagree|abstain|professional|quasi|self_managed|north)\b")


def token(make, actor):
    return make.headers(actor)["Authorization"].split()[1]


def shows_labels_only(locator, labels=LABELS):
    text = locator.inner_text()
    assert all(label in text for label in labels), text
    assert not CODES.search(text), text


def signed_in(page, base, storage, key, value, path):
    page.goto(f"{base}/m/signin")  # any page of the site, to reach its storage
    page.evaluate(f"([k, v]) => {storage}.setItem(k, v)", [key, value])
    page.goto(base + path)


@pytest.fixture
def vote(kit, make):
    units = make.units(kit.compound, 4)
    vote = kit.vote(
        [
            item("rebuild", "加装电梯"),
            item("property_manager", "管理模式", ["professional", "quasi", "self_managed"]),
            item("consultation", "井道位置", [{"code": "north", "label": "楼北侧"}, "south"]),
        ]
    )
    for unit, choices in zip(
        units[1:],
        (["agree", "quasi", "north"], ["agree", "quasi", "south"], ["disagree", "professional", "north"]),
        strict=True,
    ):
        assert kit.paper(vote, unit, choices=choices).status_code == 201
    return vote, units


def test_resident_pages_show_labels(vote, kit, make, live_server, phone):
    vote, units = vote
    resident = make.resident(units[0])
    signed_in(phone, live_server, "localStorage", "gj-access", token(make, resident), f"/m/vote/{vote['id']}")
    expect(phone.locator("#choose")).to_be_visible()
    shows_labels_only(phone.locator("#items"))
    phone.get_by_label("同意", exact=True).check()
    phone.get_by_label("专业物业公司", exact=True).check()
    phone.get_by_label("楼北侧", exact=True).check()
    phone.click("#to-confirm")
    shows_labels_only(phone.locator("#summary"), ["同意", "专业物业公司", "楼北侧"])
    phone.click("#submit-ballot")
    expect(phone.locator("#done")).to_be_visible()

    kit.post(vote, "close")
    assert kit.post(vote, "announce").status_code == 200
    phone.goto(f"{live_server}/m/results/{vote['id']}")
    expect(phone.locator("#result table").first).to_be_visible()
    shows_labels_only(phone.locator("#result"))
    expect(phone.locator("#result")).to_contain_text("已计入")


def test_committee_desk_shows_labels_and_the_apis_checks(vote, kit, make, world, live_server, browser):
    vote, _ = vote
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    signed_in(
        page,
        live_server,
        "sessionStorage",
        "gj-staff",
        token(make, world.users["committee"]),
        f"/m/committee/votes/{vote['id']}",
    )
    expect(page.locator(".tally-item")).to_have_count(3)
    shows_labels_only(page.locator("#v-items"))
    shows_labels_only(page.locator("#tally"))
    models = page.locator(".tally-item").nth(1)
    expect(models.locator(".checks")).to_contain_text("社区准物业（人数）")
    expect(models.locator(".checks")).to_contain_text("2 / 3 人")
    expect(page.locator("#v-scope")).to_contain_text("全体业主")

    page.goto(f"{live_server}/m/committee/votes/{vote['id']}/paper")
    expect(page.locator("#choices fieldset")).to_have_count(3)
    shows_labels_only(page.locator("#choices"))
    context.close()
