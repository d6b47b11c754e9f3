"""REPORTS_DATABASE_URL: officials' reports read from a second, read-only engine (a replica in production).

Here the "replica" is the test database itself through a read-only connection (PostgreSQL with
``default_transaction_read_only``, SQLite opened ``mode=ro``): every read of a report goes there, nothing can be
written there, and a write made during a reports request still reaches the primary."""

import pytest
from sqlalchemy import event, func, select, update
from sqlalchemy.exc import DBAPIError

from backend.extensions import db
from backend.reports_db import BIND, reads_from_reports
from backend.roster.models import Org

REPORTS = [
    "/api/v1/reports/rollup",
    "/api/v1/reports/rollup?format=csv",
    "/api/v1/reports/rollup/compounds?figure=units",
    "/api/v1/reports/consent-rates",
    "/api/v1/reports/consent-rates?format=xlsx",
    "/api/v1/reports/city-figures",
    "/api/v1/reports/city-figures?format=csv",
]


@pytest.fixture
def app_config(database):
    backend, url = database
    if backend == "sqlite":
        read_only = url.replace("sqlite:///", "sqlite:///file:", 1) + "?mode=ro&uri=true"
    else:
        read_only = url
    return {"REPORTS_DATABASE_URL": read_only}


class Statements:
    """Counts the statements each engine runs."""

    def __init__(self, *engines):
        self.engines, self.counts = engines, dict.fromkeys(engines, 0)

    def _count(self, conn, *args):
        self.counts[conn.engine] += 1

    def __enter__(self):
        for engine in self.engines:
            event.listen(engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        for engine in self.engines:
            event.remove(engine, "before_cursor_execute", self._count)


@pytest.fixture
def engines(app):
    reports = db.engines[BIND]
    yield db.engine, reports
    reports.dispose()


def test_reports_read_from_the_reports_engine_only(client, world, make, engines):
    make.units(world.compounds["c1"], 3)
    primary, reports = engines
    for url in REPORTS:
        with Statements(primary, reports) as seen:
            r = client.get(url, headers=world.h["official_city"])
            assert r.status_code == 200, (url, r.get_json())
        assert seen.counts[reports] > 0 and seen.counts[primary] == 0, (url, seen.counts)
    with Statements(primary, reports) as seen:  # everything else stays on the primary
        assert client.get("/api/v1/compounds", headers=world.h["official_city"]).status_code == 200
    assert seen.counts[primary] > 0 and seen.counts[reports] == 0


def test_nothing_can_be_written_through_the_reports_engine(world, engines):
    _primary, reports = engines
    with pytest.raises(DBAPIError, match=r"(?i)read-only|readonly"), reports.begin() as conn:
        conn.execute(update(Org).values(name="改掉"))


@pytest.mark.own_app
def test_a_write_in_a_reports_request_goes_to_the_primary(app, client, world, engines):
    @app.post("/test/report-and-record")
    @reads_from_reports
    def report_and_record():
        before = db.session.scalar(select(func.count(Org.id)))
        db.session.add(Org(name="新社区", level="community", parent_id=world.street.id))
        db.session.commit()
        return {"before": before}

    primary, reports = engines
    with Statements(primary, reports) as seen:
        r = client.post("/test/report-and-record")
    assert r.status_code == 200 and seen.counts[reports] > 0 and seen.counts[primary] > 0
    assert db.session.scalar(select(func.count(Org.id))) == r.get_json()["before"] + 1


def test_without_the_setting_reports_read_the_primary(database):
    from backend import create_app

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database[1]})
    with app.app_context():
        assert list(db.engines) == [None]
        db.engine.dispose()
