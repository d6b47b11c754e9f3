"""One ballot per unit, held by the database: a race of real requests on PostgreSQL, and the index itself on both."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy.exc import IntegrityError

from backend.extensions import db
from votes.models import Ballot, BallotChoice

THREADS = 8


def race(app, requests):
    """Fire ``requests`` (callables taking a test client) at once, each thread with its own app context."""
    db.session.remove()  # the test's own session holds nothing while the threads run
    barrier = threading.Barrier(len(requests))

    def fire(request):
        with app.app_context():
            client = app.test_client()
            barrier.wait()
            response = request(client)
            db.session.remove()
            return response.status_code, response.get_json()

    with ThreadPoolExecutor(len(requests)) as pool:
        return list(pool.map(fire, requests))


@pytest.mark.postgres_only
def test_concurrent_ballots_for_one_unit_store_exactly_one(app, kit, make):
    units = make.units(kit.compound, 3)
    vote = kit.vote()
    choices = {str(vote["items"][0]["id"]): "agree"}
    owners = [make.resident(units[0], name=f"共有人{k}") for k in range(THREADS // 2)]
    url, unit_id = f"/api/v1/votes/{vote['id']}", units[0].id
    staff = [
        lambda c, k=k: c.post(
            f"{url}/paper-ballots", json={"unit_id": unit_id, "choices": choices, "sheet_no": f"S{k}"}, headers=kit.h
        )
        for k in range(THREADS // 2)
    ]
    owner_headers = [make.headers(r) for r in owners]
    online = [
        lambda c, h=h: c.post(f"{url}/ballots", json={"unit_id": unit_id, "choices": choices}, headers=h)
        for h in owner_headers
    ]
    results = race(app, staff + online)
    assert sorted(status for status, _ in results) == [201] + [409] * (THREADS - 1), results
    assert {body["code"] for status, body in results if status == 409} == {"ballot_exists"}
    assert db.session.query(Ballot).filter_by(vote_id=vote["id"]).count() == 1


@pytest.mark.postgres_only
def test_concurrent_ballots_of_one_owner_must_agree(app, kit, make):
    owner = make.owner(kit.compound, names=("单位",), ids=("ORG-1",), owner_type="organisation")
    units = [make.unit(kit.compound, "1", "1", f"{k + 1:03d}", owner=owner) for k in range(THREADS)]
    vote = kit.vote()
    iid = str(vote["items"][0]["id"])
    requests = [
        lambda c, u=u.id, k=k: c.post(
            f"/api/v1/votes/{vote['id']}/paper-ballots",
            headers=kit.h,
            json={"unit_id": u, "choices": {iid: "agree" if k % 2 else "disagree"}},
        )
        for k, u in enumerate(units)
    ]
    results = race(app, requests)
    stored = db.session.query(BallotChoice.option).join(Ballot).filter(Ballot.vote_id == vote["id"]).all()
    assert len({option for (option,) in stored}) == 1  # whichever came first, the owner speaks with one voice
    assert {body["code"] for status, body in results if status == 409} == {"owner_inconsistent"}
    assert len(stored) == THREADS // 2


def test_unique_index_allows_one_standing_ballot_per_unit(kit, make):
    units = make.units(kit.compound, 1)
    vote = kit.vote()

    def ballot(receipt, superseded=None):
        return Ballot(
            vote_id=vote["id"],
            unit_id=units[0].id,
            owner_id=units[0].owner_id,
            channel="paper",
            receipt=receipt,
            entered_by="t",
            superseded_at=superseded,
        )

    from backend.types import utcnow

    db.session.add_all([ballot("AAAAAAAAA1", utcnow()), ballot("AAAAAAAAA2", utcnow()), ballot("AAAAAAAAA3")])
    db.session.commit()  # superseded rows stand beside the current one
    db.session.add(ballot("AAAAAAAAA4"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
