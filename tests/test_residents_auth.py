"""Resident sign-in: WeChat against a fake WeChat server over real HTTP, SMS codes, the demo provider, consent."""

import json
import re
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from backend import create_app
from backend.config import Config, ConfigError
from backend.extensions import db
from backend.roster.models import Resident
from residents import signin
from residents.models import ResidentIdentity, SmsCode
from residents.sms import MemorySender
from tests.factories import bearer

PHONE = "13812345678"


def dev_sign_in(client, subject="demo", consent=True):
    r = client.post("/api/v1/residents/auth/dev", json={"subject": subject, "consent": consent})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


class FakeWechat:
    """A stand-in for WeChat on 127.0.0.1: the authorise page bounces back with a code, and the token endpoint
    turns known codes into openids (each once), answering anything else with WeChat's error shape."""

    def __init__(self):
        self.codes, self.requests = {}, []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                fake.requests.append((url.path, query))
                if url.path == "/connect/oauth2/authorize":
                    code = f"code-{len(fake.codes) + 1}"
                    fake.codes[code] = fake.next_openid
                    target = f"{query['redirect_uri']}?code={code}&state={urllib.parse.quote(query['state'])}"
                    self.send_response(302)
                    self.send_header("Location", target)
                    self.end_headers()
                    return
                if url.path == "/sns/oauth2/access_token":
                    openid = fake.codes.pop(query.get("code"), None)
                    if query.get("appid") != "wx-test-app" or query.get("secret") != "wx-test-secret":
                        body = {"errcode": 40125, "errmsg": "invalid appsecret"}
                    elif openid is None:
                        body = {"errcode": 40029, "errmsg": "invalid code"}
                    else:
                        body = {"access_token": "at", "expires_in": 7200, "openid": openid, "scope": "snsapi_base"}
                    data = json.dumps(body).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                self.send_response(404)
                self.end_headers()

        self.next_openid = "openid-grandma"
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def config(self):
        return {
            "WECHAT_BASE_URL": self.base,
            "WECHAT_AUTHORIZE_URL": self.base + "/connect/oauth2/authorize",
            "WECHAT_APP_ID": "wx-test-app",
            "WECHAT_APP_SECRET": "wx-test-secret",
        }

    def issue(self, openid):
        code = f"direct-{len(self.codes)}"
        self.codes[code] = openid
        return code


@pytest.fixture
def wechat():
    with FakeWechat() as fake:
        yield fake


@pytest.fixture
def app_config(request):
    config = {"SMS_SENDER": "memory"}
    if "wechat" in request.fixturenames:
        config.update(request.getfixturevalue("wechat").config())
    return config


@pytest.fixture(autouse=True)
def empty_outbox():
    MemorySender.outbox.clear()


def last_code():
    return re.search(r"验证码是(\d{6})", MemorySender.outbox[-1][1]).group(1)


# --- providers and consent ----------------------------------------------------------------------------


def test_providers_and_consent_text(client, wechat):
    body = client.get("/api/v1/residents/auth/providers").get_json()
    assert body["providers"] == ["wechat", "sms", "dev"]
    assert body["consent"][0] == "个人信息保护说明" and any("180天" in line for line in body["consent"])


def test_first_sign_in_requires_consent(client):
    r = client.post("/api/v1/residents/auth/dev", json={"subject": "x"})
    assert r.status_code == 422 and r.get_json()["code"] == "consent_required"
    assert db.session.query(Resident).count() == 0
    first = dev_sign_in(client, "x")
    resident = db.session.get(Resident, first["resident"]["id"])
    assert resident.consent_version and resident.consented_at
    # Later sign-ins need not ask again, and reach the same resident.
    again = dev_sign_in(client, "x", consent=False)
    assert again["resident"]["id"] == first["resident"]["id"]


def test_resident_token_has_resident_role(client):
    tokens = dev_sign_in(client)
    r = client.get("/api/v1/my/household", headers=bearer(tokens["access_token"]))
    assert r.status_code == 200 and r.get_json()["bindings"] == []
    # Staff endpoints refuse a resident.
    r = client.get("/api/v1/compounds/1/binding-requests", headers=bearer(tokens["access_token"]))
    assert r.status_code == 403 and r.get_json()["code"] == "role_forbidden"


PRODUCTION = {
    "APP_ENV": "production",
    "SECRET_KEY": "s" * 40,
    "JWT_SECRET_KEY": "j" * 40,
    "TESTING": True,
    "PUBLIC_BASE_URL": "https://gongjian.example.cn",
    "RESIDENT_AUTH_PROVIDERS": "wechat,sms,dev",
    "SMS_SENDER": "residents.sms:MemorySender",  # a dotted path, as a real gateway would be
    "WECHAT_APP_ID": "wx-prod-app",
    "WECHAT_APP_SECRET": "wx-prod-secret",
}


