"""Renovation projects: who may create, read and work them; the pipeline walked in order with its evidence; the
funding sources to the fen; readiness and the reserve pool; each department's steps and the overdue ones.

Access. A committee creates projects of its own community's compounds and manages them; a street or district
official creates one within their region — several communities' neighbouring compounds renovated together
(连片改造) — and manages the projects of its region. A committee reads a project that covers one of its
compounds. A department account (住建, 发改, …) reads the projects of its region and completes only its
department's steps. A project's ``org`` is the smallest region holding all its compounds.

Completing a step is one conditional UPDATE (``completed_on IS NULL`` and the previous step completed): of two
completions at once the row count lets one win, on SQLite as on PostgreSQL.
"""

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Optional

from sqlalchemy import exists, select, update
from sqlalchemy.orm import aliased

from backend import audit, booking
from backend.errors import Conflict, Forbidden, Invalid, NotFound
from backend.extensions import db
from backend.jurisdiction import bound_unit_ids, require_compound, require_org
from backend.names import (
    RENOVATION_CONTENT_NAMES,
    department_name,
    funding_source_name,
    project_step_name,
)
from backend.roster.models import Compound, Org, Unit
from backend.types import CHINA_TZ, utcnow

from .models import (
    DEFAULT_DEPARTMENTS,
    DEFAULT_THRESHOLD_BP,
    DEPARTMENTS,
    SOURCES,
    STEP_EVIDENCE,
    STEPS,
    TIERS,
    Project,
    ProjectArrival,
    ProjectCompound,
    ProjectFunding,
    ProjectFundingRevision,
    ProjectItem,
    ProjectSetting,
    ProjectStep,
)

OUTSIDE = ("outside_jurisdiction", "该改造项目不在您的管辖范围内")


def local_today():
    return utcnow().astimezone(CHINA_TZ).date()


def chain(project):
    return f"project:{project.id}"


# ---- access ---------------------------------------------------------------------------------------------------


def _in_region(actor, org):
    return actor.org is not None and actor.org.contains(org)


def can_read(actor, project):
    role = getattr(actor, "role", "resident")
    if role == "admin":
        return True
    if role in ("official", "department"):
        return _in_region(actor, project.org)
    if role == "committee":
        return any(c.org_id == actor.org_id for c in project.compounds)
    return False


def can_manage(actor, project):
    role = actor.role
    if role == "admin":
        return True
    if role == "official":
        return _in_region(actor, project.org)
    return role == "committee" and project.org_id == actor.org_id


def get_project(actor, project_id, manage=False):
    """404 unknown; 403 outside the actor's reach (or read-only where ``manage``)."""
    project = db.session.get(Project, project_id)
    if project is None:
        raise NotFound("project_not_found", "找不到该改造项目")
    if not can_read(actor, project):
        raise Forbidden(*OUTSIDE)
    if manage and not can_manage(actor, project):
        raise Forbidden("read_only", "您只能查看，不能修改该改造项目")
    return project


def _region_clause(actor, column):
    """Projects whose org lies in the actor's region (None: everything, for admin)."""
    if actor.role == "admin":
        return None
    return column.in_(select(Org.id).where(Org.path.startswith(actor.org.path)))


def _common_org(compounds):
    """The smallest org whose subtree holds every compound: the deepest common node of their org paths."""
    paths = [[p for p in c.org.path.split("/") if p] for c in compounds]
    common = []
    for parts in zip(*paths, strict=False):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    return db.session.get(Org, int(common[-1]))


def list_projects(actor, org_id=None):
    stmt = select(Project).order_by(Project.id.desc())
    if actor.role == "committee":
        mine = select(ProjectCompound.project_id).join(Compound).where(Compound.org_id == actor.org_id)
        stmt = stmt.where(Project.id.in_(mine))
    else:
        clause = _region_clause(actor, Project.org_id)
        if clause is not None:
            stmt = stmt.where(clause)
    if org_id is not None:
        org = require_org(actor, org_id)
        stmt = stmt.where(Project.org_id.in_(select(Org.id).where(Org.path.startswith(org.path))))
    return stmt


