"""One-time things stay one-time under simultaneous requests, on SQLite (a file database, writers queueing on
its lock) and on PostgreSQL (row locks): invite codes, SMS codes and their tries, decisions, binding requests,
and the audit chain a new compound's first bindings start."""

import re
import threading

import pytest
from sqlalchemy import func, select

from backend import audit
from backend.extensions import db
from backend.roster.models import HouseholdBinding
from residents.models import BindingRequest, InviteCode, ProxyAuthorisation, ResidentIdentity, SmsCode
from residents.sms import MemorySender
from tests.factories import bearer
from tests.test_residents_auth import dev_sign_in
from tests.test_residents_binding import address, issue_code, submit_proxy
from tests.test_votes_concurrency import race

THREADS = 6
PHONE = "13812345678"


@pytest.fixture
def app_config():
    return {"SMS_SENDER": "memory"}


@pytest.fixture
def flat(world, make):
    zhang = make.owner(world.compounds["c1"], names=("张秀英",), phone="13912345678")
    return make.unit(world.compounds["c1"], "3", "2", "501", "86.50", owner=zhang)


def residents(client, count):
    return [bearer(dev_sign_in(client, f"r{k}")["access_token"]) for k in range(count)]


def statuses(results):
    return sorted(status for status, _ in results)


def codes(results, status):
    return {body["code"] for s, body in results if s == status}


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_invite_code_sent_at_once_binds_one_household(app, client, flat):
    code = issue_code(flat)
    requests = [
        lambda c, h=h: c.post("/api/v1/my/bindings/invite", json={"code": code, "relation": "family"}, headers=h)
        for h in residents(client, THREADS)
    ]
    results = race(app, requests)
    assert statuses(results) == [201] + [409] * (THREADS - 1), results
    assert codes(results, 409) == {"invite_used"}
    assert count(HouseholdBinding) == 1
    invite = db.session.scalar(select(InviteCode))
    assert invite.status == "used" and invite.used_by_id == db.session.scalar(select(HouseholdBinding.resident_id))


def send_code(client):
    assert client.post("/api/v1/residents/auth/sms/send", json={"phone": PHONE}).status_code == 202
    return re.search(r"验证码是(\d{6})", MemorySender.outbox[-1][1]).group(1)


def verify(code):
    return lambda c: c.post("/api/v1/residents/auth/sms/verify", json={"phone": PHONE, "code": code, "consent": True})


def test_sms_code_sent_at_once_signs_in_once(app, client):
    MemorySender.outbox.clear()
    results = race(app, [verify(send_code(client))] * 5)
    assert statuses(results) == [200] + [401] * 4, results
    assert codes(results, 401) == {"sms_code_used"}
    assert count(ResidentIdentity) == 1


def test_wrong_sms_codes_at_once_get_no_more_than_the_allowed_tries(app, client):
    MemorySender.outbox.clear()
    good = send_code(client)
    wrong = f"{(int(good) + 1) % 10**6:06d}"
    results = race(app, [verify(wrong)] * 8)
    assert statuses(results) == [401] * 8
    assert codes(results, 401) <= {"sms_code_invalid", "sms_code_used"}
    sent = db.session.scalar(select(SmsCode))
    assert sent.tries == app.config["SMS_CODE_MAX_TRIES"] and sent.used_at is not None
    r = verify(good)(client)
    assert r.status_code == 401 and r.get_json()["code"] == "sms_code_used"


def decisions(path, bodies, headers):
    return [lambda c, body=body: c.post(path, json=body, headers=headers) for body in bodies]


APPROVE, REJECT = {"approve": True}, {"approve": False, "reason": "材料不全"}


