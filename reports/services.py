"""Officials' consent-rate report: one row per vote item in the caller's region, tallied in SQL a page of votes at a time."""

from datetime import datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from backend.exports import Column
from backend.extensions import db
from backend.jurisdiction import org_filter, require_org
from backend.names import matter_name, status_name
from backend.roster.models import Compound, Org
from backend.roster.places import place_names
from backend.types import CHINA_TZ
from votes import tally as counting
from votes.models import Vote

from .schemas import ConsentRow

BATCH = 200  # votes tallied per aggregate query while streaming
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


def _places(votes):
    return place_names(v.compound.org for v in votes)


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


def consent_rows(actor, org_id=None, start=None, end=None):
    """Yield one dict per vote item; the jurisdiction check runs before the first row is asked for."""
    ids = db.session.scalars(votes_query(actor, org_id, start, end)).all()

    def generate():
        for n in range(0, len(ids), BATCH):
            # Each row prints its compound and the compound's community: loaded with the batch, not per vote.
            votes = counting.load_votes(
                select(Vote)
                .where(Vote.id.in_(ids[n : n + BATCH]))
                .options(selectinload(Vote.compound).selectinload(Compound.org))
                .order_by(Vote.compound_id, Vote.id)
            )
            places, tallies = _places(votes), counting.tally_votes(votes)
            for vote in votes:
                for item in tallies[vote.id].items:
                    yield _row(vote, places[vote.compound.org_id], item)

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
