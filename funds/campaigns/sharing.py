"""Cost sharing (DOMAIN.md §3): each unit's weight by the campaign's rule, and the residents' part shared exactly.

share_i = net × w_i / Σw, rounded down to the fen, the leftover fen one each to the largest remainders, ties in
unit order (``backend.money.allocate``); weights are integers or Decimals, never floats. Area is exact
hundredths of m², so the "area" weight is the integer hundredths.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Optional

from sqlalchemy import select

from backend.errors import Invalid
from backend.extensions import db
from backend.money import allocate, yuan_display
from backend.roster.models import Unit
from backend.roster.order import floor_of, sort_units


@dataclass
class Share:
    """A unit's share, frozen or computed live for a draft; the pledged and paid figures are added later."""

    unit_id: int
    building: str
    entrance: str
    room: str
    floor: Optional[int]
    area_cents: int
    coefficient: Optional[Decimal]
    share_fen: int
    pledged_fen: int = 0
    paid_fen: int = 0
    how: str = ""
    may_pledge: bool = False  # for a resident's own rows: bound as owner, open, not yet pledged

    @property
    def area(self):
        return f"{self.area_cents // 100}.{self.area_cents % 100:02d}"

    @property
    def coefficient_text(self):
        return None if self.coefficient is None else str(self.coefficient.quantize(Decimal("0.01")))

    @property
    def outstanding_fen(self):
        """What the household pledged and has not yet paid (never below zero)."""
        return max(self.pledged_fen - self.paid_fen, 0)

    @property
    def status(self):
        if not self.pledged_fen:
            return "none"
        if self.paid_fen <= 0:
            return "pledged"
        return "paid" if self.paid_fen >= self.pledged_fen else "part_paid"


def units_in_scope(campaign):
    where = [Unit.compound_id == campaign.compound_id]
    if campaign.scope_building:
        where.append(Unit.building == campaign.scope_building)
    if campaign.scope_entrance:
        where.append(Unit.entrance == campaign.scope_entrance)
    return sort_units(db.session.scalars(select(Unit).where(*where)).all())


def _area_cents(unit):
    return int(Decimal(unit.area) * 100)


def weights(campaign, units):
    """(unit, floor, coefficient, weight) per unit in unit order; 422 ``floor_unknown`` for floor_area when a
    unit's floor is neither in the roster nor in its room number."""
    rows, unknown = [], []
    table = campaign.coefficients if campaign.rule == "floor_area" else {}
    for unit in units:
        floor, coefficient, area = floor_of(unit), None, _area_cents(unit)
        if campaign.rule == "floor_area":
            if floor is None:
                unknown.append({"unit_id": unit.id, "room": unit.room, "label": unit.label})
                continue
            coefficient = table.get(floor, Decimal("0"))
        rows.append((unit, floor, coefficient, weight_of(campaign, area, coefficient)))
    if unknown:
        raise Invalid(
            "floor_unknown",
            f"有{len(unknown)}户的楼层不明（名册没有楼层，房号也看不出），无法按楼层系数分摊，请先在名册中补上楼层",
            unknown,
        )
    return rows


def weight_of(campaign, area_cents, coefficient):
    if campaign.rule == "equal":
        return 1
    if campaign.rule == "area":
        return area_cents
    return coefficient * area_cents


def explain(campaign, shares):
    """Fill each share's ``how``: the computation in words, from the same numbers the allocation used."""
    part = yuan_display(campaign.residents_part_fen)
    whole = sum((Decimal(weight_of(campaign, s.area_cents, s.coefficient)) for s in shares), Decimal(0))
    for s in shares:
        area = f"{s.area}㎡"
        if campaign.rule == "equal":
            s.how = f"居民出资 {part} ÷ {len(shares)}户"
        elif campaign.rule == "area":
            s.how = f"居民出资 {part} × 本户面积 {area} ÷ 范围内总面积 {whole / 100:.2f}㎡"
        else:
            s.how = (
                f"居民出资 {part} × 本户（{s.floor}层系数 {s.coefficient_text} × 面积 {area}）"
                f"÷ 范围内各户系数×面积之和 {whole / 100:.4f}"
            )
    return shares


def compute(campaign):
    """Every unit in scope with its share, computed now from the roster (a draft's preview, or publish)."""
    rows = weights(campaign, units_in_scope(campaign))
    try:
        shares = allocate(campaign.residents_part_fen, [(unit.id, weight) for unit, _, _, weight in rows])
    except ValueError:
        raise Invalid(
            "weights_zero",
            "范围内没有需要分摊的房屋（没有房屋，或各户的分摊权重都是零），请检查范围和楼层系数",
        ) from None
    return explain(
        campaign,
        [
            Share(
                unit_id=unit.id,
                building=unit.building,
                entrance=unit.entrance,
                room=unit.room,
                floor=floor,
                area_cents=_area_cents(unit),
                coefficient=coefficient,
                share_fen=shares[unit.id],
            )
            for unit, floor, coefficient, _ in rows
        ],
    )
