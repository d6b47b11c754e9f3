"""Sign-in providers are offered only when they can work, and production refuses to start with one that cannot:
a WeChat button with no WeChat app sends the phone to WeChat's error page with an empty appid."""

import sys

import pytest

from backend import create_app
from backend.config import ConfigError
from tests.test_sms_senders import ALIYUN, TENCENT

WECHAT = {"WECHAT_APP_ID": "wx-app", "WECHAT_APP_SECRET": "wx-secret"}
PROVIDERS = "/api/v1/residents/auth/providers"
# What the sign-in page shows for each provider it offers.
BUTTONS = {"wechat": 'id="wechat-login"', "sms": 'id="sms-send"', "dev": 'id="dev-login"'}


def offered(client):
    """The providers the API lists, after checking the sign-in page shows exactly their buttons."""
    providers = client.get(PROVIDERS).get_json()["providers"]
    html = client.get("/m/signin").get_data(as_text=True)
    assert {name for name, button in BUTTONS.items() if button in html} == set(providers)
    return providers


CASES = {
    "a fresh clone": ({}, ["sms", "dev"]),  # console SMS counts in development; no WeChat app
    "wechat app set": (WECHAT, ["wechat", "sms", "dev"]),
    "wechat id without its secret": ({"WECHAT_APP_ID": "wx-app"}, ["sms", "dev"]),
    "wechat secret without its id": ({"WECHAT_APP_SECRET": "wx-secret"}, ["sms", "dev"]),
    "aliyun with its keys": ({**WECHAT, **ALIYUN}, ["wechat", "sms", "dev"]),
    "aliyun without a template": ({**ALIYUN, "SMS_ALIYUN_TEMPLATE_CODE": ""}, ["dev"]),
    "tencent with its keys": (TENCENT, ["sms", "dev"]),
    "tencent without an sdk app id": ({**TENCENT, "SMS_TENCENT_SDK_APP_ID": ""}, ["dev"]),
    "a sender of your own": ({"SMS_SENDER": "residents.sms:MemorySender"}, ["sms", "dev"]),
    "a misspelt sender": ({"SMS_SENDER": "aliyn"}, ["dev"]),
    "the order and names listed": ({**WECHAT, "RESIDENT_AUTH_PROVIDERS": "dev, weixin,wechat,dev"}, ["dev", "wechat"]),
}


@pytest.mark.parametrize("app_config,expected", CASES.values(), ids=CASES.keys(), indirect=["app_config"])
def test_only_configured_providers_are_offered(client, expected):
    assert offered(client) == expected


@pytest.fixture
def app_config(request):
    return getattr(request, "param", {})


def test_unconfigured_providers_refuse_their_endpoints(client):
    """A stale page or a hand-made request meets a clear 404, not WeChat's error page or a code sent nowhere."""
    r = client.get("/m/wechat/start?consent=1&nonce=n&next=/m/home")
    assert r.status_code == 404 and "此登录方式未开放" in r.get_data(as_text=True) and "Location" not in r.headers
    client.application.config["SMS_SENDER"] = "aliyun"  # without its keys
    r = client.post("/api/v1/residents/auth/sms/send", json={"phone": "13812345678"})
    assert r.status_code == 404 and r.get_json() == {"code": "provider_disabled", "message": "此登录方式未开放"}


# --- production ---------------------------------------------------------------------------------------

PRODUCTION = {
    "APP_ENV": "production",
    "SECRET_KEY": "s" * 40,
    "JWT_SECRET_KEY": "j" * 40,
    "TESTING": True,
    "PUBLIC_BASE_URL": "https://gongjian.example.cn",
}

REFUSED = {
    "wechat without an app id": ({"RESIDENT_AUTH_PROVIDERS": "wechat", "WECHAT_APP_SECRET": "x"}, ["WECHAT_APP_ID"]),
    "wechat without a secret": ({"RESIDENT_AUTH_PROVIDERS": "wechat", "WECHAT_APP_ID": "x"}, ["WECHAT_APP_SECRET"]),
    "wechat with nothing": ({"RESIDENT_AUTH_PROVIDERS": "wechat"}, ["WECHAT_APP_ID", "WECHAT_APP_SECRET"]),
    "the default providers": ({}, ["wechat", "WECHAT_APP_ID"]),
    "sms through the console": ({"RESIDENT_AUTH_PROVIDERS": "sms"}, ["SMS_SENDER=console", "sends nothing"]),
    "sms into memory": ({"RESIDENT_AUTH_PROVIDERS": "sms", "SMS_SENDER": "memory"}, ["SMS_SENDER=memory"]),
    "a misspelt sender": ({"RESIDENT_AUTH_PROVIDERS": "sms", "SMS_SENDER": "aliyn"}, ["SMS_SENDER='aliyn'"]),
    "a misspelt provider": ({"RESIDENT_AUTH_PROVIDERS": "weixin"}, ["'weixin' is not a sign-in provider"]),
    **{
        f"aliyun without {key}": ({"RESIDENT_AUTH_PROVIDERS": "sms", **ALIYUN, key: ""}, ["SMS_SENDER=aliyun", key])
        for key in (
            "SMS_ALIYUN_ACCESS_KEY_ID",
            "SMS_ALIYUN_ACCESS_KEY_SECRET",
            "SMS_ALIYUN_SIGN_NAME",
            "SMS_ALIYUN_TEMPLATE_CODE",
        )
    },
    **{
        f"tencent without {key}": ({"RESIDENT_AUTH_PROVIDERS": "sms", **TENCENT, key: ""}, ["SMS_SENDER=tencent", key])
        for key in (
            "SMS_TENCENT_SECRET_ID",
            "SMS_TENCENT_SECRET_KEY",
            "SMS_TENCENT_SDK_APP_ID",
            "SMS_TENCENT_SIGN_NAME",
            "SMS_TENCENT_TEMPLATE_ID",
        )
    },
}


@pytest.mark.parametrize("settings,named", REFUSED.values(), ids=REFUSED.keys())
def test_production_refuses_a_provider_that_is_not_configured(settings, named):
    with pytest.raises(ConfigError, match="RESIDENT_AUTH_PROVIDERS lists") as refused:
        create_app({**PRODUCTION, **settings})
    for words in named:
        assert words in str(refused.value)


@pytest.mark.parametrize("gateway,module", [(ALIYUN, "alibabacloud_dysmsapi20170525"), (TENCENT, "tencentcloud.sms")])
def test_production_refuses_a_gateway_whose_sdk_is_missing(monkeypatch, gateway, module):
    monkeypatch.setitem(sys.modules, module, None)  # what `import` meets when the SDK is not installed
    with pytest.raises(ConfigError, match=r"requirements-sms\.txt"):
        create_app({**PRODUCTION, **gateway, "RESIDENT_AUTH_PROVIDERS": "sms"})


@pytest.mark.parametrize(
    "settings,expected",
    [
        ({**WECHAT, **ALIYUN, "RESIDENT_AUTH_PROVIDERS": "wechat,sms,dev"}, ["wechat", "sms"]),
        ({**TENCENT, "RESIDENT_AUTH_PROVIDERS": "sms"}, ["sms"]),
        ({**WECHAT, "RESIDENT_AUTH_PROVIDERS": "wechat,dev", "SMS_SENDER": "console"}, ["wechat"]),
    ],
)
def test_production_starts_and_offers_what_is_configured(settings, expected):
    app = create_app({**PRODUCTION, **settings})
    assert offered(app.test_client()) == expected
