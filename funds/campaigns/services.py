"""Campaign rules: who may see a campaign, creating and publishing it (freezing the shares), pledges, payments
and their reversals, and the live figures.

The routes' gate loads and authorises the campaign once (``get_campaign``); the functions here trust it. Every
money write is appended to the campaign's audit chain ("campaign:<id>") in the same transaction. The database
holds the invariants that two requests at once could break (one pledge per unit, one use of a reference, one
reversal per payment; publish is an UPDATE that applies only to a draft), so races end in named 409s.
"""

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Optional

from sqlalchemy import case, exists, func, select, update
from sqlalchemy.exc import IntegrityError

from backend import audit, booking
from backend.errors import Conflict, Forbidden, Invalid, NotFound, conflict_for
from backend.extensions import db
from backend.jurisdiction import is_resident, require_compound
from backend.money import yuan_display
from backend.names import sharing_rule_name, subsidy_source_name
from backend.roster.models import HouseholdBinding, Unit
from backend.types import CHINA_TZ, utcnow
from votes.models import Vote, VoteItem

from . import sharing
from .models import Campaign, CampaignShare, CampaignSubsidy, PaymentEntry, Pledge

NOT_IN_SCOPE = ("unit_not_in_scope", "该房屋不在本次出资的范围内")


def local_today():
    return utcnow().astimezone(CHINA_TZ).date()


def chain(campaign):
    return f"campaign:{campaign.id}"


# --- access -----------------------------------------------------------------------------------------------


def bound_units(resident, relations=None):
    """Units the resident is bound to (a subquery), as owner only when ``relations`` says so."""
    stmt = select(HouseholdBinding.unit_id).where(
        HouseholdBinding.resident_id == resident.id, HouseholdBinding.status == "active"
    )
    return stmt.where(HouseholdBinding.relation.in_(relations)) if relations else stmt


