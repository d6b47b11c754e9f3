"""The audit chain under simultaneous writers: the first entries of a fresh chain all land, in order; ballots
of one vote, stored unlinked and linked after their commit, all land in the chain."""

import threading
from concurrent.futures import ThreadPoolExecutor

from backend import audit
from backend.extensions import db

THREADS = 8


def test_first_entries_of_a_fresh_chain_at_once_all_land(app):
    """Each writer finds no head row and makes it (ON CONFLICT DO NOTHING), then queues on its lock."""
    db.session.remove()
    barrier = threading.Barrier(THREADS)

    def first_entry(k):
        with app.app_context():
            barrier.wait()
            entry = audit.append("bindings:fresh", None, "bind", {"writer": k})
            db.session.commit()
            seq = entry.seq
            db.session.remove()
            return seq

    with ThreadPoolExecutor(THREADS) as pool:
        seqs = list(pool.map(first_entry, range(THREADS)))
    assert sorted(seqs) == list(range(1, THREADS + 1))
    assert sorted(e.data["writer"] for e in audit.entries("bindings:fresh")) == list(range(THREADS))
    assert audit.verify_chain("bindings:fresh") is None


def test_ballots_at_once_are_all_linked_into_the_vote_chain(app, kit, make):
    """Ballots of one vote store their entries unlinked and link them after commit, whoever holds the head: when
    the requests are answered every entry is in the chain, once, with no gap, and the chain verifies."""
    from tests.test_votes_concurrency import race

    units = make.units(kit.compound, THREADS)
    vote = kit.vote()
    choices = {str(vote["items"][0]["id"]): "agree"}
    url = f"/api/v1/votes/{vote['id']}/ballots"
    owners = [(u.id, make.headers(make.resident(u, name=f"业主{k}"))) for k, u in enumerate(units)]
    cast = [lambda c, u=u, h=h: c.post(url, json={"unit_id": u, "choices": choices}, headers=h) for u, h in owners]
    assert [status for status, _ in race(app, cast)] == [201] * THREADS
    chain = audit.entries(f"vote:{vote['id']}")
    cast_entries = [e for e in chain if e.action == "ballot_cast"]
    assert len(cast_entries) == THREADS and all(e.seq is not None for e in chain)
    assert [e.seq for e in chain] == list(range(1, len(chain) + 1))
    assert audit.verify_chain(f"vote:{vote['id']}") is None
