"""Chasing participation while a vote is open: who has not voted, what is still needed; paper sheet reconciliation."""

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from backend import audit
from backend.errors import Conflict, NotFound
from backend.extensions import db
from backend.names import scope_text
from backend.roster.order import unit_order
from backend.types import utcnow

from . import tally as counting
from .models import Ballot, IssuedSheet, VoteUnit, cents_str
from .services import chain


def progress(vote):
    e, first = counting.electorate_of(vote), vote.items[0]
    share = counting.tally_item(first, e, counting.option_figures([vote.id]).get(first.id, {})).participation
    owners, area = share.still_needed
    rows = db.session.execute(
        select(VoteUnit, Ballot.confirmed_at, Ballot.id.is_not(None))
        .outerjoin(
            Ballot,
            (Ballot.vote_id == VoteUnit.vote_id)
            & (Ballot.unit_id == VoteUnit.unit_id)
            & Ballot.superseded_at.is_(None),
        )
        .where(VoteUnit.vote_id == vote.id)
        .order_by(*unit_order(VoteUnit))
    )
    groups = {}
    for place, confirmed_at, voted in rows:
        g = groups.setdefault(
            (place.building, place.entrance),
            {
                "building": place.building,
                "entrance": place.entrance,
                "label": scope_text(place.building, place.entrance),
                "units": 0,
                "voted": 0,
                "pending_confirmation": 0,
                "not_voted": [],
            },
        )
        g["units"] += 1
        if voted:
            g["voted"] += 1
            g["pending_confirmation"] += confirmed_at is None
        else:
            g["not_voted"].append(place)
    message = "参与表决人数和面积均已达到三分之二" if share.met else f"还差 {owners} 户、{cents_str(area)} 平方米"
    return {
        "vote_id": vote.id,
        "status": vote.status_at(),
        "scope": vote.scope,
        "electorate": e,
        "participation": share,
        "still_needed": {"owners": owners, "area": area, "message": message},
        "buildings": list(groups.values()),
    }


def issue_sheets(actor, vote, sheet_nos):
    db.session.add_all(IssuedSheet(vote_id=vote.id, sheet_no=s) for s in dict.fromkeys(sheet_nos))
    try:
        db.session.flush()
    except IntegrityError as e:
        db.session.rollback()
        raise Conflict("sheet_already_issued", "部分选票编号已经发放过，请检查后重试") from e
    audit.append(chain(vote), actor, "sheets_issued", {"sheet_nos": list(dict.fromkeys(sheet_nos))})
    db.session.commit()
    return reconcile(vote)


def void_sheet(actor, vote, sheet_no, reason):
    """Void a sheet spoiled or lost before it came back; one already entered is corrected, not voided."""
    sheet = db.session.scalar(
        select(IssuedSheet).where(IssuedSheet.vote_id == vote.id, IssuedSheet.sheet_no == sheet_no)
    )
    if sheet is None:
        raise NotFound("sheet_not_found", f"本次表决没有发放编号为{sheet_no}的表决票")
    if (
        db.session.scalar(
            select(Ballot.id).where(
                Ballot.vote_id == vote.id, Ballot.sheet_no == sheet_no, Ballot.superseded_at.is_(None)
            )
        )
        is not None
    ):
        raise Conflict("sheet_entered", f"表决票{sheet_no}已经录入，不能作废；如录入有误请更正选票")
    # Conditional, so two people voiding the same sheet at once cannot both succeed.
    done = db.session.execute(
        update(IssuedSheet)
        .where(IssuedSheet.id == sheet.id, IssuedSheet.voided_at.is_(None))
        .values(voided_at=utcnow(), void_reason=reason, voided_by=audit.actor_label(actor))
    )
    if done.rowcount != 1:
        db.session.rollback()
        raise Conflict("sheet_void", f"表决票{sheet_no}已经作废")
    audit.append(chain(vote), actor, "sheet_voided", {"sheet_no": sheet_no, "reason": reason})
    db.session.commit()
    return reconcile(vote)


def reconcile(vote):
    """Sheets issued against sheets returned (entered): missing ones are out in the community, unknown ones odd."""
    rows = db.session.execute(
        select(IssuedSheet.sheet_no, IssuedSheet.void_reason, IssuedSheet.voided_at.is_not(None))
        .where(IssuedSheet.vote_id == vote.id)
        .order_by(IssuedSheet.sheet_no)
    ).all()
    issued = {no for no, _, _ in rows}
    voided = [{"sheet_no": no, "reason": reason} for no, reason, void in rows if void]
    returned = set(
        db.session.scalars(
            select(Ballot.sheet_no).where(
                Ballot.vote_id == vote.id, Ballot.superseded_at.is_(None), Ballot.sheet_no.is_not(None)
            )
        )
    )
    return {
        "issued": len(issued),
        "returned": len(returned & issued),
        "void": len(voided),
        "voided": voided,
        "outstanding": sorted(issued - returned - {v["sheet_no"] for v in voided}),
        "not_issued": sorted(returned - issued),
    }
