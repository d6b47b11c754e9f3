"""Every vote route goes through the gate: 401, then 403 (role, jurisdiction) or 404, then 422, then 409.

``vote_not_found`` is 404 everywhere. A resident is told of no vote outside their units: an unknown id, a draft
and a vote of another building all answer the same 404. Staff outside their jurisdiction get 403.
"""

import pytest

from tests.test_votes_kit import assert_error

RESIDENT, STAFF, MANAGERS, ANYONE = "resident", "staff", "managers", "anyone"
# (method, path under /api/v1/votes/{id}, who may call it)
ROUTES = [
    ("get", "", ANYONE),
    ("post", "/publish", MANAGERS),
    ("post", "/close", MANAGERS),
    ("post", "/announce", MANAGERS),
    ("get", "/tally", STAFF),
    ("get", "/progress", STAFF),
    ("post", "/ballots", RESIDENT),
    ("get", "/ballots", STAFF),
    ("post", "/paper-ballots", MANAGERS),
    ("post", "/paper-ballots/bulk", MANAGERS),
    ("post", "/ballots/{ballot}/confirm", MANAGERS),
    ("post", "/ballots/{ballot}/correct", MANAGERS),
    ("get", "/sheets", STAFF),
    ("post", "/sheets", MANAGERS),
    ("post", "/items/{item}/runoff", MANAGERS),
    ("get", "/result", ANYONE),
    ("get", "/result.pdf", ANYONE),
    ("get", "/evidence.xlsx", STAFF),
]


@pytest.fixture
def setting(kit, make):
    """An open vote in building 1 with one paper ballot, a draft, and residents in and out of the electorate."""
    inside, outside = make.unit(kit.compound, "1", "1", "101"), make.unit(kit.compound, "2", "1", "101")
    vote = kit.vote(scope={"building": "1"})
    ballot = kit.paper(vote, inside, "agree").get_json()["ballot_id"]
    draft = kit.create(scope={"building": "1"}).get_json()
    return {
        "vote": vote,
        "ballot": ballot,
        "draft": draft,
        "voter": make.headers(make.resident(inside, name="楼内业主")),
        "neighbour": make.headers(make.resident(outside, name="邻楼业主")),
        "tenant": make.headers(make.resident(inside, relation="tenant", name="租户")),
    }


def url(setting, path, vote_id=None):
    vote = setting["vote"]
    path = path.format(ballot=setting["ballot"], item=vote["items"][0]["id"])
    return f"/api/v1/votes/{vote_id or vote['id']}{path}"


def call(client, method, address, headers=None):
    return getattr(client, method)(address, headers=headers, json={} if method == "post" else None)


def expect(r, status, code, route):
    body = r.get_json()
    assert (r.status_code, body["code"]) == (status, code), (route, body)
    assert body["message"], route


def test_order_of_checks(kit, client, world, setting):
    for method, path, who in ROUTES:
        here, route = url(setting, path), (method, path)
        expect(call(client, method, here), 401, "unauthorized", route)
        if who == RESIDENT:
            expect(call(client, method, here, world.h["committee"]), 403, "role_forbidden", route)
            expect(call(client, method, url(setting, path, 999_999), setting["voter"]), 404, "vote_not_found", route)
            continue
        expect(call(client, method, here, world.h["committee2"]), 403, "outside_jurisdiction", route)
        expect(call(client, method, url(setting, path, 999_999), kit.h), 404, "vote_not_found", route)
        if who == MANAGERS:
            expect(call(client, method, here, world.h["official"]), 403, "role_forbidden", route)


def test_resident_learns_nothing_of_votes_not_theirs(client, setting):
    for method, path, who in ROUTES:
        for resident in ("neighbour", "tenant"):  # another building's owner; a tenant, who votes for no unit
            r = call(client, method, url(setting, path), setting[resident])
            if who in (ANYONE, RESIDENT):
                expect(r, 404, "vote_not_found", (method, path, resident))
            else:
                expect(r, 403, "role_forbidden", (method, path, resident))


def test_a_draft_is_not_found_for_residents_but_shown_to_staff(kit, client, setting):
    address = f"/api/v1/votes/{setting['draft']['id']}"
    for resident in ("voter", "neighbour"):
        assert_error(client.get(address, headers=setting[resident]), 404, "vote_not_found")
    assert client.get(address, headers=kit.h).get_json()["status"] == "draft"
    assert client.get(f"/api/v1/votes/{setting['vote']['id']}", headers=setting["voter"]).status_code == 200


def test_validation_comes_before_state(kit, client, setting):
    """A closed vote still answers a malformed body with 422: the body is checked before the state."""
    vote = setting["vote"]
    assert kit.post(vote, "close").status_code == 200
    for path in ("/paper-ballots", "/paper-ballots/bulk", "/ballots/{ballot}/correct", "/sheets"):
        assert_error(client.post(url(setting, path), json={"nonsense": 1}, headers=kit.h), 422, "validation_error")
    r = client.post(url(setting, "/ballots"), json={"unit_id": "x"}, headers=setting["voter"])
    assert_error(r, 422, "validation_error")
    assert_error(client.post(url(setting, "/close"), headers=kit.h), 409, "vote_closed")
