"""SMS sign-in codes through Alibaba Cloud SMS and Tencent Cloud SMS: each official SDK talks real HTTP to a fake
gateway on 127.0.0.1 that answers as the gateway does, success or error."""

import json
import logging
import re
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import import_module

import pytest

from backend.extensions import db
from residents.models import ResidentIdentity

PHONE = "13812345678"
SEND, VERIFY = "/api/v1/residents/auth/sms/send", "/api/v1/residents/auth/sms/verify"
GATEWAY_ERROR = {"code": "sms_gateway_error", "message": "短信发送失败，请稍后再试"}

ALIYUN = {
    "SMS_SENDER": "aliyun",
    "SMS_ALIYUN_ACCESS_KEY_ID": "test-ak-id",
    "SMS_ALIYUN_ACCESS_KEY_SECRET": "test-ak-secret",
    "SMS_ALIYUN_SIGN_NAME": "共建社区",
    "SMS_ALIYUN_TEMPLATE_CODE": "SMS_123456789",
}
TENCENT = {
    "SMS_SENDER": "tencent",
    "SMS_TENCENT_SECRET_ID": "test-secret-id",
    "SMS_TENCENT_SECRET_KEY": "test-secret-key",
    "SMS_TENCENT_SDK_APP_ID": "1400000001",
    "SMS_TENCENT_SIGN_NAME": "共建社区",
    "SMS_TENCENT_TEMPLATE_ID": "2000001",
    "SMS_TENCENT_REGION": "ap-beijing",
}


class FakeGateway:
    """A stand-in for one SMS gateway's API on 127.0.0.1: records each request (query, headers, JSON body) and
    answers with ``reply`` after ``delay`` seconds."""

    def __init__(self, reply):
        self.reply, self.delay, self.requests = reply, 0, []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
                fake.requests.append(
                    (query, {k.lower(): v for k, v in self.headers.items()}, json.loads(raw) if raw else None)
                )
                time.sleep(fake.delay)
                status, body = fake.reply
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except ConnectionError:  # the client timed out and left, as the timeout test wants
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def aliyun_sent(request):
    """(phone, code) from a SendSms call, after checking it is one, signed with our key, to our sign and template."""
    query, headers, _ = request
    assert headers["x-acs-action"] == "SendSms" and headers["x-acs-version"] == "2017-05-25"
    assert headers["authorization"].startswith("ACS3-HMAC-SHA256 Credential=test-ak-id,")
    assert (query["SignName"], query["TemplateCode"]) == ("共建社区", "SMS_123456789")
    return query["PhoneNumbers"], json.loads(query["TemplateParam"])["code"]


def tencent_sent(request):
    _, headers, body = request
    assert headers["x-tc-action"] == "SendSms" and headers["x-tc-version"] == "2021-01-11"
    assert headers["x-tc-region"] == "ap-beijing"
    assert "TC3-HMAC-SHA256 Credential=test-secret-id/" in headers["authorization"]
    assert (body["SmsSdkAppId"], body["SignName"], body["TemplateId"]) == ("1400000001", "共建社区", "2000001")
    [phone], [code] = body["PhoneNumberSet"], body["TemplateParamSet"]
    return phone, code


ALIYUN_OK = {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "req-aliyun-1"}
TENCENT_OK = {
    "Response": {
        "SendStatusSet": [
            {
                "SerialNo": "5000:1045710669157053657849499619",
                "PhoneNumber": "+86" + PHONE,
                "Fee": 1,
                "SessionContext": "",
                "Code": "Ok",
                "Message": "send success",
                "IsoCode": "CN",
            }
        ],
        "RequestId": "req-tencent-1",
    }
}
GATEWAYS = {
    "aliyun": {
        "config": ALIYUN,
        "endpoint": "SMS_ALIYUN_ENDPOINT",
        "sent": aliyun_sent,
        "recipient": PHONE,
        "ok": (200, ALIYUN_OK),
        # Refusals: one answered 200 with a Code other than OK, one answered 400 (the SDK raises).
        "errors": [
            (
                200,
                {
                    "Code": "isv.BUSINESS_LIMIT_CONTROL",
                    "Message": "触发分钟级流控Permits:1",
                    "RequestId": "req-aliyun-2",
                },
            ),
            (
                400,
                {
                    "Code": "InvalidAccessKeyId.NotFound",
                    "Message": "Specified access key is not found.",
                    "RequestId": "req-aliyun-3",
                },
            ),
        ],
    },
    "tencent": {
        "config": TENCENT,
        "endpoint": "SMS_TENCENT_ENDPOINT",
        "sent": tencent_sent,
        "recipient": "+86" + PHONE,
        "ok": (200, TENCENT_OK),
        # Refusals: one of the whole call (the SDK raises), one of the number in its send status.
        "errors": [
            (
                200,
                {
                    "Response": {
                        "Error": {"Code": "AuthFailure.SecretIdNotFound", "Message": "The SecretId is not found"},
                        "RequestId": "req-tencent-2",
                    }
                },
            ),
            (
                200,
                {
                    "Response": {
                        "SendStatusSet": [
                            {
                                "SerialNo": "",
                                "PhoneNumber": "+86" + PHONE,
                                "Fee": 0,
                                "SessionContext": "",
                                "Code": "LimitExceeded.PhoneNumberDailyLimit",
                                "Message": "the number of SMS messages sent from a single mobile number every day "
                                "exceeds the upper limit",
                                "IsoCode": "CN",
                            }
                        ],
                        "RequestId": "req-tencent-3",
                    }
                },
            ),
        ],
    },
}


