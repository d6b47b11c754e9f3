"""Configuration from the environment. Defaults suit a newcomer's laptop; production must set secrets."""

import importlib.util
import ipaddress
import os
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET = "dev-secret-key-not-for-production-0000"
DEV_JWT_SECRET = "dev-jwt-secret-key-not-for-production-0"


def database_url(url):
    """Accept the usual ``postgresql://`` form and use the psycopg 3 driver for it."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _env(name, default=None):
    value = os.environ.get(name)
    return value if value not in (None, "") else default


class Config:
    APP_ENV = _env("APP_ENV", "development")
    LOG_FORMAT = _env("LOG_FORMAT")  # json (production's default) or text (development's)
    SECRET_KEY = _env("SECRET_KEY", DEV_SECRET)
    JWT_SECRET_KEY = _env("JWT_SECRET_KEY", DEV_JWT_SECRET)
    # Owner ids are stored only as HMACs under this key; rotating it breaks matching, so it is its own setting.
    ID_HASH_KEY = _env("ID_HASH_KEY") or SECRET_KEY
    SQLALCHEMY_DATABASE_URI = database_url(_env("DATABASE_URL", f"sqlite:///{ROOT / 'instance' / 'gongjian.db'}"))
    # pool_pre_ping: after PostgreSQL restarts, a pooled connection is tested and replaced, not handed to a request.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # Officials' reports (roll-ups, consent rates, city figures and their exports) read from this database when
    # set — a read replica of the primary — through a read-only engine (backend/reports_db.py); else the primary.
    REPORTS_DATABASE_URL = _env("REPORTS_DATABASE_URL")
    # A PostgreSQL that does not answer (a host down, not a refused port) fails the request after this, not later.
    DATABASE_CONNECT_TIMEOUT_SECONDS = int(_env("DATABASE_CONNECT_TIMEOUT_SECONDS", "5"))
    # SQLite takes one writer at a time: the others wait this long for the lock instead of failing at once.
    SQLITE_BUSY_TIMEOUT_SECONDS = int(_env("SQLITE_BUSY_TIMEOUT_SECONDS", "30"))
    REDIS_URL = _env("REDIS_URL")
    REDIS_TIMEOUT_SECONDS = float(_env("REDIS_TIMEOUT_SECONDS", "2"))
    PUBLIC_BASE_URL = _env("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024  # roster files and uploads
    LOGIN_RATE_LIMIT = _env("LOGIN_RATE_LIMIT", "10 per minute")
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    # Redis down: limits declared on routes (reads) let requests through; the named limits on sign-in, SMS codes
    # and binding (backend/ratelimit.py) refuse with a 503 instead — they guard secrets. (No in-memory fallback:
    # it would swap the named limits onto per-process counters too.)
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_STORAGE_OPTIONS = {
        "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
        "socket_timeout": REDIS_TIMEOUT_SECONDS,
    }
    JWT_ACCESS_TOKEN_EXPIRES = int(_env("JWT_ACCESS_MINUTES", "30")) * 60
    JWT_REFRESH_TOKEN_EXPIRES = int(_env("JWT_REFRESH_DAYS", "14")) * 86400
    # Tokens travel only in the Authorization header, never in cookies: no ambient credential, so no CSRF (README).
    JWT_TOKEN_LOCATION = ["headers"]
    JSON_AS_ASCII = False
    # flask-smorest / OpenAPI
    API_TITLE = "Gongjian 共建 API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_REDOC_PATH = None
    OPENAPI_SWAGGER_UI_PATH = None  # served from local files by backend.docs instead of a CDN
    API_SPEC_OPTIONS = {
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
        "security": [{"bearerAuth": []}],
    }
    # Local practice, overridable per compound.
    NOTICE_LEAD_DAYS = 15
    PUBLICITY_DAYS = 7

    # --- Residents and notices (issue 4): sign-in providers, SMS, binding limits, letters, retention ---
    # Providers offered on the sign-in page; "dev" is never honoured when APP_ENV=production.
    RESIDENT_AUTH_PROVIDERS = _env("RESIDENT_AUTH_PROVIDERS", "wechat,sms,dev")
    # WeChat web authorisation (snsapi_base): the user is sent to WECHAT_AUTHORIZE_URL, and the code is
    # exchanged for the openid at WECHAT_BASE_URL/sns/oauth2/access_token.
    WECHAT_AUTHORIZE_URL = _env("WECHAT_AUTHORIZE_URL", "https://open.weixin.qq.com/connect/oauth2/authorize")
    WECHAT_BASE_URL = _env("WECHAT_BASE_URL", "https://api.weixin.qq.com")
    WECHAT_APP_ID = _env("WECHAT_APP_ID", "")
    WECHAT_APP_SECRET = _env("WECHAT_APP_SECRET", "")
    WECHAT_TIMEOUT_SECONDS = 5
    # SMS sign-in: who delivers the code. "console" logs it (development only); "memory" keeps an outbox (tests);
    # "aliyun" / "tencent" send it through Alibaba Cloud / Tencent Cloud SMS (their SDKs are in
    # requirements-sms.txt); or "package.module:Class" of your own (see residents/sms.py).
    SMS_SENDER = _env("SMS_SENDER", "console")
    SMS_TIMEOUT_SECONDS = int(_env("SMS_TIMEOUT_SECONDS", "5"))
    # Alibaba Cloud SMS (dysmsapi SendSms): an approved sign name and a template whose one variable is ${code}.
    SMS_ALIYUN_ACCESS_KEY_ID = _env("SMS_ALIYUN_ACCESS_KEY_ID", "")
    SMS_ALIYUN_ACCESS_KEY_SECRET = _env("SMS_ALIYUN_ACCESS_KEY_SECRET", "")
    SMS_ALIYUN_SIGN_NAME = _env("SMS_ALIYUN_SIGN_NAME", "")
    SMS_ALIYUN_TEMPLATE_CODE = _env("SMS_ALIYUN_TEMPLATE_CODE", "")
    SMS_ALIYUN_ENDPOINT = _env("SMS_ALIYUN_ENDPOINT", "dysmsapi.aliyuncs.com")
    # Tencent Cloud SMS (SendSms 2021-01-11): the SMS application's SdkAppId, an approved sign name and a
    # template whose one parameter {1} is the code.
    SMS_TENCENT_SECRET_ID = _env("SMS_TENCENT_SECRET_ID", "")
    SMS_TENCENT_SECRET_KEY = _env("SMS_TENCENT_SECRET_KEY", "")
    SMS_TENCENT_SDK_APP_ID = _env("SMS_TENCENT_SDK_APP_ID", "")
    SMS_TENCENT_SIGN_NAME = _env("SMS_TENCENT_SIGN_NAME", "")
    SMS_TENCENT_TEMPLATE_ID = _env("SMS_TENCENT_TEMPLATE_ID", "")
    SMS_TENCENT_REGION = _env("SMS_TENCENT_REGION", "ap-guangzhou")
    SMS_TENCENT_ENDPOINT = _env("SMS_TENCENT_ENDPOINT", "sms.tencentcloudapi.com")
    SMS_CODE_TTL_SECONDS = int(_env("SMS_CODE_TTL_SECONDS", "300"))
    SMS_CODE_MAX_TRIES = 5
    SMS_RATE_PER_PHONE = _env("SMS_RATE_PER_PHONE", "1 per minute;5 per hour")
    SMS_RATE_PER_IP = _env("SMS_RATE_PER_IP", "20 per hour")
    # Binding attempts (invite code or roster match), so invite codes cannot be guessed: every attempt per resident,
    # failed ones per client address (many honest residents may share one, at the office or behind a carrier).
    BINDING_RATE_PER_RESIDENT = _env("BINDING_RATE_PER_RESIDENT", "10 per hour")
    BINDING_RATE_PER_IP = _env("BINDING_RATE_PER_IP", "30 per hour")
    PROXY_PHOTO_MAX_BYTES = 5 * 1024 * 1024
    # Construction-problem photos (projects/problems.py): stored re-encoded, without EXIF, under PHOTO_DIR (default:
    # the instance folder's photos/), each at most this big, three to a report.
    PHOTO_DIR = _env("PHOTO_DIR")
    PROBLEM_PHOTO_MAX_BYTES = int(_env("PROBLEM_PHOTO_MAX_BYTES", str(8 * 1024 * 1024)))
    LETTERS_DIR = _env("LETTERS_DIR", str(ROOT / "instance" / "letters"))
    # A letter's invite code works this many days after printing; then the committee prints a new letter.
    INVITE_CODE_DAYS = int(_env("INVITE_CODE_DAYS", "90"))
    # The letters PDF holds every code in clear: the retention purge deletes it this many days after the job.
    LETTERS_KEEP_DAYS = int(_env("LETTERS_KEEP_DAYS", "30"))
    # PIPL retention (see residents/privacy.py): revoked bindings, spent or revoked invite codes, decided
    # requests and authorisation photos are deleted this many days after they ended; SMS codes after a day;
    # residents with no binding left and no sign-in for this long are deleted too.
    RETENTION_DAYS = int(_env("RETENTION_DAYS", "180"))
    CONSENT_VERSION = "2025-01"
    # Reverse proxies (nginx) in front of the app: trust this many X-Forwarded-For/-Proto/-Host hops, so rate
    # limits key on the resident's address rather than the proxy's. 0 = the app faces the internet directly.
    PROXY_FIX_HOPS = int(_env("PROXY_FIX_HOPS", "0"))
    # --- end residents and notices ---


def driver_options(config):
    """Give SQLite connections their busy timeout, PostgreSQL's their connect timeout (driver-specific options)."""
    config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(config, config["SQLALCHEMY_DATABASE_URI"])


