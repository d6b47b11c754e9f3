"""Pages treat typed text as text (never code), and signing out ends the whole session."""

from datetime import timedelta

import pytest

from backend.auth.services import issue_tokens
from backend.types import utcnow

pytestmark = pytest.mark.browser

PAYLOAD = 'x" autofocus onfocus="window.__xss=1'
TITLE = '<img src=x onerror="window.__xss=2">电梯'


@pytest.fixture
def hostile_vote(client, world, make):
    unit = make.unit(world.compounds["c1"], room='101" onmouseover="window.__xss=3')
    now = utcnow()
    body = {
        "title": TITLE,
        "description": "",
        "scope": {},
        "opens_at": (now - timedelta(minutes=1)).isoformat(),
        "closes_at": (now + timedelta(days=1)).isoformat(),
        "items": [{"title": TITLE, "matter": "property_manager", "options": [PAYLOAD, "quasi"]}],
    }
    vote = client.post(f"/api/v1/compounds/{world.compounds['c1'].id}/votes", json=body, headers=world.h["committee"])
    assert vote.status_code == 201, vote.get_json()
    vid = vote.get_json()["id"]
    assert client.post(f"/api/v1/votes/{vid}/publish", headers=world.h["committee"]).status_code == 200
    return vid, unit


def sign_in(page, base, storage, keys, tokens):
    """Put the tokens where the pages keep them, as their sign-in would."""
    page.goto(base + "/m/privacy")
    page.evaluate(
        f"([k, a, r]) => {{ {storage}.setItem(k[0], a); {storage}.setItem(k[1], r); }}",
        [keys, tokens["access_token"], tokens["refresh_token"]],
    )


def test_resident_ballot_page_shows_hostile_option_as_text(hostile_vote, make, live_server, phone, tmp_path):
    vid, unit = hostile_vote
    resident = make.resident(unit)
    sign_in(phone, live_server, "localStorage", ["gj-access", "gj-refresh"], issue_tokens(resident))
    phone.goto(f"{live_server}/m/vote/{vid}")
    phone.get_by_text(PAYLOAD).first.wait_for()
    phone.screenshot(path=str(tmp_path / "hostile-ballot.png"), full_page=True)
    assert phone.evaluate("window.__xss") is None
    # Escaping, not only the CSP, must hold: no attribute was injected at all.
    assert phone.evaluate("document.querySelectorAll('[onfocus], [onerror], [onmouseover], img').length") == 0


def test_paper_entry_page_shows_hostile_text_as_text(hostile_vote, world, live_server, browser, tmp_path):
    vid, _ = hostile_vote
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    from backend.auth.models import User
    from backend.extensions import db

    staff = db.session.get(User, world.users["committee"].id)
    sign_in(page, live_server, "sessionStorage", ["gj-staff", "gj-staff-refresh"], issue_tokens(staff))
    page.goto(f"{live_server}/m/committee/votes/{vid}/paper")
    page.get_by_text(PAYLOAD).first.wait_for()
    page.screenshot(path=str(tmp_path / "hostile-paper.png"), full_page=True)
    assert page.evaluate("window.__xss") is None
    assert page.evaluate("document.querySelectorAll('[onfocus], [onerror], [onmouseover], img').length") == 0
    context.close()


def test_signing_out_revokes_the_refresh_token_too(client, make, world, live_server, phone):
    resident = make.resident(make.unit(world.compounds["c1"]))
    tokens = issue_tokens(resident)
    sign_in(phone, live_server, "localStorage", ["gj-access", "gj-refresh"], tokens)
    phone.goto(f"{live_server}/m/home")
    phone.click("#signout")
    phone.wait_for_url(f"{live_server}/m/signin")
    refresh = client.post("/api/v1/auth/refresh", headers={"Authorization": f"Bearer {tokens['refresh_token']}"})
    assert refresh.status_code == 401 and refresh.get_json()["code"] == "token_revoked"
