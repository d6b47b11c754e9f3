"""Health check and the API docs page, served from local files (users' intranets are often closed)."""

import swagger_ui_bundle
from flask import Blueprint, send_from_directory
from sqlalchemy import text

from .errors import error_response
from .extensions import db

bp = Blueprint("docs", __name__)

DOCS_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>共建 API 文档</title>
<link rel="stylesheet" href="/api/docs/static/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/api/docs/static/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({url: "/api/v1/openapi.json", dom_id: "#swagger-ui", deepLinking: true});</script>
</body></html>"""


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        db.session.rollback()
        return error_response(503, "database_unavailable", "数据库不可用")
    return {"status": "ok"}


@bp.get("/readyz")
def readyz():
    """Ready for traffic: the database answers and, where Redis is configured (rate limits, token blocklist,
    background jobs), Redis answers too. 503 names what is down."""
    from .auth.tokens import redis_client

    checks = {"database": "ok", "redis": "not_configured"}
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        db.session.rollback()
        checks["database"] = "down"
    client = redis_client()
    if client is not None:
        try:
            client.ping()
            checks["redis"] = "ok"
        except Exception:
            checks["redis"] = "down"
    down = [name for name, state in checks.items() if state == "down"]
    if down:
        return error_response(503, "not_ready", "服务暂不可用：" + "、".join(NAMES[d] for d in down) + "不可用", checks)
    return {"status": "ok", **checks}


NAMES = {"database": "数据库", "redis": "Redis"}


@bp.get("/api/docs")
def docs_page():
    return DOCS_PAGE


@bp.get("/api/docs/static/<path:filename>")
def docs_static(filename):
    return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename, max_age=86400)
