"""Demo data for property management: 幸福里小区 under community quasi-property management at ¥0.55/m² from
January, a provider account granted the compound, and this month's first fee payments in 1号楼."""

from datetime import date

from sqlalchemy import select

from backend.auth.models import User
from backend.demo import DEMO_PASSWORD
from backend.extensions import db
from backend.roster.models import Unit
from backend.roster.order import sort_units

from . import services
from .fees import dues
from .fees import services as fees
from .models import ManagementState

FEE = 55  # ¥0.55 per m² per month


def load(context):
    compound, committee = context["compound"], context["committee"]
    if db.session.scalar(select(ManagementState.id).where(ManagementState.compound_id == compound.id)) is not None:
        return []
    day = dues.today()
    services.record(
        committee,
        compound.id,
        {
            "version": 0,
            "model": "quasi",
            "provider_name": "幸福里社区物业服务站",
            "provider_contact": "029-85550101",
            "fee_fen_per_m2_month": FEE,
            "rights_holder": "work_unit",
            "responsible_party": "幸福里社区居委会",
            "effective_from": date(day.year, 1, 1),
            "basis": "小寨路街道安排社区准物业（演示数据）",
        },
    )
    provider = User(
        username="wuye", role="provider", org_id=compound.org_id, display_name="幸福里社区物业服务站", is_demo=True
    )
    provider.set_password(DEMO_PASSWORD)
    db.session.add(provider)
    db.session.commit()
    fees.grant(committee, compound, "wuye")
    units = sort_units(db.session.scalars(select(Unit).where(Unit.compound_id == compound.id, Unit.building == "1")))
    period, paid = dues.current_period(), 0
    for n, unit in enumerate(units[:10], start=1):
        due = dues.monthly_fen(FEE, unit.area)
        body = {
            "unit_id": unit.id,
            "period": period,
            "amount_fen": due,
            "paid_on": day,
            "reference": f"WY-{period}-{n:03d}",
        }
        fees.pay(committee, compound, {**body, "method": "wechat"})
        paid += 1
    return [f"demo management: 社区准物业 ¥0.55/m²·月, {paid} fee payments this month; provider account wuye"]
