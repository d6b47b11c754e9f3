"""City figures (DOMAIN.md §8): the opening table of the city's survey report, for any region and years, from
live data. Every figure is a count or a sum over compounds, so each one lists the compounds behind it.

The rules, decided here and stated once:

- **Eligible**: the compound model has no eligibility flag, so every compound of the region counts as eligible
  (符合改造政策). Buildings are the distinct building labels of its units, households its units, floor area the
  sum of its units' areas.
- **Planned investment**: the sum of the planned fen of the items of every project covering a compound of the
  region (any year). A project of several compounds (连片改造) shares its money over them by their households
  (``backend.money.allocate``, largest remainder; equally when none has units), so the regions' parts add up
  to the fen.
- **Needing elevators**: a compound covered by a project with an item of the elevator content code
  (``elevator``, 加装电梯); its buildings and households are the compound's.
- **In the central/provincial plan**: a compound covered by a project whose ``in_plan`` step is completed with
  level ``central_provincial`` and a plan year within ``year_from``..``year_to``. **Started** / **completed**:
  such a compound whose project's ``started`` / ``completed`` step is completed, counted under the plan year
  (the report's "已开工*个（其中：*年*个）"). A compound counts once in the totals (per year once per year).
  Start rate = started / in plan; completion rate = completed / in plan — exact Fractions.
- **Funds**: the funding of those in-plan projects (``services.funding_rows``: residents' co-funding from its
  campaign), planned and arrived by source, shared over the project's compounds like the investment.
  Arrived share = arrived / planned; gap = Σ over sources of max(0, planned − arrived), as a project's
  funding view counts it.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Optional

from sqlalchemy import func, select

from backend.errors import Invalid
from backend.extensions import db
from backend.jurisdiction import require_org
from backend.money import allocate
from backend.names import CITY_FIGURE_GROUP_NAMES, city_figure_name, funding_source_name
from backend.roster.models import Compound, Org, Unit

from .models import SOURCES, Project, ProjectCompound

ELEVATOR_CODE = "elevator"
PLAN_LEVEL = "central_provincial"
MAX_YEARS = 30


@dataclass
class CompoundFacts:
    """One compound of the region and what it adds to each figure."""

    compound: Compound
    buildings: int = 0
    households: int = 0
    area_cents: int = 0  # hundredths of m², exact
    planned_fen: int = 0
    elevator: bool = False
    plan_years: set = field(default_factory=set)
    started_years: set = field(default_factory=set)
    completed_years: set = field(default_factory=set)
    plan_fen: int = 0  # planned investment of its in-plan projects
    funds: dict = field(default_factory=dict)  # source → [planned, arrived]

    @property
    def id(self):
        return self.compound.id

    @property
    def name(self):
        return self.compound.name

    @property
    def area(self):
        return Decimal(self.area_cents).scaleb(-2)

    @property
    def in_plan(self):
        return bool(self.plan_years)

    @property
    def started(self):
        return bool(self.started_years)

    @property
    def completed(self):
        return bool(self.completed_years)

    @property
    def funds_planned_fen(self):
        return sum(p for p, _ in self.funds.values())

    @property
    def funds_arrived_fen(self):
        return sum(a for _, a in self.funds.values())

    @property
    def org_name(self):
        return self.compound.org.name


@dataclass
class Figure:
    group: str
    key: str
    kind: str  # count | buildings | households | area | fen | ratio
    value: object
    compounds: int  # how many compounds the figure is counted or summed over
    year: Optional[int] = None
    source: Optional[str] = None

    @property
    def group_name(self):
        return CITY_FIGURE_GROUP_NAMES[self.group]

    @property
    def name(self):
        base = city_figure_name(self.key)
        if self.source:
            base = f"{base}：{funding_source_name(self.source)}"
        return f"{base}（{self.year}年）" if self.year else base

    @property
    def count(self):
        return self.value if self.kind in ("count", "buildings", "households") else None

    @property
    def fen(self):
        return self.value if self.kind == "fen" else None

    @property
    def area_cents(self):
        return self.value if self.kind == "area" else None

    @property
    def area(self):
        return None if self.kind != "area" else Decimal(self.value).scaleb(-2)

    @property
    def ratio(self):
        return self.value if self.kind == "ratio" else None


@dataclass
class CityFigures:
    org: Optional[Org]
    year_from: int
    year_to: int
    compounds: list  # CompoundFacts, by id
    rows: list  # Figure

    @property
    def org_name(self):
        return self.org.name if self.org is not None else "全部"

    @property
    def years(self):
        return list(range(self.year_from, self.year_to + 1))

    def row(self, key, year=None, source=None):
        return next(r for r in self.rows if (r.key, r.year, r.source) == (key, year, source))


# ---- which compounds stand behind each figure --------------------------------------------------------------


def behind(key, year=None, source=None):
    """The predicate choosing the compounds a figure is counted or summed over."""
    if key.startswith("eligible_"):
        return lambda f: True
    if key == "planned_investment":
        return lambda f: f.planned_fen > 0
    if key.startswith("elevator_"):
        return lambda f: f.elevator
    years = {
        "in_plan": "plan_years",
        "start_rate": "plan_years",
        "completion_rate": "plan_years",
        "started": "started_years",
        "completed": "completed_years",
    }
    if key in years:
        attribute = years[key]
        if year is None:
            return lambda f: bool(getattr(f, attribute))
        return lambda f: year in getattr(f, attribute)
    if source is not None:  # funds of one source
        return lambda f: source in f.funds
    return lambda f: f.in_plan  # plan_investment, funds_*, arrived_share


FIGURE_KEYS = (
    "eligible_compounds",
    "eligible_buildings",
    "eligible_households",
    "eligible_area",
    "planned_investment",
    "elevator_compounds",
    "elevator_buildings",
    "elevator_households",
    "in_plan",
    "started",
    "start_rate",
    "completed",
    "completion_rate",
    "plan_investment",
    "funds_planned",
    "funds_arrived",
    "arrived_share",
    "funds_gap",
)


# ---- computing ------------------------------------------------------------------------------------------------


def _years(year_from, year_to):
    from .services import local_today

    year_to = year_to or local_today().year
    year_from = year_from or year_to
    if year_from > year_to or year_to - year_from >= MAX_YEARS:
        raise Invalid("years_invalid", f"年度范围有误：起始年度不能晚于截止年度，且最多{MAX_YEARS}年")
    return year_from, year_to


def region(actor, org_id):
    """The org asked for (within the caller's reach, else 403), or the caller's own root; None for an admin
    without an org: every compound."""
    if org_id is not None:
        return require_org(actor, org_id)
    return actor.org


def _unit_facts(compound_ids):
    """Per compound: distinct buildings, units, floor area."""
    if not compound_ids:
        return {}
    stmt = (
        select(
            Unit.compound_id,
            func.count(func.distinct(Unit.building)),
            func.count(Unit.id),
            func.coalesce(func.sum(Unit.area), 0),
        )
        .where(Unit.compound_id.in_(compound_ids))
        .group_by(Unit.compound_id)
    )
    return {cid: (b, h, int(Decimal(a) * 100)) for cid, b, h, a in db.session.execute(stmt)}


def _share(total, project, households):
    """A project's amount over its compounds by their households (equally when none has units)."""
    ids = project.compound_ids
    weights = [(cid, households.get(cid, 0)) for cid in ids]
    if not any(w for _, w in weights):
        weights = [(cid, 1) for cid in ids]
    return allocate(total, weights)


def compute(actor, org_id=None, year_from=None, year_to=None):
    from .services import _step, funding_rows

    year_from, year_to = _years(year_from, year_to)
    org = region(actor, org_id)
    stmt = select(Compound).order_by(Compound.id)
    if org is not None:
        stmt = stmt.where(Compound.org_id.in_(select(Org.id).where(Org.path.startswith(org.path))))
    compounds = db.session.scalars(stmt).all()
    facts = {c.id: CompoundFacts(c) for c in compounds}
    for cid, (b, h, a) in _unit_facts(list(facts)).items():
        facts[cid].buildings, facts[cid].households, facts[cid].area_cents = b, h, a

    project_ids = select(ProjectCompound.project_id).where(ProjectCompound.compound_id.in_(list(facts)))
    projects = db.session.scalars(select(Project).where(Project.id.in_(project_ids)).order_by(Project.id)).all()
    outside = {cid for p in projects for cid in p.compound_ids} - set(facts)
    households = {cid: f.households for cid, f in facts.items()}
    households.update({cid: h for cid, (_b, h, _a) in _unit_facts(list(outside)).items()})

    for project in projects:
        mine = [facts[cid] for cid in project.compound_ids if cid in facts]
        planned = _share(project.planned_investment_fen, project, households)
        elevator = any(i.code == ELEVATOR_CODE for i in project.items)
        for f in mine:
            f.planned_fen += planned[f.id]
            f.elevator = f.elevator or elevator
        in_plan = _step(project, "in_plan")
        if not (in_plan.completed and in_plan.plan_level == PLAN_LEVEL and year_from <= in_plan.plan_year <= year_to):
            continue
        year = in_plan.plan_year
        started, completed = _step(project, "started").completed, _step(project, "completed").completed
        for f in mine:
            f.plan_years.add(year)
            f.plan_fen += planned[f.id]
            if started:
                f.started_years.add(year)
            if completed:
                f.completed_years.add(year)
        fundings = funding_rows(project)
        for source in SOURCES:
            rows = [r for r in fundings if r.source == source]
            if not rows:
                continue
            p = _share(sum(r.planned_fen for r in rows), project, households)
            a = _share(sum(r.arrived_fen for r in rows), project, households)
            for f in mine:
                sums = f.funds.setdefault(source, [0, 0])
                sums[0] += p[f.id]
                sums[1] += a[f.id]

    ordered = [facts[c.id] for c in compounds]
    return CityFigures(org, year_from, year_to, ordered, _rows(ordered, year_from, year_to))


def _ratio(part, whole):
    return Fraction(part, whole) if whole else None


def _rows(facts, year_from, year_to):
    rows = []

    def add(group, key, kind, value_of, year=None, source=None):
        chosen = [f for f in facts if behind(key, year, source)(f)]
        rows.append(Figure(group, key, kind, value_of(chosen), len(chosen), year, source))

    add("basic", "eligible_compounds", "count", len)
    add("basic", "eligible_buildings", "buildings", lambda fs: sum(f.buildings for f in fs))
    add("basic", "eligible_households", "households", lambda fs: sum(f.households for f in fs))
    add("basic", "eligible_area", "area", lambda fs: sum(f.area_cents for f in fs))
    add("basic", "planned_investment", "fen", lambda fs: sum(f.planned_fen for f in fs))
    add("elevator", "elevator_compounds", "count", len)
    add("elevator", "elevator_buildings", "buildings", lambda fs: sum(f.buildings for f in fs))
    add("elevator", "elevator_households", "households", lambda fs: sum(f.households for f in fs))

    def progress(year=None):
        started, completed = behind("started", year), behind("completed", year)
        add("plan", "in_plan", "count", len, year)
        add("plan", "started", "count", len, year)
        add("plan", "start_rate", "ratio", lambda fs: _ratio(sum(1 for f in fs if started(f)), len(fs)), year)
        add("plan", "completed", "count", len, year)
        add("plan", "completion_rate", "ratio", lambda fs: _ratio(sum(1 for f in fs if completed(f)), len(fs)), year)

    progress()
    for year in range(year_from, year_to + 1):
        progress(year)

    add("funds", "plan_investment", "fen", lambda fs: sum(f.plan_fen for f in fs))
    sources = [s for s in SOURCES if any(s in f.funds for f in facts)]

    def planned(fs, source=None):
        return sum(v[0] for f in fs for s, v in f.funds.items() if source in (None, s))

    def arrived(fs, source=None):
        return sum(v[1] for f in fs for s, v in f.funds.items() if source in (None, s))

    for source in sources:
        add("funds", "funds_planned", "fen", lambda fs, s=source: planned(fs, s), source=source)
    add("funds", "funds_planned", "fen", planned)
    for source in sources:
        add("funds", "funds_arrived", "fen", lambda fs, s=source: arrived(fs, s), source=source)
    add("funds", "funds_arrived", "fen", arrived)
    add("funds", "arrived_share", "ratio", lambda fs: _ratio(arrived(fs), planned(fs)))
    add(
        "funds",
        "funds_gap",
        "fen",
        lambda fs: sum(max(0, planned(fs, s) - arrived(fs, s)) for s in sources),
    )
    return rows


def compounds_behind(figures, key, year=None, source=None):
    """The compounds a figure is counted or summed over, by id."""
    if key not in FIGURE_KEYS:
        raise Invalid("figure_unknown", "没有这个指标")
    if year is not None and year not in figures.years:
        raise Invalid("year_outside", "该年度不在所选年度范围内")
    if source is not None and source not in SOURCES:
        raise Invalid("source_unknown", "没有这个资金来源")
    test = behind(key, year, source)
    return [f for f in figures.compounds if test(f)]


# ---- exports --------------------------------------------------------------------------------------------------


def table(figures):
    """The header and the cells of the CSV and XLSX: one typed column per kind of value."""
    from backend.exports import Column
    from backend.names import CITY_FIGURE_UNIT_NAMES

    header = [
        Column("分组"),
        Column("指标代码"),
        Column("指标"),
        Column("年度", "int"),
        Column("资金来源"),
        Column("数量", "int"),
        Column("金额（元）", "yuan"),
        Column("面积（平方米）", "area"),
        Column("比率", "percent"),
        Column("单位"),
        Column("涉及小区数", "int"),
    ]
    cells = [
        [
            r.group_name,
            r.key,
            r.name,
            r.year,
            r.source,
            r.count,
            r.fen,
            r.area,
            r.ratio,
            CITY_FIGURE_UNIT_NAMES[r.kind],
            r.compounds,
        ]
        for r in figures.rows
    ]
    return header, cells
