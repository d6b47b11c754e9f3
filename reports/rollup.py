"""Roll-ups along the tree (city → district → street → community → compound) for officials (issue 12).

Every figure is first computed per compound of the caller's region by a fixed set of aggregate queries grouped by
compound (never one query per compound; the votes' counts come from one aggregate streamed a vote at a time, as the
consent-rate report reads them, and each item is decided by ``votes.tally``), then
summed up the org tree through the orgs' materialised paths. A level is the exact sum of the level below: every
figure here is an integer count or amount, and each rate is recomputed from the summed integers as an exact
Fraction (never an average of rates).

Rules reused, not restated: vote outcomes from ``votes.tally``; a survey's response rate is responses over the
households in its scope (``surveys/results.py``); a campaign's gap is max(0, residents' part − paid) as
``funds.campaigns.services.figures`` says, over its frozen shares; a unit's fund account (due at the rate in force
today, paid = deposits − reversals, outstanding = max(0, due − paid)) with ``funds.ledger.accounts``' own functions;
fee collection for one month by ``management.fees.dues.collection`` itself; a compound never recorded is
model none and 失管 (``management.services.state_of``).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from sqlalchemy import case, func, select

from backend.charts import bar_chart
from backend.errors import Invalid
from backend.exports import Column
from backend.extensions import db
from backend.jurisdiction import org_filter, require_org
from backend.money import yuan_display
from backend.names import org_level_name
from backend.roster.models import Compound, HouseholdBinding, Org, Unit, unit_area_cents
from backend.types import CHINA_TZ, utcnow
from funds.campaigns.models import Campaign, CampaignShare, CampaignSubsidy, PaymentEntry, Pledge
from funds.ledger import accounts as ledger
from funds.ledger.models import FundEntry, FundRate
from management.fees import dues as fee_dues
from management.models import MODELS, ManagementState
from projects.problem_models import ConstructionProblem
from surveys.models import Participation as SurveyParticipation
from surveys.models import Survey
from votes import tally as counting
from votes.models import Vote, VoteItem

# Every summed figure, in the order the table and the exports show them: (name, Chinese header, column kind).
# Areas are hundredths of m², money is fen.
COUNTS = [
    ("compounds", "小区数", "int"),
    ("buildings", "楼栋数", "int"),
    ("units", "房屋套数", "int"),
    ("units_bound", "已绑定业主的房屋", "int"),
    ("votes", "表决数", "int"),
    ("items", "表决事项数", "int"),
    ("items_passed", "通过的事项", "int"),
    ("items_failed_participation", "参与不足未通过", "int"),
    ("items_failed_consent", "同意不足未通过", "int"),
    ("electorate_owners", "应参与业主人次", "int"),
    ("electorate_area", "应参与面积（平方米）", "area"),
    ("participating_owners", "参与业主人次", "int"),
    ("participating_area", "参与面积（平方米）", "area"),
    ("consenting_owners", "同意业主人次", "int"),
    ("consenting_area", "同意面积（平方米）", "area"),
    ("surveys", "问卷数", "int"),
    ("survey_responses", "问卷回答数", "int"),
    ("survey_audience", "问卷应答户数", "int"),
    ("cofund_campaigns", "共同出资项目数", "int"),
    ("cofund_target_fen", "出资总额", "yuan"),
    ("cofund_subsidy_fen", "财政等补助", "yuan"),
    ("cofund_pledged_fen", "业主已认捐", "yuan"),
    ("cofund_paid_fen", "业主已缴款", "yuan"),
    ("cofund_gap_fen", "资金缺口", "yuan"),
    ("fund_due_fen", "维修资金应缴", "yuan"),
    ("fund_paid_fen", "维修资金已缴", "yuan"),
    ("fund_covered_fen", "维修资金已缴（计至应缴）", "yuan"),
    ("fund_outstanding_fen", "维修资金欠缴", "yuan"),
    ("fund_units_paid", "维修资金已缴足户数", "int"),
    ("model_professional", "专业物业公司", "int"),
    ("model_quasi", "社区准物业", "int"),
    ("model_self_managed", "业主自治", "int"),
    ("model_none", "尚未选择管理模式", "int"),
    ("unmanaged", "失管小区", "int"),
    ("fee_units_charged", "物业费计费户数", "int"),
    ("fee_units_paid", "物业费缴清户数", "int"),
    ("problems_unclosed", "未办结的施工问题", "int"),
]
COUNT_NAMES = [c[0] for c in COUNTS]
# Rates: (name, header, numerator, denominator), recomputed from the sums.
RATES = [
    ("binding_rate", "业主绑定率", "units_bound", "units"),
    ("participation_owners_rate", "参与人数比例", "participating_owners", "electorate_owners"),
    ("participation_area_rate", "参与面积比例", "participating_area", "electorate_area"),
    ("consent_owners_rate", "同意人数比例", "consenting_owners", "participating_owners"),
    ("consent_area_rate", "同意面积比例", "consenting_area", "participating_area"),
    ("response_rate", "问卷回答率", "survey_responses", "survey_audience"),
    ("cofund_paid_rate", "业主缴款占出资总额比例", "cofund_paid_fen", "cofund_target_fen"),
    ("fund_collection_rate", "维修资金缴存率", "fund_covered_fen", "fund_due_fen"),
    ("fee_collection_rate", "物业费收缴率", "fee_units_paid", "fee_units_charged"),
]
RATE_NAMES = [r[0] for r in RATES]
# Figures a compound list may be asked for: every count and amount (a compound is listed when its value is > 0).
FIGURE_NAMES = COUNT_NAMES


@dataclass
class Filters:
    start: object = None
    end: object = None
    matter: str = None
    status: str = None


def _zero():
    return dict.fromkeys(COUNT_NAMES, 0)


def rates(figures):
    """The rates of summed figures, exact; None where the denominator is zero."""
    return {name: Fraction(figures[num], figures[den]) if figures[den] else None for name, _, num, den in RATES}


def with_rates(figures):
    return {**figures, **rates(figures)}


def add(into, figures):
    for key, value in figures.items():
        into[key] += value
    return into


# --- per compound ------------------------------------------------------------------------------------------


def _local_midnight(day):
    return datetime.combine(day, time.min, CHINA_TZ)


# A unit's area as whole hundredths of m², read as an integer; the area itself (a Decimal) is rebuilt only once per
# distinct value.
AREA_CENTS = unit_area_cents().label("area_cents")


def _square_metres(cents):
    return Decimal(cents).scaleb(-2)


def _roster(found, ids_sub):
    """Units and buildings per compound (one row per building: a city has a few thousand), owner-bound units."""
    per_building = (
        select(Unit.compound_id, func.count())
        .where(Unit.compound_id.in_(ids_sub))
        .group_by(Unit.compound_id, Unit.building)
    )
    for cid, count in db.session.execute(per_building):
        found[cid]["units"] += count
        found[cid]["buildings"] += 1
    bound = (
        select(Unit.compound_id, func.count(func.distinct(Unit.id)))
        .join(HouseholdBinding, HouseholdBinding.unit_id == Unit.id)
        .where(
            Unit.compound_id.in_(ids_sub),
            HouseholdBinding.status == "active",
            HouseholdBinding.relation == "owner",
        )
        .group_by(Unit.compound_id)
    )
    for cid, n in db.session.execute(bound):
        found[cid]["units_bound"] = int(n)


def _closing_window(stmt, closed, filters):
    if filters.start:
        stmt = stmt.where(closed >= _local_midnight(filters.start))
    if filters.end:
        stmt = stmt.where(closed < _local_midnight(filters.end + timedelta(days=1)))
    return stmt


def _votes(found, ids_sub, filters):
    """Published votes closing in the range (status and matter filters); outcomes only once a vote has closed.

    A fixed number of statements whatever the number of votes: the votes, their items, and their counts from one
    aggregate streamed a vote at a time (``tally.stream_figures``, as the consent-rate report reads them); each item
    is then decided by ``tally.tally_item``, so held / passed / failed are exactly what a vote's own tally says."""
    chosen = select(Vote.id).where(Vote.compound_id.in_(ids_sub), Vote.status != "draft")
    chosen = _closing_window(chosen, func.coalesce(Vote.closed_at, Vote.closes_at), filters)
    now = utcnow()
    if filters.status:
        chosen = chosen.where(Vote.in_status(filters.status, now))
    if filters.matter:
        chosen = chosen.where(Vote.id.in_(select(VoteItem.vote_id).where(VoteItem.matter == filters.matter)))
    ids = chosen.subquery()
    votes = db.session.scalars(select(Vote).where(Vote.id.in_(select(ids.c.id))).order_by(Vote.compound_id, Vote.id))
    votes = votes.all()
    if not votes:
        return
    items = select(VoteItem).where(VoteItem.vote_id.in_(select(ids.c.id)))
    if filters.matter:
        items = items.where(VoteItem.matter == filters.matter)
    by_vote = defaultdict(list)
    for item in db.session.scalars(items.order_by(VoteItem.vote_id, VoteItem.position, VoteItem.id)):
        by_vote[item.vote_id].append(item)
    figures = counting.stream_figures(votes)
    try:
        for vote in votes:
            counts = figures.of(vote.id)  # asked in the stream's (compound, vote) order
            _count_vote(found[vote.compound_id], vote, by_vote[vote.id], counts, now)
    finally:
        figures.close()