def get_campaign(actor, campaign_id, manage=False):
    """Staff: 404 unknown, 403 outside their jurisdiction. A resident sees a published campaign of a compound
    where they are bound to a unit; any other is 404, so ids tell nothing of other compounds."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound("campaign_not_found", "找不到该出资项目")
    if is_resident(actor):
        mine = select(Unit.id).where(Unit.compound_id == campaign.compound_id, Unit.id.in_(bound_units(actor)))
        if campaign.status == "draft" or not db.session.scalar(select(exists(mine))):
            raise NotFound("campaign_not_found", "找不到该出资项目")
    else:
        require_compound(actor, campaign.compound_id, manage=manage)
    return campaign


def compound_campaigns(compound):
    return select(Campaign).where(Campaign.compound_id == compound.id).order_by(Campaign.id.desc())


# --- creating and publishing --------------------------------------------------------------------------------


def _check_vote_item(compound, item_id):
    item = db.session.get(VoteItem, item_id)
    vote = item and db.session.get(Vote, item.vote_id)
    if vote is None or vote.compound_id != compound.id:
        raise Invalid(
            "vote_item_not_found",
            "找不到该表决事项，请从本小区的表决中选择",
            {"json": {"vote_item_id": ["找不到该表决事项"]}},
        )


def _apply(campaign, compound, data):
    """Write the spec to a draft and compute its shares once, so a bad scope or coefficient table is refused
    before anything is stored."""
    subsidies = data.get("subsidies") or []
    total = sum(s["amount_fen"] for s in subsidies)
    if total > data["total_cost_fen"]:
        raise Invalid(
            "subsidies_exceed_cost",
            f"补助合计 {yuan_display(total)} 超过了总费用 {yuan_display(data['total_cost_fen'])}",
            {"json": {"subsidies": ["补助合计不能超过总费用"]}},
        )
    if data.get("vote_item_id") is not None:
        _check_vote_item(compound, data["vote_item_id"])
    scope = data.get("scope") or {}
    rule = data.get("rule") or "area"
    coefficients = data.get("floor_coefficients") or {} if rule == "floor_area" else {}
    campaign.compound_id = compound.id
    campaign.title = data["title"]
    campaign.description = data.get("description") or ""
    campaign.scope_building, campaign.scope_entrance = scope.get("building"), scope.get("entrance")
    campaign.total_cost_fen = data["total_cost_fen"]
    campaign.rule = rule
    campaign.coefficients_json = json.dumps({str(k): str(v) for k, v in sorted(coefficients.items())})
    campaign.vote_item_id = data.get("vote_item_id")
    campaign.subsidies = [CampaignSubsidy(source=s["source"], amount_fen=s["amount_fen"]) for s in subsidies]
    sharing.compute(campaign)  # 422 floor_unknown / weights_zero
    return {
        "title": campaign.title,
        "scope": campaign.scope,
        "total_cost_fen": campaign.total_cost_fen,
        "subsidies": [[s.source, s.amount_fen] for s in campaign.subsidies],
        "rule": campaign.rule,
        "floor_coefficients": json.loads(campaign.coefficients_json),
        "vote_item_id": campaign.vote_item_id,
    }


def create_campaign(actor, compound, data):
    """A draft campaign: nothing is frozen until it is published."""
    campaign = Campaign(created_by=audit.actor_label(actor))
    with db.session.no_autoflush:
        spec = _apply(campaign, compound, data)
    db.session.add(campaign)
    db.session.flush()
    audit.append(chain(campaign), actor, "campaign_created", spec)
    db.session.commit()
    return campaign


def update_draft(actor, campaign, data):
    """Replace a draft's spec (the desk's preview is edited this way); a published campaign is frozen."""
    if campaign.status != "draft":
        raise Conflict("campaign_not_draft", "该出资项目已发布，分摊方案不能再修改")
    with db.session.no_autoflush:
        spec = _apply(campaign, campaign.compound, data)
    moved = db.session.execute(
        update(Campaign).where(Campaign.id == campaign.id, Campaign.status == "draft").values(status="draft")
    ).rowcount
    if not moved:
        db.session.rollback()
        raise Conflict("campaign_not_draft", "该出资项目已发布，分摊方案不能再修改")
    audit.append(chain(campaign), actor, "campaign_updated", spec)
    db.session.commit()
    return campaign


def publish(actor, campaign, notice=None):
    """Freeze the units in scope and their shares, and open the campaign to pledges; optionally post a money
    notice (``notice``: {"title", "body"}) on the compound's board in the same transaction."""
    if campaign.status != "draft":
        raise Conflict("campaign_not_draft", "该出资项目已发布，不能重复发布")
    shares = sharing.compute(campaign)
    moved = db.session.execute(
        update(Campaign)
        .where(Campaign.id == campaign.id, Campaign.status == "draft")
        .values(status="open", published_at=utcnow())
    ).rowcount
    if not moved:  # another publish won the race
        db.session.rollback()
        raise Conflict("campaign_not_draft", "该出资项目已发布，不能重复发布")
    db.session.add_all(
        CampaignShare(
            campaign_id=campaign.id,
            unit_id=s.unit_id,
            position=n,
            building=s.building,
            entrance=s.entrance,
            room=s.room,
            floor=s.floor,
            area_cents=s.area_cents,
            coefficient=s.coefficient,
            share_fen=s.share_fen,
        )
        for n, s in enumerate(shares)
    )
    posted = _money_notice(actor, campaign, notice) if notice is not None else None
    audit.append(
        chain(campaign),
        actor,
        "campaign_published",
        {
            "residents_part_fen": campaign.residents_part_fen,
            "shares": [[s.unit_id, s.share_fen] for s in shares],
            "notice_id": posted.id if posted else None,
        },
    )
    db.session.commit()
    db.session.refresh(campaign)
    return campaign, posted


def notice_text(campaign):
    """The default body of a money notice: the figures and the rule, in the words of the names table."""
    lines = [
        f"项目总费用 {yuan_display(campaign.total_cost_fen)}。",
        *(f"{subsidy_source_name(s.source)} {yuan_display(s.amount_fen)}。" for s in campaign.subsidies),
        f"居民出资合计 {yuan_display(campaign.residents_part_fen)}，{sharing_rule_name(campaign.rule)}"
        f"（范围：{campaign.scope_text}）。",
        "请扫码登录，查看您家的份额和计算方法，并在线认捐。",
    ]
    return "\n".join(lines)


