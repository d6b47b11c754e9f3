"""Vote lifecycle: who may see a vote, creating, publishing (freezing the electorate), closing, announcing, runoffs."""
import json
from datetime import timedelta

from sqlalchemy import Integer, cast, func, insert, select
from sqlalchemy.orm import selectinload

from backend import audit
from backend.errors import Conflict, Forbidden, NotFound
from backend.extensions import db
from backend.jurisdiction import bound_unit_ids, is_resident, org_filter, require_compound
from backend.roster.models import Compound, Unit
from backend.types import utcnow

from . import tally as counting
from .models import DEFAULT_OPTIONS, Ballot, Vote, VoteItem, VoteUnit
from .schemas import TallyOut

ANNOUNCE_WITHIN = timedelta(days=3)  # DOMAIN.md §2: results are announced within 3 days of closing


def chain(vote):
    return f"vote:{vote.id}"


# --- access -----------------------------------------------------------------------------------------------

def voting_unit_ids(resident):
    """Units a resident may vote for: bound as owner or as an approved proxy."""
    return bound_unit_ids(resident, "owner") | bound_unit_ids(resident, "proxy")


def get_vote(actor, vote_id, manage=False):
    """A vote the actor may read (or manage): 404 if unknown, 403 outside their jurisdiction or scope."""
    vote = db.session.get(Vote, vote_id)
    if vote is None or (is_resident(actor) and vote.status == "draft"):
        raise NotFound("vote_not_found", "找不到该表决")
    if is_resident(actor):
        in_scope = db.session.scalar(select(func.count()).select_from(VoteUnit).where(
            VoteUnit.vote_id == vote.id, VoteUnit.unit_id.in_(voting_unit_ids(actor))))
        if not in_scope:
            raise Forbidden("outside_scope", "该表决不涉及您绑定的房屋")
        return vote
    require_compound(actor, vote.compound_id, manage=manage)
    return vote


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
        stmt = stmt.where(status_clause(status, utcnow()))
    return stmt


def status_clause(status, now):
    """SQL for a status as ``Vote.status_at`` sees it: scheduled, open and closed depend on the clock."""
    published = Vote.status == "open"
    return {"draft": Vote.status == "draft", "announced": Vote.status == "announced",
            "scheduled": published & (Vote.opens_at > now),
            "open": published & (Vote.opens_at <= now) & (Vote.closes_at > now),
            "closed": (Vote.status == "closed") | (published & (Vote.closes_at <= now))}[status]


def resident_votes(resident):
    """Published votes whose frozen electorate holds a unit the resident may vote for."""
    mine = select(VoteUnit.vote_id).where(VoteUnit.unit_id.in_(voting_unit_ids(resident)))
    return listing(select(Vote).where(Vote.id.in_(mine), Vote.status != "draft").order_by(Vote.id.desc()))


def scope_text(vote):
    return vote.scope_text


# --- lifecycle --------------------------------------------------------------------------------------------

def create_vote(actor, compound_id, data, runoff_of=None):
    compound = require_compound(actor, compound_id, manage=True)
    scope = data.get("scope") or {}
    vote = Vote(compound_id=compound.id, title=data["title"], description=data.get("description", ""),
                scope_building=scope.get("building"), scope_entrance=scope.get("entrance"),
                opens_at=data["opens_at"], closes_at=data["closes_at"],
                require_confirmation=data.get("require_confirmation", False),
                runoff_of_item_id=runoff_of, created_by=audit.actor_label(actor))
    for n, item in enumerate(data["items"]):
        vote.items.append(VoteItem(position=n, title=item["title"], matter=item["matter"],
                                   choices=item.get("options") or DEFAULT_OPTIONS))
    db.session.add(vote)
    db.session.flush()
    audit.append(chain(vote), actor, "vote_created", {"title": vote.title, "scope": vote.scope,
                                                      "items": [[i.title, i.matter, i.options] for i in vote.items]})
    db.session.commit()
    return vote


def _require_status(vote, *allowed):
    status = vote.status_at()
    if status in allowed:
        return status
    if status == "draft":
        raise Conflict("vote_not_published", "表决尚未发布")
    if status == "announced":
        raise Conflict("vote_announced", "表决结果已公告，不能再更改")
    if status in ("open", "scheduled"):
        raise Conflict("vote_not_closed", "表决尚未结束")
    raise Conflict("vote_closed", "表决已结束")


