"""Residents follow the works on a 375×812 phone: 我的小区 shows their compound's renovation project, each step with
the date it was done and the step under way, and what the money goes to, underground works first."""

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips or fails with the reason
    expect = None

from tests.browser.test_accessibility import store_tokens
from tests.test_projects import ITEMS

pytestmark = pytest.mark.browser


def test_a_resident_sees_the_timeline_of_the_works(live_server, phone, client, kit, make, world):
    unit = make.units(kit.compound, 1)[0]
    make.unit(world.compounds["c2"])
    body = {"title": "幸福里小区综合改造", "compound_ids": [kit.compound.id], "items": ITEMS}
    project = client.post("/api/v1/projects", json=body, headers=kit.h).get_json()
    other = {"title": "和平小区改造", "compound_ids": [world.compounds["c2"].id], "items": []}
    assert client.post("/api/v1/projects", json=other, headers=world.h["committee2"]).status_code == 201
    survey = {
        "title": "改造需求调查",
        "opens_at": "2025-03-14T09:00:00+08:00",
        "closes_at": "2025-03-20T09:00:00+08:00",
        "questions": [{"key": "q", "type": "text", "title": "您的意见"}],
    }
    sid = client.post(f"/api/v1/compounds/{kit.compound.id}/surveys", json=survey, headers=kit.h).get_json()["id"]
    assert client.post(f"/api/v1/surveys/{sid}/publish", headers=kit.h).status_code == 200
    assert client.post(f"/api/v1/surveys/{sid}/close", headers=kit.h).status_code == 200
    r = client.post(
        f"/api/v1/projects/{project['id']}/steps/needs_surveyed/complete",
        json={"completed_on": "2025-03-14", "survey_id": sid},
        headers=kit.h,
    )
    assert r.status_code == 200, r.get_json()

    store_tokens(phone, live_server, "localStorage", ["gj-access", "gj-refresh"], make.resident(unit))
    phone.goto(f"{live_server}/m/home")
    card = phone.locator("#projects-card")
    expect(card.locator(".project")).to_have_count(1)  # only the household's own compound's works
    expect(card).to_contain_text("幸福里小区综合改造")
    steps = card.locator("ol.project-steps li")
    expect(steps).to_have_count(8)
    expect(steps.nth(0)).to_have_text("需求调查：已完成 2025-03-14")
    expect(steps.nth(1)).to_have_text("方案表决通过：进行中")
    expect(steps.nth(1)).to_have_attribute("aria-current", "step")
    expect(steps.nth(7)).to_have_text("竣工验收：未开始")
    expect(card).to_contain_text("改造内容（计划投资 ¥2,850,000.00）")
    items = card.locator(".project ul li")
    expect(items.first).to_have_text("供水、排水管网（基础类，地下工程）：¥800,000.00")
    expect(items.nth(3)).to_have_text("1号楼加装电梯（完善类）：¥1,200,000.00")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