# ---- creating -------------------------------------------------------------------------------------------------


def _check_items(items):
    errors = {}
    for n, item in enumerate(items):
        if item["code"] not in RENOVATION_CONTENT_NAMES[item["tier"]]:
            errors[str(n)] = {"code": ["该类别下没有这项改造内容"]}
    if errors:
        raise Invalid("item_code_unknown", "改造内容与类别不符", {"json": {"items": errors}})


def _item_order(item):
    """Underground before above ground, then function before enhancement (DOMAIN.md §5); stable otherwise."""
    return (not item["underground"], TIERS.index(item["tier"]))


def _add_items(project, items, start=0):
    for n, item in enumerate(sorted(items, key=_item_order), start=start):
        db.session.add(ProjectItem(project_id=project.id, position=n, **item))


def create_project(actor, data):
    ids = list(dict.fromkeys(data["compound_ids"]))
    compounds = [require_compound(actor, cid) for cid in ids]
    for compound in compounds:
        if actor.role == "committee" and compound.org_id != actor.org_id:
            raise Forbidden(*OUTSIDE)
    if actor.role not in ("admin", "official", "committee"):
        raise Forbidden("role_forbidden", "此操作仅限管理员、政府工作人员、社区居委会")
    _check_items(data["items"])
    steps = {s["step"]: s for s in data.get("steps", [])}
    project = Project(
        org_id=_common_org(compounds).id,
        title=data["title"],
        description=data.get("description", ""),
        created_by=audit.actor_label(actor),
    )
    db.session.add(project)
    db.session.flush()
    for compound in compounds:
        db.session.add(ProjectCompound(project_id=project.id, compound_id=compound.id))
    _add_items(project, data["items"])
    for position, code in enumerate(STEPS, start=1):
        given = steps.get(code, {})
        db.session.add(
            ProjectStep(
                project_id=project.id,
                step=code,
                position=position,
                department=given.get("department") or DEFAULT_DEPARTMENTS[code],
                due_on=given.get("due_on"),
                note="",
            )
        )
    audit.append(
        chain(project),
        actor,
        "project_created",
        {"title": project.title, "compound_ids": ids, "items": data["items"], "org_id": project.org_id},
    )
    db.session.commit()
    db.session.refresh(project)
    return project


def add_items(actor, project, items):
    _check_items(items)
    existing = [{"underground": i.underground, "tier": i.tier, "keep": i} for i in project.items]
    for item in items:
        existing.append({**item, "keep": None})
    for n, entry in enumerate(sorted(existing, key=_item_order)):  # renumber: underground first, tiers in order
        if entry["keep"] is not None:
            entry["keep"].position = n
        else:
            db.session.add(
                ProjectItem(project_id=project.id, position=n, **{k: entry[k] for k in entry if k != "keep"})
            )
    audit.append(chain(project), actor, "project_items_added", {"items": items})
    db.session.commit()
    db.session.refresh(project)
    return project


def set_step(actor, project, code, data):
    """Change a step's owning department or due date (managers only)."""
    step = _step(project, code)
    if "department" in data and data["department"] is not None:
        step.department = data["department"]
    if "due_on" in data:
        step.due_on = data["due_on"]
    audit.append(
        chain(project),
        actor,
        "project_step_set",
        {"step": code, "department": step.department, "due_on": step.due_on.isoformat() if step.due_on else None},
    )
    db.session.commit()
    return step


# ---- the pipeline ---------------------------------------------------------------------------------------------


def _step(project, code):
    found = next((s for s in project.steps if s.step == code), None)
    if found is None:
        raise NotFound("step_not_found", "没有这个步骤")
    return found


def _previous(project, step):
    return next((s for s in project.steps if s.position == step.position - 1), None)


