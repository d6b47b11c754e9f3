"""Staff sign-in: login, refresh, logout with revocation, rate limit, error shape."""

import pytest

from tests.factories import bearer


def login(client, username, password="secret-pass-1"):
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def test_login_returns_tokens_and_user(client, world):
    r = login(client, "committee")
    assert r.status_code == 200
    body = r.get_json()
    assert body["access_token"] and body["refresh_token"]
    assert body["user"] == {
        "id": world.users["committee"].id,
        "username": "committee",
        "role": "committee",
        "org_id": world.c1.id,
        "display_name": "",
        "department": None,  # a department account's 住建, 发改, …
    }


@pytest.mark.parametrize("username,password", [("committee", "wrong"), ("nobody", "secret-pass-1")])
def test_wrong_credentials_401(client, world, username, password):
    r = login(client, username, password)
    assert r.status_code == 401
    assert r.get_json()["code"] == "invalid_credentials"
    assert r.get_json()["message"] == "用户名或密码错误"


def test_login_validation_422(client, world):
    r = client.post("/api/v1/auth/login", json={"username": "committee"})
    assert r.status_code == 422
    body = r.get_json()
    assert body["code"] == "validation_error" and "password" in body["errors"]["json"]


def test_refresh_gives_working_access_token(client, world):
    tokens = login(client, "official").get_json()
    r = client.post("/api/v1/auth/refresh", headers=bearer(tokens["refresh_token"]))
    assert r.status_code == 200
    me = client.get("/api/v1/auth/me", headers=bearer(r.get_json()["access_token"]))
    assert me.status_code == 200 and me.get_json()["username"] == "official"


def test_access_token_cannot_refresh(client, world):
    tokens = login(client, "official").get_json()
    r = client.post("/api/v1/auth/refresh", headers=bearer(tokens["access_token"]))
    assert r.status_code == 401 and r.get_json()["code"] == "invalid_token"


def test_logout_revokes_access_and_refresh(client, world):
    tokens = login(client, "committee").get_json()
    assert client.get("/api/v1/compounds", headers=bearer(tokens["access_token"])).status_code == 200
    assert client.post("/api/v1/auth/logout", headers=bearer(tokens["access_token"])).status_code == 204
    r = client.get("/api/v1/compounds", headers=bearer(tokens["access_token"]))
    assert r.status_code == 401 and r.get_json()["code"] == "token_revoked"
    assert client.post("/api/v1/auth/logout", headers=bearer(tokens["refresh_token"])).status_code == 204
    r = client.post("/api/v1/auth/refresh", headers=bearer(tokens["refresh_token"]))
    assert r.status_code == 401 and r.get_json()["code"] == "token_revoked"


def test_no_token_401_with_shape(client, world):
    r = client.get("/api/v1/compounds")
    assert r.status_code == 401
    assert r.get_json() == {"code": "unauthorized", "message": "请先登录"}


def test_garbage_token_401(client, world):
    r = client.get("/api/v1/compounds", headers=bearer("not.a.jwt"))
    assert r.status_code == 401 and r.get_json()["code"] == "invalid_token"


def test_deactivated_user_token_refused(client, world, app):
    from backend.extensions import db

    tokens = login(client, "committee").get_json()
    world.users["committee"].active = False
    db.session.commit()
    r = client.get("/api/v1/compounds", headers=bearer(tokens["access_token"]))
    assert r.status_code == 401 and r.get_json()["code"] == "account_unavailable"


class TestRateLimit:
    @pytest.fixture
    def app_config(self):
        return {"LOGIN_RATE_LIMIT": "3 per minute"}

    def test_login_limited_per_username_and_address(self, client, world):
        for _ in range(3):
            assert login(client, "committee", "wrong").status_code == 401
        r = login(client, "committee", "wrong")
        assert r.status_code == 429 and r.get_json()["code"] == "rate_limited"
        # Even the right password waits: the limit is on attempts, not failures.
        assert login(client, "committee").status_code == 429
        # Another username from the same address is counted separately.
        assert login(client, "official").status_code == 200
        # The same username from another address too.
        r = client.post(
            "/api/v1/auth/login",
            json={"username": "committee", "password": "secret-pass-1"},
            environ_base={"REMOTE_ADDR": "10.9.8.7"},
        )
        assert r.status_code == 200


def test_admin_creates_user_and_role_gate(client, world):
    body = {"username": "newcom", "password": "long-enough-1", "role": "committee", "org_id": world.c2.id}
    r = client.post("/api/v1/auth/users", json=body, headers=world.h["committee"])
    assert r.status_code == 403 and r.get_json()["code"] == "role_forbidden"
    r = client.post("/api/v1/auth/users", json=body, headers=world.h["admin"])
    assert r.status_code == 201 and r.get_json()["org_id"] == world.c2.id
    assert login(client, "newcom", "long-enough-1").status_code == 200
    r = client.post("/api/v1/auth/users", json=body, headers=world.h["admin"])
    assert r.status_code == 409 and r.get_json()["code"] == "username_taken"
    r = client.post(
        "/api/v1/auth/users", json={**body, "username": "x2", "org_id": world.street.id}, headers=world.h["admin"]
    )
    assert r.status_code == 422 and r.get_json()["code"] == "org_level"


def test_cli_create_user(runner, world, client):
    r = runner.invoke(
        args=["create-user", "clicom", "--role", "committee", "--org", str(world.c1.id), "--password", "cli-pass-123"]
    )
    assert r.exit_code == 0, r.output
    assert "created committee clicom" in r.output
    assert login(client, "clicom", "cli-pass-123").get_json()["user"]["org_id"] == world.c1.id
    r = runner.invoke(args=["create-user", "bad", "--role", "committee", "--password", "cli-pass-123"])
    assert r.exit_code != 0 and "必须指定所属组织" in r.output


class TestRedisBlocklist:
    """With REDIS_URL set, revocations and login counters live in Redis (shared by every worker).

    The Redis database may be shared with another suite running alongside (and the SQLite half ran a minute ago):
    nothing is flushed, and the test reads only keys of its own user and token."""

    @pytest.fixture
    def app_config(self):
        import os

        url = os.environ.get("TEST_REDIS_URL")
        if not url:
            pytest.skip("set TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/15) to test the Redis blocklist")
        return {"REDIS_URL": url, "RATELIMIT_STORAGE_URI": url, "LOGIN_RATE_LIMIT": "2 per minute"}

    def test_revocation_and_rate_limit_in_redis(self, client, world, app, make):
        import uuid

        import redis
        from flask_jwt_extended import decode_token

        from backend.auth.models import RevokedToken
        from backend.extensions import db

        name = f"committee-{uuid.uuid4().hex[:12]}"  # login counters are kept per username
        make.user(name, "committee", world.c1)
        tokens = login(client, name).get_json()
        assert client.post("/api/v1/auth/logout", headers=bearer(tokens["access_token"])).status_code == 204
        assert client.get("/api/v1/compounds", headers=bearer(tokens["access_token"])).status_code == 401
        # Redis answers the check; the database keeps the revocation too, for reads let through while Redis is down.
        assert db.session.query(RevokedToken).count() == 1
        jti = decode_token(tokens["access_token"], allow_expired=True)["jti"]
        assert redis.Redis.from_url(app.config["REDIS_URL"]).exists(f"gongjian:revoked:{jti}") == 1
        assert login(client, name).status_code == 200
        assert login(client, name).status_code == 429
