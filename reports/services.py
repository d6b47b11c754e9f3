"""Officials' consent-rate report: one row per vote item in the caller's region, tallied in SQL by one aggregate streamed a vote at a time."""

from datetime import datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from backend.exports import Column
from backend.extensions import db
from backend.jurisdiction import org_filter, require_org
from backend.names import matter_name, status_name
from backend.roster.models import Compound, Org
from backend.roster.places import place_names
from backend.types import CHINA_TZ
from votes import tally as counting
from votes.models import Vote, VoteItem

from .schemas import ConsentRow

ROW = ConsentRow()
COLUMNS = [
    ("district", "区县"),
    ("street", "街道"),
    ("community", "社区"),
    ("compound", "小区"),
    ("vote", "表决"),
    ("item", "事项"),
    ("matter", "事项类别"),
    ("scope", "表决范围"),
    ("status", "状态"),
    ("electorate_owners", "应参与业主人数", "int"),
    ("electorate_area", "应参与专有部分面积（平方米）", "area"),
    ("participation_owners_ratio", "参与人数比例", "percent"),
    ("participation_area_ratio", "参与面积比例", "percent"),
    ("consent_owners_ratio", "同意人数比例", "percent"),
    ("consent_area_ratio", "同意面积比例", "percent"),
    ("passed", "是否通过"),
]
HEADER = [Column(*spec[1:]) for spec in COLUMNS]


def _local_midnight(day):
    return datetime.combine(day, time.min, CHINA_TZ)


def votes_query(actor, org_id=None, start=None, end=None):
    """Published votes in the region; dates match when the vote closed (or is due to close while open)."""
    stmt = select(Vote.id).join(Compound, Compound.id == Vote.compound_id).where(Vote.status != "draft")
    if org_id is not None:
        org = require_org(actor, org_id)
        stmt = stmt.where(Compound.org_id.in_(select(Org.id).where(Org.path.startswith(org.path))))
    clause = org_filter(actor, Compound.org_id)
    if clause is not None:
        stmt = stmt.where(clause)
    closed = func.coalesce(Vote.closed_at, Vote.closes_at)
    if start:
        stmt = stmt.where(closed >= _local_midnight(start))
    if end:
        stmt = stmt.where(closed < _local_midnight(end + timedelta(days=1)))
    return stmt.order_by(Vote.compound_id, Vote.id)


def _row(vote, place, item):
    """Exact figures (``ConsentRow`` rounds the ratios for display)."""
    consent = item.shown
    return {
        "vote_id": vote.id,
        "item_id": item.item_id,
        "district": place[0],
        "street": place[1],
        "community": place[2],
        "compound": vote.compound.name,
        "vote": vote.title,
        "item": item.title,
        "matter": item.matter,
        "scope": vote.scope_text,
        "status": vote.status_at(),
        "electorate_owners": vote.electorate_owners,
        "electorate_area": vote.electorate_area_cents,
        "participation_owners_ratio": item.participation.owners_ratio,
        "participation_area_ratio": item.participation.area_ratio,
        "consent_owners_ratio": consent.owners_ratio if consent else None,
        "consent_area_ratio": consent.area_ratio if consent else None,
        "passed": item.passed,
    }


def _items_query(votes):
    """The report's rows: vote items of ``votes`` (a ``votes_query``), in report order."""
    chosen = votes.order_by(None).subquery()
    return (
        select(VoteItem.id, VoteItem.vote_id)
        .join(Vote, Vote.id == VoteItem.vote_id)
        .where(VoteItem.vote_id.in_(select(chosen.c.id)))
        .order_by(Vote.compound_id, Vote.id, VoteItem.position, VoteItem.id)
    )


def consent_page(actor, org_id=None, start=None, end=None, page=1, per_page=50):
    """One page of rows (vote items) and the number of rows in all: (rows, total)."""
    items = _items_query(votes_query(actor, org_id, start, end))
    total = db.session.scalar(select(func.count()).select_from(items.order_by(None).subquery()))
    found = db.session.execute(items.limit(per_page).offset((page - 1) * per_page)).all()
    if not found:
        return [], total
    chosen = select(Vote.id).where(Vote.id.in_({vote_id for _, vote_id in found}))
    return list(_rows(chosen.order_by(Vote.compound_id, Vote.id), {item_id for item_id, _ in found})), total


def consent_rows(actor, org_id=None, start=None, end=None):
    """Yield one dict per vote item; the jurisdiction check runs before the first row is asked for.

    A constant number of statements whatever the region's size: the votes with their compounds and communities,
    their items, the place names, and one aggregate streamed a vote at a time (``tally.stream_figures``)."""
    return _rows(votes_query(actor, org_id, start, end))


def _rows(chosen, item_ids=None):
    """Rows for the votes ``chosen`` (a select of Vote.id in report order), only ``item_ids`` when given."""

    def generate():
        ids = chosen.order_by(None).subquery()
        votes = db.session.scalars(
            select(Vote)
            .join(Vote.compound)
            .join(Compound.org)
            .where(Vote.id.in_(select(ids.c.id)))
            .options(contains_eager(Vote.compound).contains_eager(Compound.org))
            .order_by(Vote.compound_id, Vote.id)
        ).all()
        if not votes:
            return
        items = select(VoteItem).where(VoteItem.vote_id.in_(select(ids.c.id)))
        if item_ids is not None:
            items = items.where(VoteItem.id.in_(item_ids))
        by_vote = {}
        for item in db.session.scalars(items.order_by(VoteItem.vote_id, VoteItem.position, VoteItem.id)):
            by_vote.setdefault(item.vote_id, []).append(item)
        places = place_names({v.compound.org for v in votes})
        figures = counting.stream_figures(votes)
        try:
            for vote in votes:
                counts = figures.of(vote.id)
                electorate = counting.electorate_of(vote)
                for item in by_vote.get(vote.id, []):
                    tallied = counting.tally_item(item, electorate, counts.get(item.id, {}))
                    yield _row(vote, places[vote.compound.org_id], tallied)
        finally:  # also when the download is abandoned half way: the fetching thread stops with it
            figures.close()

    return generate()


def table_cells(row):
    """A row as the CSV/XLSX shows it: the JSON's figures, Chinese names, 是/否, empty for a consultation."""
    shown = {
        **ROW.dump(row),
        "matter": matter_name(row["matter"]),
        "status": status_name(row["status"]),
        "passed": {True: "是", False: "否", None: ""}[row["passed"]],
    }
    return [shown[spec[0]] for spec in COLUMNS]
