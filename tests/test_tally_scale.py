"""A 3,000-unit compound: the SQL tally agrees with a plain recount, in the same few statements as a small one.

Its speed is measured by bench/tally.py, not here: a timed assertion fails when the machine is busy."""

from collections import defaultdict

from backend.extensions import db
from bench.tally import build
from tests.statements import statements_of
from votes.models import Ballot, BallotChoice, VoteUnit

# The token blocklist, the user, the vote, its compound (jurisdiction), its items, and one aggregate over ballots.
MOST_STATEMENTS = 6


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
    small, admin = build(units=120, ballots=100)
    vote_id, _ = build()
    headers = make.headers(admin)
    cost = {}
    for vote in (small, vote_id):
        r, statements = statements_of(lambda v=vote: client.get(f"/api/v1/votes/{v}/tally", headers=headers))
        assert r.status_code == 200
        cost[vote] = len(statements)
    assert cost[small] == cost[vote_id] <= MOST_STATEMENTS, (cost, statements)
    body = r.get_json()
    assert body["electorate"]["units"] == 3000 and body["electorate"]["owners"] == 3000 - 39 - 20
    expected = recount(vote_id)
    for item in body["items"]:
        for option, figures in item["options"].items():
            owners, cents = expected.get((item["item_id"], option), (0, 0))
            assert figures["owners"] == owners and figures["area"] == f"{cents // 100}.{cents % 100:02d}"
