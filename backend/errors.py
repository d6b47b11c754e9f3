"""One error shape for the whole API: ``{"code", "message", "errors"?}`` with a Chinese message.

``code`` is a stable snake_case name a client may branch on; ``message`` is the sentence to show the user.
``errors``, when present, takes one of two shapes, by kind:

- **fields** (validation, 422; also 400 from the request parser): where → field → messages, as webargs reports
  it: ``{"json": {"owner_name": ["请填写业主姓名"]}}``. The location is ``json``, ``query``, ``form`` or
  ``files``; a field holding a mapping nests its keys the same way
  (``{"json": {"choices": {"12": ["请作出选择"]}}}``, keyed by vote item; survey answers by question).
- **rows** (a file import refused as a whole, 422): one entry per bad cell, as the spreadsheet shows it:
  ``[{"row": 7, "column": "建筑面积", "message": "面积必须大于0"}]`` (``row``/``column`` are null for a fault of
  the whole file, such as a missing header).

Every other error carries ``code`` and ``message`` only. ``ErrorOut`` states this in the OpenAPI document.

A database constraint that refuses a write names the conflict it stands for in ``CONSTRAINT_ERRORS`` (one table
for the whole API), so a race that slips past a service's own checks still gets the named 409; a constraint
not listed there answers the generic 409 ``conflict``.
"""

import logging
import re

from flask import current_app, jsonify
from marshmallow import Schema, fields
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy import Index, UniqueConstraint
from sqlalchemy.exc import DataError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
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
    503: ("service_unavailable", "服务暂时不可用，请稍后再试"),
}
# A store the app depends on is unreachable (restarting, failing over): the request may be retried as it is.
DATABASE_UNAVAILABLE = ("database_unavailable", "数据库暂时无法连接，请稍后再试")
REDIS_UNAVAILABLE = ("redis_unavailable", "缓存服务暂时无法连接，请稍后再试")
RETRY_AFTER_SECONDS = "5"

# Constraints (by the name the migrations give them) whose violation is a known conflict: the 409 it answers.
CONSTRAINT_ERRORS = {
    # funds/ledger
    "uq_fund_entries_compound_id_reference": ("payment_duplicate", "该流水号（凭证号）已在本小区登记过"),
    "uq_fund_entries_reverses_id": ("entry_already_reversed", "该笔记录已经冲正过，不能重复冲正"),
    # core and votes
    "uq_ballots_current_unit": ("ballot_exists", "该户已投票，每户只能投一次"),
    "uq_ballots_current_sheet": ("sheet_exists", "该选票编号已录入"),
    "uq_vote_sheets_vote_id_sheet_no": ("sheet_already_issued", "部分选票编号已经发放过，请检查后重试"),
    "uq_binding_requests_pending": ("request_pending", "您已提交过该房屋的申请，请等待居委会审核"),
    "uq_users_username": ("username_taken", "用户名已存在"),
    # management: two first records, or two changes from one version, at once
    "uq_management_states_compound_id": ("management_changed", "物业管理信息刚被他人修改，请刷新后再改"),
    "uq_management_changes_compound_id_version": ("management_changed", "物业管理信息刚被他人修改，请刷新后再改"),
    # management/fees: one receipt booked twice, a payment reversed twice, a provider granted twice — at once
    "uq_fee_entries_compound_id_reference": ("fee_payment_duplicate", "该收据号（流水号）已在本小区登记过"),
    "uq_fee_entries_reverses_id": ("entry_already_reversed", "该笔记录已经冲正过，不能重复冲正"),
    "uq_provider_compounds_user_id_compound_id": ("provider_already_granted", "该物业账号已经可以管理本小区"),
    # surveys: one response per household (or resident), whatever the channel
    "uq_survey_participations_one": ("response_exists", "已经回答过这份问卷，每户（或每人）只能回答一次"),
    # funds/campaigns
    "uq_campaign_pledges_campaign_id_unit_id": ("pledge_exists", "该户已经认捐过了，每户只能认捐一次"),
    "uq_campaign_payments_campaign_id_reference": ("payment_duplicate", "该凭证号已在本项目中登记过"),
    "uq_campaign_payments_reverses_id": ("payment_reversed", "该缴款已经冲正过了"),
    # projects: one campaign counted twice in a project's residents' funding, or a threshold set twice at once
    "uq_project_fundings_project_id_campaign_id": ("campaign_already_linked", "该出资项目已计入本改造项目的居民出资"),
    "uq_project_settings_compound_id": ("threshold_changed", "认捐门槛刚被他人设置，请刷新后再改"),
    "uq_project_arrivals_reverses_id": ("entry_already_reversed", "该笔记录已经冲正过，不能重复冲正"),
}
CONFLICT = ("conflict", "数据冲突，请刷新后重试")


