"""Vote lifecycle: who may see a vote, creating, publishing (freezing the electorate), closing, announcing, runoffs.

The routes' gate loads and authorises the vote once (``get_vote``) and hands it to the functions here and in
``ballots``, ``chasing`` and ``result``; they trust it and never load it again.

A change of the vote's state locks its row (``lock``: FOR UPDATE on PostgreSQL; ballots in flight hold it shared,
and a correction exclusively, so neither slips in beside a close or an announcement) and is itself an UPDATE that
applies only from the states it may leave (``move``). SQLite ignores row locks but runs one writer at a time, so
there the row count decides: of two closes or two announces at once, one moves the vote, the other gets its 409.
"""

import json
from datetime import timedelta

from sqlalchemy import exists, func, insert, select, update
from sqlalchemy.orm import joinedload, selectinload

from backend import audit
from backend.errors import Conflict, NotFound
from backend.events import vote_announced
from backend.extensions import db
from backend.jurisdiction import is_resident, org_filter, require_compound
from backend.roster.models import Compound, HouseholdBinding, Unit, unit_area_cents
from backend.types import utcnow

from . import tally as counting
from .models import DEFAULT_OPTIONS, Ballot, Vote, VoteItem, VoteUnit
from .schemas import TallyOut

ANNOUNCE_WITHIN = timedelta(days=3)  # DOMAIN.md §2: results are announced within 3 days of closing


def chain(vote):
    return f"vote:{vote.id}"


# --- access -----------------------------------------------------------------------------------------------


def voting_bindings(resident):
    """The conditions on a binding that lets a resident vote for its unit: active, as owner or approved proxy."""
    return (
        HouseholdBinding.resident_id == resident.id,
        HouseholdBinding.status == "active",
        HouseholdBinding.relation.in_(("owner", "proxy")),
    )


def voting_unit_ids(resident):
    """Units a resident may vote for (a subquery, not a round trip)."""
    return select(HouseholdBinding.unit_id).where(*voting_bindings(resident))


def get_vote(actor, vote_id, manage=False):
    """The vote with its items, if the actor may read (or manage) it; the routes' gate calls this once.

    Staff: 404 if unknown, 403 outside their jurisdiction. A resident sees only the published votes that
    /my/votes lists (a unit they may vote for is in the electorate); any other is 404 like an unknown id, so
    that ids do not tell them of votes elsewhere.
    """
    vote = db.session.get(Vote, vote_id, options=[joinedload(Vote.items)])
    if vote is None or (is_resident(actor) and not _in_electorate(actor, vote)):
        raise NotFound("vote_not_found", "找不到该表决")
    if not is_resident(actor):
        require_compound(actor, vote.compound_id, manage=manage)
    return vote


def _in_electorate(resident, vote):
    return vote.status != "draft" and db.session.scalar(
        select(exists().where(VoteUnit.vote_id == vote.id, VoteUnit.unit_id.in_(voting_unit_ids(resident))))
    )


def lock(vote, shared=False):
    """Re-read the vote under a row lock until commit (PostgreSQL; SQLite ignores it and needs ``move``).

    ``shared``: a ballot's lock, which other ballots share but a close or announce waits for.
    """
    return db.session.scalars(
        select(Vote).where(Vote.id == vote.id).with_for_update(read=shared).execution_options(populate_existing=True)
    ).one()  # the same object, refreshed


def move(vote, condition, **values):
    """Write ``values`` to the vote's row only while ``condition`` still holds there; False if it did not.

    The UPDATE's row count decides between two changes at once, on SQLite as on PostgreSQL. On False the
    transaction is rolled back, so the vote is read afresh and the change that won explains the refusal.
    """
    if db.session.execute(update(Vote).where(Vote.id == vote.id, condition).values(**values)).rowcount:
        return True
    db.session.rollback()
    return False


def listing(stmt):
    """A page of votes is shown with its items and compound: load them with the page, not one vote at a time."""
    return stmt.options(selectinload(Vote.items), selectinload(Vote.compound))


