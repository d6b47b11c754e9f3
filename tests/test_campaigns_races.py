"""Co-funding under simultaneous requests (PostgreSQL): one pledge per unit, one reversal per payment, one
publish, one use of a reference — each decided by the database, the losers answered with their named 409."""

import pytest
from sqlalchemy import func, select

from backend import audit
from backend.extensions import db
from funds.campaigns.models import CampaignShare, PaymentEntry, Pledge
from tests.test_campaigns import ELEVATOR, create, pay, publish
from tests.test_votes_concurrency import race

pytestmark = pytest.mark.postgres_only
THREADS = 4


@pytest.fixture
def campaign(client, world, make):
    c1, h = world.compounds["c1"], world.h["committee"]
    units = make.units(c1, 12, area="60.00")
    made = create(client, h, c1, rule="floor_area", floor_coefficients=ELEVATOR)
    return h, units, made


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def outcome(results):
    return sorted(status for status, _ in results), {body["code"] for status, body in results if status == 409}


def test_two_pledges_for_one_unit_at_once(app, client, make, campaign):
    h, units, made = campaign
    publish(client, h, made)
    unit_id = units[11].id
    owner = make.headers(make.resident(units[11]))
    url = f"/api/v1/campaigns/{made['id']}/pledges"
    results = race(
        app,
        [
            lambda c: c.post("/api/v1/my/pledges", json={"campaign_id": made["id"], "unit_id": unit_id}, headers=owner),
            lambda c: c.post(url, json={"unit_id": unit_id}, headers=h),
        ],
    )
    assert outcome(results) == ([201, 409], {"pledge_exists"}), results
    assert count(Pledge, Pledge.unit_id == unit_id) == 1
    assert audit.verify_chain(f"campaign:{made['id']}") is None


def test_many_pledges_for_one_unit_at_once(app, client, campaign):
    h, units, made = campaign
    publish(client, h, made)
    url = f"/api/v1/campaigns/{made['id']}/pledges"
    unit_id = units[10].id
    results = race(app, [lambda c: c.post(url, json={"unit_id": unit_id}, headers=h)] * THREADS)
    assert outcome(results) == ([201] + [409] * (THREADS - 1), {"pledge_exists"}), results


def test_two_reversals_of_one_payment_at_once(app, client, campaign):
    h, units, made = campaign
    publish(client, h, made)
    payment = pay(client, h, made, units[9], 5_000, "R-1").get_json()
    url = f"/api/v1/campaigns/{made['id']}/payments/{payment['id']}/reverse"
    results = race(app, [lambda c, k=k: c.post(url, json={"reason": f"冲正{k}"}, headers=h) for k in range(2)])
    assert outcome(results) == ([201, 409], {"payment_reversed"}), results
    assert count(PaymentEntry, PaymentEntry.reverses_id == payment["id"]) == 1
    assert audit.verify_chain(f"campaign:{made['id']}") is None


def test_one_reference_used_once_at_once(app, client, campaign):
    h, units, made = campaign
    publish(client, h, made)
    body = {"amount_fen": 100, "paid_on": "2025-03-14", "method": "bank", "reference": "SAME"}
    url = f"/api/v1/campaigns/{made['id']}/payments"
    ids = [u.id for u in units[6 : 6 + THREADS]]
    results = race(app, [lambda c, i=i: c.post(url, json={**body, "unit_id": i}, headers=h) for i in ids])
    assert outcome(results) == ([201] + [409] * (THREADS - 1), {"payment_duplicate"}), results


def test_two_publishes_at_once_freeze_once(app, client, campaign):
    h, units, made = campaign
    url = f"/api/v1/campaigns/{made['id']}/publish"
    results = race(app, [lambda c: c.post(url, headers=h)] * 2)
    assert outcome(results) == ([200, 409], {"campaign_not_draft"}), results
    assert count(CampaignShare, CampaignShare.campaign_id == made["id"]) == len(units)
