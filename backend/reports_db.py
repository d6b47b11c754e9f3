"""Officials' reports on a read replica: ``REPORTS_DATABASE_URL``.

A city's officials pull roll-ups and exports over every compound while residents vote; those reads can go to a
replica of the primary so they never compete with ballots for it. When the setting is absent, reports read the
primary like everything else.

Views opt in with ``@reads_from_reports`` (or ``reads_from_reports_blueprints`` for blueprints of reports only).
During such a request ``db.session`` sends its reads (selects) to the reports engine and everything else — a
flush, an insert, update or delete, such as the record of a personal-data export — to the primary, so the
services stay written against the one ``db.session``. The reports engine is read-only on PostgreSQL
(``default_transaction_read_only``), so a write that ever strays there fails instead of splitting the data.
A replica lags the primary by a moment: fine for a report, which is why only reports opt in.
"""

from functools import wraps

from flask import g, has_app_context, request
from flask_sqlalchemy.session import Session

from .config import database_url, engine_options

BIND = "reports"


def configure(app):
    """Add the reports engine as a Flask-SQLAlchemy bind when REPORTS_DATABASE_URL is set (before ``db.init_app``)."""
    raw = app.config.get("REPORTS_DATABASE_URL")
    if not raw:
        return
    url = database_url(raw)
    options = engine_options(app.config, url)
    if url.startswith("postgresql"):
        args = options.setdefault("connect_args", {})
        args["options"] = (args.get("options", "") + " -c default_transaction_read_only=on").strip()
    app.config["SQLALCHEMY_BINDS"] = {**app.config.get("SQLALCHEMY_BINDS", {}), BIND: {"url": url, **options}}


class RoutingSession(Session):
    """Flask-SQLAlchemy's session, sending a reports request's reads to the reports engine."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and not self._flushing and _reading_reports() and not getattr(clause, "is_dml", False):
            engine = self._db.engines.get(BIND)
            if engine is not None:
                return engine
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


def _reading_reports():
    return has_app_context() and g.get("reads_from_reports", False)


def reads_from_reports(view):
    """Run this view's reads on the reports engine (the primary when REPORTS_DATABASE_URL is not set)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        g.reads_from_reports = True
        try:
            return view(*args, **kwargs)
        finally:
            g.reads_from_reports = False

    return wrapper


def reads_from_reports_blueprints(app, *names):
    """Every view of these blueprints, which only report, reads on the reports engine."""
    names = frozenset(names)

    def start():
        if request.blueprint in names:
            g.reads_from_reports = True

    app.before_request(start)