def _evidence_survey(project, survey_id):
    from surveys.models import Survey

    survey = db.session.get(Survey, survey_id)
    if survey is None or survey.compound_id not in project.compound_ids:
        raise Invalid("survey_invalid", "找不到本项目小区的这份问卷", {"json": {"survey_id": ["不是本项目小区的问卷"]}})
    if survey.status_at(utcnow()) != "closed":
        raise Invalid("survey_not_closed", f"问卷“{survey.title}”尚未结束，不能作为需求调查的依据")
    return survey


def _evidence_vote_item(project, item_id):
    """An item of one of the project's compounds, announced and passed (read from votes' own tally)."""
    from votes import tally as counting
    from votes.models import VoteItem

    item = db.session.get(VoteItem, item_id)
    if item is None or item.vote.compound_id not in project.compound_ids:
        raise Invalid(
            "vote_item_invalid",
            "找不到本项目小区的这项表决事项",
            {"json": {"vote_item_id": ["不是本项目小区的表决事项"]}},
        )
    vote = item.vote
    tallied = next((i for i in counting.tally(vote).items if i.item_id == item.id), None)
    if vote.status != "announced" or tallied is None or not tallied.passed:
        raise Invalid("vote_item_not_approved", f"表决事项“{item.title}”尚未公告通过，不能作为方案表决的依据")
    return item


def _evidence_campaign(project, campaign_id):
    from funds.campaigns.models import Campaign

    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or campaign.compound_id not in project.compound_ids:
        raise Invalid(
            "campaign_invalid",
            "找不到本项目小区的这个出资项目",
            {"json": {"campaign_id": ["不是本项目小区的出资项目"]}},
        )
    if campaign.status != "open":
        raise Invalid("campaign_not_published", f"出资项目“{campaign.title}”尚未发布，不能作为认捐的依据")
    return campaign


def _may_work(actor, project, step):
    if actor.role == "department":
        if step.department != actor.department or not _in_region(actor, project.org):
            raise Forbidden(
                "step_not_yours", f"“{project_step_name(step.step)}”由{department_name(step.department)}办理"
            )
        return
    if not can_manage(actor, project):
        raise Forbidden("read_only", "您只能查看，不能办理该改造项目的步骤")


