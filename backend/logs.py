"""Logs a production server can ship: one JSON object per line, each carrying the request id.

Every request gets an id — the proxy's ``X-Request-Id`` when it sends a sane one, else a new one — which the
response echoes, so a resident's complaint, nginx's access log and the app's lines meet on one key.
"""

import json
import logging
import re
import uuid

from flask import g, has_request_context, request

SANE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def request_id():
    return getattr(g, "request_id", None) if has_request_context() else None


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = request_id() or "-"
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record):
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        if has_request_context():
            line.update(method=request.method, path=request.path)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def init_app(app):
    """``LOG_FORMAT=json`` (the default in production) or ``text``; the request id either way."""
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    if app.config.get("LOG_FORMAT", "json" if app.config["APP_ENV"] == "production" else "text") == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"))
    root = logging.getLogger()
    root.handlers = [h for h in root.handlers if not getattr(h, "gongjian", False)]
    handler.gongjian = True
    root.addHandler(handler)
    root.setLevel(logging.INFO)

    @app.before_request
    def assign_request_id():
        given = request.headers.get("X-Request-Id", "")
        g.request_id = given if SANE_ID.match(given) else uuid.uuid4().hex

    @app.after_request
    def echo_request_id(response):
        if request_id():
            response.headers["X-Request-Id"] = g.request_id
        return response
