"""One error shape for the whole API: ``{"code", "message", "errors"?}`` with a Chinese message."""
import logging

from flask import current_app, jsonify
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from .extensions import db

log = logging.getLogger(__name__)

# Default code and message per HTTP status, used when nothing more specific was raised.
HTTP_DEFAULTS = {
    400: ("bad_request", "请求格式错误"),
    401: ("unauthorized", "请先登录"),
    403: ("forbidden", "无权进行此操作"),
    404: ("not_found", "找不到该资源"),
    405: ("method_not_allowed", "不支持该请求方法"),
    409: ("conflict", "操作与当前状态冲突"),
    413: ("too_large", "上传的文件过大（不超过10MB）"),
    415: ("unsupported_media_type", "不支持的内容类型"),
    422: ("validation_error", "提交的数据有误"),
    429: ("rate_limited", "操作过于频繁，请稍后再试"),
    500: ("internal_error", "服务器内部错误，请稍后再试"),
}

class ServiceError(Exception):
    status = 400

    def __init__(self, code, message, errors=None, status=None):
        super().__init__(message)
        self.code, self.message, self.errors = code, message, errors
        if status:
            self.status = status


class Unauthorized(ServiceError):
    status = 401


class Forbidden(ServiceError):
    status = 403


class NotFound(ServiceError):
    status = 404


class Conflict(ServiceError):
    status = 409


class Invalid(ServiceError):
    status = 422


class RateLimited(ServiceError):
    status = 429


def error_response(status, code, message, errors=None):
    body = {"code": code, "message": message}
    if errors:
        body["errors"] = errors
    resp = jsonify(body)
    resp.status_code = status
    return resp


def _handle_service_error(e):
    return error_response(e.status, e.code, e.message, e.errors)


def _handle_http(e):
    status = e.code or 500
    code, message = HTTP_DEFAULTS.get(status, ("http_error", "请求失败"))
    errors = None
    data = getattr(e, "data", None) or {}
    if status == 422 and "messages" in data:
        errors = data["messages"]  # smorest/webargs: {"json": {"field": ["..."]}}
    if status == 400 and data.get("messages"):
        errors = data["messages"]
    return error_response(status, code, message, errors)


def _handle_integrity(e):
    """A race the services' own checks could not see (they name their conflicts): a plain 409, never a 500."""
    db.session.rollback()
    log.warning("integrity error reached the handler: %s", getattr(e, "orig", e))
    return error_response(409, "conflict", "数据冲突，请刷新后重试")


def _handle_unexpected(e):
    if isinstance(e, HTTPException):
        return _handle_http(e)
    db.session.rollback()
    log.exception("unhandled error")
    if current_app.debug:
        return error_response(500, "internal_error", f"{type(e).__name__}: {e}")
    return error_response(500, *HTTP_DEFAULTS[500])


def register_error_handlers(app):
    # Registered after api.init_app so these replace flask-smorest's own HTTPException handler.
    app.register_error_handler(ServiceError, _handle_service_error)
    app.register_error_handler(HTTPException, _handle_http)
    app.register_error_handler(IntegrityError, _handle_integrity)
    app.register_error_handler(Exception, _handle_unexpected)