class TestProduction:
    @pytest.fixture
    def app_config(self):
        return dict(PRODUCTION)

    def test_dev_provider_never_in_production(self, client):
        assert client.get("/api/v1/residents/auth/providers").get_json()["providers"] == ["wechat", "sms"]
        r = client.post("/api/v1/residents/auth/dev", json={"consent": True})
        assert r.status_code == 404 and r.get_json() == {"code": "provider_disabled", "message": "此登录方式未开放"}
        assert "演示登录" not in client.get("/m/signin").get_data(as_text=True)


@pytest.mark.parametrize(
    "url",
    [
        None,
        "",
        Config.PUBLIC_BASE_URL,
        "http://127.0.0.1:5000",
        "http://localhost",
        "https://localhost:8443/",
        "http://[::1]:5000",
        "http://0.0.0.0",
        "http://127.0.1.1",
        "http://app.localhost",
        "/m/home",
    ],
)
def test_production_refuses_a_public_base_url_phones_cannot_reach(url):
    """QR codes, letters and the WeChat return address are built from PUBLIC_BASE_URL."""
    with pytest.raises(ConfigError, match="PUBLIC_BASE_URL"):
        create_app({**PRODUCTION, "PUBLIC_BASE_URL": url})


@pytest.mark.parametrize("sender", ["console", "memory"])
def test_production_refuses_sms_that_sends_nothing(sender):
    with pytest.raises(ConfigError, match="SMS_SENDER"):
        create_app({**PRODUCTION, "SMS_SENDER": sender})
    # Without SMS sign-in the sender does not matter.
    assert create_app({**PRODUCTION, "SMS_SENDER": sender, "RESIDENT_AUTH_PROVIDERS": "wechat"})


def test_production_starts_with_real_settings():
    app = create_app(dict(PRODUCTION))
    assert app.config["PUBLIC_BASE_URL"] == "https://gongjian.example.cn" and app.config["PROXY_FIX_HOPS"] == 0


class TestBehindProxy:
    """With PROXY_FIX_HOPS=1 (one nginx in front) limits key on the resident's address from X-Forwarded-For."""

    @pytest.fixture
    def app_config(self, request):
        return {"SMS_SENDER": "memory", "SMS_RATE_PER_IP": "2 per hour", "PROXY_FIX_HOPS": request.param}

    @pytest.mark.parametrize("app_config", [1, 0], indirect=True)
    def test_rate_limit_keys_on_forwarded_address(self, client, app_config):
        def send(n, address):
            return client.post(
                "/api/v1/residents/auth/sms/send",
                json={"phone": f"1390000000{n}"},
                headers={"X-Forwarded-For": address},
            ).status_code

        assert [send(0, "203.0.113.7"), send(1, "203.0.113.7"), send(2, "203.0.113.7")] == [202, 202, 429]
        # Another resident behind the same nginx: their own allowance only when the proxy's header is trusted;
        # without PROXY_FIX_HOPS every request looks like the proxy's, and X-Forwarded-For is not believed.
        assert send(3, "198.51.100.4") == (202 if app_config["PROXY_FIX_HOPS"] else 429)


# --- sms ----------------------------------------------------------------------------------------------


def test_sms_sign_in(client):
    r = client.post("/api/v1/residents/auth/sms/send", json={"phone": "138 1234 5678"})
    assert r.status_code == 202 and r.get_json() == {"expires_in": 300}
    assert MemorySender.outbox[-1][0] == PHONE
    r = client.post("/api/v1/residents/auth/sms/verify", json={"phone": PHONE, "code": last_code(), "consent": True})
    assert r.status_code == 200 and r.get_json()["access_token"]
    identity = db.session.query(ResidentIdentity).one()
    assert identity.provider == "sms" and PHONE not in identity.subject  # only a keyed hash is kept
    assert db.session.query(SmsCode).one().code_hash != last_code()


def test_sms_code_single_use(client):
    client.post("/api/v1/residents/auth/sms/send", json={"phone": PHONE})
    payload = {"phone": PHONE, "code": last_code(), "consent": True}
    assert client.post("/api/v1/residents/auth/sms/verify", json=payload).status_code == 200
    r = client.post("/api/v1/residents/auth/sms/verify", json=payload)
    assert r.status_code == 401 and r.get_json() == {"code": "sms_code_used", "message": "验证码已使用过，请重新获取"}


