"""Test fixtures: the same suite runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL.

The schema is built once per database by running the Alembic migrations (never create_all), then every test
starts from empty tables. ``REQUIRE_POSTGRES=1`` turns a missing PostgreSQL into a failure instead of a skip.
Each request and CLI command gets a session of its own (tests/contexts.py); ``clock`` fixes the app's time.
"""

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from backend import create_app
from backend.config import database_url
from backend.extensions import db as _db
from backend.extensions import limiter
from tests.contexts import IsolatedClient, IsolatedCliRunner
from tests.factories import Factory

FIXTURES = Path(__file__).parent / "fixtures"
BACKENDS = ["sqlite", "postgresql"]


def pytest_configure(config):
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker and os.environ.get("TEST_REDIS_URL"):  # Redis db 15, 14, … : one each, flushed by its own tests
        redis = make_url(os.environ["TEST_REDIS_URL"])
        number = int(redis.database or 15) - int(worker.removeprefix("gw"))
        os.environ["TEST_REDIS_URL"] = redis.set(database=str(number)).render_as_string(hide_password=False)
    config.addinivalue_line("markers", "sqlite_only: a test that concerns SQLite alone")
    config.addinivalue_line("markers", "postgres_only: a test that needs PostgreSQL's concurrency")
    config.addinivalue_line("markers", "own_app: a test that adds routes to its app gets an app of its own")
    config.addinivalue_line("markers", "browser: drives Debian's Chromium through Playwright")


def _worker_url(url):
    """Under pytest-xdist each worker has a PostgreSQL database of its own beside the given one (``test`` →
    ``test_gw0``), made on first use, since every test empties the tables it runs on."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")  # the maintenance db
    with engine.connect() as conn:
        if conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}) is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _reset_postgres(url):
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database(request, tmp_path_factory):
    """The database URL for this half of the run, migrated to head."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    else:
        raw = os.environ.get("TEST_DATABASE_URL")
        if not raw:
            if os.environ.get("REQUIRE_POSTGRES") == "1":
                pytest.fail("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set")
            pytest.skip("PostgreSQL half skipped: set TEST_DATABASE_URL to run it")
        try:
            url = _worker_url(database_url(raw))
            _reset_postgres(url)
        except Exception as e:  # pragma: no cover - depends on the machine
            if os.environ.get("REQUIRE_POSTGRES") == "1":
                pytest.fail(f"PostgreSQL unreachable at {raw}: {e}")
            pytest.skip(f"PostgreSQL unreachable at {raw}: {e}")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        _db.engine.dispose()
    return request.param, url


@pytest.fixture
def app_config():
    """Override in a module to change settings for its tests."""
    return {}


@pytest.fixture
def app(database, app_config, request):
    backend, url = database
    if request.node.get_closest_marker("postgres_only") and backend != "postgresql":
        pytest.skip("PostgreSQL-only test (row locks and concurrent writers); runs in the PostgreSQL half")
    if request.node.get_closest_marker("sqlite_only") and backend != "sqlite":
        pytest.skip("SQLite-only test; runs in the SQLite half")
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "REDIS_URL": None,
        "RATELIMIT_STORAGE_URI": "memory://",
        "PUBLIC_BASE_URL": "http://testserver",
    }
    config.update(app_config)
    cache = not app_config and not request.node.get_closest_marker("own_app")
    app, limits = _app_for(backend, url, config, cache)
    saved = dict(app.config)
    # The rate limiter is one object; its storage is the last app's: each test gets its own app's, emptied.
    limiter._storage, limiter._limiter, limiter.enabled = limits
    limiter.reset()
    try:
        with app.app_context():
            _empty_tables()
            yield app
            _db.session.remove()
            _db.engine.dispose()
    finally:
        app.config.clear()
        app.config.update(saved)  # what a test set on app.config stays with that test


_APPS = {}


def _app_for(backend, url, config, cache):
    """An app for these settings: built once per database for the plain settings, since building one (blueprints,
    the OpenAPI document) costs about a third of a second; a module's own settings get a fresh one."""
    if cache and url in _APPS:
        return _APPS[url]
    app = create_app(config)
    app.config["DB_BACKEND"] = backend
    app.test_client_class, app.test_cli_runner_class = IsolatedClient, IsolatedCliRunner
    made = app, (limiter._storage, limiter._limiter, limiter.enabled)
    if cache:
        _APPS[url] = made
    return made


def _empty_tables():
    tables = list(_db.metadata.sorted_tables)
    if _db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        _db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in reversed(tables):
            _db.session.execute(table.delete())
    _db.session.commit()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Clock:
    """The app's time (``app.config["CLOCK"]``, read by ``backend.types.utcnow``): it stands still until the test
    sets or advances it. Tokens and rate limits keep wall time."""

    START = datetime(2025, 3, 14, 2, 0, tzinfo=UTC)  # a Friday, 10:00 in Beijing

    def __init__(self):
        self.now = self.START

    def __call__(self):
        return self.now

    def set(self, when):
        if when.tzinfo is None:
            raise ValueError("give the clock an aware datetime")
        self.now = when.astimezone(UTC)
        return self.now

    def advance(self, **delta):
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock(app):
    """Control the app's time: ``clock.set(aware)``, ``clock.advance(days=3)``; ``utcnow()`` reads it."""
    app.config["CLOCK"] = clock = Clock()
    return clock


@pytest.fixture
def make(app):
    """Factories for orgs, staff, compounds, units and residents; see tests/factories.py."""
    return Factory()


@pytest.fixture
def world(make):
    """Two communities under one street, a third under another district, staff for each, one compound each."""
    return make.world()


@pytest.fixture
def kit(clock, client, make, world):
    """Drive votes through HTTP as community 1's committee would (tests/test_votes_kit.py), on the test clock
    (requested first, so the world is built on it too)."""
    from tests.test_votes_kit import Kit

    return Kit(client, make, world, clock)


def fixture_bytes(name):
    return (FIXTURES / name).read_bytes()
