"""Resident sign-in behind one interface: each provider turns what the phone sent into a (provider, subject).

``wechat``: the WeChat web authorisation flow (snsapi_base) — the page sends the user to WeChat, WeChat sends
them back with a code, and the server exchanges the code for the openid. ``sms``: a phone number and a
six-digit code. ``dev``: one click, for the demo only, never when APP_ENV=production.
Whatever the provider, the resident then gets the same JWTs (role ``resident``).
"""

import hashlib
import hmac
import json
import logging
import secrets
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import case, literal, select, update

from backend.auth.services import issue_tokens
from backend.config import listed_providers, provider_problem
from backend.errors import Invalid, NotFound, ServiceError, Unauthorized
from backend.extensions import db
from backend.ratelimit import enforce
from backend.roster.models import Resident
from backend.types import UTCDateTime, utcnow

from .models import ResidentIdentity, SmsCode
from .sms import deliver_code

log = logging.getLogger(__name__)
PHONE_DIGITS = 11


def keyed_hash(purpose, text):
    """HMAC under the server key, separated by purpose so a phone hash never equals a code hash."""
    key = current_app.config["ID_HASH_KEY"].encode()
    return hmac.new(key, f"{purpose}:{text}".encode(), hashlib.sha256).hexdigest()


def enabled_providers(app=None):
    """The listed providers that can work here: WeChat with its app, SMS with a sender, the demo outside
    production. A button for anything else would lead the resident to an error page."""
    config = (app or current_app).config
    return [n for n in listed_providers(config) if provider_problem(config, n) is None]


def require_provider(name):
    if name not in enabled_providers():
        raise NotFound("provider_disabled", "此登录方式未开放")


# --- the common end of every provider -------------------------------------------------------------------


def sign_in(provider, subject, consent, display_name=""):
    """Find or create the resident for this identity, record consent, and issue their tokens."""
    identity = db.session.scalar(
        select(ResidentIdentity).where(ResidentIdentity.provider == provider, ResidentIdentity.subject == subject)
    )
    resident = identity.resident if identity else None
    version = current_app.config["CONSENT_VERSION"]
    if (resident is None or resident.consent_version != version) and not consent:
        raise Invalid("consent_required", "请先阅读并同意《个人信息保护说明》")
    now = utcnow()
    if resident is None:
        resident = Resident(display_name=display_name)
        db.session.add(resident)
        db.session.flush()
        db.session.add(ResidentIdentity(resident_id=resident.id, provider=provider, subject=subject))
    if resident.consent_version != version:
        resident.consent_version, resident.consented_at = version, now
    resident.last_seen_at = now
    db.session.commit()
    return {**issue_tokens(resident), "resident": {"id": resident.id, "display_name": resident.display_name}}


# --- wechat ---------------------------------------------------------------------------------------------


def _state_serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="wechat-oauth-state")


DEFAULT_NEXT = "/m/home"


def safe_next(path):
    """Only a plain path on this site, so the sign-in cannot be used to send people elsewhere.

    Browsers strip tabs and newlines from URLs and read a backslash as a slash, so "/<tab>/evil.example" or
    "/<backslash>evil.example" becomes "//evil.example", another site. Rather than list the tricks, accept only
    printable ASCII without spaces, backslashes, quotes or angle brackets (the path lands in an href), one leading slash and no "//" anywhere; anything else
    (a full URL included) falls back to the home page. Pages percent-encode whatever else they need.
    """
    if (
        not path
        or not path.startswith("/")
        or "//" in path
        or any(not "!" <= ch <= "~" or ch in "\\\"'<>`" for ch in path)
    ):
        return DEFAULT_NEXT
    return path


def wechat_authorize_url(next_path, nonce, consent):
    """Where to send the phone: WeChat's authorisation page, which returns to our callback with a code."""
    require_provider("wechat")
    cfg = current_app.config
    state = _state_serializer().dumps({"n": safe_next(next_path), "nonce": nonce[:64], "c": bool(consent)})
    query = urllib.parse.urlencode(
        {
            "appid": cfg["WECHAT_APP_ID"],
            "redirect_uri": cfg["PUBLIC_BASE_URL"].rstrip("/") + "/m/wechat/callback",
            "response_type": "code",
            "scope": "snsapi_base",
            "state": state,
        }
    )
    return f"{cfg['WECHAT_AUTHORIZE_URL']}?{query}#wechat_redirect"


def read_state(state):
    try:
        return _state_serializer().loads(state, max_age=600)
    except SignatureExpired:
        raise Invalid("state_expired", "登录已超时，请重新点击“微信登录”") from None
    except BadSignature:
        raise Invalid("state_invalid", "登录请求无效，请重新点击“微信登录”") from None