def test_sms_code_expires(client, app, clock):
    client.post("/api/v1/residents/auth/sms/send", json={"phone": PHONE})
    clock.advance(seconds=app.config["SMS_CODE_TTL_SECONDS"] - 1)  # "5分钟内有效": a second before, still alive
    wrong = f"{(int(last_code()) + 1) % 10**6:06d}"
    r = client.post("/api/v1/residents/auth/sms/verify", json={"phone": PHONE, "code": wrong, "consent": True})
    assert r.get_json()["code"] == "sms_code_invalid"
    clock.advance(seconds=1)
    r = client.post("/api/v1/residents/auth/sms/verify", json={"phone": PHONE, "code": last_code(), "consent": True})
    assert r.status_code == 401 and r.get_json()["code"] == "sms_code_expired"
    assert r.get_json()["message"] == "验证码已过期，请重新获取"


def test_sms_wrong_code_then_dead_after_five(client):
    client.post("/api/v1/residents/auth/sms/send", json={"phone": PHONE})
    good = last_code()
    wrong = f"{(int(good) + 1) % 10**6:06d}"
    for _ in range(5):
        r = client.post("/api/v1/residents/auth/sms/verify", json={"phone": PHONE, "code": wrong, "consent": True})
        assert r.status_code == 401 and r.get_json()["code"] == "sms_code_invalid"
    r = client.post("/api/v1/residents/auth/sms/verify", json={"phone": PHONE, "code": good, "consent": True})
    assert r.status_code == 401 and r.get_json()["code"] == "sms_code_used"


def test_sms_new_code_replaces_old(client, app, monkeypatch):
    app.config["SMS_RATE_PER_PHONE"] = "10 per minute"
    codes = iter([123456, 654321])  # two different codes, so the refusal below is always tested
    monkeypatch.setattr(signin.secrets, "randbelow", lambda _: next(codes))
    client.post("/api/v1/residents/auth/sms/send", json={"phone": PHONE})
    old = last_code()
    client.post("/api/v1/residents/auth/sms/send", json={"phone": PHONE})
    assert (old, last_code()) == ("123456", "654321")
    r = client.post("/api/v1/residents/auth/sms/verify", json={"phone": PHONE, "code": old, "consent": True})
    assert r.status_code == 401 and r.get_json()["code"] == "sms_code_invalid"
    r = client.post("/api/v1/residents/auth/sms/verify", json={"phone": PHONE, "code": "654321", "consent": True})
    assert r.status_code == 200


def test_sms_rate_limited_per_phone(client):
    assert client.post("/api/v1/residents/auth/sms/send", json={"phone": PHONE}).status_code == 202
    r = client.post("/api/v1/residents/auth/sms/send", json={"phone": PHONE})
    assert r.status_code == 429 and r.get_json()["message"] == "验证码已发送，请稍等一分钟再重新获取"
    assert len(MemorySender.outbox) == 1


def test_sms_rate_limited_per_ip(client, app):
    app.config["SMS_RATE_PER_IP"] = "3 per hour"
    for n in range(3):
        assert client.post("/api/v1/residents/auth/sms/send", json={"phone": f"1390000000{n}"}).status_code == 202
    r = client.post("/api/v1/residents/auth/sms/send", json={"phone": "13900000009"})
    assert r.status_code == 429 and r.get_json()["code"] == "rate_limited"


@pytest.mark.parametrize("phone", ["12345", "23812345678", "abc"])
def test_sms_phone_validation(client, phone):
    r = client.post("/api/v1/residents/auth/sms/send", json={"phone": phone})
    assert r.status_code == 422 and r.get_json()["message"] == "请输入11位手机号码"


def test_sms_verify_validation(client):
    r = client.post("/api/v1/residents/auth/sms/verify", json={"phone": PHONE, "code": "12ab"})
    assert r.status_code == 422 and r.get_json()["errors"]["json"]["code"] == ["请输入6位数字验证码"]


# --- wechat -------------------------------------------------------------------------------------------


def start_wechat(client, next_path="/n/abc", nonce="n1"):
    r = client.get(f"/m/wechat/start?consent=1&nonce={nonce}&next={urllib.parse.quote(next_path)}")
    assert r.status_code == 302
    url = urllib.parse.urlsplit(r.headers["Location"])
    return url, dict(urllib.parse.parse_qsl(url.query))


def test_wechat_redirect_uses_snsapi_base(client, wechat):
    url, query = start_wechat(client)
    assert f"{url.scheme}://{url.netloc}{url.path}" == wechat.base + "/connect/oauth2/authorize"
    assert url.fragment == "wechat_redirect"
    assert query["appid"] == "wx-test-app" and query["scope"] == "snsapi_base" and query["response_type"] == "code"
    assert query["redirect_uri"] == "http://testserver/m/wechat/callback"