def publish(actor, vote_id):
    """Freeze the electorate (units in scope with their areas and owners) and open or schedule the vote."""
    vote = get_vote(actor, vote_id, manage=True)
    if vote.status != "draft":
        raise Conflict("vote_not_draft", "表决已发布，不能重复发布")
    scope = [Unit.compound_id == vote.compound_id]
    if vote.scope_building:
        scope.append(Unit.building == vote.scope_building)
    if vote.scope_entrance:
        scope.append(Unit.entrance == vote.scope_entrance)
    frozen = select(vote.id, Unit.id, Unit.building, Unit.entrance, Unit.room,
                    cast(func.round(Unit.area * 100), Integer), Unit.owner_id).where(*scope)
    db.session.execute(insert(VoteUnit).from_select(
        ["vote_id", "unit_id", "building", "entrance", "room", "area_cents", "owner_id"], frozen))
    units, owners, area = db.session.execute(
        select(func.count(), func.count(func.distinct(VoteUnit.owner_id)), func.coalesce(func.sum(VoteUnit.area_cents), 0))
        .where(VoteUnit.vote_id == vote.id)).one()
    if not units:
        db.session.rollback()
        raise Conflict("electorate_empty", "表决范围内没有任何房屋，请先导入名册或检查楼栋、单元")
    now = utcnow()
    vote.electorate_units, vote.electorate_owners, vote.electorate_area_cents = units, owners, int(area)
    vote.status, vote.published_at = "open", now
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


def close(actor, vote_id):
    """Close at any time; an early close is recorded as such."""
    vote = get_vote(actor, vote_id, manage=True)
    if vote.status != "open":
        _require_status(vote, "open")
    now = utcnow()
    vote.closed_at = min(now, vote.closes_at)
    early = now < vote.closes_at
    vote.status = "closed"
    audit.append(chain(vote), actor, "vote_closed", {"early": early, "closed_at": vote.closed_at.isoformat()})
    db.session.commit()
    return vote


def announce(actor, vote_id):
    """Fix the result and start its publicity period; every paper entry must be confirmed first."""
    vote = get_vote(actor, vote_id, manage=True)
    _require_status(vote, "closed")
    pending = db.session.scalar(select(func.count()).select_from(Ballot).where(
        Ballot.vote_id == vote.id, Ballot.superseded_at.is_(None), Ballot.confirmed_at.is_(None)))
    if pending:
        raise Conflict("ballots_unconfirmed", f"尚有{pending}张纸质选票未经第二人复核确认，不能公告结果")
    now = utcnow()
    vote.closed_at = vote.effective_closed_at
    if now - vote.closed_at > ANNOUNCE_WITHIN:
        vote.warnings_json = json.dumps(vote.warnings + ["表决结果未在表决结束后3日内公告"], ensure_ascii=False)
    vote.status, vote.announced_at = "announced", now
    vote.publicity_until = now + timedelta(days=vote.compound.publicity_days)
    result = TallyOut().dump(counting.tally(vote))
    audit.append(chain(vote), actor, "vote_announced", {
        "publicity_until": vote.publicity_until.isoformat(),
        "items": [{k: i[k] for k in ("item_id", "participation", "options", "passed", "winner")} for i in result["items"]]})
    db.session.commit()
    return vote


def runoff(actor, vote_id, item_id, data):
    """A new draft vote between the two leading options of an item that found no winner."""
    vote = get_vote(actor, vote_id, manage=True)
    item = next((i for i in vote.items if i.id == item_id), None)
    if item is None:
        raise NotFound("item_not_found", "找不到该表决事项")
    _require_status(vote, "closed", "announced")
    result = counting.tally_item(item, counting.electorate_of(vote), counting.option_figures([vote.id]).get(item.id, {}))
    if not result.runoff:
        raise Conflict("runoff_not_applicable", "该事项已有结果，或可选项不足两个，无需决选")
    spec = {"title": data.get("title") or f"{vote.title}（决选）", "description": vote.description,
            "scope": vote.scope, "opens_at": data["opens_at"], "closes_at": data["closes_at"],
            "require_confirmation": vote.require_confirmation,
            "items": [{"title": f"{item.title}（决选）", "matter": item.matter,
                       "options": [{"code": o, "label": item.label(o)} for o in result.runoff]}]}
    new = create_vote(actor, vote.compound_id, spec, runoff_of=item.id)
    audit.append(chain(vote), actor, "runoff_created", {"item_id": item.id, "runoff_vote_id": new.id,
                                                        "options": result.runoff})
    db.session.commit()
    return new