def _count_vote(f, vote, items, counts, now):
    decided = vote.status_at(now) in ("closed", "announced")
    electorate = counting.electorate_of(vote)
    f["votes"] += 1
    for item in items:
        item = counting.tally_item(item, electorate, counts.get(item.id, {}))
        f["items"] += 1
        f["electorate_owners"] += vote.electorate_owners
        f["electorate_area"] += vote.electorate_area_cents
        f["participating_owners"] += item.participation.owners
        f["participating_area"] += item.participation.area
        shown = item.shown  # as the consent-rate report states it: the winner, else the leading option
        if shown is not None:
            f["consenting_owners"] += shown.owners
            f["consenting_area"] += shown.area
        if decided and not item.consultation:
            if item.passed:
                f["items_passed"] += 1
            elif not item.participation.met:
                f["items_failed_participation"] += 1
            else:
                f["items_failed_consent"] += 1


def _surveys(found, ids_sub, filters):
    """Published surveys closing in the range: responses over the households in each survey's scope."""
    stmt = select(Survey.id).where(Survey.compound_id.in_(ids_sub), Survey.status != "draft")
    survey_ids = _closing_window(stmt, func.coalesce(Survey.closed_at, Survey.closes_at), filters)
    audience = (
        select(Survey.compound_id, func.count(func.distinct(Survey.id)), func.count(Unit.id))
        .select_from(Survey)
        .outerjoin(
            Unit,
            (Unit.compound_id == Survey.compound_id)
            & ((Survey.scope_building.is_(None)) | (Survey.scope_building == Unit.building))
            & ((Survey.scope_entrance.is_(None)) | (Survey.scope_entrance == Unit.entrance)),
        )
        .where(Survey.id.in_(survey_ids))
        .group_by(Survey.compound_id)
    )
    for cid, surveys, households in db.session.execute(audience):
        found[cid]["surveys"] = int(surveys)
        found[cid]["survey_audience"] = int(households)
    responses = (
        select(Survey.compound_id, func.count(SurveyParticipation.id))
        .join(SurveyParticipation, SurveyParticipation.survey_id == Survey.id)
        .where(Survey.id.in_(survey_ids))
        .group_by(Survey.compound_id)
    )
    for cid, n in db.session.execute(responses):
        found[cid]["survey_responses"] = int(n)


