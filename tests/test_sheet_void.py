"""Voiding a paper sheet: spoiled or lost sheets leave the outstanding list with a reason, on the vote's audit chain."""

import json

import pytest

from backend import audit
from tests.test_votes_kit import assert_error


@pytest.fixture
def units(make, world):
    return make.units(world.compounds["c1"], 4)


@pytest.fixture
def issued(kit, units):
    vote = kit.vote()
    r = kit.client.post(
        f"/api/v1/votes/{vote['id']}/sheets", json={"sheet_nos": ["0001", "0002", "0003"]}, headers=kit.h
    )
    assert r.status_code == 200, r.get_json()
    return vote


def void(kit, vote, sheet_no, reason="墨水污损，业主另领新票", headers=None):
    return kit.client.post(
        f"/api/v1/votes/{vote['id']}/sheets/{sheet_no}/void",
        json={"reason": reason},
        headers=kit.h if headers is None else headers,
    )


def test_void_leaves_outstanding_and_is_audited(kit, issued, units):
    iid = str(issued["items"][0]["id"])
    r = kit.client.post(
        f"/api/v1/votes/{issued['id']}/paper-ballots",
        json={"unit_id": units[0].id, "sheet_no": "0001", "choices": {iid: "agree"}},
        headers=kit.h,
    )
    assert r.status_code == 201, r.get_json()
    r = void(kit, issued, "0002")
    assert r.status_code == 200, r.get_json()
    expected = {
        "issued": 3,
        "returned": 1,
        "void": 1,
        "voided": [{"sheet_no": "0002", "reason": "墨水污损，业主另领新票"}],
        "outstanding": ["0003"],
        "not_issued": [],
    }
    assert r.get_json() == expected
    assert kit.client.get(f"/api/v1/votes/{issued['id']}/sheets", headers=kit.h).get_json() == expected
    last = audit.entries(f"vote:{issued['id']}")[-1]
    assert last.action == "sheet_voided" and json.loads(last.payload)["sheet_no"] == "0002"
    assert audit.verify_chain(f"vote:{issued['id']}") is None


def test_void_refusals(kit, issued, units, client, world):
    iid = str(issued["items"][0]["id"])
    kit.client.post(
        f"/api/v1/votes/{issued['id']}/paper-ballots",
        json={"unit_id": units[0].id, "sheet_no": "0001", "choices": {iid: "agree"}},
        headers=kit.h,
    )
    url = f"/api/v1/votes/{issued['id']}/sheets/0002/void"
    assert_error(client.post(url, json={"reason": "丢失"}), 401, "unauthorized")
    assert_error(void(kit, issued, "0002", headers=world.h["official"]), 403, "role_forbidden")
    assert_error(void(kit, issued, "0002", headers=world.h["committee2"]), 403, "outside_jurisdiction")
    assert_error(void(kit, issued, "0002", reason=""), 422, "validation_error")
    assert_error(kit.client.post(url, json={}, headers=kit.h), 422, "validation_error")
    assert_error(void(kit, issued, "0099"), 404, "sheet_not_found")
    assert_error(void(kit, issued, "0001"), 409, "sheet_entered")
    assert void(kit, issued, "0002").status_code == 200
    assert_error(void(kit, issued, "0002", reason="再次"), 409, "sheet_void")
    body = kit.client.get(f"/api/v1/votes/{issued['id']}/sheets", headers=kit.h).get_json()
    assert body["voided"] == [{"sheet_no": "0002", "reason": "墨水污损，业主另领新票"}]


def test_a_void_sheet_cannot_be_entered(kit, issued, units):
    """A sheet reconciled as void must not also count as a ballot: keying its number is refused."""
    assert void(kit, issued, "0002").status_code == 200
    iid = str(issued["items"][0]["id"])
    r = kit.client.post(
        f"/api/v1/votes/{issued['id']}/paper-ballots",
        json={"unit_id": units[1].id, "sheet_no": "0002", "choices": {iid: "agree"}},
        headers=kit.h,
    )
    assert_error(r, 409, "sheet_void")
    assert kit.client.get(f"/api/v1/votes/{issued['id']}/ballots", headers=kit.h).get_json() == []
