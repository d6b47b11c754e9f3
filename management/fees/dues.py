"""What a unit owes for property management, month by month (DOMAIN.md §7).

A month's fee per m² is the one in force on the month's first day, read from the management history (a change
during a month applies from the next); a month under no model, or with no fee recorded, charges nothing. A unit's
monthly fee is that rate × its area, rounded half up to the fen. Payments count for the month they name: paying
one month twice does not pay the next one.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import case, func, select

from backend.extensions import db
from backend.money import half_up
from backend.roster.models import Unit, unit_area_cents
from backend.types import CHINA_TZ, utcnow

from ..models import ManagementChange
from .models import FeeEntry

PERIOD = re.compile(r"^\s*(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*月?|(\d{2}))\s*$")
PREPAY_MONTHS = 12  # how far ahead a household may pay


def today():
    return utcnow().astimezone(CHINA_TZ).date()


def month_of(day):
    return f"{day.year:04d}-{day.month:02d}"


def current_period():
    return month_of(today())


def first_day(period):
    return date(int(period[:4]), int(period[5:]), 1)


def shift(period, months):
    index = int(period[:4]) * 12 + int(period[5:]) - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def months(first, last):
    """Every month from ``first`` to ``last``, both included (none when first is after last)."""
    found, period = [], first
    while period <= last:
        found.append(period)
        period = shift(period, 1)
    return found


def parse_period(text):
    """ "2026-11", "2026/11", "2026年11月" or "202611" → "2026-11"; ValueError with the clerk's message."""
    if isinstance(text, date):
        return month_of(text)
    match = PERIOD.match(str(text or ""))
    if not match:
        raise ValueError(f"月份“{text}”无法识别，请写成 2026-11 或 2026年11月")
    month = int(match.group(2) or match.group(3))
    if not 1 <= month <= 12:
        raise ValueError(f"月份“{text}”不存在")
    return f"{int(match.group(1)):04d}-{month:02d}"


def monthly_fen(rate_fen_per_m2, area):
    """rate (fen per m² per month) × area (Decimal m², exact) rounded half up to the fen."""
    return half_up(Fraction(rate_fen_per_m2) * Fraction(area))


class Schedule:
    """A compound's fee per m² per month through time, from its management history."""

    def __init__(self, changes):
        self.changes = sorted((c for c in changes if c.effective_from), key=lambda c: (c.effective_from, c.version))

    def in_force(self, day):
        found = None
        for change in self.changes:
            if change.effective_from > day:
                break
            found = change
        return found

    def rate(self, period):
        """The fee per m² per month charged for ``period``; None when nothing is charged."""
        change = self.in_force(first_day(period))
        if change is None or change.model == "none" or not change.fee_fen_per_m2_month:
            return None
        return change.fee_fen_per_m2_month

    def first_period(self):
        """The first month that charges a fee, up to a year ahead (a change on the 1st charges its own month)."""
        if not self.changes:
            return None
        start = month_of(self.changes[0].effective_from)
        return next((p for p in months(start, shift(current_period(), PREPAY_MONTHS)) if self.rate(p)), None)

    def charged(self, through):
        """The months that charge a fee, from the first through ``through``, each with its rate."""
        first = self.first_period()
        if first is None:
            return []
        return [(p, r) for p in months(first, through) if (r := self.rate(p))]


def schedule(compound_id):
    return Schedule(db.session.scalars(select(ManagementChange).where(ManagementChange.compound_id == compound_id)))


def paid(compound_id, unit_ids=None, periods=None):
    """{(unit id, month): net fen paid} — payments less their reversals, summed in SQL."""
    signed = case((FeeEntry.kind == "reversal", -FeeEntry.amount_fen), else_=FeeEntry.amount_fen)
    stmt = select(FeeEntry.unit_id, FeeEntry.period, func.sum(signed)).where(FeeEntry.compound_id == compound_id)
    if unit_ids is not None:
        stmt = stmt.where(FeeEntry.unit_id.in_(list(unit_ids)))
    if periods is not None:
        stmt = stmt.where(FeeEntry.period.in_(list(periods)))
    return {(u, p): int(total) for u, p, total in db.session.execute(stmt.group_by(FeeEntry.unit_id, FeeEntry.period))}


