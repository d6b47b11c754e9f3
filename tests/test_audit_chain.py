"""The audit chain under simultaneous writers: the first entries of a fresh chain all land, in order."""

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
