"""Redis going away under the app: a ``redis-server`` of this module's own (tests/faults.py) holds the rate limits,
the token blocklist and the letters queue, and is stopped in the middle of the tests.

The limits that guard secrets fail closed (staff login, SMS codes, invite-code binding: a 503 with its code, never
an uncounted attempt); reads go on (a signed-in resident still sees their votes); a write that must check the
blocklist is refused cleanly; /readyz names Redis; and all of it recovers when Redis is back, without a restart."""

import pytest
from sqlalchemy import select

from backend.extensions import db
from residents.models import LetterJob
from tests.factories import bearer
from tests.faults import RedisServer
from tests.test_residents_auth import dev_sign_in
from tests.test_residents_binding import issue_code
from tests.test_votes_kit import assert_error


@pytest.fixture(scope="module")
def redis_server():
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def app_config(redis_server, tmp_path):
    return {
        "REDIS_URL": redis_server.url,
        "RATELIMIT_STORAGE_URI": redis_server.url,
        "LETTERS_DIR": str(tmp_path / "letters"),
    }


@pytest.fixture
def redis_down(redis_server):
    redis_server.stop()
    try:
        yield
    finally:
        redis_server.start()


OWNER = "业主110"  # the first unit make.units builds


def login(client, username="committee"):
    return client.post("/api/v1/auth/login", json={"username": username, "password": "secret-pass-1"})


@pytest.fixture
def resident(client, world, make):
    """A resident signed in (with consent) before Redis goes down, and the invite code of a unit."""
    tokens = dev_sign_in(client, "fault-owner")
    unit = make.units(world.compounds["c1"], 1)[0]
    return bearer(tokens["access_token"]), issue_code(unit)


def test_redis_down_refuses_sign_in_and_binding_with_a_503(app, client, world, resident, redis_down):
    headers, code = resident
    assert_error(login(client), 503, "rate_limit_unavailable")
    bind = {"code": code, "owner_name": OWNER}
    # The resident's token cannot be checked against the blocklist: a write waits for Redis.
    assert_error(client.post("/api/v1/my/bindings/invite", json=bind, headers=headers), 503, "redis_unavailable")
    app.config["REDIS_URL"] = None  # the blocklist in the database: the binding limit itself refuses
    r = client.post("/api/v1/my/bindings/invite", json=bind, headers=headers)
    assert_error(r, 503, "rate_limit_unavailable")
    assert_error(
        client.post("/api/v1/residents/auth/sms/send", json={"phone": "13800138000"}), 503, "rate_limit_unavailable"
    )
    assert "稍后再试" in login(client).get_json()["message"]


def test_redis_down_lets_reads_through_and_refuses_writes_cleanly(client, world, resident, redis_down):
    headers, _code = resident
    assert client.get("/api/v1/my/votes", headers=headers).status_code == 200
    assert client.get("/api/v1/compounds", headers=world.h["official"]).status_code == 200
    # A write must know the token was not signed out: it waits for Redis.
    r = client.post(f"/api/v1/compounds/{world.compounds['c1'].id}/letters", json={}, headers=world.h["committee"])
    assert_error(r, 503, "redis_unavailable")
    assert r.headers["Retry-After"]


def test_readyz_says_redis_is_down(client, redis_down):
    r = client.get("/readyz")
    assert_error(r, 503, "not_ready")
    assert r.get_json()["errors"] == {"database": "ok", "redis": "down"}


def test_everything_comes_back_with_redis(client, world, resident, redis_server):
    headers, code = resident
    redis_server.stop()
    assert_error(login(client), 503, "rate_limit_unavailable")
    redis_server.start()
    assert login(client).status_code == 200
    r = client.post("/api/v1/my/bindings/invite", json={"code": code, "owner_name": OWNER}, headers=headers)
    assert r.status_code in (200, 201), r.get_json()
    assert client.get("/readyz").get_json()["redis"] == "ok"


def test_a_letters_job_redis_could_not_queue_is_marked_failed_not_left_queued(client, world, make, monkeypatch):
    """Redis answers the token check but not the queue (it went down in between): the job says it failed, so a new
    one can be started at once instead of being blocked for an hour by a job that never ran."""
    from redis.exceptions import ConnectionError as RedisConnectionError

    from residents import letters

    def unreachable(job_id):
        raise RedisConnectionError("Connection refused")

    c1 = world.compounds["c1"]
    make.units(c1, 2)
    monkeypatch.setattr(letters, "dispatch", unreachable)
    url = f"/api/v1/compounds/{c1.id}/letters"
    assert_error(client.post(url, json={}, headers=world.h["committee"]), 503, "redis_unavailable")
    assert db.session.scalars(select(LetterJob.status)).all() == ["failed"]
    monkeypatch.setattr(letters, "dispatch", lambda job_id: None)
    assert client.post(url, json={}, headers=world.h["committee"]).status_code == 202


def test_a_limit_declared_on_a_read_route_lets_it_through_when_redis_is_down(app, client, redis_server):
    """RATELIMIT_SWALLOW_ERRORS: Flask-Limiter's own route limits fail open (the named ones above fail closed)."""
    from backend.extensions import limiter

    @app.get("/test/limited-read")
    @limiter.limit("100 per minute")
    def limited_read():
        return {"ok": True}

    assert client.get("/test/limited-read").status_code == 200
    redis_server.stop()
    try:
        assert client.get("/test/limited-read").status_code == 200
    finally:
        redis_server.start()


def test_a_token_signed_out_stays_signed_out_while_redis_is_down(client, world, redis_server):
    """Reads go on with Redis down, but not on a signed-out token: the database keeps the blocklist too."""
    tokens = login(client).get_json()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert client.post("/api/v1/auth/logout", headers=headers).status_code in (200, 204)
    redis_server.stop()
    try:
        assert_error(client.get("/api/v1/compounds", headers=headers), 401, "token_revoked")
        assert client.get("/api/v1/compounds", headers=world.h["official"]).status_code == 200
    finally:
        redis_server.start()