def collection(compound_ids, period, unit_counts=None):
    """{compound id: (units charged, units paid in full)} for one month — what officials compare — for any number
    of compounds in three grouped queries (their management histories, their units, the units that paid something
    that month grouped by area and amount): a compound charging nothing that month is left out.

    ``compound_ids``: a list or a select of compound ids; ``unit_counts``: {compound id: units}, when the caller
    has counted them already (the roll-up), saves the second query."""
    changes = defaultdict(list)
    for change in db.session.scalars(select(ManagementChange).where(ManagementChange.compound_id.in_(compound_ids))):
        changes[change.compound_id].append(change)
    rate_of = {cid: rate for cid, history in changes.items() if (rate := Schedule(history).rate(period))}
    if unit_counts is None:
        stmt = select(Unit.compound_id, func.count()).where(Unit.compound_id.in_(list(rate_of)))
        unit_counts = dict(db.session.execute(stmt.group_by(Unit.compound_id)).all())
    full = dict.fromkeys(rate_of, 0)
    # Only a unit that paid something for the month can have paid it in full; units alike in area and amount
    # paid are one row.
    signed = case((FeeEntry.kind == "reversal", -FeeEntry.amount_fen), else_=FeeEntry.amount_fen)
    per_unit = (
        select(FeeEntry.compound_id, unit_area_cents().label("area"), func.sum(signed).label("paid"))
        .join(Unit, Unit.id == FeeEntry.unit_id)
        .where(FeeEntry.compound_id.in_(compound_ids), FeeEntry.period == period)
        .group_by(FeeEntry.unit_id, FeeEntry.compound_id, Unit.area)
        .subquery()
    )
    alike = select(per_unit.c.compound_id, per_unit.c.area, per_unit.c.paid, func.count()).group_by(
        per_unit.c.compound_id, per_unit.c.area, per_unit.c.paid
    )
    fees = {}
    for cid, area, paid, count in db.session.execute(alike):
        if cid in rate_of:
            key = (rate_of[cid], area)
            if key not in fees:
                fees[key] = monthly_fen(rate_of[cid], Decimal(area).scaleb(-2))
            full[cid] += count * (int(paid or 0) >= fees[key])
    return {cid: (int(unit_counts.get(cid, 0)), full[cid]) for cid in rate_of}


@dataclass
class MonthDue:
    period: str
    rate_fen_per_m2_month: int
    due_fen: int
    paid_fen: int

    @property
    def owed_fen(self):
        return max(self.due_fen - self.paid_fen, 0)

    @property
    def status(self):
        if self.paid_fen >= self.due_fen:
            return "paid"
        return "part_paid" if self.paid_fen > 0 else "unpaid"


@dataclass
class FeeAccount:
    unit: object
    months: list = field(default_factory=list)

    @property
    def owed_fen(self):
        return sum(m.owed_fen for m in self.months)

    @property
    def months_owed(self):
        return sum(1 for m in self.months if m.owed_fen)

    @property
    def owed_months(self):
        return [m for m in self.months if m.owed_fen]

    @property
    def first_owed(self):
        return next((m.period for m in self.months if m.owed_fen), None)


def accounts(compound_id, units, through, plan=None):
    """Each unit's months charged through ``through`` with what was due and paid, in the units' order."""
    plan = plan or schedule(compound_id)
    charged = plan.charged(through)
    payments = paid(compound_id, [u.id for u in units])
    return [
        FeeAccount(
            unit,
            [MonthDue(p, rate, monthly_fen(rate, unit.area), payments.get((unit.id, p), 0)) for p, rate in charged],
        )
        for unit in units
    ]