def _money_notice(actor, campaign, spec):
    from notices.models import Notice  # a feature may use another's models

    notice = Notice(
        compound_id=campaign.compound_id,
        kind="money_notice",
        title=spec.get("title") or f"出资通知：{campaign.title}",
        body=spec.get("body") or notice_text(campaign),
        campaign_id=campaign.id,
        publish_at=utcnow(),
        created_by=audit.actor_label(actor),
    )
    db.session.add(notice)
    db.session.flush()
    return notice


# --- shares and figures -----------------------------------------------------------------------------------


def _amounts(campaign):
    """Pledged and paid (payments less reversals) per unit, summed in SQL."""
    pledged = dict(
        db.session.execute(select(Pledge.unit_id, Pledge.amount_fen).where(Pledge.campaign_id == campaign.id)).all()
    )
    signed = case((PaymentEntry.kind == "reversal", -PaymentEntry.amount_fen), else_=PaymentEntry.amount_fen)
    paid = dict(
        db.session.execute(
            select(PaymentEntry.unit_id, func.sum(signed))
            .where(PaymentEntry.campaign_id == campaign.id)
            .group_by(PaymentEntry.unit_id)
        ).all()
    )
    return pledged, {k: int(v) for k, v in paid.items()}


def frozen(campaign, unit_ids=None):
    stmt = select(CampaignShare).where(CampaignShare.campaign_id == campaign.id).order_by(CampaignShare.position)
    if unit_ids is not None:
        stmt = stmt.where(CampaignShare.unit_id.in_(unit_ids))
    return [
        sharing.Share(
            unit_id=r.unit_id,
            building=r.building,
            entrance=r.entrance,
            room=r.room,
            floor=r.floor,
            area_cents=r.area_cents,
            coefficient=r.coefficient,
            share_fen=r.share_fen,
        )
        for r in db.session.scalars(stmt)
    ]


def shares(campaign, status=None):
    """Every unit's share in unit order: computed live for a draft, frozen once published, with the pledged and
    paid figures; ``status`` filters."""
    rows = sharing.compute(campaign) if campaign.status == "draft" else sharing.explain(campaign, frozen(campaign))
    pledged, paid = _amounts(campaign)
    for row in rows:
        row.pledged_fen, row.paid_fen = pledged.get(row.unit_id, 0), paid.get(row.unit_id, 0)
    return [r for r in rows if status is None or r.status == status]


@dataclass
class Figures:
    pledged_fen: int = 0
    paid_fen: int = 0
    unpledged_fen: int = 0
    gap_fen: int = 0
    households: int = 0
    households_pledged: int = 0
    households_paid: int = 0


@dataclass
class CampaignView:
    """A campaign as the API shows it: its own columns, the live figures and (for a resident) their shares."""

    campaign: Campaign
    figures: Figures
    mine: list = field(default_factory=list)
    notice: Optional[object] = None

    def __getattr__(self, name):
        for source in (self.figures, self.campaign):
            if hasattr(source, name):
                return getattr(source, name)
        raise AttributeError(name)


def figures(campaign, rows=None):
    """Target, pledged, paid, unpledged and gap (API.md), and the households counted over shares above zero."""
    rows = shares(campaign) if rows is None else rows
    part = campaign.residents_part_fen
    sharing_units = [r for r in rows if r.share_fen > 0]
    pledged = sum(r.pledged_fen for r in rows)
    paid = sum(r.paid_fen for r in rows)
    return Figures(
        pledged_fen=pledged,
        paid_fen=paid,
        unpledged_fen=max(0, part - pledged),
        gap_fen=max(0, part - paid),
        households=len(sharing_units),
        households_pledged=sum(1 for r in sharing_units if r.pledged_fen),
        households_paid=sum(1 for r in sharing_units if r.status == "paid"),
    )


