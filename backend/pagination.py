"""``?page=&per_page=`` lists: a bare JSON array with the total in ``X-Total-Count``."""

from marshmallow import Schema, fields, post_load, validate
from sqlalchemy import func, select

from .exports import table_response
from .extensions import db
from .inputs import MAX_ID

MAX_PER_PAGE = 500


WITHIN = validate.Range(min=1, max=MAX_ID, error=f"须为 1 到 {MAX_ID} 之间的整数")


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=WITHIN)
    per_page = fields.Integer(load_default=50, validate=WITHIN)

    @post_load
    def clamp(self, data, **kwargs):
        data["per_page"] = min(data["per_page"], MAX_PER_PAGE)  # larger values are clamped, not refused
        return data


def paginate(stmt, page, per_page):
    """Run ``stmt`` for one page; returns (rows, headers) for a smorest view to return with status 200."""
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return rows, {"X-Total-Count": str(total)}


def whole(rows):
    """A list answered whole (a compound's units, an entrance's arrears): the same header as a paged one."""
    return rows, {"X-Total-Count": str(len(rows))}


def page_of(rows, page, per_page):
    """One page of a list already computed in full (a roll-up's compounds behind a figure)."""
    first = (page - 1) * per_page
    return rows[first : first + per_page], {"X-Total-Count": str(len(rows))}


def list_or_table(fmt, rows, filename, header, cells, title="Sheet1"):
    """A list view's answer: the JSON list (``fmt`` empty or ``json``), or the same rows as a CSV/XLSX download,
    each row turned into ``header``'s cells by ``cells``."""
    if fmt and fmt != "json":
        return table_response(fmt, filename, header, (cells(r) for r in rows), title)
    return whole(rows)