def _cofunding(found, ids_sub):
    """Published campaigns: target, subsidies, pledged and paid over the frozen shares, gap per campaign."""
    campaigns = db.session.execute(
        select(Campaign.id, Campaign.compound_id, Campaign.total_cost_fen).where(
            Campaign.compound_id.in_(ids_sub), Campaign.status != "draft"
        )
    ).all()
    if not campaigns:
        return
    published = select(Campaign.id).where(Campaign.compound_id.in_(ids_sub), Campaign.status != "draft")
    subsidy = dict(
        db.session.execute(
            select(CampaignSubsidy.campaign_id, func.sum(CampaignSubsidy.amount_fen))
            .where(CampaignSubsidy.campaign_id.in_(published))
            .group_by(CampaignSubsidy.campaign_id)
        ).all()
    )
    in_shares = (CampaignShare.campaign_id == Pledge.campaign_id) & (CampaignShare.unit_id == Pledge.unit_id)
    pledged = dict(
        db.session.execute(
            select(Pledge.campaign_id, func.sum(Pledge.amount_fen))
            .join(CampaignShare, in_shares)
            .where(Pledge.campaign_id.in_(published))
            .group_by(Pledge.campaign_id)
        ).all()
    )
    signed = case((PaymentEntry.kind == "reversal", -PaymentEntry.amount_fen), else_=PaymentEntry.amount_fen)
    paid_in_shares = (CampaignShare.campaign_id == PaymentEntry.campaign_id) & (
        CampaignShare.unit_id == PaymentEntry.unit_id
    )
    paid = dict(
        db.session.execute(
            select(PaymentEntry.campaign_id, func.sum(signed))
            .join(CampaignShare, paid_in_shares)
            .where(PaymentEntry.campaign_id.in_(published))
            .group_by(PaymentEntry.campaign_id)
        ).all()
    )
    for campaign_id, cid, total in campaigns:
        f = found[cid]
        part = total - int(subsidy.get(campaign_id) or 0)
        paid_fen = int(paid.get(campaign_id) or 0)
        f["cofund_campaigns"] += 1
        f["cofund_target_fen"] += total
        f["cofund_subsidy_fen"] += int(subsidy.get(campaign_id) or 0)
        f["cofund_pledged_fen"] += int(pledged.get(campaign_id) or 0)
        f["cofund_paid_fen"] += paid_fen
        f["cofund_gap_fen"] += max(0, part - paid_fen)


