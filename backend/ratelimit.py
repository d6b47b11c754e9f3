"""Named rate limits on Flask-Limiter's storage (memory, or Redis when REDIS_URL is set).

Used where the key is not just the client address: login per username and address, SMS codes per phone,
binding attempts per resident. Views never see the storage; they call ``enforce``.
"""
from flask import request
from limits import parse

from .errors import RateLimited
from .extensions import limiter


def client_address():
    return request.remote_addr or "unknown"


def enforce(limit, scope, *key_parts, message="操作过于频繁，请稍后再试"):
    """Count one hit against ``limit`` (e.g. "10 per minute") for this key; 429 when it is exhausted."""
    if not limiter.enabled:
        return
    item = parse(limit)
    if not limiter.limiter.hit(item, "gongjian", scope, *[str(p) for p in key_parts]):
        raise RateLimited("rate_limited", message)