def view(actor, campaign, notice=None):
    rows = shares(campaign)
    mine = []
    if is_resident(actor):
        bound = set(db.session.scalars(bound_units(actor)))
        owned = set(db.session.scalars(bound_units(actor, ("owner",))))
        mine = [r for r in rows if r.unit_id in bound]
        for row in mine:
            row.may_pledge = row.unit_id in owned and campaign.status == "open" and row.status == "none"
    return CampaignView(campaign, figures(campaign, rows), mine, notice)


# --- pledges and payments -----------------------------------------------------------------------------------


def _require_open(campaign):
    if campaign.status != "open":
        raise Conflict("campaign_not_open", "该出资项目尚未发布，还不能认捐或缴款")


def _share_of(campaign, unit_id):
    row = db.session.get(CampaignShare, (campaign.id, unit_id))
    if row is None:
        raise Invalid(*NOT_IN_SCOPE, {"json": {"unit_id": ["该房屋不在出资范围内"]}})
    return row


def _insert(entry):
    """Add a row under a savepoint: a unique constraint it breaks becomes its named 409, the rest stays."""
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError as e:
        raise conflict_for(e) from None
    return entry


def _pledge(actor, campaign, unit_id, amount_fen, channel, resident=None):
    share = _share_of(campaign, unit_id)
    amount = amount_fen if amount_fen is not None else share.share_fen
    if amount <= 0:
        raise Invalid(
            "amount_required",
            "本户分摊金额为零，如愿意出资，请填写认捐金额",
            {"json": {"amount_fen": ["请填写认捐金额"]}},
        )
    if db.session.scalar(select(Pledge.id).where(Pledge.campaign_id == campaign.id, Pledge.unit_id == unit_id)):
        raise Conflict("pledge_exists", "该户已经认捐过了，每户只能认捐一次")
    pledge = _insert(
        Pledge(
            campaign_id=campaign.id,
            unit_id=unit_id,
            amount_fen=amount,
            channel=channel,
            resident_id=resident.id if resident else None,
            created_by=audit.actor_label(actor),
        )
    )
    audit.append(
        chain(campaign),
        actor,
        "pledge_recorded",
        {"unit_id": unit_id, "amount_fen": amount, "channel": channel, "share_fen": share.share_fen},
    )
    return pledge


def pledge(actor, campaign, data, channel="paper"):
    """A pledge of the unit's share (or of the amount given); one per unit."""
    _require_open(campaign)
    made = _pledge(actor, campaign, data["unit_id"], data.get("amount_fen"), channel)
    db.session.commit()
    return made


def resident_pledge(resident, data):
    """A resident pledges for a unit they own (bound as owner): tenants and family are refused."""
    campaign = get_campaign(resident, data["campaign_id"])
    owned = db.session.scalar(
        select(exists(bound_units(resident, ("owner",)).where(HouseholdBinding.unit_id == data["unit_id"])))
    )
    if not owned:
        raise Forbidden("not_owner", "只有绑定为该房屋业主的居民才能认捐")
    _require_open(campaign)
    made = _pledge(resident, campaign, data["unit_id"], data.get("amount_fen"), "online", resident)
    db.session.commit()
    return made


def record_payment(actor, campaign, data):
    """A payment entry; a unit with no pledge first gets a pledge of its share (or of the amount paid)."""
    _require_open(campaign)
    share = _share_of(campaign, data["unit_id"])
    if data["paid_on"] > local_today():
        raise Invalid("paid_on_future", "缴款日期不能晚于今天", {"json": {"paid_on": ["缴款日期不能晚于今天"]}})
    reference = (data.get("reference") or "").strip() or None
    if reference and db.session.scalar(
        select(PaymentEntry.id).where(PaymentEntry.campaign_id == campaign.id, PaymentEntry.reference == reference)
    ):
        raise Conflict("payment_duplicate", f"凭证号“{reference}”已在本项目中登记过")
    has_pledge = db.session.scalar(
        select(Pledge.id).where(Pledge.campaign_id == campaign.id, Pledge.unit_id == share.unit_id)
    )
    if not has_pledge:
        try:
            _pledge(actor, campaign, share.unit_id, share.share_fen or data["amount_fen"], "payment")
        except Conflict as e:
            if e.code != "pledge_exists":  # a pledge made meanwhile is as good
                raise
    return _book(
        actor,
        campaign,
        "payment_recorded",
        unit_id=share.unit_id,
        kind="payment",
        amount_fen=data["amount_fen"],
        paid_on=data["paid_on"],
        method=data["method"],
        reference=reference,
    )


