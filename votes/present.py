"""What each role sees of a vote: residents their units' standing, staff the settings, warnings and counts."""

from collections import defaultdict

from sqlalchemy import func, select

from backend.extensions import db
from backend.jurisdiction import is_resident
from backend.roster.order import unit_order
from backend.types import local_iso

from . import tally as counting
from .models import Ballot, VoteUnit
from .services import voting_unit_ids


def item_brief(item):
    return {
        "id": item.id,
        "title": item.title,
        "matter": item.matter,
        "options": item.options,
        "option_labels": item.option_labels,
    }


def base(vote):
    """What everyone sees; ``VoteOut`` adds the display names (status, matter, scope)."""
    return {
        "id": vote.id,
        "title": vote.title,
        "description": vote.description,
        "status": vote.status_at(),
        "opens_at": local_iso(vote.opens_at),
        "closes_at": local_iso(vote.closes_at),
        "compound": vote.compound,
        "scope": vote.scope,
        "items": [item_brief(i) for i in vote.items],
    }


def resident_units(resident, votes):
    """{vote_id: [{"unit_id", "label", "voted", "receipt"}]} for the resident's voting units, in one query."""
    rows = db.session.execute(
        select(VoteUnit, Ballot.receipt)
        .outerjoin(
            Ballot,
            (Ballot.vote_id == VoteUnit.vote_id)
            & (Ballot.unit_id == VoteUnit.unit_id)
            & Ballot.superseded_at.is_(None),
        )
        .where(VoteUnit.vote_id.in_([v.id for v in votes]), VoteUnit.unit_id.in_(voting_unit_ids(resident)))
        .order_by(*unit_order(VoteUnit))
    )
    found = defaultdict(list)
    for place, receipt in rows:
        found[place.vote_id].append(
            {"unit_id": place.unit_id, "label": place.label, "voted": receipt is not None, "receipt": receipt}
        )
    return found


def for_resident(resident, votes):
    units = resident_units(resident, votes)
    return [{**base(v), "units": units.get(v.id, [])} for v in votes]


def participation(tallied):
    """A vote's live participation, from its first item (every ballot answers every item)."""
    return tallied.items[0].participation if tallied.items else None


def for_staff(votes):
    """Staff detail for a page of votes: two grouped queries whatever the page size."""
    ids = [v.id for v in votes]
    counts = dict.fromkeys(ids, (0, 0))
    counts.update(
        {
            vid: (n, pending)
            for vid, n, pending in db.session.execute(
                select(Ballot.vote_id, func.count(), func.count().filter(Ballot.confirmed_at.is_(None)))
                .where(Ballot.vote_id.in_(ids), Ballot.superseded_at.is_(None))
                .group_by(Ballot.vote_id)
            )
        }
    )
    published = [v for v in votes if v.status != "draft"]
    tallies = counting.tally_votes(published)
    return [
        {
            **base(v),
            "require_confirmation": v.require_confirmation,
            "electorate": counting.electorate_of(v) if v.status != "draft" else None,
            "warnings": v.warnings,
            "counts": {"ballots": counts[v.id][0], "pending_confirmation": counts[v.id][1]},
            "participation": participation(tallies[v.id]) if v.id in tallies else None,
            "runoff_of_item_id": v.runoff_of_item_id,
            "created_by": v.created_by,
            "published_at": local_iso(v.published_at),
            "closed_at": local_iso(v.closed_at),
            "announced_at": local_iso(v.announced_at),
            "publicity_until": local_iso(v.publicity_until),
        }
        for v in votes
    ]


def detail(actor, vote):
    return (for_resident(actor, [vote]) if is_resident(actor) else for_staff([vote]))[0]