def engine_options(config, url):
    options = dict(config["SQLALCHEMY_ENGINE_OPTIONS"])
    if url.startswith("sqlite"):
        extra = {"timeout": config["SQLITE_BUSY_TIMEOUT_SECONDS"]}
    elif url.startswith("postgresql"):
        extra = {"connect_timeout": config["DATABASE_CONNECT_TIMEOUT_SECONDS"]}
    else:
        return options
    options["connect_args"] = {**options.get("connect_args", {}), **extra}
    return options


class ConfigError(RuntimeError):
    pass


def check_production(app):
    """Refuse to run production with development secrets, or with settings under which residents cannot
    reach the site (QR codes to localhost) or sign in (a listed provider without its app, keys or gateway)."""
    if app.config["APP_ENV"] != "production":
        return
    if app.config["SECRET_KEY"] in (None, DEV_SECRET) or app.config["JWT_SECRET_KEY"] in (None, DEV_JWT_SECRET):
        raise ConfigError("APP_ENV=production requires SECRET_KEY and JWT_SECRET_KEY to be set")
    if len(app.config["SECRET_KEY"]) < 32 or len(app.config["JWT_SECRET_KEY"]) < 32:
        raise ConfigError("SECRET_KEY and JWT_SECRET_KEY must be at least 32 characters in production")
    if _local_host(app.config.get("PUBLIC_BASE_URL")):
        raise ConfigError(
            "APP_ENV=production requires PUBLIC_BASE_URL, the address residents' phones reach "
            "(notice QR codes, household letters and the WeChat return point there), not localhost"
        )
    for name in listed_providers(app.config):
        problem = None if name == "dev" else provider_problem(app.config, name)  # dev is simply never offered
        if problem:
            raise ConfigError(
                f"RESIDENT_AUTH_PROVIDERS lists {name}, but {problem}. "
                f"Fix that, or leave {name} out of RESIDENT_AUTH_PROVIDERS"
            )


