"""Property fees: payments and reversals per unit and month, statement imports, collection and arrears, each
household's account, and which provider accounts reach a compound. Writes append to the compound's audit chain
``fees:<compound id>`` in their transaction; nothing is edited."""

from collections import defaultdict
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from backend import audit, booking, statements
from backend.auth.models import ProviderCompound, User
from backend.errors import Conflict, Forbidden, Invalid, NotFound
from backend.extensions import db
from backend.jurisdiction import bound_unit_ids
from backend.money import yuan_display
from backend.names import period_name as period_text
from backend.roster.models import Compound, Unit
from backend.roster.order import sort_units
from backend.roster.parsing import clean

from . import dues
from .dues import PREPAY_MONTHS, current_period, parse_period, shift, today
from .models import FeeEntry

IMPORT_PERIOD = statements.Extra(
    "period", ("月份", "所属月份", "缴费月份", "费用月份", "期间"), "月份", lambda raw, text: parse_period(raw or text)
)


def chain(compound):
    return f"fees:{compound.id}"


def _units(compound):
    return sort_units(db.session.scalars(select(Unit).where(Unit.compound_id == compound.id)).all())


def _bad(code, message, field):
    return Invalid(code, message, errors={"json": {field: [message]}})


# ---- collection ----


def summary(compound, since=None, through=None):
    """The fee now, and each month's collection from ``since`` to ``through`` (default the last twelve), newest
    first: units charged, paid in full, part paid, due and paid in fen, and the collection rate by units."""
    plan = dues.schedule(compound.id)
    through = through or current_period()
    since = since or shift(through, -11)
    units = _units(compound)
    charged = [(p, r) for p, r in plan.charged(through) if p >= since]
    payments = dues.paid(compound.id, periods=[p for p, _ in charged])
    rows = []
    for period, rate in reversed(charged):
        months = [
            dues.MonthDue(period, rate, dues.monthly_fen(rate, u.area), payments.get((u.id, period), 0)) for u in units
        ]
        full = sum(1 for m in months if m.status == "paid")
        rows.append(
            {
                "period": period,
                "period_text": period_text(period),
                "rate_fen_per_m2_month": rate,
                "units_charged": len(months),
                "units_paid": full,
                "units_part_paid": sum(1 for m in months if m.status == "part_paid"),
                "due_fen": sum(m.due_fen for m in months),
                "paid_fen": sum(min(m.paid_fen, m.due_fen) for m in months),
                "collection_rate": Fraction(full, len(months)) if months else None,
            }
        )
    now = plan.rate(current_period())
    return {"compound": compound, "rate_fen_per_m2_month": now, "first_period": plan.first_period(), "periods": rows}


def accounts(compound, through=None):
    """Every unit's fee account through ``through`` (default this month), in door order."""
    return dues.accounts(compound.id, _units(compound), through or current_period())


def arrears(compound, through=None):
    """The units that owe for any month through ``through``, in door order for door-to-door visits."""
    return [a for a in accounts(compound, through) if a.owed_fen]


# ---- payments ----


def entries(compound, unit_id=None, period=None):
    stmt = select(FeeEntry).where(FeeEntry.compound_id == compound.id)
    if unit_id is not None:
        stmt = stmt.where(FeeEntry.unit_id == unit_id)
    if period is not None:
        stmt = stmt.where(FeeEntry.period == period)
    return stmt.options(selectinload(FeeEntry.unit)).order_by(FeeEntry.id.desc())


ENTRY_KEYS = (
    "id",
    "unit_id",
    "period",
    "kind",
    "amount_fen",
    "paid_on",
    "method",
    "reference",
    "reverses_id",
    "reason",
)


def record_entry(actor, compound, data):
    if data["kind"] == "payment":
        return pay(actor, compound, data)
    return reverse(actor, compound, data)


def _due_for(compound, unit, period, plan):
    """The unit's fee for ``period``; refuses a month that charges nothing or lies more than a year ahead."""
    if period > shift(current_period(), PREPAY_MONTHS):
        raise _bad("period_too_far", f"最多预缴{PREPAY_MONTHS}个月", "period")
    rate = plan.rate(period)
    if not rate:
        raise _bad("fee_not_set", f"{period_text(period)}本小区没有物业费标准，不能登记缴费", "period")
    return dues.monthly_fen(rate, unit.area)


def _check_day(day):
    if day > today():
        raise _bad("date_in_future", "缴费日期不能晚于今天", "paid_on")


def pay(actor, compound, data):
    unit = db.session.get(Unit, data["unit_id"])
    if unit is None or unit.compound_id != compound.id:
        raise NotFound("unit_not_found", "本小区没有该房屋")
    period = data["period"]
    due = _due_for(compound, unit, period, dues.schedule(compound.id))
    if data["amount_fen"] > due:
        # one entry is one month's fee at most: ¥1,200 keyed for ¥120.00 is caught here
        raise _bad("fee_above_due", f"金额超过{period_text(period)}应缴的{yuan_display(due)}", "amount_fen")
    _check_day(data["paid_on"])
    reference = clean(data["reference"])
    if db.session.scalar(
        select(FeeEntry.id).where(FeeEntry.compound_id == compound.id, FeeEntry.reference == reference)
    ):
        raise Conflict("fee_payment_duplicate", f"收据号（流水号）“{reference}”已在本小区登记过")
    entry = FeeEntry(
        compound_id=compound.id,
        unit=unit,
        period=period,
        kind="payment",
        amount_fen=data["amount_fen"],
        paid_on=data["paid_on"],
        method=data.get("method"),
        reference=reference,
        created_by=audit.actor_label(actor),
    )
    return booking.book(actor, chain(compound), "fee_payment", entry, ENTRY_KEYS)