def _fund(found, ids_sub):
    """Each unit's account today, as ``funds.ledger.accounts.compound_accounts`` gives it, for the whole region in
    three queries (rates; the units of compounds with a rate, alike in building and area; deposits less reversals
    per unit that has any). A unit without entries owes its whole due; a compound without a rate owes nothing."""
    rates = defaultdict(list)
    for rate in db.session.scalars(
        select(FundRate).where(FundRate.compound_id.in_(ids_sub)).order_by(FundRate.effective_from, FundRate.id)
    ):
        rates[rate.compound_id].append(rate)
    day = ledger.today()
    rate_at, dues = {}, {}

    def due(cid, building, area):
        """The unit's due as ``ledger.due_of`` gives it, figured once per rate and area."""
        if (cid, building) not in rate_at:
            rate_at[(cid, building)] = ledger.rate_on(rates[cid], building, day)
        rate = rate_at[(cid, building)]
        key = (rate.rate_fen_per_m2 if rate else None, area)
        if key not in dues:
            dues[key] = ledger.due_of(rate, _square_metres(area))
        return dues[key]

    rated = select(FundRate.compound_id).where(FundRate.compound_id.in_(ids_sub))
    units = (
        select(Unit.compound_id, Unit.building, AREA_CENTS, func.count())
        .where(Unit.compound_id.in_(rated))
        .group_by(Unit.compound_id, Unit.building, AREA_CENTS)
    )
    for cid, building, area, count in db.session.execute(units):
        f = found[cid]
        f["fund_due_fen"] += count * due(cid, building, area)
        f["fund_outstanding_fen"] += count * due(cid, building, area)
    # Deposits less reversals per unit that has any, then counted by (place, area, amount): units that paid alike
    # are one row.
    paid_kinds = [kind for kind, (key, _) in ledger.SIGNED.items() if key == "paid"]
    negative = [kind for kind in paid_kinds if ledger.SIGNED[kind][1] < 0]
    signed = case((FundEntry.kind.in_(negative), -FundEntry.amount_fen), else_=FundEntry.amount_fen)
    per_unit = (
        select(Unit.compound_id, Unit.building, AREA_CENTS, func.sum(signed).label("paid"))
        .join(Unit, Unit.id == FundEntry.unit_id)
        .where(FundEntry.compound_id.in_(ids_sub), FundEntry.kind.in_(paid_kinds))
        .group_by(FundEntry.unit_id, Unit.compound_id, Unit.building, Unit.area)
        .subquery()
    )
    alike = select(
        per_unit.c.compound_id, per_unit.c.building, per_unit.c.area_cents, per_unit.c.paid, func.count()
    ).group_by(per_unit.c.compound_id, per_unit.c.building, per_unit.c.area_cents, per_unit.c.paid)
    for cid, building, area, paid, count in db.session.execute(alike):
        paid, owed = int(paid or 0), due(cid, building, area)
        covered = owed - max(0, owed - paid)  # paid, up to the unit's due
        f = found[cid]
        f["fund_paid_fen"] += count * paid
        f["fund_outstanding_fen"] -= count * covered  # counted above as owing its whole due
        f["fund_covered_fen"] += count * covered
        f["fund_units_paid"] += count * (paid > 0 and paid >= owed)  # the account's status "paid"


def fee_period(end=None):
    """The month officials watch: this month, or December of the end date's year when that year is over."""
    current = fee_dues.current_period()
    return current if end is None else min(f"{end.year:04d}-12", current)