@pytest.fixture(params=sorted(GATEWAYS))
def gateway(request):
    spec = GATEWAYS[request.param]
    fake = FakeGateway(spec["ok"])
    fake.spec = spec
    yield fake
    fake.close()


@pytest.fixture
def app_config(gateway):
    return {**gateway.spec["config"], gateway.spec["endpoint"]: gateway.endpoint, "SMS_TIMEOUT_SECONDS": 1}


@pytest.fixture
def sms_log(caplog, monkeypatch):
    # Alembic's fileConfig (the migrations ran in this process) disables loggers that existed before it.
    monkeypatch.setattr(logging.getLogger("residents.sms"), "disabled", False)
    caplog.set_level("INFO", logger="residents.sms")
    return caplog


def test_code_sent_through_the_sdk_signs_in(client, gateway):
    assert client.get("/api/v1/residents/auth/providers").get_json()["providers"] == ["sms", "dev"]
    r = client.post(SEND, json={"phone": "138 1234 5678"})
    assert r.status_code == 202 and r.get_json() == {"expires_in": 300}
    [request] = gateway.requests
    phone, code = gateway.spec["sent"](request)
    assert phone == gateway.spec["recipient"] and re.fullmatch(r"\d{6}", code)
    r = client.post(VERIFY, json={"phone": PHONE, "code": code, "consent": True})
    assert r.status_code == 200 and r.get_json()["access_token"]
    assert db.session.query(ResidentIdentity).one().provider == "sms"


@pytest.mark.parametrize("which", [0, 1])
def test_gateway_refusal_is_a_clean_502_logged_without_the_code(client, gateway, sms_log, which):
    refusal = gateway.spec["errors"][which]
    gateway.reply = refusal
    r = client.post(SEND, json={"phone": PHONE})
    assert r.status_code == 502 and r.get_json() == GATEWAY_ERROR
    _, code = gateway.spec["sent"](gateway.requests[-1])
    body = refusal[1].get("Response", refusal[1])
    error_code = body.get("Code") or body.get("Error", {}).get("Code") or body["SendStatusSet"][0]["Code"]
    # What the operator needs to take it up with the gateway.
    assert error_code in sms_log.text and body["RequestId"] in sms_log.text and "138****5678" in sms_log.text
    assert code not in sms_log.text and PHONE not in sms_log.text


def assert_logged_without_code_or_phone(log):
    assert "failed" in log.text and "138****5678" in log.text
    assert not re.search(r"(?<!\d)\d{6}(?!\d)", log.text) and PHONE not in log.text  # no code, no whole phone


def test_gateway_unreachable_is_a_clean_502(client, gateway, app, sms_log):
    app.config[gateway.spec["endpoint"]] = "http://127.0.0.1:9"  # discard port: connection refused
    r = client.post(SEND, json={"phone": PHONE})
    assert r.status_code == 502 and r.get_json() == GATEWAY_ERROR
    # The SDKs' network errors quote the request URL, which for Aliyun carries the phone and the code.
    assert_logged_without_code_or_phone(sms_log)


def test_gateway_timeout_is_a_clean_502(client, gateway, sms_log):
    gateway.delay = 3  # SMS_TIMEOUT_SECONDS is 1
    started = time.monotonic()
    r = client.post(SEND, json={"phone": PHONE})
    assert r.status_code == 502 and r.get_json() == GATEWAY_ERROR
    assert time.monotonic() - started < 2.5  # the resident is not kept waiting for the gateway
    assert_logged_without_code_or_phone(sms_log)


class TemplateSender:
    """A deployment's own template gateway, named by SMS_SENDER=package.module:Class: it gets the code alone."""

    sent = []

    def send_code(self, phone, code, minutes):
        self.sent.append((phone, code, minutes))


class TestOwnSender:
    SENDER = "tests.test_sms_senders:TemplateSender"

    @pytest.fixture
    def app_config(self):
        return {"SMS_SENDER": self.SENDER, "SMS_CODE_TTL_SECONDS": 600}

    def test_own_template_sender_gets_the_code(self, client):
        # The app imports the module by the dotted name, which need not be the copy pytest loaded.
        sent = import_module(self.SENDER.partition(":")[0]).TemplateSender.sent
        sent.clear()
        assert client.post(SEND, json={"phone": PHONE}).status_code == 202
        [(phone, code, minutes)] = sent
        assert (phone, minutes) == (PHONE, 10)
        assert client.post(VERIFY, json={"phone": PHONE, "code": code, "consent": True}).status_code == 200
