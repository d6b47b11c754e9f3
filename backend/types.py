"""Column types and value helpers shared by every feature: time zones, exact area, masking."""

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from flask import current_app, has_app_context
from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")
CENT = Decimal("0.01")


def utcnow():
    """Now, aware UTC. Every default and service reads time here, so an app's ``CLOCK`` (a callable returning an
    aware UTC datetime; tests set one) moves the whole app's time; without it, the wall clock."""
    clock = current_app.config.get("CLOCK") if has_app_context() else None
    return clock() if clock else datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, returns aware UTC, so SQLite and PostgreSQL compare times alike."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware one")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return value.replace(tzinfo=UTC) if value is not None else None


def local_iso(value):
    """ISO 8601 in the compounds' zone (+08:00), as the API promises."""
    return value.astimezone(CHINA_TZ).isoformat() if value else None


def local_text(value):
    """A moment as people read it in the compounds' zone: ``2026年12月1日 04:14`` (no zero before month and day, as
    written by hand; hours and minutes padded). Pages, PDFs and exports all print times through here."""
    if not value:
        return ""
    local = value.astimezone(CHINA_TZ)
    return f"{local_date_text(local)} {local:%H:%M}"


def local_date_text(value):
    """A day as people read it: ``2026年12月1日``. An aware datetime is first moved into the compounds' zone."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(CHINA_TZ)
    return f"{value.year}年{value.month}月{value.day}日"


def local_naive(value):
    """The wall-clock time in the compounds' zone without a zone, as spreadsheets store times."""
    return value.astimezone(CHINA_TZ).replace(tzinfo=None) if value else None


def area_str(value):
    """Area as a two-place decimal string ("86.50")."""
    return str(Decimal(value).quantize(CENT)) if value is not None else None


def mask_phone(phone):
    """``138****5678``: the first three and last four digits, the rest hidden."""
    if not phone:
        return None
    if len(phone) >= 8:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    return "*" * max(len(phone) - 4, 1) + phone[-4:] if len(phone) > 4 else "*" * len(phone)
