"""Named rate limits on Flask-Limiter's storage (memory, or Redis when REDIS_URL is set).

Used where the key is not just the client address: login per username and address, SMS codes per phone,
binding attempts per resident. Views never see the storage; they call ``enforce`` or ``failures_limited``.
"""

from contextlib import contextmanager

from flask import request
from limits import parse

from .errors import RateLimited, ServiceError
from .extensions import limiter

DEFAULT_MESSAGE = "操作过于频繁，请稍后再试"


def client_address():
    """The client's address, for routes to hand to the services that limit or log by it."""
    return request.remote_addr or "unknown"


def _key(scope, key_parts):
    return ("gongjian", scope, *[str(p) for p in key_parts])


def enforce(limit, scope, *key_parts, message=DEFAULT_MESSAGE):
    """Count one hit against ``limit`` (e.g. "10 per minute") for this key; 429 when it is exhausted."""
    if limiter.enabled and not limiter.limiter.hit(parse(limit), *_key(scope, key_parts)):
        raise RateLimited("rate_limited", message)


@contextmanager
def failures_limited(limit, scope, *key_parts, message=DEFAULT_MESSAGE):
    """Allow the block while this key has failed fewer than ``limit`` times; a ServiceError it raises counts.

    For keys many honest people share (an office's or a carrier's address): their successes cost nothing.
    """
    if limiter.enabled and not limiter.limiter.test(parse(limit), *_key(scope, key_parts)):
        raise RateLimited("rate_limited", message)
    try:
        yield
    except ServiceError:
        if limiter.enabled:
            limiter.limiter.hit(parse(limit), *_key(scope, key_parts))
        raise
