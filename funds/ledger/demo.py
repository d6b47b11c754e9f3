"""Demo data for the fund ledger: the city's rate in 幸福里小区 and the first back-payments of 1号楼, some in full,
some in part, so the desk's accounts, filters and summary have something to show."""

from datetime import date

from sqlalchemy import select

from backend.extensions import db
from backend.money import half_up, yuan_display
from backend.roster.models import Unit
from backend.roster.order import sort_units

from . import services
from .accounts import today
from .models import FundRate

RATE_FEN_PER_M2 = 3000  # ¥30.00 per m²
BASIS = "《西安市住宅专项维修资金管理办法》规定的缴存标准"


def load(context):
    compound, committee = context["compound"], context["committee"]
    if db.session.scalar(select(FundRate.id).where(FundRate.compound_id == compound.id)) is not None:
        return []
    day = today()
    data = {
        "rate_fen_per_m2": RATE_FEN_PER_M2,
        "building": None,
        "effective_from": date(day.year, 1, 1),
        "basis": BASIS,
    }
    services.add_rate(committee, compound, data)
    stmt = select(Unit).where(Unit.compound_id == compound.id, Unit.building == "1")
    units = sort_units(db.session.scalars(stmt).all())[:12]
    total = 0
    for n, unit in enumerate(units, start=1):
        due = half_up(unit.area * RATE_FEN_PER_M2)
        amount = due if n % 3 else due // 2  # every third household has paid half so far
        services.deposit(
            committee,
            compound,
            {"unit_id": unit.id, "amount_fen": amount, "date": day, "reference": f"DEMO-{day.year}-{n:04d}"},
        )
        total += amount
    return [f"demo fund: rate ¥30.00/m², {len(units)} deposits, {yuan_display(total)}"]
