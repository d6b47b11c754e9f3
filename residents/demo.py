"""Demo hint for residents: a household of the demo vote that can bind by matching the roster."""

from sqlalchemy import select

from backend.extensions import db
from backend.roster.models import Unit


def load(context):
    unit = db.session.scalar(
        select(Unit).where(
            Unit.compound_id == context["compound"].id, Unit.building == "3", Unit.entrance == "2", Unit.room == "101"
        )
    )
    if unit is None or not unit.owner.phone:
        return []
    return [
        f"demo resident: open /m/, sign in with 演示登录, then bind (按名册核对) {unit.label} as owner "
        f"{unit.owner.members[0].name} with phone ending {unit.owner.phone[-4:]}"
    ]
