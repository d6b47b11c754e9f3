"""PostgreSQL going away under the app: a cluster of this module's own (tests/faults.py) is stopped in the middle of
requests and started again. Every request meanwhile answers 200 or a clean 503 ``database_unavailable`` (never a
500 or a hang), and the same app serves again once the database is back — no restart."""

import threading
import time
from collections import Counter

import pytest

from backend import create_app
from backend.config import database_url
from backend.extensions import db
from tests.faults import STEP, PostgresServer
from tests.test_votes_kit import assert_error
from votes.models import Ballot

THREADS = 4
WAIT_TRIES = 600  # bounded waits for the load to reach a state (STEP apart), not timings


@pytest.fixture(scope="module")
def postgres():
    server = PostgresServer()
    try:
        server.start()
        yield server
    finally:
        server.destroy()


@pytest.fixture(scope="module")
def database(postgres):
    """This module's tests run on its own cluster (replacing the suite's two databases), migrated to head."""
    from flask_migrate import upgrade

    url = database_url(postgres.url)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return "postgresql", url


def wait_until(condition, what):
    for _ in range(WAIT_TRIES):
        if condition():
            return
        time.sleep(STEP)
    pytest.fail(f"never reached: {what}")


class Load:
    """Threads sending one request over and over, counting the answers, until stopped."""

    def __init__(self, app, request):
        self.app, self.request = app, request
        self.seen, self.odd, self.lock, self.done = Counter(), [], threading.Lock(), threading.Event()
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(THREADS)]

    def _run(self):
        client = self.app.test_client()
        while not self.done.is_set():
            r = self.request(client)
            with self.lock:
                self.seen[r.status_code] += 1
                if r.status_code != 200:
                    self.odd.append((r.status_code, r.get_json(), r.headers.get("Retry-After")))

    def count(self, status):
        with self.lock:
            return self.seen[status]

    def __enter__(self):
        db.session.remove()  # the test's session holds no connection while the database goes away
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.done.set()
        for t in self.threads:
            t.join(timeout=60)


def test_postgres_restarted_under_load_answers_503_then_recovers(app, world, postgres):
    staff = world.h["official"]
    with Load(app, lambda c: c.get("/api/v1/compounds", headers=staff)) as load:
        wait_until(lambda: load.count(200) >= 20, "answers before the outage")
        postgres.stop()
        wait_until(lambda: load.count(503) >= 20, "refusals during the outage")
        postgres.start()
        before = load.count(200)
        wait_until(lambda: load.count(200) >= before + 20, "answers after the restart")
    assert set(load.seen) == {200, 503}, load.seen
    assert {(body["code"], retry) for _, body, retry in load.odd} == {("database_unavailable", "5")}
    assert "数据库" in load.odd[0][1]["message"]
    assert app.test_client().get("/readyz").get_json()["database"] == "ok"


def test_a_ballot_in_the_outage_is_refused_cleanly_and_its_retry_stores_one(app, client, kit, make, postgres):
    unit = make.units(kit.compound, 1)[0]
    vote = kit.vote()
    headers = make.headers(make.resident(unit))
    url, body = (
        f"/api/v1/votes/{vote['id']}/ballots",
        {"unit_id": unit.id, "choices": {str(vote["items"][0]["id"]): "agree"}},
    )
    db.session.remove()
    postgres.stop()
    try:
        assert_error(client.post(url, json=body, headers=headers), 503, "database_unavailable")
        assert_error(client.get("/readyz"), 503, "not_ready")
    finally:
        postgres.start()
    first, again = (client.post(url, json=body, headers=headers) for _ in range(2))
    assert first.status_code == again.status_code == 201, (first.get_json(), again.get_json())
    assert again.get_json()["receipt"] == first.get_json()["receipt"]
    assert db.session.query(Ballot).filter_by(vote_id=vote["id"]).count() == 1


@pytest.mark.own_app
def test_a_connection_lost_after_the_answer_keeps_the_answer(app, postgres):
    """PostgreSQL cuts the connection between a request's last query and its teardown's rollback."""
    from sqlalchemy import create_engine, text

    @app.get("/test/read-then-lose-the-connection")
    def read_then_lose():
        pid = db.session.scalar(text("SELECT pg_backend_pid()"))  # the request's transaction is open now
        other = create_engine(database_url(postgres.url))
        with other.begin() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        other.dispose()
        return {"pid": pid}

    r = app.test_client().get("/test/read-then-lose-the-connection")
    assert r.status_code == 200 and r.get_json()["pid"]
    assert app.test_client().get("/readyz").get_json()["database"] == "ok"  # the pool replaced the connection
