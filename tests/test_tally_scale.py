"""A 3,000-unit compound: the SQL tally agrees with a plain recount, and answers over HTTP well under 100 ms."""
import statistics
import time
from collections import defaultdict

from bench.tally import build
from backend.extensions import db
from votes.models import Ballot, BallotChoice, VoteUnit


def recount(vote_id):
    """Owners and hundredths per (item, option), counted the slow obvious way."""
    places = {p.unit_id: p for p in db.session.query(VoteUnit).filter_by(vote_id=vote_id)}
    owners, area = defaultdict(set), defaultdict(int)
    for choice, ballot in db.session.query(BallotChoice, Ballot).join(Ballot).filter(Ballot.vote_id == vote_id):
        place = places[ballot.unit_id]
        owners[(choice.item_id, choice.option)].add(place.owner_id)
        area[(choice.item_id, choice.option)] += place.area_cents
    return {key: (len(owners[key]), area[key]) for key in owners}


def test_three_thousand_units(app, client, make):
    vote_id, admin = build()
    headers = make.headers(admin)
    times = []
    for _ in range(7):
        start = time.perf_counter()
        r = client.get(f"/api/v1/votes/{vote_id}/tally", headers=headers)
        times.append(time.perf_counter() - start)
        assert r.status_code == 200
    assert statistics.median(times) < 0.1
    body = r.get_json()
    assert body["electorate"]["units"] == 3000 and body["electorate"]["owners"] == 3000 - 39 - 20
    expected = recount(vote_id)
    for item in body["items"]:
        for option, figures in item["options"].items():
            owners, cents = expected.get((item["item_id"], option), (0, 0))
            assert figures["owners"] == owners and figures["area"] == f"{cents // 100}.{cents % 100:02d}"