def test_wechat_exchange_over_http(client, wechat):
    _, query = start_wechat(client, "/m/vote/7", "nonce-1")
    code = wechat.issue("openid-grandma")
    r = client.post("/api/v1/residents/auth/wechat", json={"code": code, "state": query["state"]})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["next"] == "/m/vote/7" and body["nonce"] == "nonce-1" and body["access_token"]
    assert wechat.requests[-1][0] == "/sns/oauth2/access_token"
    assert wechat.requests[-1][1]["grant_type"] == "authorization_code"
    identity = db.session.query(ResidentIdentity).one()
    assert (identity.provider, identity.subject) == ("wechat", "openid-grandma")
    # The same WeChat user signs in again as the same resident.
    code = wechat.issue("openid-grandma")
    again = client.post("/api/v1/residents/auth/wechat", json={"code": code, "state": query["state"]}).get_json()
    assert again["resident"]["id"] == body["resident"]["id"]


def test_wechat_code_reused_or_invalid(client, wechat):
    _, query = start_wechat(client)
    code = wechat.issue("openid-x")
    assert client.post("/api/v1/residents/auth/wechat", json={"code": code, "state": query["state"]}).status_code == 200
    r = client.post("/api/v1/residents/auth/wechat", json={"code": code, "state": query["state"]})
    assert r.status_code == 401 and r.get_json()["code"] == "wechat_code_invalid"


def test_wechat_forged_state_refused(client, wechat):
    code = wechat.issue("openid-x")
    r = client.post("/api/v1/residents/auth/wechat", json={"code": code, "state": "forged"})
    assert r.status_code == 422 and r.get_json()["code"] == "state_invalid"


def test_wechat_without_consent_refused(client, wechat):
    r = client.get("/m/wechat/start?nonce=n&next=/m/home")
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(r.headers["Location"]).query))
    r = client.post("/api/v1/residents/auth/wechat", json={"code": wechat.issue("o"), "state": query["state"]})
    assert r.status_code == 422 and r.get_json()["code"] == "consent_required"


def test_wechat_next_cannot_leave_the_site(client, wechat):
    _, query = start_wechat(client, "//evil.example/x")
    body = client.post(
        "/api/v1/residents/auth/wechat", json={"code": wechat.issue("o"), "state": query["state"]}
    ).get_json()
    assert body["next"] == "/m/home"


EVIL_NEXT = [
    "//evil.example/x",
    "/\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "https://evil.example/",
    "http:evil.example",
    "/ /evil.example",
    "/m/home\x00//evil.example",
    "\\/evil.example",
    "evil.example",
    "/m//evil.example",
    "/\u3000/evil.example",
    '/m/home"/autofocus/onfocus="x',
    "/m/<svg/onload=x>",
    "/m/'onmouseover=x",
]


@pytest.mark.parametrize("evil", EVIL_NEXT)
def test_wechat_state_never_carries_an_outside_address(client, wechat, evil):
    _, query = start_wechat(client, evil)
    body = client.post(
        "/api/v1/residents/auth/wechat", json={"code": wechat.issue("o"), "state": query["state"]}
    ).get_json()
    assert body["next"] == "/m/home"


@pytest.mark.parametrize("page", ["/m/signin", "/m/bind"])
@pytest.mark.parametrize("evil", EVIL_NEXT)
def test_pages_never_carry_an_outside_next(client, page, evil):
    html = client.get(page, query_string={"next": evil}).get_data(as_text=True)
    assert 'data-next="/m/home"' in html and "evil" not in html


@pytest.mark.parametrize("page", ["/m/signin", "/m/bind"])
def test_pages_keep_a_plain_next(client, page):
    html = client.get(page, query_string={"next": "/m/vote/7?from=notice%20board#top"}).get_data(as_text=True)
    assert 'data-next="/m/vote/7?from=notice%20board#top"' in html


def test_wechat_unreachable_is_502(client, app, wechat):
    app.config["WECHAT_BASE_URL"] = "http://127.0.0.1:9"  # discard port: connection refused
    app.config["WECHAT_TIMEOUT_SECONDS"] = 1
    _, query = start_wechat(client)
    r = client.post("/api/v1/residents/auth/wechat", json={"code": "c", "state": query["state"]})
    assert r.status_code == 502 and r.get_json()["code"] == "wechat_unavailable"


def test_logout_revokes_resident_token(client):
    tokens = dev_sign_in(client)
    assert client.post("/api/v1/auth/logout", headers=bearer(tokens["access_token"])).status_code == 204
    r = client.get("/api/v1/my/household", headers=bearer(tokens["access_token"]))
    assert r.status_code == 401