def _book(actor, campaign, action, **fields):
    """Insert an entry (its constraints answering their named 409s), chain it in the audit log, commit."""
    entry = _insert(PaymentEntry(campaign_id=campaign.id, created_by=audit.actor_label(actor), **fields))
    audit.append(chain(campaign), actor, action, {"entry_id": entry.id, **fields})
    db.session.commit()
    return entry


PAYMENT_REVERSAL_REFUSALS = booking.ReversalRefusals(
    missing=booking.Refusal(NotFound, "payment_not_found", "找不到该缴款记录"),
    not_reversible=booking.Refusal(Conflict, "payment_is_reversal", "这是一条冲正记录，不能再冲正"),
    already=booking.Refusal(Conflict, "payment_reversed", "该缴款已经冲正过了"),
)


def reverse_payment(actor, campaign, payment_id, reason):
    """A reversing entry for a payment (never an edit); a payment is reversed once, a reversal never."""
    original = booking.reversible(
        PaymentEntry,
        payment_id,
        belongs=lambda e: e.campaign_id == campaign.id,
        may_reverse=lambda e: e.kind != "reversal",
        refusals=PAYMENT_REVERSAL_REFUSALS,
    )
    return _book(
        actor,
        campaign,
        "payment_reversed",
        unit_id=original.unit_id,
        kind="reversal",
        amount_fen=original.amount_fen,
        paid_on=local_today(),
        reverses_id=original.id,
        reason=reason,
    )


def payments(campaign):
    """Every entry, oldest first, with whether a payment has been reversed."""
    entries = db.session.scalars(
        select(PaymentEntry).where(PaymentEntry.campaign_id == campaign.id).order_by(PaymentEntry.id)
    ).all()
    reversed_ids = {e.reverses_id for e in entries if e.reverses_id}
    labels = {
        s.unit_id: s.label
        for s in db.session.scalars(select(CampaignShare).where(CampaignShare.campaign_id == campaign.id))
    }
    for e in entries:
        e.reversed = e.id in reversed_ids
        e.unit_label = labels.get(e.unit_id, "")
    return entries


# --- the resident's own -------------------------------------------------------------------------------------


@dataclass
class MyPledge:
    campaign_id: int
    campaign_title: str
    campaign_status: str
    share: sharing.Share
    payments: list = field(default_factory=list)  # the unit's payment entries, reversals included, oldest first

    def __getattr__(self, name):
        return getattr(self.share, name)


def my_pledges(resident):
    """Each unit the resident is bound to, in each published campaign: share, pledged, paid, status."""
    units = set(db.session.scalars(bound_units(resident)))
    campaigns = db.session.scalars(
        select(Campaign)
        .where(
            Campaign.status == "open",
            Campaign.id.in_(select(CampaignShare.campaign_id).where(CampaignShare.unit_id.in_(units))),
        )
        .order_by(Campaign.id.desc())
    ).all()
    rows = []
    for campaign in campaigns:
        pledged, paid = _amounts(campaign)
        entries = defaultdict(list)
        for e in db.session.scalars(
            select(PaymentEntry)
            .where(PaymentEntry.campaign_id == campaign.id, PaymentEntry.unit_id.in_(units))
            .order_by(PaymentEntry.id)
        ):
            entries[e.unit_id].append(e)
        for share in sharing.explain(campaign, frozen(campaign)):
            if share.unit_id in units:
                share.pledged_fen, share.paid_fen = pledged.get(share.unit_id, 0), paid.get(share.unit_id, 0)
                rows.append(MyPledge(campaign.id, campaign.title, campaign.status, share, entries[share.unit_id]))
    return rows