def visible_votes(actor, compound_id=None, status=None):
    """Staff: the votes of the compounds in their jurisdiction, newest first."""
    stmt = listing(select(Vote).join(Compound, Compound.id == Vote.compound_id).order_by(Vote.id.desc()))
    clause = org_filter(actor, Compound.org_id)
    if clause is not None:
        stmt = stmt.where(clause)
    if compound_id is not None:
        require_compound(actor, compound_id)
        stmt = stmt.where(Vote.compound_id == compound_id)
    if status:
        stmt = stmt.where(Vote.in_status(status, utcnow()))
    return stmt


def resident_votes(resident):
    """Published votes whose frozen electorate holds a unit the resident may vote for."""
    mine = select(VoteUnit.vote_id).where(VoteUnit.unit_id.in_(voting_unit_ids(resident)))
    return listing(select(Vote).where(Vote.id.in_(mine), Vote.status != "draft").order_by(Vote.id.desc()))


# --- lifecycle --------------------------------------------------------------------------------------------


def create_vote(actor, compound, data, runoff_of=None):
    """A draft vote in ``compound``, which the caller has authorised (the routes' gate: manage)."""
    scope = data.get("scope") or {}
    vote = Vote(
        compound_id=compound.id,
        title=data["title"],
        description=data.get("description", ""),
        scope_building=scope.get("building"),
        scope_entrance=scope.get("entrance"),
        opens_at=data["opens_at"],
        closes_at=data["closes_at"],
        require_confirmation=data.get("require_confirmation", False),
        runoff_of_item_id=runoff_of,
        created_by=audit.actor_label(actor),
    )
    for n, item in enumerate(data["items"]):
        vote.items.append(
            VoteItem(
                position=n, title=item["title"], matter=item["matter"], choices=item.get("options") or DEFAULT_OPTIONS
            )
        )
    db.session.add(vote)
    db.session.flush()
    audit.append(
        chain(vote),
        actor,
        "vote_created",
        {"title": vote.title, "scope": vote.scope, "items": [[i.title, i.matter, i.options] for i in vote.items]},
    )
    db.session.commit()
    return vote


def _require_status(vote, *allowed, now=None):
    status = vote.status_at(now)
    if status in allowed:
        return status
    if status == "draft":
        raise Conflict("vote_not_published", "表决尚未发布")
    if status == "announced":
        raise Conflict("vote_announced", "表决结果已公告，不能再更改")
    if status in ("open", "scheduled"):
        raise Conflict("vote_not_closed", "表决尚未结束")
    raise Conflict("vote_closed", "表决已结束")


def publish(actor, vote):
    """Freeze the electorate (units in scope with their areas and owners) and open or schedule the vote."""
    lock(vote)
    now = utcnow()
    if vote.status != "draft" or not move(vote, Vote.status == "draft", status="open", published_at=now):
        raise Conflict("vote_not_draft", "表决已发布，不能重复发布")
    scope = [Unit.compound_id == vote.compound_id]
    if vote.scope_building:
        scope.append(Unit.building == vote.scope_building)
    if vote.scope_entrance:
        scope.append(Unit.entrance == vote.scope_entrance)
    frozen = select(
        vote.id,
        Unit.id,
        Unit.building,
        Unit.entrance,
        Unit.room,
        unit_area_cents(),
        Unit.owner_id,
    ).where(*scope)
    db.session.execute(
        insert(VoteUnit).from_select(
            ["vote_id", "unit_id", "building", "entrance", "room", "area_cents", "owner_id"], frozen
        )
    )
    units, owners, area = db.session.execute(
        select(
            func.count(), func.count(func.distinct(VoteUnit.owner_id)), func.coalesce(func.sum(VoteUnit.area_cents), 0)
        ).where(VoteUnit.vote_id == vote.id)
    ).one()
    if not units:
        db.session.rollback()
        raise Conflict("electorate_empty", "表决范围内没有任何房屋，请先导入名册或检查楼栋、单元")
    vote.electorate_units, vote.electorate_owners, vote.electorate_area_cents = units, owners, int(area)
    vote.warnings_json = json.dumps(notice_warnings(vote, now), ensure_ascii=False)
    audit.append(chain(vote), actor, "vote_published", {"electorate": vote.electorate, "warnings": vote.warnings})
    db.session.commit()
    return vote