def complete_step(actor, project, code, data):
    step = _step(project, code)
    _may_work(actor, project, step)
    name = project_step_name(code)
    if step.completed:
        raise Conflict("step_already_completed", f"“{name}”已于{step.completed_on.isoformat()}办结")
    previous = _previous(project, step)
    if previous is not None and not previous.completed:
        raise Conflict("step_out_of_order", f"请先办结“{project_step_name(previous.step)}”，再办理“{name}”")
    on = data["completed_on"]
    if on > local_today():
        raise Invalid("date_in_future", "办结日期不能晚于今天", {"json": {"completed_on": ["不能晚于今天"]}})
    if previous is not None and on < previous.completed_on:
        raise Invalid(
            "date_before_previous",
            f"办结日期不能早于上一步“{project_step_name(previous.step)}”的日期{previous.completed_on.isoformat()}",
            {"json": {"completed_on": ["早于上一步"]}},
        )
    values = {"evidence_id": None, "document_no": None, "plan_level": None, "plan_year": None}
    kind = STEP_EVIDENCE.get(code, "document")
    campaign = None
    if kind == "survey":
        values["evidence_id"] = _evidence_survey(project, _required(data, "survey_id")).id
    elif kind == "vote_item":
        values["evidence_id"] = _evidence_vote_item(project, _required(data, "vote_item_id")).id
    elif kind == "campaign":
        campaign = _evidence_campaign(project, _required(data, "campaign_id"))
        values["evidence_id"] = campaign.id
    else:
        values["document_no"] = _required(data, "document_no")
    if code == "in_plan":
        values["plan_level"] = _required(data, "plan_level")
        values["plan_year"] = _required(data, "plan_year")
    earlier = aliased(ProjectStep)
    moved = db.session.execute(
        update(ProjectStep)
        .where(ProjectStep.id == step.id, ProjectStep.completed_on.is_(None))
        .where(
            exists().where(
                earlier.project_id == project.id,
                earlier.position == step.position - 1,
                earlier.completed_on.is_not(None),
            )
            if previous is not None
            else True
        )
        .values(
            completed_on=on,
            evidence_kind=kind,
            note=data.get("note") or "",
            completed_by=audit.actor_label(actor),
            completed_at=utcnow(),
            **values,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if not moved:
        db.session.rollback()
        raise Conflict("step_already_completed", f"“{name}”刚被他人办结，请刷新")
    if campaign is not None and campaign.id not in {f.campaign_id for f in fundings_of(project)}:
        db.session.add(_residents_funding(actor, project, campaign))
    audit.append(
        chain(project),
        actor,
        "project_step_completed",
        {"step": code, "completed_on": on.isoformat(), "evidence_kind": kind, **values},
    )
    db.session.commit()
    db.session.expire_all()
    return _step(db.session.get(Project, project.id), code)


def _required(data, key):
    if data.get(key) in (None, ""):
        raise Invalid("evidence_required", "请提供该步骤的依据", {"json": {key: ["该步骤必须填写"]}})
    return data[key]


def current_step(project):
    return next((s for s in project.steps if not s.completed), None)


def is_overdue(step, today=None):
    return not step.completed and step.due_on is not None and step.due_on < (today or local_today())


# ---- funding --------------------------------------------------------------------------------------------------


def fundings_of(project):
    return db.session.scalars(
        select(ProjectFunding).where(ProjectFunding.project_id == project.id).order_by(ProjectFunding.id)
    ).all()


def _residents_funding(actor, project, campaign):
    return ProjectFunding(
        project_id=project.id,
        source="residents",
        party=campaign.title,
        planned_fen=0,
        campaign_id=campaign.id,
        created_by=audit.actor_label(actor),
    )


@dataclass
class FundingRow:
    funding: ProjectFunding
    planned_fen: int
    arrived_fen: int
    pledged_fen: Optional[int] = None  # residents only
    arrivals: list = field(default_factory=list)
    compound_id: Optional[int] = None

    @property
    def arrived_share(self):
        return Fraction(self.arrived_fen, self.planned_fen) if self.planned_fen else None

    @property
    def gap_fen(self):
        return max(0, self.planned_fen - self.arrived_fen)

    def __getattr__(self, name):
        return getattr(self.funding, name)


def funding_rows(project):
    """Each source: planned, arrived (the sum of its arrivals; for residents, the campaign's residents' part and
    the money paid into it), arrived share and gap."""
    from funds.campaigns import services as campaigns
    from funds.campaigns.models import Campaign

    rows = []
    for funding in fundings_of(project):
        if funding.source == "residents":
            campaign = db.session.get(Campaign, funding.campaign_id)
            figures = campaigns.figures(campaign)
            rows.append(
                FundingRow(
                    funding,
                    campaign.residents_part_fen,
                    figures.paid_fen,
                    pledged_fen=figures.pledged_fen,
                    compound_id=campaign.compound_id,
                )
            )
        else:
            arrived = sum(a.signed_fen for a in funding.arrivals)
            rows.append(FundingRow(funding, funding.planned_fen, arrived, arrivals=list(funding.arrivals)))
    return rows


def _summary(rows, **extra):
    planned = sum(r.planned_fen for r in rows)
    arrived = sum(r.arrived_fen for r in rows)
    return {
        **extra,
        "planned_fen": planned,
        "arrived_fen": arrived,
        "arrived_share": Fraction(arrived, planned) if planned else None,
        "gap_fen": max(0, planned - arrived),
    }


def funding_view(project):
    """The sources one by one, then per source code (several utilities add up), then the project's totals. A
    source's gap is planned − arrived, never below zero (money beyond the plan is no gap, and hides none)."""
    rows = funding_rows(project)
    by_source = [
        _summary([r for r in rows if r.source == code], source=code)
        for code in SOURCES
        if any(r.source == code for r in rows)
    ]
    return {
        "project_id": project.id,
        "sources": rows,
        "by_source": by_source,
        **_summary(rows),
        "gap_fen": sum(s["gap_fen"] for s in by_source),
    }


def add_funding(actor, project, data):
    if data["source"] == "residents":
        campaign = _evidence_campaign(project, _required(data, "campaign_id"))
        if campaign.id in {f.campaign_id for f in fundings_of(project)}:
            raise Conflict("campaign_already_linked", "该出资项目已计入本改造项目的居民出资")
        funding = _residents_funding(actor, project, campaign)
    else:
        if data.get("campaign_id") is not None:
            raise Invalid(
                "campaign_not_allowed", "只有居民出资来自出资项目", {"json": {"campaign_id": ["仅限居民出资"]}}
            )
        funding = ProjectFunding(
            project_id=project.id,
            source=data["source"],
            party=data.get("party") or "",
            planned_fen=_required(data, "planned_fen"),
            created_by=audit.actor_label(actor),
        )
    db.session.add(funding)
    db.session.flush()
    audit.append(
        chain(project),
        actor,
        "project_funding_added",
        {
            "funding_id": funding.id,
            "source": funding.source,
            "party": funding.party,
            "planned_fen": funding.planned_fen,
            "campaign_id": funding.campaign_id,
        },
    )
    db.session.commit()
    return funding_view(project)


# Which department's account may book arrivals of which sources (besides the project's managers).
DEPARTMENT_SOURCES = {"finance": ("city_fiscal", "central_provincial"), "ndrc": ("ndrc_budget",)}


def get_funding(actor, project_id, funding_id, managers_only=False):
    """The funding source to write to: the project's managers; for arrivals and their reversals also the
    department accounts of ``DEPARTMENT_SOURCES``; a plan's revision only the managers."""
    project = get_project(actor, project_id)
    funding = db.session.get(ProjectFunding, funding_id)
    if funding is None or funding.project_id != project.id:
        raise NotFound("funding_not_found", "找不到该资金来源")
    if actor.role == "department" and not managers_only:
        if funding.source not in DEPARTMENT_SOURCES.get(actor.department, ()):
            raise Forbidden(
                "funding_not_yours",
                f"{department_name(actor.department)}不能登记{funding_source_name(funding.source)}的到位资金",
            )
    elif not can_manage(actor, project):
        raise Forbidden("read_only", "您只能查看，不能修改该改造项目")
    return project, funding


ARRIVAL_KEYS = ("id", "funding_id", "kind", "amount_fen", "arrived_on", "document_no", "reverses_id", "reason")


def _not_residents(funding):
    if funding.source == "residents":
        raise Conflict("residents_arrive_by_campaign", "居民出资的到位金额来自出资项目的缴款，请在出资项目中登记")


def _not_after_today(day, field_name="arrived_on"):
    if day > local_today():
        raise Invalid("date_in_future", "日期不能晚于今天", {"json": {field_name: ["不能晚于今天"]}})


def _funding_after(project):
    db.session.commit()
    db.session.expire_all()
    return funding_view(db.session.get(Project, project.id))


def _book_arrival(actor, project, action, arrival):
    """Append the arrival (or reversal) in the project's chain, then answer with the funding as it now stands; a
    second reversal at the same moment fails in the booking (uq_project_arrivals_reverses_id)."""
    booking.book(actor, chain(project), action, arrival, ARRIVAL_KEYS)
    return _funding_after(project)


def add_arrival(actor, project, funding, data):
    """Money arrived: appended, never edited (``kind`` = ``reversal`` undoes one, see ``reverse_arrival``)."""
    _not_residents(funding)
    _not_after_today(data["arrived_on"])
    arrival = ProjectArrival(
        funding_id=funding.id,
        amount_fen=data["amount_fen"],
        arrived_on=data["arrived_on"],
        document_no=data.get("document_no") or "",
        created_by=audit.actor_label(actor),
    )
    return _book_arrival(actor, project, "project_funds_arrived", arrival)


def reverse_arrival(actor, project, funding, data):
    """Undo an arrival booked wrongly: a reversal row of the same amount with the reason, dated the day it is
    made (or the day given); the arrival stays as booked. Once per arrival: of two at once the unique
    constraint on ``reverses_id`` lets one win."""
    _not_residents(funding)
    original = booking.reversible(
        ProjectArrival,
        data["reverses"],
        belongs=lambda e: e.funding_id == funding.id,
        may_reverse=lambda e: e.kind == "arrival",
        refusals=booking.REFUSALS,
    )
    day = data.get("arrived_on") or local_today()
    _not_after_today(day)
    reversal = ProjectArrival(
        funding_id=funding.id,
        kind="reversal",
        amount_fen=original.amount_fen,
        arrived_on=day,
        document_no=data.get("document_no") or "",
        reverses_id=original.id,
        reason=data["reason"].strip(),
        created_by=audit.actor_label(actor),
    )
    return _book_arrival(actor, project, "project_arrival_reversed", reversal)


def revise_planned(actor, project, funding, data):
    """A source's planned amount revised (a budget cut, a larger grant): the new figure with its reason, the old
    one kept in the revision history. ``planned_before_fen`` is the figure the user saw: if someone revised it
    meanwhile, the conditional UPDATE changes nothing and the user is asked to look again."""
    if funding.source == "residents":
        raise Conflict(
            "residents_planned_by_campaign", "居民出资的计划金额取自出资项目的居民出资部分，请在出资项目中修改"
        )
    before, after = data["planned_before_fen"], data["planned_fen"]
    if before == after:
        raise Invalid("planned_unchanged", "新的计划金额与原来相同", {"json": {"planned_fen": ["与原金额相同"]}})
    changed = db.session.execute(
        update(ProjectFunding)
        .where(ProjectFunding.id == funding.id, ProjectFunding.planned_fen == before)
        .values(planned_fen=after)
    ).rowcount
    if changed != 1:
        db.session.rollback()
        raise Conflict("planned_changed", "计划金额刚被他人修改，请刷新后再改")
    revision = ProjectFundingRevision(
        funding_id=funding.id,
        planned_before_fen=before,
        planned_fen=after,
        reason=data["reason"].strip(),
        created_by=audit.actor_label(actor),
    )
    db.session.add(revision)
    db.session.flush()
    audit.append(
        chain(project),
        actor,
        "project_funding_revised",
        {"funding_id": funding.id, "revision_id": revision.id, "planned_before_fen": before, "planned_fen": after,
         "reason": revision.reason},
    )  # fmt: skip
    return _funding_after(project)


# ---- readiness and the reserve pool ---------------------------------------------------------------------------


def threshold_bp(compound_id):
    setting = db.session.scalar(select(ProjectSetting).where(ProjectSetting.compound_id == compound_id))
    return setting.pledge_threshold_bp if setting else DEFAULT_THRESHOLD_BP


def get_setting(actor, compound_id):
    compound = require_compound(actor, compound_id)
    return {"compound": compound, "pledge_threshold_bp": threshold_bp(compound.id)}


def put_setting(actor, compound_id, data):
    compound = require_compound(actor, compound_id, manage=True)
    setting = db.session.scalar(select(ProjectSetting).where(ProjectSetting.compound_id == compound.id))
    if setting is None:
        setting = ProjectSetting(compound_id=compound.id, updated_by="")
        db.session.add(setting)
    setting.pledge_threshold_bp = data["pledge_threshold_bp"]
    setting.updated_by, setting.updated_at = audit.actor_label(actor), utcnow()
    audit.append(f"project-settings:{compound.id}", actor, "project_threshold_set", data)
    db.session.commit()
    return {"compound": compound, "pledge_threshold_bp": setting.pledge_threshold_bp}


@dataclass
class Readiness:
    """Whether a project may apply (DOMAIN.md §8), with the figures behind it and what is missing."""

    project: Project
    ready: bool
    pledged_fen: int
    residents_part_fen: int
    compounds: list
    missing: list

    @property
    def pledged_share(self):
        return Fraction(self.pledged_fen, self.residents_part_fen) if self.residents_part_fen else None

    def __getattr__(self, name):
        return getattr(self.project, name)


def readiness(project):
    """Ready to apply when its needs survey is closed (step needs_surveyed done, on a closed survey), its plan
    passed the owners' vote (plan_voted done, on an announced and passed item), and, in every compound it covers,
    the residents' part of the project's campaigns there is pledged to at least that compound's threshold
    (pledged × 10000 ≥ threshold_bp × part, exact) — and it has not applied yet."""
    steps = {s.step: s for s in project.steps}
    missing = []
    if not steps["needs_surveyed"].completed:
        missing.append("needs_surveyed")
    if not steps["plan_voted"].completed:
        missing.append("plan_voted")
    rows = [r for r in funding_rows(project) if r.source == "residents"]
    compounds = []
    for compound in project.compounds:
        mine = [r for r in rows if r.compound_id == compound.id]
        part, pledged = sum(r.planned_fen for r in mine), sum(r.pledged_fen for r in mine)
        bp = threshold_bp(compound.id)
        met = part > 0 and pledged * 10000 >= bp * part
        if not met:
            missing.append(f"pledged:{compound.id}")
        compounds.append(
            {
                "compound": compound,
                "pledged_fen": pledged,
                "residents_part_fen": part,
                "pledged_share": Fraction(pledged, part) if part else None,
                "threshold": Fraction(bp, 10000),
                "met": met,
            }
        )
    if steps["applied"].completed:
        missing.append("already_applied")
    return Readiness(
        project,
        not missing,
        sum(c["pledged_fen"] for c in compounds),
        sum(c["residents_part_fen"] for c in compounds),
        compounds,
        missing,
    )


def reserve_pool(actor, org_id=None):
    """The ready projects of the region (narrowed to ``org_id``), ranked: the residents' pledged share, highest
    first (the households' own commitment), then planned investment, largest first, then the oldest project.
    Among department accounts, development and reform's (发改, which keeps the pool)."""
    if actor.role == "department" and actor.department != "ndrc":
        raise Forbidden("pool_for_ndrc", "储备池由发改部门管理，其他部门请查看本部门的步骤")
    stmt = list_projects(actor, org_id)
    ready = [r for r in (readiness(p) for p in db.session.scalars(stmt)) if r.ready]
    ready.sort(key=lambda r: (-(r.pledged_share or 0), -r.project.planned_investment_fen, r.project.id))
    for rank, row in enumerate(ready, start=1):
        row.rank = rank
    return ready


# ---- departments ----------------------------------------------------------------------------------------------


@dataclass
class StepRow:
    row: ProjectStep
    project: Project
    today: object

    @property
    def overdue(self):
        return is_overdue(self.row, self.today)

    @property
    def ready(self):
        previous = _previous(self.project, self.row)
        return not self.row.completed and (previous is None or previous.completed)

    def __getattr__(self, name):
        return getattr(self.row, name)


def department_steps(actor, overdue=False, open_only=False):
    """A department account's steps of the projects in its region, by due date (none last) then project."""
    today = local_today()
    stmt = (
        select(ProjectStep, Project)
        .join(Project, Project.id == ProjectStep.project_id)
        .where(ProjectStep.department == actor.department)
        .where(_region_clause(actor, Project.org_id))
    )
    if overdue:
        stmt = stmt.where(ProjectStep.completed_on.is_(None), ProjectStep.due_on < today)
    elif open_only:
        stmt = stmt.where(ProjectStep.completed_on.is_(None))
    stmt = stmt.order_by(ProjectStep.due_on.is_(None), ProjectStep.due_on, Project.id, ProjectStep.position)
    return [StepRow(step, project, today) for step, project in db.session.execute(stmt)]


def overdue_counts(actor, org_id=None):
    """Per department, over the projects of the region: its open steps, and those past their due date (dates in
    Beijing time: a step due today is not overdue until tomorrow)."""
    org = require_org(actor, org_id) if org_id is not None else actor.org
    today = local_today()
    stmt = select(ProjectStep).join(Project, Project.id == ProjectStep.project_id)
    if org is not None:
        stmt = stmt.where(Project.org_id.in_(select(Org.id).where(Org.path.startswith(org.path))))
    steps = db.session.scalars(stmt.where(ProjectStep.completed_on.is_(None))).all()
    rows = [
        {
            "department": code,
            "open": sum(1 for s in steps if s.department == code),
            "overdue": sum(1 for s in steps if s.department == code and is_overdue(s, today)),
        }
        for code in DEPARTMENTS
    ]
    return {"org": org, "today": today, "departments": rows, "overdue": sum(r["overdue"] for r in rows)}


# ---- residents ------------------------------------------------------------------------------------------------


def my_projects(resident):
    """The projects covering a compound the resident has a unit in, newest first."""
    unit_ids = bound_unit_ids(resident)
    if not unit_ids:
        return []
    compound_ids = select(Unit.compound_id).where(Unit.id.in_(unit_ids))
    covering = select(ProjectCompound.project_id).where(ProjectCompound.compound_id.in_(compound_ids))
    projects = db.session.scalars(select(Project).where(Project.id.in_(covering)).order_by(Project.id.desc())).all()
    return [resident_view(p, set(unit_ids)) for p in projects]


def household_money(project, unit_ids):
    """What the household put into the project: for each campaign counted as its residents' co-funding, each of
    the household's units there with its share, pledged and paid (the campaign's own figures)."""
    from funds.campaigns import services as campaigns
    from funds.campaigns.models import Campaign

    rows = []
    for funding in fundings_of(project):
        if funding.source != "residents":
            continue
        campaign = db.session.get(Campaign, funding.campaign_id)
        for share in campaigns.shares(campaign):
            if share.unit_id in unit_ids:
                share.campaign_id, share.campaign_title = campaign.id, campaign.title
                rows.append(share)
    return rows


def resident_view(project, unit_ids=frozenset()):
    """The timeline a household reads: each step done (with its date), the one under way, or not yet begun; what
    its money went to — its own payments into the project's co-funding, beside the items they pay for and every
    source's planned and arrived money."""
    current = current_step(project)
    steps = [
        {
            "step": s.step,
            "completed_on": s.completed_on,
            "plan_level": s.plan_level,
            "plan_year": s.plan_year,
            "state": "done" if s.completed else "current" if s is current else "pending",
        }
        for s in project.steps
    ]
    money = funding_view(project)
    return ProjectView(project, steps, my_money=household_money(project, unit_ids), funding=money["by_source"])


@dataclass
class ProjectView:
    """A project as an actor sees it: a department account sees only its department's steps."""

    project: Project
    steps: list
    my_money: list = field(default_factory=list)  # residents only: the household's co-funding
    funding: list = field(default_factory=list)  # residents only: each source's planned and arrived

    def __getattr__(self, name):
        return getattr(self.project, name)


def view(actor, project):
    steps = project.steps
    if actor.role == "department":
        steps = [s for s in steps if s.department == actor.department]
    return ProjectView(project, steps)