def _management(found, compound_ids, ids_sub, period):
    states = {
        s.compound_id: s
        for s in db.session.scalars(select(ManagementState).where(ManagementState.compound_id.in_(ids_sub)))
    }
    for cid in compound_ids:
        state = states.get(cid)
        model = state.model if state else "none"  # never recorded: model none, nobody responsible (失管)
        found[cid][f"model_{model}"] += 1
        found[cid]["unmanaged"] += state.unmanaged if state else 1
    units = {cid: found[cid]["units"] for cid in compound_ids}
    for cid, (charged, paid) in fee_dues.collection(ids_sub, period, units).items():
        found[cid]["fee_units_charged"] += charged
        found[cid]["fee_units_paid"] += paid


def _problems(found, ids_sub):
    """Construction-problem reports not yet closed (awaiting an answer, or answered), per compound."""
    stmt = (
        select(ConstructionProblem.compound_id, func.count())
        .where(ConstructionProblem.compound_id.in_(ids_sub), ConstructionProblem.status != "closed")
        .group_by(ConstructionProblem.compound_id)
    )
    for cid, count in db.session.execute(stmt):
        found[cid]["problems_unclosed"] += count


# --- the region and the tree -------------------------------------------------------------------------------


def root_of(actor):
    """The caller's root: an official's org, a committee's community; None for admin (every city)."""
    return None if actor.role == "admin" else actor.org


def compound_rows(actor, org):
    """(id, name, org path) of the region's compounds under ``org`` (None: the whole region)."""
    stmt = select(Compound.id, Compound.name, Org.path).join(Org, Org.id == Compound.org_id)
    if org is not None:
        stmt = stmt.where(Org.path.startswith(org.path))
    clause = org_filter(actor, Compound.org_id)
    if clause is not None:
        stmt = stmt.where(clause)
    return stmt.order_by(Compound.id)


def per_compound(actor, org, filters):
    """{compound id: figures} for every compound of the region under ``org``: a fixed number of queries."""
    compounds = db.session.execute(compound_rows(actor, org)).all()
    ids_sub = compound_rows(actor, org).with_only_columns(Compound.id).order_by(None).scalar_subquery()
    found = {c.id: _zero() for c in compounds}
    if compounds:
        for f in found.values():
            f["compounds"] = 1
        _roster(found, ids_sub)
        _votes(found, ids_sub, filters)
        _surveys(found, ids_sub, filters)
        _cofunding(found, ids_sub)
        _fund(found, ids_sub)
        _management(found, list(found), ids_sub, fee_period(filters.end))
        _problems(found, ids_sub)
    return compounds, found


def _org(actor, org_id):
    if org_id is None:
        return root_of(actor)
    return require_org(actor, org_id)


def breadcrumbs(actor, org):
    """From the caller's root down to ``org``."""
    if org is None:
        return []
    root = root_of(actor)
    ids = [int(i) for i in org.path.strip("/").split("/")]
    orgs = {o.id: o for o in db.session.scalars(select(Org).where(Org.id.in_(ids)))}
    chain = [orgs[i] for i in ids if i in orgs]
    if root is not None:
        chain = [o for o in chain if o.path.startswith(root.path)]
    return [org_out(o) for o in chain]


def org_out(org):
    return {"id": org.id, "name": org.name, "level": org.level, "level_name": org_level_name(org.level)}


def compound_row(cid, name, figures):
    return {
        "kind": "compound",
        "id": cid,
        "name": name,
        "level_name": org_level_name("compound"),
        **with_rates(figures),
    }


def _child_of(org, path):
    """The child of ``org`` (None: the top) a compound whose community has ``path`` falls under."""
    rest = path[len(org.path) :] if org is not None else path
    return int(rest.strip("/").split("/")[0])


def rollup(actor, org_id=None, filters=None):
    """The org's total and one row per child org (or per compound, for a community), exact."""
    filters = filters or Filters()
    org = _org(actor, org_id)
    compounds, found = per_compound(actor, org, filters)
    total = _zero()
    for figures in found.values():
        add(total, figures)
    rows = []
    if org is not None and org.level == "community":
        for cid, name, _path in compounds:
            rows.append(compound_row(cid, name, found[cid]))
    else:
        children = select(Org).where(Org.parent_id == org.id if org is not None else Org.parent_id.is_(None))
        clause = org_filter(actor, Org.id) if org is None else None
        if clause is not None:  # a committee's community has no children above it; an official's root is its org
            children = children.where(clause)
        kids = db.session.scalars(children.order_by(Org.id)).all()
        sums = {k.id: _zero() for k in kids}
        for cid, _name, path in compounds:
            child = _child_of(org, path)
            if child in sums:
                add(sums[child], found[cid])
        rows = [
            {"kind": "org", "id": k.id, "name": k.name, "level_name": org_level_name(k.level), **with_rates(sums[k.id])}
            for k in kids
        ]
    return {
        "org": org_out(org) if org is not None else None,
        "path": breadcrumbs(actor, org),
        "total": with_rates(total),
        "rows": rows,
    }