def reverse(actor, compound, data):
    original = booking.reversible(
        FeeEntry,
        data["reverses"],
        belongs=lambda e: e.compound_id == compound.id,
        may_reverse=lambda e: e.kind == "payment",
        refusals=booking.REFUSALS,
    )
    day = data.get("paid_on") or today()
    _check_day(day)
    entry = FeeEntry(
        compound_id=compound.id,
        unit_id=original.unit_id,
        period=original.period,
        kind="reversal",
        amount_fen=original.amount_fen,
        paid_on=day,
        reverses_id=original.id,
        reason=data["reason"].strip(),
        created_by=audit.actor_label(actor),
    )
    return booking.book(actor, chain(compound), "fee_reversal", entry, ENTRY_KEYS)


def check_import(compound, filename, content):
    """A receipt book or bank statement with a month column, every row checked; each line must also be within its
    month's fee (the same rules as a payment typed at the desk)."""
    plan = dues.schedule(compound.id)

    def taken(references):
        stmt = select(FeeEntry.reference).where(FeeEntry.compound_id == compound.id, FeeEntry.reference.in_(references))
        return db.session.scalars(stmt).all()

    def check_line(line):
        period = line.extra["period"]
        try:
            due = _due_for(compound, line.unit, period, plan)
        except Invalid as e:
            return [("period", e.message)]
        if line.amount_fen > due:
            return [("amount", f"金额超过{period_text(period)}应缴的{yuan_display(due)}")]
        return []

    return statements.check(
        compound, filename, content, today=today(), taken=taken, extras=(IMPORT_PERIOD,), check_line=check_line
    )


def book_import(actor, compound, lines):
    label = audit.actor_label(actor)
    booked = [
        FeeEntry(
            compound_id=compound.id,
            unit_id=line.unit.id,
            period=line.extra["period"],
            kind="payment",
            amount_fen=line.amount_fen,
            paid_on=line.date,
            reference=line.reference,
            created_by=label,
        )
        for line in lines
    ]
    db.session.add_all(booked)
    db.session.flush()
    total = sum(line.amount_fen for line in lines)
    audit.append(
        chain(compound),
        actor,
        "fee_import",
        {"entries": [booking.payload(e, ENTRY_KEYS) for e in booked], "amount_fen": total},
    )
    db.session.commit()
    return {"entries": len(booked), "amount_fen": total}


# ---- residents ----


def my_fees(resident, months_shown=12):
    """Each bound unit's fee account (tenants pay too): the fee now, what is owed, the last months and payments."""
    unit_ids = bound_unit_ids(resident)
    if not unit_ids:
        return []
    units = db.session.scalars(select(Unit).where(Unit.id.in_(unit_ids))).all()
    by_compound = defaultdict(list)
    for unit in units:
        by_compound[unit.compound_id].append(unit)
    found, through = [], current_period()
    for compound_id in sorted(by_compound):
        plan = dues.schedule(compound_id)
        rate = plan.rate(through)
        for account in dues.accounts(compound_id, sort_units(by_compound[compound_id]), through, plan):
            account.compound = db.session.get(Compound, compound_id)
            account.rate_fen_per_m2_month = rate
            account.monthly_fen = dues.monthly_fen(rate, account.unit.area) if rate else None
            account.recent = list(reversed(account.months[-months_shown:]))
            stmt = select(FeeEntry).where(FeeEntry.unit_id == account.unit.id).order_by(FeeEntry.id.desc())
            account.entries = db.session.scalars(stmt.limit(24)).all()
            found.append(account)
    return found


# ---- provider accounts ----


def grants(compound):
    stmt = select(ProviderCompound).where(ProviderCompound.compound_id == compound.id).order_by(ProviderCompound.id)
    return db.session.scalars(stmt.options(selectinload(ProviderCompound.user))).all()


def grant(actor, compound, username):
    """Let a property-service company's account record fees in this compound. The account must be a provider's
    whose region holds the compound."""
    user = db.session.scalar(select(User).where(User.username == username.strip()))
    if user is None or user.role != "provider" or not user.active:
        raise _bad("provider_not_found", f"找不到物业服务企业账号“{username}”", "username")
    if user.org is None or not user.org.contains(compound.org):
        raise Forbidden("provider_outside_region", "该物业账号所属区域不包括本小区")
    if db.session.scalar(
        select(ProviderCompound.id).where(
            ProviderCompound.user_id == user.id, ProviderCompound.compound_id == compound.id
        )
    ):
        raise Conflict("provider_already_granted", "该物业账号已经可以管理本小区")
    link = ProviderCompound(user=user, compound_id=compound.id, granted_by=audit.actor_label(actor))
    db.session.add(link)
    db.session.flush()
    audit.append(chain(compound), actor, "provider_granted", {"user_id": user.id, "username": user.username})
    db.session.commit()
    return link


def revoke(actor, compound, user_id):
    link = db.session.scalar(
        select(ProviderCompound).where(ProviderCompound.user_id == user_id, ProviderCompound.compound_id == compound.id)
    )
    if link is None:
        raise NotFound("provider_not_granted", "该物业账号没有本小区的权限")
    db.session.delete(link)
    audit.append(chain(compound), actor, "provider_revoked", {"user_id": user_id})
    db.session.commit()
