"""Each unit's account 分户账, computed from the rates and the entries (DOMAIN.md §4, API.md "Maintenance fund").

- due = rate × area, rounded half up to the fen, at the rate in force today: the building's where one is in
  force, else the compound's; among several, the latest ``effective_from`` not in the future;
- first deposit = the due at the first rate that applied to the unit; the top-up flag is raised when a paid-up
  unit's balance is below 30 % of it, compared in integers (balance × 10 < first × 3);
- paid = Σ deposits − Σ reversals, used = Σ use entries, balance = paid − used, outstanding = max(0, due − paid).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select

from backend.extensions import db
from backend.money import half_up
from backend.roster.models import Unit
from backend.roster.order import sort_units
from backend.types import CHINA_TZ, utcnow

from .models import FundEntry, FundRate

TOP_UP_NUMERATOR, TOP_UP_DENOMINATOR = 3, 10  # 30 % of the first deposit


def today():
    """Today in Beijing, on the app's clock: a rate "in force today" is one whose date has come there."""
    return utcnow().astimezone(CHINA_TZ).date()


def due_of(rate, area):
    return half_up(Decimal(rate.rate_fen_per_m2) * Decimal(area)) if rate else 0


def rate_on(rates, building, day):
    """The rate in force for a unit of ``building`` on ``day``; ``rates`` sorted by (effective_from, id)."""
    in_force = [r for r in rates if r.effective_from <= day]
    own = [r for r in in_force if r.building == building]
    pick = own or [r for r in in_force if r.building is None]
    return pick[-1] if pick else None


def first_rate(rates, building, day):
    """The rate in force on the first day any rate applied to the unit (up to ``day``)."""
    applied = [r for r in rates if r.effective_from <= day and r.building in (None, building)]
    return rate_on(rates, building, applied[0].effective_from) if applied else None


def compound_rates(compound_id):
    stmt = select(FundRate).where(FundRate.compound_id == compound_id)
    return db.session.scalars(stmt.order_by(FundRate.effective_from, FundRate.id)).all()


@dataclass
class Account:
    unit: Unit
    rate_fen_per_m2: int | None
    due_fen: int
    first_deposit_fen: int
    paid_fen: int = 0
    used_fen: int = 0
    entries: list = field(default_factory=list)

    unit_id = property(lambda self: self.unit.id)
    building = property(lambda self: self.unit.building)
    entrance = property(lambda self: self.unit.entrance)
    room = property(lambda self: self.unit.room)
    label = property(lambda self: self.unit.label)
    area = property(lambda self: self.unit.area)
    compound_id = property(lambda self: self.unit.compound_id)
    compound_name = property(lambda self: self.unit.compound.name)

    @property
    def outstanding_fen(self):
        return max(0, self.due_fen - self.paid_fen)

    @property
    def balance_fen(self):
        return self.paid_fen - self.used_fen

    @property
    def status(self):
        if self.paid_fen <= 0:
            return "unpaid"
        return "paid" if self.paid_fen >= self.due_fen else "part_paid"

    @property
    def top_up(self):
        return self.status == "paid" and (
            self.balance_fen * TOP_UP_DENOMINATOR < self.first_deposit_fen * TOP_UP_NUMERATOR
        )


SIGNED = {"deposit": ("paid", 1), "reversal": ("paid", -1), "use": ("used", 1)}


def entry_sums(compound_id, unit_ids=None, since=None, until=None):
    """{unit_id: {"paid": fen, "used": fen}} from the entries dated in [since, until], summed in SQL."""
    stmt = select(FundEntry.unit_id, FundEntry.kind, func.sum(FundEntry.amount_fen)).where(
        FundEntry.compound_id == compound_id
    )
    if unit_ids is not None:
        stmt = stmt.where(FundEntry.unit_id.in_(unit_ids))
    if since is not None:
        stmt = stmt.where(FundEntry.date >= since)
    if until is not None:
        stmt = stmt.where(FundEntry.date <= until)
    sums = defaultdict(lambda: {"paid": 0, "used": 0})
    for unit_id, kind, total in db.session.execute(stmt.group_by(FundEntry.unit_id, FundEntry.kind)):
        key, sign = SIGNED[kind]
        sums[unit_id][key] += sign * int(total or 0)
    return sums


def compound_accounts(compound_id, units=None, day=None):
    """The accounts of a compound's units (or of ``units`` of it) in unit order: today's, or as they stood at the
    end of ``day`` (the statement's year end): rates in force then, entries dated up to it."""
    until, day = day, day or today()
    some = None if units is None else [u.id for u in units]  # the whole compound needs no id list in SQL
    if units is None:
        units = db.session.scalars(select(Unit).where(Unit.compound_id == compound_id)).all()
    units = sort_units(units)
    rates = compound_rates(compound_id)
    sums = entry_sums(compound_id, some, until=until)
    found = []
    for unit in units:
        rate = rate_on(rates, unit.building, day)
        found.append(
            Account(
                unit,
                rate.rate_fen_per_m2 if rate else None,
                due_of(rate, unit.area),
                due_of(first_rate(rates, unit.building, day), unit.area),
                sums[unit.id]["paid"],
                sums[unit.id]["used"],
            )
        )
    return found


@dataclass
class Summary:
    compound_id: int
    units: int = 0
    due_fen: int = 0
    paid_fen: int = 0
    outstanding_fen: int = 0
    used_fen: int = 0
    balance_fen: int = 0
    units_paid: int = 0
    units_part_paid: int = 0
    units_unpaid: int = 0
    units_top_up: int = 0


def summarise(compound_id, accounts):
    """Sums and counts over the accounts (outstanding is Σ of each unit's outstanding, not Σ due − Σ paid)."""
    s = Summary(compound_id)
    for a in accounts:
        s.units += 1
        s.due_fen += a.due_fen
        s.paid_fen += a.paid_fen
        s.outstanding_fen += a.outstanding_fen
        s.used_fen += a.used_fen
        s.balance_fen += a.balance_fen
        setattr(s, f"units_{a.status}", getattr(s, f"units_{a.status}") + 1)
        s.units_top_up += a.top_up
    return s


# Entries in the order a household reads them: newest first.
NEWEST_FIRST = (FundEntry.date.desc(), FundEntry.id.desc())


def entries_of(compound_id, unit_id=None):
    stmt = select(FundEntry).where(FundEntry.compound_id == compound_id)
    if unit_id is not None:
        stmt = stmt.where(FundEntry.unit_id == unit_id)
    return stmt.order_by(*NEWEST_FIRST)