def wechat_openid(code):
    """Exchange the authorisation code for the user's openid at WeChat (over HTTP, with a timeout)."""
    cfg = current_app.config
    query = urllib.parse.urlencode(
        {
            "appid": cfg["WECHAT_APP_ID"],
            "secret": cfg["WECHAT_APP_SECRET"],
            "code": code,
            "grant_type": "authorization_code",
        }
    )
    url = f"{cfg['WECHAT_BASE_URL'].rstrip('/')}/sns/oauth2/access_token?{query}"
    try:
        with urllib.request.urlopen(url, timeout=cfg["WECHAT_TIMEOUT_SECONDS"]) as resp:
            body = json.loads(resp.read().decode("utf-8"))
    except (urllib.error.URLError, TimeoutError, ValueError) as e:
        log.warning("wechat exchange failed: %s", e)
        raise ServiceError(
            "wechat_unavailable", "微信服务暂时无法连接，请稍后再试或用手机验证码登录", status=502
        ) from e
    if body.get("errcode") or not body.get("openid"):
        # 40029: invalid code, 40163: code already used — both mean "try again from the start".
        log.info("wechat refused code: %s %s", body.get("errcode"), body.get("errmsg"))
        raise Unauthorized("wechat_code_invalid", "微信授权已失效，请重新点击“微信登录”")
    return body["openid"]


def sign_in_wechat(code, state):
    require_provider("wechat")
    data = read_state(state)
    result = sign_in("wechat", wechat_openid(code), data.get("c"))
    return {**result, "next": data["n"], "nonce": data.get("nonce", "")}


# --- sms ------------------------------------------------------------------------------------------------


def normalise_phone(phone):
    digits = "".join(ch for ch in phone if ch.isdigit())
    if digits.startswith("86") and len(digits) == PHONE_DIGITS + 2:
        digits = digits[2:]
    if len(digits) != PHONE_DIGITS or not digits.startswith("1"):
        raise Invalid("phone_invalid", "请输入11位手机号码", {"json": {"phone": ["请输入11位手机号码"]}})
    return digits


def _enforce_all(limits, scope, key, message):
    for limit in limits.split(";"):
        enforce(limit.strip(), scope, key, message=message)


def send_sms_code(phone, address):
    require_provider("sms")
    phone = normalise_phone(phone)
    cfg = current_app.config
    _enforce_all(cfg["SMS_RATE_PER_IP"], "sms-ip", address, "发送验证码过于频繁，请稍后再试")
    _enforce_all(cfg["SMS_RATE_PER_PHONE"], "sms-phone", phone, "验证码已发送，请稍等一分钟再重新获取")
    code = f"{secrets.randbelow(10**6):06d}"
    phone_hash = keyed_hash("phone", phone)
    now = utcnow()
    # A new code replaces any earlier one for the same phone.
    db.session.execute(
        update(SmsCode).where(SmsCode.phone_hash == phone_hash, SmsCode.used_at.is_(None)).values(used_at=now)
    )
    ttl = cfg["SMS_CODE_TTL_SECONDS"]
    db.session.add(
        SmsCode(
            phone_hash=phone_hash,
            code_hash=keyed_hash("sms", phone_hash + code),
            expires_at=now + timedelta(seconds=ttl),
        )
    )
    db.session.commit()
    deliver_code(cfg, phone, code, ttl // 60)
    return {"expires_in": ttl}


SMS_CODE_USED = "验证码已使用过，请重新获取"


def sign_in_sms(phone, code, consent, address):
    require_provider("sms")
    phone = normalise_phone(phone)
    phone_hash = keyed_hash("phone", phone)
    enforce("30 per hour", "sms-verify-ip", address, message="尝试次数过多，请稍后再试")
    sent = db.session.scalar(
        select(SmsCode).where(SmsCode.phone_hash == phone_hash).order_by(SmsCode.id.desc()).limit(1)
    )
    now = utcnow()
    if sent is None:
        raise Unauthorized("sms_code_invalid", "验证码不正确，请重新获取")
    if sent.used_at is not None:
        raise Unauthorized("sms_code_used", SMS_CODE_USED)
    if now >= sent.expires_at:
        raise Unauthorized("sms_code_expired", "验证码已过期，请重新获取")
    correct = hmac.compare_digest(sent.code_hash, keyed_hash("sms", phone_hash + code.strip()))
    if not _spend_try(sent.id, correct, now):
        raise Unauthorized("sms_code_used", SMS_CODE_USED)  # a simultaneous request used it, or the last try
    if not correct:
        db.session.commit()
        raise Unauthorized("sms_code_invalid", "验证码不正确，请核对短信后重新输入")
    return sign_in("sms", phone_hash, consent)


def _spend_try(code_id, correct, now):
    """Count one try on a live code, ending it when right or at the last try; False when it was no longer live.

    One conditional UPDATE whose row count decides, so of simultaneous requests (PostgreSQL row lock, SQLite
    write lock) one right code signs in once, and wrong guesses never get more than SMS_CODE_MAX_TRIES looks.
    """
    last_try = SmsCode.tries + 1 >= current_app.config["SMS_CODE_MAX_TRIES"]
    spent = db.session.execute(
        update(SmsCode)
        .where(SmsCode.id == code_id, SmsCode.used_at.is_(None))
        .values(
            tries=SmsCode.tries + 1, used_at=now if correct else case((last_try, literal(now, UTCDateTime)), else_=None)
        )
        .execution_options(synchronize_session=False)
    )
    return spent.rowcount == 1


# --- dev ------------------------------------------------------------------------------------------------


def sign_in_dev(subject, consent):
    require_provider("dev")
    subject = (subject or "demo").strip()[:64] or "demo"
    return sign_in("dev", subject, consent, display_name=f"演示居民{subject}")
