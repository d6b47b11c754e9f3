"""Named rate limits on Flask-Limiter's storage (memory, or Redis when REDIS_URL is set).

Used where the key is not just the client address: login per username and address, SMS codes per phone,
binding attempts per resident. Views never see the storage; they call ``enforce`` or ``failures_limited``.

These limits guard passwords, SMS codes and invite codes, so they fail closed: when the storage (Redis) cannot
be reached the attempt is refused with a 503 ``rate_limit_unavailable`` rather than let through uncounted.
Limits declared on routes fail open instead (RATELIMIT_SWALLOW_ERRORS, config.py).
"""

from contextlib import contextmanager

from flask import request
from limits import parse

from .errors import RateLimited, ServiceError, Unavailable
from .extensions import limiter

DEFAULT_MESSAGE = "操作过于频繁，请稍后再试"
UNAVAILABLE = ("rate_limit_unavailable", "安全校验服务暂时不可用，请稍后再试")


def client_address():
    """The client's address, for routes to hand to the services that limit or log by it."""
    return request.remote_addr or "unknown"


def _key(scope, key_parts):
    return ("gongjian", scope, *[str(p) for p in key_parts])


def _ask(method, limit, scope, key_parts):
    """``hit`` or ``test`` the storage; its failure (Redis down) refuses the request (fail closed)."""
    strategy, item = limiter.limiter, parse(limit)
    try:
        return getattr(strategy, method)(item, *_key(scope, key_parts))
    except strategy.storage.base_exceptions as e:
        raise Unavailable(*UNAVAILABLE) from e


def enforce(limit, scope, *key_parts, message=DEFAULT_MESSAGE):
    """Count one hit against ``limit`` (e.g. "10 per minute") for this key; 429 when it is exhausted."""
    if limiter.enabled and not _ask("hit", limit, scope, key_parts):
        raise RateLimited("rate_limited", message)


@contextmanager
def failures_limited(limit, scope, *key_parts, message=DEFAULT_MESSAGE):
    """Allow the block while this key has failed fewer than ``limit`` times; a ServiceError it raises counts.

    For keys many honest people share (an office's or a carrier's address): their successes cost nothing.
    """
    if limiter.enabled and not _ask("test", limit, scope, key_parts):
        raise RateLimited("rate_limited", message)
    try:
        yield
    except ServiceError:
        if limiter.enabled:
            _ask("hit", limit, scope, key_parts)
        raise