def compounds_behind(actor, org_id, figure, filters=None):
    """The compound rows under the org whose ``figure`` is above zero, in compound order."""
    if figure not in FIGURE_NAMES:
        raise Invalid("unknown_figure", "没有这一项统计", errors={"query": {"figure": ["没有这一项统计"]}})
    filters = filters or Filters()
    org = _org(actor, org_id)
    compounds, found = per_compound(actor, org, filters)
    return [compound_row(cid, name, found[cid]) for cid, name, _path in compounds if found[cid][figure] > 0]


# --- exports -----------------------------------------------------------------------------------------------

KIND_OF = {name: kind for name, _, kind in COUNTS}
HEADER_OF = {name: header for name, header, _ in COUNTS} | {name: header for name, header, _, _ in RATES}
# The export's columns: place, then each group's counts followed by its rates.
EXPORT_FIGURES = [
    "compounds", "buildings", "units", "units_bound", "binding_rate",
    "votes", "items", "items_passed", "items_failed_participation", "items_failed_consent",
    "electorate_owners", "participating_owners", "consenting_owners",
    "electorate_area", "participating_area", "consenting_area",
    "participation_owners_rate", "participation_area_rate", "consent_owners_rate", "consent_area_rate",
    "surveys", "survey_responses", "survey_audience", "response_rate",
    "cofund_campaigns", "cofund_target_fen", "cofund_subsidy_fen", "cofund_pledged_fen", "cofund_paid_fen",
    "cofund_gap_fen", "cofund_paid_rate",
    "fund_due_fen", "fund_paid_fen", "fund_covered_fen", "fund_outstanding_fen", "fund_units_paid", "fund_collection_rate",
    "model_professional", "model_quasi", "model_self_managed", "model_none", "unmanaged",
    "fee_units_charged", "fee_units_paid", "fee_collection_rate",
    "problems_unclosed",
]  # fmt: skip
HEADER = [Column("名称"), Column("层级")] + [
    Column(HEADER_OF[name], KIND_OF.get(name, "percent")) for name in EXPORT_FIGURES
]


def _cell(name, value):
    if KIND_OF.get(name) == "area":
        return Decimal(value).scaleb(-2)  # hundredths of m² → m², exact
    return value


def table_cells(row):
    return [row["name"], row["level_name"]] + [_cell(n, row[n]) for n in EXPORT_FIGURES]


def export_rows(result):
    """The children's rows, then the total as the org's own row."""
    for row in result["rows"]:
        yield table_cells(row)
    org = result["org"]
    total = {"name": f"合计（{org['name']}）" if org else "合计", "level_name": "合计", **result["total"]}
    yield table_cells(total)


assert set(MODELS) == {n[len("model_") :] for n in COUNT_NAMES if n.startswith("model_")}


# --- charts ------------------------------------------------------------------------------------------------


def _percent(value):
    if value is None:
        return "—"
    return f"{(Decimal(value.numerator) / Decimal(value.denominator) * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


CHARTS = [
    ("consent_owners_rate", "同意人数比例（按下级汇总）", "rate"),
    ("participation_owners_rate", "参与人数比例（按下级汇总）", "rate"),
    ("cofund_gap_fen", "共同出资资金缺口（元）", "yuan"),
    ("fund_collection_rate", "维修资金缴存率（按下级汇总）", "rate"),
]


def charts(result):
    """One SVG bar chart per figure, a bar per row (the children), drawn from the exact figures."""
    found = []
    for key, title, kind in CHARTS:
        if kind == "rate":
            bars = [(r["name"], r[key] or 0, _percent(r[key])) for r in result["rows"]]
            top = 1
        else:
            bars = [(r["name"], r[key], yuan_display(r[key])) for r in result["rows"]]
            top = max([v for _, v, _ in bars] + [1]) * 3 // 2  # room after the longest bar for its amount
        found.append({"key": key, "title": title, "svg": bar_chart(title, bars, top) if bars else None})
    return [c for c in found if c["svg"]]


SUMMARY_HEADER = [
    Column("名称"),
    Column(HEADER_OF["participation_owners_rate"], "percent"),
    Column(HEADER_OF["consent_owners_rate"], "percent"),
    Column(HEADER_OF["consent_area_rate"], "percent"),
]