class ErrorOut(Schema):
    """Every error body (documentation only: ``error_response`` writes it)."""

    code = fields.String(required=True, metadata={"description": "稳定的错误代码（snake_case），如 ballot_exists"})
    message = fields.String(required=True, metadata={"description": "给用户看的中文说明"})
    errors = fields.Raw(
        metadata={
            "description": "可选的明细：字段错误 {位置: {字段: [消息]}}，或导入文件的逐行错误 [{row, column, message}]",
            "oneOf": [
                {
                    "type": "object",
                    "additionalProperties": {"type": "object"},
                    "example": {"json": {"owner_name": ["请填写业主姓名"]}},
                },
                {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "row": {"type": "integer", "nullable": True},
                            "column": {"type": "string", "nullable": True},
                            "message": {"type": "string"},
                        },
                    },
                },
            ],
        }
    )


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


class Unavailable(ServiceError):
    status = 503


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
    # A 400 (a body that is not JSON) has no field to point at, and webargs words it in English: code and message.
    response = error_response(status, code, message, errors)
    for name, value in e.get_headers():  # e.g. the 405's Allow (RFC 9110); the body stays ours
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (.+)$")


def constraint_name(error):
    """The name of the constraint an ``IntegrityError`` broke, or None when the database does not say.

    PostgreSQL names it; SQLite lists the columns of a unique constraint or index ("UNIQUE constraint failed:
    ballots.vote_id, ballots.unit_id"), which the models' metadata turns back into its name.
    """
    orig = getattr(error, "orig", error)
    diag = getattr(orig, "diag", None)
    if diag is not None:
        return diag.constraint_name
    match = SQLITE_UNIQUE.search(str(orig))
    if not match:
        return None
    columns = [c.strip().split(".", 1) for c in match.group(1).split(",")]
    return _unique_names().get((columns[0][0], tuple(name for _, name in columns)))


def _unique_names():
    """(table, columns) → name of every unique constraint and index; a column set that two share is left out."""
    found = {}
    for table in db.metadata.tables.values():
        uniques = [c for c in table.constraints if isinstance(c, UniqueConstraint)]
        uniques += [i for i in table.indexes if isinstance(i, Index) and i.unique]
        for unique in uniques:
            key = (table.name, tuple(col.name for col in unique.columns))
            found[key] = None if key in found else unique.name
    return found


def conflict_for(error):
    """The named 409 for an ``IntegrityError`` (``CONSTRAINT_ERRORS``), else the generic ``conflict``."""
    name = constraint_name(error)
    return Conflict(*CONSTRAINT_ERRORS.get(name, CONFLICT))


def _handle_integrity(e):
    """A race the services' own checks could not see: the constraint's named 409, never a 500."""
    db.session.rollback()
    conflict = conflict_for(e)
    if conflict.code == CONFLICT[0]:
        log.warning("integrity error on no listed constraint: %s", getattr(e, "orig", e))
    return error_response(conflict.status, conflict.code, conflict.message)


def _unavailable(code, message):
    resp = error_response(503, code, message)
    resp.headers["Retry-After"] = RETRY_AFTER_SECONDS
    return resp


