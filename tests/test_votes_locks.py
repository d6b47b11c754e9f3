"""State changes under real races: of two closes, announces, publishes or confirmations at once exactly one wins,
and a correction or a ballot racing the change that ends it lands wholly before it or is refused.

PostgreSQL locks the vote's row; SQLite ignores row locks but runs one writer at a time, and the changes are
UPDATEs conditional on the state they leave, so the rules that must hold on both are tested on both.
"""

import pytest

from backend.audit import entries
from backend.extensions import db
from tests.test_votes_concurrency import race
from tests.test_votes_kit import item
from votes.models import Ballot, VoteUnit

THREADS = 4


def actions(vote):
    return [e.action for e in entries(f"vote:{vote['id']}")]


def one_winner(results, code):
    """One 2xx, every other request a 409 with ``code``."""
    statuses = sorted(status for status, _ in results)
    assert statuses[0] in (200, 201) and statuses[1:] == [409] * (len(results) - 1), results
    assert {body["code"] for status, body in results if status == 409} == {code}, results


@pytest.fixture
def units(make, kit):
    return make.units(kit.compound, 4)


def test_two_closes_at_once_one_wins(app, kit, units):
    vote = kit.vote()
    results = race(app, [lambda c: c.post(f"/api/v1/votes/{vote['id']}/close", headers=kit.h)] * THREADS)
    one_winner(results, "vote_closed")
    assert actions(vote).count("vote_closed") == 1


def test_two_announces_at_once_one_wins(app, kit, units):
    vote = kit.vote()
    kit.cast(vote, units[:3], "agree")
    assert kit.post(vote, "close").status_code == 200
    results = race(app, [lambda c: c.post(f"/api/v1/votes/{vote['id']}/announce", headers=kit.h)] * THREADS)
    one_winner(results, "vote_announced")
    assert actions(vote).count("vote_announced") == 1


def test_announce_once_the_window_is_over_races_too(app, kit, units):
    """A vote never closed by hand is announced once its window is over (the UPDATE's other branch)."""
    vote = kit.vote()
    kit.end_window(vote)
    results = race(app, [lambda c: c.post(f"/api/v1/votes/{vote['id']}/announce", headers=kit.h)] * THREADS)
    one_winner(results, "vote_announced")
    assert actions(vote).count("vote_announced") == 1


def test_two_publishes_at_once_freeze_one_electorate(app, kit, units):
    draft = kit.create().get_json()
    results = race(app, [lambda c: c.post(f"/api/v1/votes/{draft['id']}/publish", headers=kit.h)] * THREADS)
    one_winner(results, "vote_not_draft")
    assert actions(draft).count("vote_published") == 1
    assert db.session.query(VoteUnit).filter_by(vote_id=draft["id"]).count() == len(units)


def test_two_confirmations_at_once_one_counts(app, kit, make, world, units):
    vote = kit.vote(require_confirmation=True)
    ballot_id = kit.paper(vote, units[0], "agree").get_json()["ballot_id"]
    checkers = [make.headers(make.user(f"checker{k}", "committee", world.c1)) for k in range(THREADS)]
    url = f"/api/v1/votes/{vote['id']}/ballots/{ballot_id}/confirm"
    results = race(app, [lambda c, h=h: c.post(url, headers=h) for h in checkers])
    one_winner(results, "ballot_not_pending")
    assert actions(vote).count("ballot_confirmed") == 1
    confirmed_by = db.session.get(Ballot, ballot_id).confirmed_by
    winner = next(body for status, body in results if status == 200)
    assert winner["confirmed"] is True and confirmed_by.startswith("committee:")


def test_two_corrections_at_once_one_stands(app, kit, units):
    vote = kit.vote()
    kit.cast(vote, units[:1], "disagree")
    ballot_id = db.session.query(Ballot.id).filter_by(vote_id=vote["id"]).scalar()
    url = f"/api/v1/votes/{vote['id']}/ballots/{ballot_id}/correct"
    iid = str(vote["items"][0]["id"])
    results = race(
        app,
        [
            lambda c, k=k: c.post(
                url, headers=kit.h, json={"choices": {iid: ("agree", "abstain")[k % 2]}, "reason": f"更正{k}"}
            )
            for k in range(THREADS)
        ],
    )
    one_winner(results, "ballot_superseded")
    assert db.session.query(Ballot).filter_by(vote_id=vote["id"], superseded_at=None).count() == 1


def test_correction_racing_announcement_lands_before_it_or_not_at_all(app, kit, make):
    """The announced figures are the ballots as they stand: no correction enters after the announcement."""
    votes = []
    for k in range(THREADS // 2 + 1):
        unit = make.unit(kit.compound, "9", str(k + 1), "101")
        vote = kit.vote(items=[item("rebuild")], scope={"building": "9", "entrance": str(k + 1)})
        kit.cast(vote, [unit], "disagree")
        assert kit.post(vote, "close").status_code == 200
        votes.append(vote)
    ballots = {v["id"]: db.session.query(Ballot.id).filter_by(vote_id=v["id"]).scalar() for v in votes}
    requests = []
    for v in votes:
        correction = {"choices": {str(v["items"][0]["id"]): "agree"}, "reason": "录入错误"}
        requests += [
            lambda c, v=v: c.post(f"/api/v1/votes/{v['id']}/announce", headers=kit.h),
            lambda c, v=v, body=correction: c.post(
                f"/api/v1/votes/{v['id']}/ballots/{ballots[v['id']]}/correct", headers=kit.h, json=body
            ),
        ]
    results = race(app, requests)
    for v, (announced, corrected) in zip(votes, zip(results[::2], results[1::2], strict=False), strict=False):
        assert announced[0] == 200, announced
        assert corrected[0] == 201 or (corrected[0], corrected[1]["code"]) == (409, "vote_announced"), corrected
        trail = entries(f"vote:{v['id']}")
        done = [e.action for e in trail]
        assert done[-1] == "vote_announced" and done.count("ballot_corrected") == (corrected[0] == 201), done
        figures = trail[-1].data["items"][0]["options"]
        assert figures["agree"]["owners"] == (corrected[0] == 201), figures  # the count saw the correction
        assert figures["disagree"]["owners"] == (corrected[0] != 201), figures


@pytest.mark.postgres_only
def test_ballots_racing_a_close_land_before_it_or_are_refused(app, kit, make):
    """A ballot shares the vote's lock: the close waits for ballots in flight, and later ones find it closed."""
    units = make.units(kit.compound, 2 * THREADS)
    vote = kit.vote()
    owners = [(u.id, make.headers(make.resident(u, name=f"业主{k}"))) for k, u in enumerate(units)]
    choices = {str(vote["items"][0]["id"]): "agree"}
    url = f"/api/v1/votes/{vote['id']}"
    cast = [
        lambda c, u=u, h=h: c.post(f"{url}/ballots", headers=h, json={"unit_id": u, "choices": choices})
        for u, h in owners
    ]
    results = race(app, [*cast[:THREADS], lambda c: c.post(f"{url}/close", headers=kit.h), *cast[THREADS:]])
    assert results[THREADS][0] == 200, results
    ballots = [r for k, r in enumerate(results) if k != THREADS]
    assert all(s == 201 or (s, b["code"]) == (409, "vote_closed") for s, b in ballots), ballots
    done = actions(vote)
    assert "ballot_cast" not in done[done.index("vote_closed") :], done
    stored = db.session.query(Ballot).filter_by(vote_id=vote["id"]).count()
    assert stored == sum(s == 201 for s, _ in ballots) == done.count("ballot_cast")
