#!/usr/bin/env python3
"""Tally benchmark: a 3,000-unit compound with 3,000 ballots; the tally service against the bare SQL aggregate.

    .venv/bin/python bench/tally.py                     # SQLite in a temporary folder
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench .venv/bin/python bench/tally.py   # a scratch database

Prints the median of several runs for: the tally service (no HTTP), the bare SQL aggregate over the same ballots,
the tally over real HTTP; then ``tally_vs_aggregate: R`` and ``http_vs_aggregate: R``, each time over the bare
aggregate's time in the same run, so the figures compare across machines and loads. Timing lives here, not in the
test suite: tests/test_tally_scale.py checks the same compound's tally for correctness and statement count.
"""

import json
import logging
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

RUNS = 25
BARE_SQL = """
SELECT c.item_id, c.option, COUNT(DISTINCT b.owner_id), SUM(vu.area_cents)
FROM ballot_choices c
JOIN ballots b ON b.id = c.ballot_id
JOIN vote_units vu ON vu.vote_id = b.vote_id AND vu.unit_id = b.unit_id
WHERE b.vote_id = :vote_id AND b.superseded_at IS NULL AND b.confirmed_at IS NOT NULL
GROUP BY c.item_id, c.option
"""


def build(units=3000, ballots=3000):
    """A compound with ``units`` units (an organisation owning 40, twenty owners with two each) and a closed-off
    vote of two items with ``ballots`` ballots, written straight to the database. Returns (vote id, admin user)."""
    from backend.auth.models import User
    from backend.extensions import db
    from backend.roster.models import Compound, Owner, OwnerMember, Unit
    from backend.roster.orgs import create_org
    from backend.types import utcnow
    from bench.scenes import open_vote
    from votes.models import Ballot, BallotChoice, VoteUnit

    tag = uuid.uuid4().hex[:8]
    org = None
    for name, level in (("基准市", "city"), ("基准区", "district"), ("基准街道", "street"), ("基准社区", "community")):
        org = create_org(f"{name}{tag}", level, org)
    admin = User(username=f"bench-{tag}", role="admin", password_hash="!")
    compound = Compound(org_id=org.id, name=f"基准小区{tag}")
    db.session.add_all([admin, compound])
    db.session.flush()
    owners, made = [], []
    for k in range(units):
        if k < 40:
            holder = k and owners[0]
        elif k < 80 and k % 2:
            holder = owners[-1]
        else:
            holder = None
        if not holder:
            holder = Owner(
                compound_id=compound.id,
                owner_type="organisation" if k == 0 else "person",
                members=[OwnerMember(name=f"业主{k}")],
            )
            owners.append(holder)
        floor = k % 6 + 1
        made.append(
            Unit(
                compound_id=compound.id,
                building=str(k // 120 + 1),
                entrance=str(k // 20 % 6 + 1),
                room=f"{floor}0{k % 20 // 6 + 1}{k % 2}",
                floor=floor,
                area=Decimal(60 + k % 37) + Decimal(k % 100) / 100,
                owner=holder,
            )
        )
    db.session.add_all(made)
    db.session.commit()
    now = utcnow()
    vote = open_vote(admin, compound, "基准表决")
    items = [i.id for i in vote.items]
    places = db.session.execute(
        db.select(VoteUnit.unit_id, VoteUnit.owner_id)
        .where(VoteUnit.vote_id == vote.id)
        .order_by(VoteUnit.unit_id)
        .limit(ballots)
    ).all()
    options = ["agree", "agree", "agree", "disagree", "abstain"]
    rows = []
    for n, (unit_id, owner_id) in enumerate(places):
        choice = options[owner_id % len(options)]  # one owner, one voice across their units
        ballot = Ballot(
            vote_id=vote.id,
            unit_id=unit_id,
            owner_id=owner_id,
            channel="paper",
            receipt=f"B{n:09d}",
            entered_by="bench",
            created_at=now,
            confirmed_at=now,
            confirmed_by="bench",
        )
        ballot.choices = [BallotChoice(item_id=i, option=choice) for i in items]
        rows.append(ballot)
    db.session.add_all(rows)
    db.session.commit()
    return vote.id, admin


def median_ms(fn, runs=RUNS):
    fn()  # warm caches and the connection pool
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main():
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tempfile.mkdtemp()}/bench.db")
    from flask_migrate import upgrade
    from sqlalchemy import text
    from werkzeug.serving import make_server

    from backend import create_app
    from backend.auth.services import issue_tokens
    from backend.extensions import db
    from votes import tally as counting
    from votes.models import Vote

    app = create_app({"RATELIMIT_ENABLED": False})
    for noisy in ("werkzeug", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    with app.app_context():
        upgrade(revision="heads")
        logging.getLogger("alembic").setLevel(logging.WARNING)
        t0 = time.perf_counter()
        vote_id, admin = build()
        token = issue_tokens(admin)["access_token"]
        print(
            f"database: {db.engine.url.get_backend_name()}; built 3000 units and 3000 ballots "
            f"in {time.perf_counter() - t0:.1f} s"
        )

        def service():
            db.session.remove()
            return counting.tally(db.session.get(Vote, vote_id))

        def bare():
            db.session.remove()
            return db.session.execute(text(BARE_SQL), {"vote_id": vote_id}).all()

        result = service().items[0]
        assert result.participation.owners > 0 and len(bare()) == 6
        service_ms, bare_ms = median_ms(service), median_ms(bare)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/api/v1/votes/{vote_id}/tally"
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    body = json.loads(urllib.request.urlopen(request).read())
    assert body["items"][0]["participation"]["owners"] > 0  # the same answer the tests check, not an error page
    http_ms = median_ms(lambda: urllib.request.urlopen(request).read())
    server.shutdown()

    print(f"tally service (median of {RUNS}): {service_ms:.2f} ms")
    print(f"bare SQL aggregate (median of {RUNS}): {bare_ms:.2f} ms")
    print(f"tally over HTTP (median of {RUNS}): {http_ms:.2f} ms")
    print(f"tally_vs_aggregate: {service_ms / bare_ms:.2f}")
    print(f"http_vs_aggregate: {http_ms / bare_ms:.2f}")


if __name__ == "__main__":
    main()
