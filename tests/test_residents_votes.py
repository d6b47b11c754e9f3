"""Residents voting through the votes API: bound owners vote, tenants and pending proxies cannot, approved proxies can."""

import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from backend.extensions import db
from backend.types import utcnow
from tests.factories import bearer
from tests.test_residents_auth import dev_sign_in
from tests.test_residents_binding import JPEG, issue_code

votes_models = pytest.importorskip("votes.models", reason="the votes feature is not in this tree")
# No unit they may vote for in the vote (a tenant, a proxy awaiting approval): the vote is not there for them.
NOT_THEIRS = (404, "vote_not_found")


def open_vote(client, world, compound, **scope):
    now = utcnow()
    data = {
        "title": "3号楼2单元加装电梯",
        "description": "是否同意加装电梯。",
        "scope": scope,
        "opens_at": (now - timedelta(hours=1)).isoformat(),
        "closes_at": (now + timedelta(days=10)).isoformat(),
        "items": [{"title": "同意加装电梯", "matter": "rebuild"}],
    }
    r = client.post(f"/api/v1/compounds/{compound.id}/votes", json=data, headers=world.h["committee"])
    assert r.status_code == 201, r.get_json()
    vote = r.get_json()
    r = client.post(f"/api/v1/votes/{vote['id']}/publish", headers=world.h["committee"])
    assert r.status_code == 200 and r.get_json()["status"] == "open", r.get_json()
    return vote


@pytest.fixture
def setting(client, world, make):
    c1 = world.compounds["c1"]
    units = make.units(c1, 4, building="3", entrance="2")
    vote = open_vote(client, world, c1, building="3", entrance="2")
    return world, c1, units, vote


def ballot(client, h, vote, unit, choice="agree"):
    item = vote["items"][0]["id"]
    return client.post(
        f"/api/v1/votes/{vote['id']}/ballots", json={"unit_id": unit.id, "choices": {str(item): choice}}, headers=h
    )


def test_owner_bound_by_code_votes_and_sees_receipt(client, setting):
    world, _c1, units, vote = setting
    h = bearer(dev_sign_in(client, "owner")["access_token"])
    assert client.get("/api/v1/my/votes", headers=h).get_json() == []
    client.post("/api/v1/my/bindings/invite", json={"code": issue_code(units[0]), "owner_name": "业主320"}, headers=h)
    mine = client.get("/api/v1/my/votes", headers=h).get_json()
    assert [v["id"] for v in mine] == [vote["id"]] and mine[0]["units"][0]["voted"] is False
    r = ballot(client, h, vote, units[0])
    assert r.status_code == 201
    receipt = r.get_json()["receipt"]
    mine = client.get("/api/v1/my/votes", headers=h).get_json()
    assert mine[0]["units"][0] == {"unit_id": units[0].id, "label": units[0].label, "voted": True, "receipt": receipt}
    again = ballot(client, h, vote, units[0])  # sent again (a timeout): the same receipt, not a second ballot
    assert again.status_code == 201 and again.get_json()["receipt"] == receipt
    assert ballot(client, h, vote, units[0], "disagree").get_json()["code"] == "ballot_exists"
    tally = client.get(f"/api/v1/votes/{vote['id']}/tally", headers=world.h["committee"]).get_json()
    assert tally["items"][0]["options"]["agree"]["owners"] == 1


def test_tenant_cannot_vote(client, setting):
    _world, _c1, units, vote = setting
    h = bearer(dev_sign_in(client, "tenant")["access_token"])
    client.post("/api/v1/my/bindings/invite", json={"code": issue_code(units[1]), "relation": "tenant"}, headers=h)
    r = ballot(client, h, vote, units[1])
    assert (r.status_code, r.get_json()["code"]) == NOT_THEIRS


def test_proxy_pending_refused_then_approved_votes_as_proxy(client, setting):
    world, c1, units, vote = setting
    h = bearer(dev_sign_in(client, "child")["access_token"])
    data = {
        "compound_id": c1.id,
        "building": "3",
        "entrance": "2",
        "room": units[2].room,
        "owner_name": "老人",
        "proxy_name": "张小红",
        "photo": (io.BytesIO(JPEG), "wts.jpg"),
    }
    proxy = client.post("/api/v1/my/proxies", data=data, headers=h, content_type="multipart/form-data").get_json()
    r = ballot(client, h, vote, units[2])
    assert (r.status_code, r.get_json()["code"]) == NOT_THEIRS  # awaiting approval
    client.post(f"/api/v1/proxies/{proxy['id']}/decision", json={"approve": True}, headers=world.h["committee"])
    assert ballot(client, h, vote, units[2]).status_code == 201
    recorded = db.session.scalar(select(votes_models.Ballot).where(votes_models.Ballot.unit_id == units[2].id))
    assert recorded.channel == "proxy" and recorded.evidence == f"委托书#{proxy['id']}"
    assert recorded.proxy_name  # the child's name is on the ballot


def test_resident_cannot_vote_for_another_household(client, setting):
    _world, _c1, units, vote = setting
    h = bearer(dev_sign_in(client, "a")["access_token"])
    client.post("/api/v1/my/bindings/invite", json={"code": issue_code(units[0]), "owner_name": "业主320"}, headers=h)
    r = ballot(client, h, vote, units[3])
    assert r.status_code == 403 and r.get_json()["code"] == "unit_not_bound"


def test_notice_links_to_vote_page(client, setting):
    world, c1, _units, vote = setting
    n = client.post(
        f"/api/v1/compounds/{c1.id}/notices",
        headers=world.h["committee"],
        json={"kind": "vote_notice", "title": vote["title"], "vote_id": vote["id"]},
    ).get_json()
    html = client.get(f"/n/{n['token']}").get_data(as_text=True)
    assert f'href="/m/vote/{vote["id"]}?compound={c1.id}"' in html  # the compound rides along, for binding
    page = client.get(f"/m/vote/{vote['id']}?compound={c1.id}")
    assert page.status_code == 200 and f'data-vote="{vote["id"]}"' in page.get_data(as_text=True)
    assert f'data-compound="{c1.id}"' in page.get_data(as_text=True)