@pytest.mark.parametrize("bodies", [[APPROVE, APPROVE], [APPROVE, REJECT]], ids=["approve-twice", "approve-reject"])
def test_binding_request_decided_twice_at_once_lands_once(app, client, world, flat, bodies):
    h, chain = residents(client, 1)[0], f"bindings:{world.compounds['c1'].id}"
    req = client.post(
        "/api/v1/my/binding-requests", headers=h, json=address(world.compounds["c1"], flat, name="张小红")
    )
    path = f"/api/v1/binding-requests/{req.get_json()['id']}/decision"
    results = race(app, decisions(path, bodies, world.h["committee"]))
    assert statuses(results) == [200, 409], results
    assert codes(results, 409) == {"already_decided"}
    approved = next(body for s, body in results if s == 200)["status"] == "approved"
    assert db.session.scalar(select(BindingRequest.status)) == ("approved" if approved else "rejected")
    assert count(HouseholdBinding) == (1 if approved else 0)
    actions = [e.action for e in audit.entries(chain)]
    assert sorted(actions) == sorted(["request_approved", "bind"] if approved else ["request_rejected"])


@pytest.mark.parametrize("bodies", [[APPROVE, APPROVE], [APPROVE, REJECT]], ids=["approve-twice", "approve-reject"])
def test_proxy_decided_twice_at_once_lands_once(app, client, world, flat, bodies):
    h, c1 = residents(client, 1)[0], world.compounds["c1"]
    chain = f"bindings:{c1.id}"
    proxy = submit_proxy(client, h, c1, flat).get_json()
    results = race(app, decisions(f"/api/v1/proxies/{proxy['id']}/decision", bodies, world.h["committee"]))
    assert statuses(results) == [200, 409], results
    assert codes(results, 409) == {"already_decided"}
    approved = next(body for s, body in results if s == 200)["status"] == "approved"
    assert db.session.scalar(select(ProxyAuthorisation.status)) == ("approved" if approved else "rejected")
    assert count(HouseholdBinding, HouseholdBinding.relation == "proxy") == (1 if approved else 0)
    actions = [e.action for e in audit.entries(chain)]
    assert sorted(actions) == sorted(["proxy_approved", "bind"] if approved else ["proxy_rejected"])


def test_binding_request_tapped_at_once_is_stored_once(app, client, world, flat):
    h = residents(client, 1)[0]
    body = address(world.compounds["c1"], flat, name="张小红")
    results = race(app, [lambda c: c.post("/api/v1/my/binding-requests", json=body, headers=h)] * THREADS)
    assert statuses(results) == [201] + [409] * (THREADS - 1), results
    assert codes(results, 409) == {"request_pending"}
    assert count(BindingRequest) == 1


def test_first_bindings_of_a_new_compound_all_land(app, client, world, make):
    """Each binding starts the compound's audit chain if nobody has yet: none of them may lose to the others."""
    compound = make.compound(world.c1, "新建小区")
    chain = f"bindings:{compound.id}"
    invites = [issue_code(u) for u in make.units(compound, THREADS)]
    requests = [
        lambda c, h=h, code=code: c.post(
            "/api/v1/my/bindings/invite", headers=h, json={"code": code, "relation": "family"}
        )
        for h, code in zip(residents(client, THREADS), invites, strict=True)
    ]
    results = race(app, requests)
    assert statuses(results) == [201] * THREADS, results
    assert [e.seq for e in audit.entries(chain)] == list(range(1, THREADS + 1))
    assert audit.verify_chain(chain) is None


@pytest.mark.sqlite_only
def test_sqlite_writers_wait_for_the_lock(app, client, flat):
    """A request that finds the database locked by another writer waits its turn instead of failing."""
    with db.engine.connect() as conn:
        timeout = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
    assert timeout == app.config["SQLITE_BUSY_TIMEOUT_SECONDS"] * 1000
    code, h = issue_code(flat), residents(client, 1)[0]
    locked, release = threading.Event(), threading.Event()

    def hold_the_lock():
        with app.app_context(), db.engine.connect() as conn:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            locked.set()
            release.wait(5)
            conn.rollback()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    locked.wait(5)
    threading.Timer(0.5, release.set).start()
    r = client.post("/api/v1/my/bindings/invite", json={"code": code, "relation": "family"}, headers=h)
    holder.join()
    assert r.status_code == 201, r.get_json()
