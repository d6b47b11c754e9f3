"""Who delivers an SMS sign-in code; ``SMS_SENDER`` picks one.

``console`` logs the message (development) and ``memory`` keeps it in a list (tests). ``aliyun`` and ``tencent``
send it through Alibaba Cloud SMS and Tencent Cloud SMS with their official SDKs (requirements-sms.txt), where
text is never free: the gateway fills an approved template under an approved sign name, so these senders pass
the code alone. ``package.module:Class`` names a sender of your own, built with no arguments, with either
``send_code(phone, code, minutes)`` (template gateways) or ``send(phone, text)``.

A gateway that refuses, fails or does not answer in time becomes one clean 502 for the resident; the log keeps
the gateway's own error code for the operator, and never the sign-in code or the full phone number.
"""

import json
import logging
from importlib import import_module
from urllib.parse import urlsplit

from backend.errors import ServiceError
from backend.types import mask_phone

log = logging.getLogger(__name__)


def code_text(code, minutes):
    return f"【共建】您的登录验证码是{code}，{minutes}分钟内有效。如非本人操作请忽略。"


class SmsGatewayError(ServiceError):
    status = 502

    def __init__(self):
        super().__init__("sms_gateway_error", "短信发送失败，请稍后再试")


class ConsoleSender:
    """Development: the code goes to the server log."""

    def send(self, phone, text):
        log.warning("SMS to %s: %s", phone, text)


class MemorySender:
    """Tests: the messages stay in a list the test can read."""

    outbox = []

    def send(self, phone, text):
        self.outbox.append((phone, text))


def endpoint_parts(endpoint):
    """``host[:port]`` or ``http(s)://host[:port]`` → (protocol, host); https unless the setting says otherwise."""
    if "://" not in endpoint:
        return "https", endpoint
    url = urlsplit(endpoint)
    return url.scheme, url.netloc


class Gateway:
    """A template gateway: subclasses send the code and return the gateway's (error code, message, request id),
    error code None on success; any exception the SDK raises is a failure too."""

    name = ""

    def __init__(self, config):
        self.config = config

    def send_code(self, phone, code, minutes):
        try:
            error, message, request_id = self.request(phone, code)
        except Exception as e:  # the SDK's own errors, a refused connection, a timeout: all one failure
            error, message = getattr(e, "code", None) or type(e).__name__, str(e)
            request_id = getattr(e, "request_id", None) or getattr(e, "requestId", None)  # Aliyun's, Tencent's
        if error is None:
            log.info("SMS code sent via %s to %s (request %s)", self.name, mask_phone(phone), request_id)
            return
        # An SDK's network error quotes the request URL, and so the phone and the code: scrub both.
        message = (message or "").replace(code, "******").replace(phone, mask_phone(phone))
        log.error(
            "SMS via %s to %s failed: %s %s (request %s)", self.name, mask_phone(phone), error, message, request_id
        )
        raise SmsGatewayError()

    def request(self, phone, code):
        raise NotImplementedError


class AliyunSender(Gateway):
    """Alibaba Cloud SMS, dysmsapi 2017-05-25 SendSms; the template's variable is ${code}."""

    name = "aliyun"

    def request(self, phone, code):
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_dysmsapi20170525.models import SendSmsRequest
        from alibabacloud_tea_openapi.models import Config
        from darabonba.runtime import RuntimeOptions

        cfg = self.config
        protocol, host = endpoint_parts(cfg["SMS_ALIYUN_ENDPOINT"])
        timeout_ms = cfg["SMS_TIMEOUT_SECONDS"] * 1000
        client = Client(
            Config(
                access_key_id=cfg["SMS_ALIYUN_ACCESS_KEY_ID"],
                access_key_secret=cfg["SMS_ALIYUN_ACCESS_KEY_SECRET"],
                endpoint=host,
                protocol=protocol,
            )
        )
        body = client.send_sms_with_options(
            SendSmsRequest(
                phone_numbers=phone,
                sign_name=cfg["SMS_ALIYUN_SIGN_NAME"],
                template_code=cfg["SMS_ALIYUN_TEMPLATE_CODE"],
                template_param=json.dumps({"code": code}),
            ),
            RuntimeOptions(connect_timeout=timeout_ms, read_timeout=timeout_ms),
        ).body
        # A refused message still answers HTTP 200, with a Code other than "OK" (isv.BUSINESS_LIMIT_CONTROL …).
        return (None if body.code == "OK" else body.code), body.message, body.request_id


class TencentSender(Gateway):
    """Tencent Cloud SMS, SendSms 2021-01-11; the template's parameter {1} is the code."""

    name = "tencent"

    def request(self, phone, code):
        from tencentcloud.common.credential import Credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111.models import SendSmsRequest
        from tencentcloud.sms.v20210111.sms_client import SmsClient

        cfg = self.config
        protocol, host = endpoint_parts(cfg["SMS_TENCENT_ENDPOINT"])
        profile = ClientProfile(
            httpProfile=HttpProfile(protocol=protocol, endpoint=host, reqTimeout=cfg["SMS_TIMEOUT_SECONDS"])
        )
        client = SmsClient(
            Credential(cfg["SMS_TENCENT_SECRET_ID"], cfg["SMS_TENCENT_SECRET_KEY"]), cfg["SMS_TENCENT_REGION"], profile
        )
        request = SendSmsRequest()
        request.PhoneNumberSet = [f"+86{phone}"]
        request.SmsSdkAppId = cfg["SMS_TENCENT_SDK_APP_ID"]
        request.SignName = cfg["SMS_TENCENT_SIGN_NAME"]
        request.TemplateId = cfg["SMS_TENCENT_TEMPLATE_ID"]
        request.TemplateParamSet = [code]
        response = client.SendSms(request)
        # Errors about the whole call raise; one about the number (a daily limit …) comes back in its status.
        status = (response.SendStatusSet or [None])[0]
        if status is None:
            return "NoSendStatus", "", response.RequestId
        return (None if status.Code == "Ok" else status.Code), status.Message, response.RequestId


LOCAL = {"console": ConsoleSender, "memory": MemorySender}
GATEWAYS = {"aliyun": AliyunSender, "tencent": TencentSender}


def sender_for(config):
    name = config["SMS_SENDER"]
    if name in GATEWAYS:
        return GATEWAYS[name](config)
    if name in LOCAL:
        return LOCAL[name]()
    module, _, cls = name.partition(":")
    return getattr(import_module(module), cls)()


def deliver_code(config, phone, code, minutes):
    """Send the sign-in code to the phone, or raise SmsGatewayError."""
    sender = sender_for(config)
    if hasattr(sender, "send_code"):
        sender.send_code(phone, code, minutes)
    else:
        sender.send(phone, code_text(code, minutes))
