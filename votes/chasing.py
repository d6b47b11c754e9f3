"""Chasing participation while a vote is open: who has not voted, what is still needed; paper sheet reconciliation."""
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from backend import audit
from backend.errors import Conflict
from backend.extensions import db

from . import tally as counting
from .models import Ballot, IssuedSheet, VoteUnit, cents_str
from .services import chain


def still_needed(tallied_participation, electorate):
    """The fewest more owners and hundredths of m² that reach 2/3 (smallest n with 3n >= 2T)."""
    owners = max(0, -(-2 * electorate.owners // 3) - tallied_participation.owners)
    area = max(0, -(-2 * electorate.area // 3) - tallied_participation.area)
    return owners, area


def progress(vote):
    e, first = counting.electorate_of(vote), vote.items[0]
    counts = counting.option_figures([vote.id]).get(first.id, {})
    owners, area = still_needed(counting.participants(first, counts), e)
    rows = db.session.execute(
        select(VoteUnit, Ballot.confirmed_at, Ballot.id.is_not(None))
        .outerjoin(Ballot, (Ballot.vote_id == VoteUnit.vote_id) & (Ballot.unit_id == VoteUnit.unit_id)
                   & Ballot.superseded_at.is_(None))
        .where(VoteUnit.vote_id == vote.id).order_by(VoteUnit.building, VoteUnit.entrance, VoteUnit.room))
    groups = defaultdict(lambda: {"units": 0, "voted": 0, "pending_confirmation": 0, "not_voted": []})
    for place, confirmed_at, voted in rows:
        g = groups[(place.building, place.entrance)]
        g["units"] += 1
        if voted:
            g["voted"] += 1
            g["pending_confirmation"] += confirmed_at is None
        else:
            g["not_voted"].append({"unit_id": place.unit_id, "room": place.room, "label": place.label,
                                   "area": cents_str(place.area_cents)})
    message = "参与表决人数和面积均已达到三分之二" if not (owners or area) else \
        f"还差 {owners} 户、{cents_str(area)} 平方米"
    return {"vote_id": vote.id, "status": vote.status_at(), "electorate": vote.electorate, "participation": counting.tally_item(first, e, counts)["participation"],
            "still_needed": {"owners": owners, "area": cents_str(area), "message": message},
            "buildings": [{"building": b, "entrance": en, **g} for (b, en), g in groups.items()]}


def issue_sheets(actor, vote, sheet_nos):
    db.session.add_all(IssuedSheet(vote_id=vote.id, sheet_no=s) for s in dict.fromkeys(sheet_nos))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("sheet_already_issued", "部分选票编号已经发放过，请检查后重试")
    audit.append(chain(vote), actor, "sheets_issued", {"sheet_nos": list(dict.fromkeys(sheet_nos))})
    db.session.commit()
    return reconcile(vote)


def reconcile(vote):
    """Sheets issued against sheets returned (entered): missing ones are out in the community, unknown ones odd."""
    issued = set(db.session.scalars(select(IssuedSheet.sheet_no).where(IssuedSheet.vote_id == vote.id)))
    returned = set(db.session.scalars(select(Ballot.sheet_no).where(
        Ballot.vote_id == vote.id, Ballot.superseded_at.is_(None), Ballot.sheet_no.is_not(None))))
    return {"issued": len(issued), "returned": len(returned & issued),
            "outstanding": sorted(issued - returned), "not_issued": sorted(returned - issued)}