def notice_warnings(vote, now):
    """A notice lead shorter than the compound's setting is not refused, but it is grounds for a challenge."""
    lead_days = vote.compound.notice_lead_days
    lead = vote.opens_at - now
    if lead >= timedelta(days=lead_days):
        return []
    actual = max(lead.days, 0)
    return [f"表决公告时间不足{lead_days}日（发布至开始投票仅{actual}日），业主可依法在一年内请求撤销该决定"]


def close(actor, vote):
    """Close at any time (a published vote still stored as open); an early close is recorded as such."""
    lock(vote)
    now = utcnow()
    if vote.status != "open" or not move(
        vote, Vote.status == "open", status="closed", closed_at=min(now, vote.closes_at)
    ):
        _require_status(vote, "open")  # never open now: refused with the status that stands
    early = now < vote.closes_at
    audit.append(chain(vote), actor, "vote_closed", {"early": early, "closed_at": vote.closed_at.isoformat()})
    db.session.commit()
    return vote


def announce(actor, vote):
    """Fix the result and start its publicity period; every paper entry must be confirmed first.

    The vote moves first and the ballots are counted after, in the same transaction: a correction that
    comes later finds the vote announced, and one that came first is in the count. The counts are stored with
    it (``tally.store_figures``), for the reports across many votes.
    """
    lock(vote)
    now = utcnow()
    _require_status(vote, "closed", now=now)
    warnings = vote.warnings
    if now - vote.effective_closed_at > ANNOUNCE_WITHIN:
        warnings.append("表决结果未在表决结束后3日内公告")
    if not move(
        vote,
        Vote.in_status("closed", now),
        status="announced",
        announced_at=now,
        closed_at=vote.effective_closed_at,
        warnings_json=json.dumps(warnings, ensure_ascii=False),
        publicity_until=now + timedelta(days=vote.compound.publicity_days),
    ):
        _require_status(vote, "closed", now=now)  # never closed now: refused with the status that stands
    pending = db.session.scalar(
        select(func.count())
        .select_from(Ballot)
        .where(Ballot.vote_id == vote.id, Ballot.superseded_at.is_(None), Ballot.confirmed_at.is_(None))
    )
    if pending:
        db.session.rollback()
        raise Conflict("ballots_unconfirmed", f"尚有{pending}张纸质选票未经第二人复核确认，不能公告结果")
    counting.store_figures([vote.id])  # what reports read from now on: no correction can change it any more
    counted = counting.tally(vote)
    result = TallyOut().dump(counted)
    vote_announced.send(vote, result=counted, actor=actor)  # e.g. a property_manager winner sets the compound's model
    audit.append(
        chain(vote),
        actor,
        "vote_announced",
        {
            "publicity_until": vote.publicity_until.isoformat(),
            "items": [
                {k: i[k] for k in ("item_id", "participation", "options", "passed", "winner")} for i in result["items"]
            ],
        },
    )
    db.session.commit()
    return vote


def runoff(actor, vote, item_id, data):
    """A new draft vote between the two leading options of an item that found no winner."""
    item = next((i for i in vote.items if i.id == item_id), None)
    if item is None:
        raise NotFound("item_not_found", "找不到该表决事项")
    _require_status(vote, "closed", "announced")
    result = counting.tally_item(
        item, counting.electorate_of(vote), counting.option_figures([vote.id]).get(item.id, {})
    )
    if not result.runoff:
        raise Conflict("runoff_not_applicable", "该事项已有结果，或可选项不足两个，无需决选")
    spec = {
        "title": data.get("title") or f"{vote.title}（决选）",
        "description": vote.description,
        "scope": vote.scope,
        "opens_at": data["opens_at"],
        "closes_at": data["closes_at"],
        "require_confirmation": vote.require_confirmation,
        "items": [
            {
                "title": f"{item.title}（决选）",
                "matter": item.matter,
                "options": [{"code": o, "label": item.label(o)} for o in result.runoff],
            }
        ],
    }
    new = create_vote(actor, vote.compound, spec, runoff_of=item.id)
    audit.append(
        chain(vote), actor, "runoff_created", {"item_id": item.id, "runoff_vote_id": new.id, "options": result.runoff}
    )
    db.session.commit()
    return new