def _handle_database_down(e):
    """The connection failed or broke (PostgreSQL restarting): 503, and the next checkout pings for a new one.

    SQLAlchemy invalidates the pool when it sees a disconnect, and ``pool_pre_ping`` replaces stale connections, so
    the service recovers by itself when the database is back. A timeout waiting for a pooled connection is the same.
    """
    if not database_unreachable(e):
        return _handle_statement_failure(e)
    _rollback_quietly()
    log.warning("database unavailable: %s", getattr(e, "orig", e))
    return _unavailable(*DATABASE_UNAVAILABLE)


# SQLSTATE classes of a database that cannot be reached: connection exceptions (08…), and the server shutting down or
# not yet accepting connections (57P01–57P03). Deadlocks and serialization failures (40…) mean "try again".
UNREACHABLE_STATES = ("08", "57P01", "57P02", "57P03")
RETRY_STATES = ("40001", "40P01")
SQLITE_BUSY = ("SQLITE_BUSY", "SQLITE_LOCKED")


def database_unreachable(e):
    """Whether a driver error means the database cannot be reached now (503, retry later), as opposed to one
    statement failing (a deadlock, a timeout, a missing table), which must not be logged as an outage."""
    orig = getattr(e, "orig", None)
    if isinstance(e, PoolTimeout) or getattr(e, "connection_invalidated", False) or orig is None:
        return True
    if hasattr(orig, "sqlite_errorname"):  # SQLite: the file is locked by another writer past the busy timeout
        return orig.sqlite_errorname in SQLITE_BUSY
    state = getattr(orig, "sqlstate", None)
    return state is None or state.startswith(UNREACHABLE_STATES)  # psycopg: a failed connect carries no state


def _handle_statement_failure(e):
    if getattr(getattr(e, "orig", None), "sqlstate", None) in RETRY_STATES:
        db.session.rollback()
        log.warning("transaction conflict: %s", e.orig)
        return error_response(409, "retry_conflict", "与其他操作同时进行，未能完成，请重试")
    return _handle_unexpected(e)


def _rollback_quietly():
    try:
        db.session.rollback()
    except Exception:  # the connection is gone; the session is removed at teardown anyway
        log.debug("rollback after a lost connection failed", exc_info=True)


def _release_session(_exc):
    """Remove the request's session even when its connection died after the answer was made (PostgreSQL stopped
    between the last query and the teardown's rollback): the answer stands, instead of the server's own 500."""
    try:
        db.session.remove()
    except (OperationalError, InterfaceError) as e:
        log.warning("database connection lost at the end of a request: %s", getattr(e, "orig", e))
        db.session.registry.clear()  # its connection is already invalidated; drop the session with it


def _handle_redis_down(e):
    _rollback_quietly()
    log.warning("redis unavailable: %s", e)
    return _unavailable(*REDIS_UNAVAILABLE)


def _handle_out_of_range(e):
    """A number or text past what the database column holds, that no input schema bounded: a 422, never a 500
    (the schemas bound ids and amounts; this is the net under them)."""
    db.session.rollback()
    log.warning("value out of range reached the database: %s", getattr(e, "orig", e))
    return error_response(422, "value_out_of_range", "提交的数据超出允许范围（数值过大或文字过长）")


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
    for error in (OperationalError, InterfaceError, PoolTimeout):
        app.register_error_handler(error, _handle_database_down)
    # Runs before Flask-SQLAlchemy's own teardown (teardowns run last registered first), which then finds no session.
    app.teardown_appcontext(_release_session)
    for error in (RedisConnectionError, RedisTimeoutError):
        app.register_error_handler(error, _handle_redis_down)
    app.register_error_handler(DataError, _handle_out_of_range)  # PostgreSQL: numeric value out of range
    app.register_error_handler(OverflowError, _handle_out_of_range)  # SQLite: an int past 64 bits
    app.register_error_handler(Exception, _handle_unexpected)
