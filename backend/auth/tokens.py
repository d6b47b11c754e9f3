"""JWT wiring: identities, claims, the revocation blocklist (database, or Redis when configured)."""

import logging
from datetime import UTC, datetime

from flask import current_app, request
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy import delete, select

from ..errors import error_response
from ..extensions import db, jwt
from ..roster.models import Resident
from ..types import utcnow
from .models import RevokedToken, User

log = logging.getLogger(__name__)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
_redis_clients = {}


def redis_client():
    """One client per Redis URL (a connection pool each), or None when Redis is not configured."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    if url not in _redis_clients:
        import redis

        # Short timeouts: Redis unreachable fails the request quickly (a 503, or a read let through), never hangs.
        timeout = current_app.config["REDIS_TIMEOUT_SECONDS"]
        _redis_clients[url] = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    return _redis_clients[url]


def claims_for(actor):
    if isinstance(actor, Resident):
        return {"role": "resident", "org_id": None}
    return {"role": actor.role, "org_id": actor.org_id}


def revoke(jwt_payload):
    jti, exp = jwt_payload["jti"], datetime.fromtimestamp(jwt_payload["exp"], UTC)
    client = redis_client()
    if client is not None:  # Redis first: if it is down the sign-out fails (503) and nothing half-holds
        client.set(f"gongjian:revoked:{jti}", 1, exat=int(exp.timestamp()) + 1)
    # The database keeps every revocation too, so a read let through while Redis is down still meets the blocklist.
    if db.session.scalar(select(RevokedToken.id).where(RevokedToken.jti == jti)) is None:
        db.session.add(RevokedToken(jti=jti, expires_at=exp))
    # Expired tokens fail on their own; keep the table small.
    db.session.execute(delete(RevokedToken).where(RevokedToken.expires_at < utcnow()))
    db.session.commit()


def is_revoked(jti):
    client = redis_client()
    if client is not None:
        try:
            return bool(client.exists(f"gongjian:revoked:{jti}"))
        except (RedisConnectionError, RedisTimeoutError):
            # Redis down: a read goes on against the database's copy of the blocklist (residents keep seeing their
            # notices, a signed-out token stays signed out); a write is refused with the 503 redis_unavailable.
            if request.method not in SAFE_METHODS:
                raise
            log.warning("token blocklist in Redis unreachable; checking the database's for a %s", request.method)
    return db.session.scalar(select(RevokedToken.id).where(RevokedToken.jti == jti)) is not None


@jwt.user_lookup_loader
def _load_actor(_header, payload):
    ident = int(payload["sub"])
    if payload.get("role") == "resident":
        return db.session.get(Resident, ident)
    user = db.session.get(User, ident)
    return user if user is not None and user.active else None


@jwt.token_in_blocklist_loader
def _blocked(_header, payload):
    return is_revoked(payload["jti"])


def _unauthorized(code, message):
    return lambda *args: error_response(401, code, message)


jwt.unauthorized_loader(_unauthorized("unauthorized", "请先登录"))
jwt.invalid_token_loader(_unauthorized("invalid_token", "登录凭证无效，请重新登录"))
jwt.expired_token_loader(_unauthorized("token_expired", "登录已过期，请重新登录"))
jwt.revoked_token_loader(_unauthorized("token_revoked", "您已退出登录，请重新登录"))
jwt.user_lookup_error_loader(_unauthorized("account_unavailable", "账号不存在或已停用"))
jwt.needs_fresh_token_loader(_unauthorized("fresh_login_required", "请重新登录后再操作"))
jwt.token_verification_failed_loader(_unauthorized("invalid_token", "登录凭证无效，请重新登录"))
