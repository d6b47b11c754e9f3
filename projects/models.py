"""Renovation projects (DOMAIN.md §5, §8): the compounds a project covers, its items, its pipeline of steps, its
funding sources with their arrivals, and each compound's readiness threshold.

A project's steps are created with it, one row per step of ``STEPS`` in order. Completing one is an
``UPDATE … WHERE completed_on IS NULL AND <the previous step is completed>``: of two completions at once the
row count lets one win. Arrivals are append-only: a wrong one is undone by a reversal row with a reason, at most
one per arrival (a unique constraint decides between two at once). A source's planned amount may be revised with a
reason; each revision is kept. Survey, vote item and campaign ids are other features' rows
and are not foreign keys here (as management/ does), checked by the services when a step cites them.
"""

from datetime import date, datetime
from typing import Optional

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.extensions import db
from backend.names import (
    ARRIVAL_KIND_NAMES,
    DEPARTMENT_NAMES,
    EVIDENCE_KIND_NAMES,
    FUNDING_SOURCE_NAMES,
    PLAN_LEVEL_NAMES,
    PROJECT_STEP_NAMES,
    RENOVATION_TIER_NAMES,
)
from backend.roster.models import Compound, Org
from backend.types import UTCDateTime, utcnow

TIERS = tuple(RENOVATION_TIER_NAMES)  # basic, improvement, enhancement: function before enhancement
STEPS = tuple(PROJECT_STEP_NAMES)  # the pipeline, in the order it must be walked
PLAN_LEVELS = tuple(PLAN_LEVEL_NAMES)
SOURCES = tuple(FUNDING_SOURCE_NAMES)
DEPARTMENTS = tuple(DEPARTMENT_NAMES)
EVIDENCE_KINDS = tuple(EVIDENCE_KIND_NAMES)
ARRIVAL_KINDS = tuple(ARRIVAL_KIND_NAMES)
# Who owns each step unless the project says otherwise (DOMAIN.md §8): 住建 the plan, start and completion;
# 发改 the reserve pool (the application) and the plan's funding.
DEFAULT_DEPARTMENTS = {
    "needs_surveyed": "housing",
    "plan_voted": "housing",
    "cofunding_pledged": "housing",
    "applied": "ndrc",
    "in_plan": "ndrc",
    "started": "housing",
    "completed": "housing",
    "accepted": "housing",
}
# What each step cites as its evidence; the rest cite a document number.
STEP_EVIDENCE = {"needs_surveyed": "survey", "plan_voted": "vote_item", "cofunding_pledged": "campaign"}
DEFAULT_THRESHOLD_BP = 6000  # 60%: residents' part pledged before a project may apply (local practice)


class Project(db.Model):
    __tablename__ = "projects"
    id: Mapped[int] = mapped_column(primary_key=True)
    # The smallest region holding every compound: their community, or the street/district of a 连片 project.
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    org: Mapped[Org] = relationship()
    links: Mapped[list["ProjectCompound"]] = relationship(order_by="ProjectCompound.compound_id", lazy="selectin")
    items: Mapped[list["ProjectItem"]] = relationship(order_by="ProjectItem.position", lazy="selectin")
    steps: Mapped[list["ProjectStep"]] = relationship(order_by="ProjectStep.position", lazy="selectin")

    @property
    def compounds(self):
        return [link.compound for link in self.links]

    @property
    def compound_ids(self):
        return [link.compound_id for link in self.links]

    @property
    def planned_investment_fen(self):
        return sum(i.planned_fen for i in self.items)


class ProjectCompound(db.Model):
    __tablename__ = "project_compounds"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)

    compound: Mapped[Compound] = relationship(lazy="selectin")

    __table_args__ = (UniqueConstraint("project_id", "compound_id"),)


class ProjectItem(db.Model):
    """One work of the project: a §5 content code in its tier, planned investment in fen, underground or not."""

    __tablename__ = "project_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    tier: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200), default="")
    underground: Mapped[bool] = mapped_column(default=False)
    planned_fen: Mapped[int]
    position: Mapped[int]  # the list's order: underground first, then basic, improvement, enhancement

    __table_args__ = (
        CheckConstraint(f"tier IN {TIERS}", name="tier"),
        CheckConstraint("planned_fen >= 0", name="planned"),
    )


