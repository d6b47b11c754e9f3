"""Context kept on a 375×812 phone: from a notice's QR, 参与投票 → demo sign-in → 绑定房屋 reaches the roster match
of that compound (no second scan), and binding leads back to the vote, where the resident votes."""

import re
from datetime import timedelta

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips or fails with the reason
    expect = None

from backend.types import utcnow

pytestmark = pytest.mark.browser


def test_notice_to_roster_binding_without_scanning_again(client, world, make, live_server, phone):
    committee = world.h["committee"]
    c1 = world.compounds["c1"]
    owner = make.owner(c1, names=("张秀英",), phone="13912345678")
    make.unit(c1, building="5", entrance="2", room="302", owner=owner)
    now = utcnow()
    vote = client.post(
        f"/api/v1/compounds/{c1.id}/votes",
        headers=committee,
        json={
            "title": "更换小区物业",
            "opens_at": (now - timedelta(hours=1)).isoformat(),
            "closes_at": (now + timedelta(days=15)).isoformat(),
            "items": [{"title": "是否同意更换物业", "matter": "property_manager"}],
        },
    ).get_json()
    assert client.post(f"/api/v1/votes/{vote['id']}/publish", headers=committee).get_json()["status"] == "open"
    notice = client.post(
        f"/api/v1/compounds/{c1.id}/notices",
        headers=committee,
        json={
            "kind": "vote_notice",
            "title": "关于更换物业的表决通知",
            "vote_id": vote["id"],
            "body": "请扫码登录后投票。",
        },
    ).get_json()
    vote_url = f"{live_server}/m/vote/{vote['id']}?compound={c1.id}"

    page = phone
    page.goto(notice["url"])
    page.click("#go-vote")
    page.wait_for_url(re.compile(r"/m/signin\?next="))
    page.check("#consent")
    page.fill("#dev-subject", "walker")
    page.click("#dev-login")
    page.wait_for_url(vote_url)
    expect(page.locator("#nothing-text")).to_contain_text("还没有以业主")
    page.click("#nothing-bind")
    page.wait_for_url(re.compile(rf"/m/bind\?compound={c1.id}&next="))
    # The roster match and the request are offered; nobody is told to scan the board again.
    expect(page.locator("#by-roster")).to_be_visible()
    expect(page.locator("#by-request")).to_be_visible()
    expect(page.locator(".no-compound")).to_be_hidden()
    page.fill("#building", "5")
    page.fill("#entrance", "2")
    page.fill("#room", "302")
    page.fill("#owner-name", "张秀英")
    page.fill("#phone-last4", "5678")
    page.click("#bind-roster")
    page.get_by_text("绑定成功").wait_for()
    assert "5号楼2单元302室" in page.locator("main").inner_text()
    page.get_by_role("link", name="继续").click()

    page.wait_for_url(vote_url)  # back on the vote they came for
    page.locator("#choose").wait_for()
    page.get_by_label("同意", exact=True).check()
    page.click("#to-confirm")
    expect(page.locator("#summary")).to_contain_text("5号楼2单元302室")
    page.click("#submit-ballot")
    page.locator("#done").wait_for()
    receipt = page.locator("#receipts .receipt").first.inner_text()
    assert re.fullmatch(r"[A-Z0-9-]{6,16}", receipt), receipt
    tally = client.get(f"/api/v1/votes/{vote['id']}/tally", headers=committee).get_json()
    assert tally["items"][0]["participation"]["owners"] == 1


def test_landing_bind_link_keeps_compound_and_vote(client, world, live_server, phone):
    """The notice's own 绑定我家房屋 button: the same compound, and back to the vote afterwards."""
    committee = world.h["committee"]
    c1 = world.compounds["c1"]
    notice = client.post(
        f"/api/v1/compounds/{c1.id}/notices", headers=committee, json={"title": "停水通知", "body": "周三停水。"}
    ).get_json()
    page = phone
    page.goto(notice["url"])
    href = page.get_attribute("#go-bind", "href")
    assert href == f"/m/bind?compound={c1.id}&next=/m/home"
