"""A vote's status has one definition (``Vote.in_status``): the SQL filter and the Python status agree."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from backend.extensions import db
from backend.types import utcnow
from votes.models import Vote

NOW = utcnow().replace(microsecond=0)
HOUR = timedelta(hours=1)

# (stored status, opens_at, closes_at) around NOW, and the status each must show; the edges are the windows'
# own instants (opens_at is inside the window, closes_at is not).
CASES = [
    ("draft", NOW - HOUR, NOW + HOUR, "draft"),
    ("draft", NOW + HOUR, NOW + 2 * HOUR, "draft"),
    ("open", NOW + HOUR, NOW + 2 * HOUR, "scheduled"),
    ("open", NOW - HOUR, NOW + HOUR, "open"),
    ("open", NOW, NOW + HOUR, "open"),
    ("open", NOW - HOUR, NOW, "closed"),
    ("open", NOW - 2 * HOUR, NOW - HOUR, "closed"),
    ("closed", NOW - HOUR, NOW + HOUR, "closed"),
    ("closed", NOW + HOUR, NOW + 2 * HOUR, "closed"),
    ("announced", NOW - 2 * HOUR, NOW - HOUR, "announced"),
]


@pytest.fixture
def votes(world):
    rows = [
        Vote(compound_id=world.compounds["c1"].id, title=f"表决{n}", status=stored, opens_at=opens, closes_at=closes)
        for n, (stored, opens, closes, _) in enumerate(CASES)
    ]
    db.session.add_all(rows)
    db.session.commit()
    return {vote.id: shows for vote, (*_, shows) in zip(rows, CASES, strict=True)}


def test_every_case_shows_the_expected_status(votes):
    assert {shows for *_, shows in CASES} == set(Vote.STATUSES)
    for vote_id, shows in votes.items():
        assert db.session.get(Vote, vote_id).status_at(NOW) == shows, vote_id


@pytest.mark.parametrize("status", Vote.STATUSES)
def test_sql_filter_agrees_with_python_status(votes, status):
    in_sql = set(db.session.scalars(select(Vote.id).where(Vote.in_status(status, NOW))))
    in_python = {v.id for v in db.session.scalars(select(Vote)) if v.status_at(NOW) == status}
    assert in_sql == in_python == {vote_id for vote_id, shows in votes.items() if shows == status}


def test_each_vote_is_in_exactly_one_status(votes):
    for vote in db.session.scalars(select(Vote)):
        assert sum(bool(vote.in_status(status, NOW)) for status in Vote.STATUSES) == 1, vote.id
