"""Every page shows Beijing times, whatever zone the device is set to: a phone and an office computer in Berlin
see the same words the server prints (backend.types.local_text), and a time typed on the desk means Beijing's."""

from datetime import timedelta

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips or fails with the reason
    expect = None

from backend.types import CHINA_TZ, local_text, utcnow

pytestmark = pytest.mark.browser
BERLIN = {"locale": "zh-CN", "timezone_id": "Europe/Berlin"}


@pytest.fixture
def berlin(browser):
    context = browser.new_context(viewport={"width": 375, "height": 812}, **BERLIN)
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def vote(client, world, make):
    """An open vote closing at 00:30 Beijing time: still the previous day in Berlin."""
    c1 = world.compounds["c1"]
    units = make.units(c1, 2)
    now = utcnow()
    closes = (now + timedelta(days=15)).astimezone(CHINA_TZ).replace(hour=0, minute=30, second=0, microsecond=0)
    body = client.post(
        f"/api/v1/compounds/{c1.id}/votes",
        headers=world.h["committee"],
        json={
            "title": "更换小区物业",
            "opens_at": (now - timedelta(hours=1)).isoformat(),
            "closes_at": closes.isoformat(),
            "items": [{"title": "是否同意更换物业", "matter": "property_manager"}],
        },
    ).get_json()
    assert client.post(f"/api/v1/votes/{body['id']}/publish", headers=world.h["committee"]).status_code == 200
    return body, units, closes


def test_resident_page_in_berlin_shows_beijing_times(make, live_server, berlin, vote):
    body, units, closes = vote
    token = make.headers(make.resident(units[0]))["Authorization"].split()[1]
    page = berlin.new_page()
    page.add_init_script(f"localStorage.setItem('gj-access', {token!r})")
    page.goto(f"{live_server}/m/vote/{body['id']}")
    assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == "Europe/Berlin"
    window = page.locator("#vote-window")
    expect(window).to_contain_text(local_text(closes))  # e.g. 2026年12月17日 00:30, not the 16th at 17:30
    assert local_text(closes).endswith(" 00:30")
    page.goto(f"{live_server}/m/home")
    expect(page.locator("#votes")).to_contain_text("截止 " + local_text(closes))


def test_desk_page_in_berlin_shows_and_takes_beijing_times(client, world, live_server, berlin, vote):
    _body, _, closes = vote
    page = berlin.new_page()
    page.goto(f"{live_server}/m/committee/votes")
    page.fill("#username", "committee")
    page.fill("#password", "secret-pass-1")
    page.keyboard.press("Enter")
    expect(page.locator("#votes")).to_contain_text(local_text(closes))
    # The shared formatter reads a datetime-local value as Beijing's wall clock, and sends it with +08:00.
    assert page.evaluate("Gongjian.when('2026-12-01T04:14')") == "2026年12月1日 04:14"
    assert page.evaluate("Gongjian.beijingIso('2026-12-01T04:14')") == "2026-12-01T04:14:00+08:00"
    assert page.evaluate("Gongjian.when('2026-12-31T16:30:00Z')") == "2027年1月1日 00:30"

    # The notice desk: an expiry typed in Berlin is Beijing's time on the server.
    page.goto(f"{live_server}/m/committee")
    expect(page.locator("#desk")).to_be_visible()
    page.fill("#n-title", "停水通知")
    page.fill("#n-body", "周三停水。")
    expires = (utcnow() + timedelta(days=3)).astimezone(CHINA_TZ).replace(hour=8, minute=0, second=0, microsecond=0)
    page.fill("#n-expires", expires.strftime("%Y-%m-%dT%H:%M"))
    page.click("#publish")
    expect(page.locator("#notices")).to_contain_text("停水通知")
    c1 = world.compounds["c1"]
    notices = client.get(f"/api/v1/compounds/{c1.id}/notices", headers=world.h["committee"]).get_json()
    assert notices[0]["title"] == "停水通知" and notices[0]["expires_at"] == expires.isoformat()