class ProjectStep(db.Model):
    __tablename__ = "project_steps"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    step: Mapped[str] = mapped_column(String(24))
    position: Mapped[int]
    department: Mapped[str] = mapped_column(String(24), index=True)
    due_on: Mapped[Optional[date]] = mapped_column(Date)
    completed_on: Mapped[Optional[date]] = mapped_column(Date)
    evidence_kind: Mapped[Optional[str]] = mapped_column(String(16))
    evidence_id: Mapped[Optional[int]]  # the survey, vote item or campaign
    document_no: Mapped[Optional[str]] = mapped_column(String(100))
    plan_level: Mapped[Optional[str]] = mapped_column(String(24))
    plan_year: Mapped[Optional[int]]
    note: Mapped[str] = mapped_column(Text, default="")
    completed_by: Mapped[Optional[str]] = mapped_column(String(100))
    completed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("project_id", "step"),
        UniqueConstraint("project_id", "position"),
        CheckConstraint(f"step IN {STEPS}", name="step"),
        CheckConstraint(f"department IN {DEPARTMENTS}", name="department"),
        CheckConstraint(f"evidence_kind IS NULL OR evidence_kind IN {EVIDENCE_KINDS}", name="evidence_kind"),
        CheckConstraint(f"plan_level IS NULL OR plan_level IN {PLAN_LEVELS}", name="plan_level"),
        CheckConstraint("(completed_on IS NULL) = (evidence_kind IS NULL)", name="evidence"),
    )

    @property
    def completed(self):
        return self.completed_on is not None


class ProjectFunding(db.Model):
    """A source of money: planned here, arrived as the sum of its arrivals — except residents' co-funding, whose
    planned part and arrived money are its campaign's residents' part and paid money."""

    __tablename__ = "project_fundings"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    source: Mapped[str] = mapped_column(String(24))
    party: Mapped[str] = mapped_column(String(100), default="")  # e.g. 国网供电公司, for utilities
    planned_fen: Mapped[int] = mapped_column(default=0)
    campaign_id: Mapped[Optional[int]]
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    arrivals: Mapped[list["ProjectArrival"]] = relationship(order_by="ProjectArrival.id", lazy="selectin")
    revisions: Mapped[list["ProjectFundingRevision"]] = relationship(
        order_by="ProjectFundingRevision.id", lazy="selectin"
    )

    __table_args__ = (
        UniqueConstraint("project_id", "campaign_id"),
        CheckConstraint(f"source IN {SOURCES}", name="source"),
        CheckConstraint("planned_fen >= 0", name="planned"),
        CheckConstraint("(source = 'residents') = (campaign_id IS NOT NULL)", name="campaign"),
    )


class ProjectArrival(db.Model):
    """Money that arrived from a source, never edited; a reversal row (same amount, counted negative) undoes one."""

    __tablename__ = "project_arrivals"
    id: Mapped[int] = mapped_column(primary_key=True)
    funding_id: Mapped[int] = mapped_column(ForeignKey("project_fundings.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="arrival")
    amount_fen: Mapped[int]
    arrived_on: Mapped[date] = mapped_column(Date)
    document_no: Mapped[str] = mapped_column(String(100), default="")
    reverses_id: Mapped[Optional[int]] = mapped_column(ForeignKey("project_arrivals.id"))
    reason: Mapped[Optional[str]] = mapped_column(String(255))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("reverses_id"),  # reversed at most once, however many press the button
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        CheckConstraint(f"kind IN {ARRIVAL_KINDS}", name="kind"),
        CheckConstraint("(kind = 'reversal') = (reverses_id IS NOT NULL)", name="reversal_link"),
        CheckConstraint("(kind = 'reversal') = (reason IS NOT NULL)", name="reversal_reason"),
    )

    # The reversal that undid this arrival, if any (at most one: the unique constraint).
    reversal: Mapped[Optional["ProjectArrival"]] = relationship(
        primaryjoin="ProjectArrival.id == foreign(ProjectArrival.reverses_id)", uselist=False, viewonly=True
    )

    @property
    def reversed(self):
        return self.reversal is not None

    @property
    def signed_fen(self):
        return -self.amount_fen if self.kind == "reversal" else self.amount_fen


class ProjectFundingRevision(db.Model):
    """A source's planned amount changed, with why: the funding row holds the current figure, these its history."""

    __tablename__ = "project_funding_revisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    funding_id: Mapped[int] = mapped_column(ForeignKey("project_fundings.id"), index=True)
    planned_before_fen: Mapped[int]
    planned_fen: Mapped[int]
    reason: Mapped[str] = mapped_column(String(255))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (CheckConstraint("planned_fen >= 0", name="planned"),)


class ProjectSetting(db.Model):
    """A compound's readiness threshold: the share of the residents' part pledged before its project may apply."""

    __tablename__ = "project_settings"
    id: Mapped[int] = mapped_column(primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), unique=True)
    pledge_threshold_bp: Mapped[int] = mapped_column(default=DEFAULT_THRESHOLD_BP)  # basis points: 6000 = 60%
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (CheckConstraint("pledge_threshold_bp > 0 AND pledge_threshold_bp <= 10000", name="threshold"),)