# --- resident sign-in providers: which can work under these settings -------------------------------------

# Each SMS gateway: the SDK module that talks to it (installed from requirements-sms.txt) and the settings it needs.
SMS_GATEWAYS = {
    "aliyun": (
        "alibabacloud_dysmsapi20170525",
        (
            "SMS_ALIYUN_ACCESS_KEY_ID",
            "SMS_ALIYUN_ACCESS_KEY_SECRET",
            "SMS_ALIYUN_SIGN_NAME",
            "SMS_ALIYUN_TEMPLATE_CODE",
        ),
    ),
    "tencent": (
        "tencentcloud.sms",
        (
            "SMS_TENCENT_SECRET_ID",
            "SMS_TENCENT_SECRET_KEY",
            "SMS_TENCENT_SDK_APP_ID",
            "SMS_TENCENT_SIGN_NAME",
            "SMS_TENCENT_TEMPLATE_ID",
        ),
    ),
}
# Senders that keep the code on the server: fine on a laptop or in tests, never in production.
LOCAL_SMS_SENDERS = ("console", "memory")


def listed_providers(config):
    names = [p.strip() for p in (config.get("RESIDENT_AUTH_PROVIDERS") or "").split(",")]
    return list(dict.fromkeys(n for n in names if n))


def provider_problem(config, name):
    """Why sign-in provider ``name`` cannot work under ``config`` (a sentence naming the missing settings), or
    None when it can. Pages offer only providers that can work; production refuses to start with one that cannot."""
    production = config.get("APP_ENV") == "production"
    if name == "wechat":
        return _missing(config, ("WECHAT_APP_ID", "WECHAT_APP_SECRET"))
    if name == "sms":
        return _sms_problem(config, production)
    if name == "dev":
        return "the demo sign-in is never offered in production" if production else None
    return f"{name!r} is not a sign-in provider (choose from wechat, sms, dev)"


def _missing(config, names):
    missing = [n for n in names if not config.get(n)]
    return f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set" if missing else None


def _sms_problem(config, production):
    sender = config.get("SMS_SENDER") or ""
    if sender in LOCAL_SMS_SENDERS:
        return (
            f"SMS_SENDER={sender} sends nothing (codes never reach the phone, and console writes them to the "
            "log); a real gateway is SMS_SENDER=aliyun, tencent or 'package.module:Class'"
            if production
            else None
        )
    if sender in SMS_GATEWAYS:
        module, settings = SMS_GATEWAYS[sender]
        missing = _missing(config, settings)
        if missing:
            return f"with SMS_SENDER={sender}, {missing}"
        if not _installed(module):
            return f"SMS_SENDER={sender} needs its SDK: pip install -r requirements-sms.txt"
        return None
    module, _, cls = sender.partition(":")
    if not (module and cls):
        return f"SMS_SENDER={sender!r} is none of console, aliyun, tencent or 'package.module:Class'"
    return None


def _installed(module):
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # the parent package is missing
        return False


def _local_host(url):
    """True when ``url`` is unset or names this machine (localhost, 127.0.0.0/8, ::1, 0.0.0.0)."""
    host = urlsplit(url or "").hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return not host
    return address.is_loopback or address.is_unspecified
