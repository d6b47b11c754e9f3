"""Officials' view of property management across their region (DOMAIN.md §1, §7): compounds by model, the 失管
compounds and who holds their property rights, providers ranked by their rating, the compounds whose model changed
this year, fee collection; one row per compound for the CSV and XLSX exports.

The region is the caller's (official: the subtree of their org; committee: their community; admin: all), narrowed
to ``org_id`` when given; the year is a calendar year in Beijing (default: this one).
"""

from collections import Counter
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from backend.exports import Column
from backend.extensions import db
from backend.names import management_model_name, rights_holder_name
from backend.roster.models import Compound
from backend.roster.places import place_names, region_compounds

from . import ratings
from .fees import dues as fees_dues
from .models import MODELS, ManagementChange, ManagementState
from .services import local_today


def fee_collection(compounds, year):
    """Per compound id: the month officials watch (December of ``year``, or this month for the current year), the
    units charged a fee that month, the units that paid it in full, and their ratio (None: nobody charged)."""
    period = min(f"{year:04d}-12", fees_dues.current_period())
    found = fees_dues.collection([c.id for c in compounds], period)
    return {
        c.id: {
            "period": period,
            "units_charged": charged,
            "units_paid": paid,
            "rate": Fraction(paid, charged) if charged else None,
        }
        for c in compounds
        for charged, paid in [found.get(c.id, (0, 0))]
    }


def _states(compounds):
    """{compound id: state}, the never-recorded ones as state_of gives them (model none, nobody responsible)."""
    ids = [c.id for c in compounds]
    found = {
        s.compound_id: s
        for s in db.session.scalars(select(ManagementState).where(ManagementState.compound_id.in_(ids)))
    }
    never = {"version": 0, "model": "none", "rights_holder": "unknown", "basis": ""}  # as state_of gives it, unqueried
    return {c.id: found.get(c.id) or ManagementState(compound_id=c.id, **never) for c in compounds}


def model_changes(compounds, year):
    """Changes effective in ``year`` whose model differs from the compound's previous version (none before the first)."""
    ids = [c.id for c in compounds]
    if not ids:
        return []
    changes = db.session.scalars(
        select(ManagementChange)
        .where(ManagementChange.compound_id.in_(ids))
        .order_by(ManagementChange.compound_id, ManagementChange.version)
    ).all()
    previous, found = {}, []
    for change in changes:
        old = previous.get(change.compound_id, "none")
        previous[change.compound_id] = change.model
        effective = change.effective_from
        if effective is not None and effective.year == year and change.model != old:
            found.append({"change": change, "old_model": old})
    found.sort(key=lambda f: (f["change"].effective_from, f["change"].compound_id, f["change"].version))
    return found


def _place(compound, places):
    district, street, community = places[compound.org_id]
    return {"compound_id": compound.id, "compound": compound.name, "district": district, "street": street,
            "community": community}  # fmt: skip


def overview(actor, org_id=None, year=None):
    """Everything the officials' page and its exports show, exact (the schemas round for display)."""
    year = year or local_today().year
    compounds = db.session.scalars(region_compounds(actor, org_id).options(selectinload(Compound.org))).all()
    ids = [c.id for c in compounds]
    places = place_names({c.org for c in compounds})
    states = _states(compounds)
    providers, per_compound = ratings.provider_ranking(ids, year) if ids else ([], {})
    changes = model_changes(compounds, year)
    changed = {f["change"].compound_id for f in changes}
    collection = fee_collection(compounds, year)
    by_id = {c.id: c for c in compounds}

    counts = Counter(s.model for s in states.values())
    rows = []
    for compound in compounds:
        state, tally = states[compound.id], per_compound.get(compound.id)
        rows.append(
            {
                **_place(compound, places),
                "model": state.model,
                "provider_name": state.provider_name,
                "fee_fen_per_m2_month": state.fee_fen_per_m2_month,
                "rights_holder": state.rights_holder,
                "responsible_party": state.responsible_party,
                "unmanaged": state.unmanaged,
                "model_changed": compound.id in changed,
                "collection": collection[compound.id],
                "rating_responses": tally.responses if tally else 0,
                "rating_mean": tally.overall_mean if tally else None,
                "rating_mean_text": ratings.mean_text(tally.overall_points, tally.overall_answers) if tally else None,
            }
        )
    return {
        "year": year,
        "org_id": org_id,
        "compounds_total": len(compounds),
        "by_model": [{"model": m, "compounds": counts.get(m, 0)} for m in MODELS],
        "unmanaged": [
            {**_place(c, places), "rights_holder": states[c.id].rights_holder, "model": states[c.id].model}
            for c in compounds
            if states[c.id].unmanaged
        ],
        "providers": providers,
        "model_changes": [
            {
                **_place(by_id[f["change"].compound_id], places),
                "old_model": f["old_model"],
                "new_model": f["change"].model,
                "effective_from": f["change"].effective_from,
                "basis": f["change"].basis,
                "vote_item_id": f["change"].vote_item_id,
            }
            for f in changes
        ],
        "compounds": rows,
    }


# ---- exports: one row per compound ----

HEADER = [
    Column("区县"),
    Column("街道"),
    Column("社区"),
    Column("小区"),
    Column("管理模式"),
    Column("物业服务企业（管理人）"),
    Column("物业费（元/平方米·月）", "yuan"),
    Column("产权类型"),
    Column("责任主体"),
    Column("是否失管"),
    Column("本年更换管理模式"),
    Column("物业费收缴率", "percent"),
    Column("服务评分（平均分）", "decimal"),
    Column("评价份数", "int"),
]


def _yes(flag):
    return "是" if flag else "否"


def table_cells(row):
    """A compound's row as the CSV/XLSX shows it: the JSON's figures with the Chinese names."""
    text = row["rating_mean_text"]
    return [
        row["district"],
        row["street"],
        row["community"],
        row["compound"],
        management_model_name(row["model"]),
        row["provider_name"],
        row["fee_fen_per_m2_month"],
        rights_holder_name(row["rights_holder"]),
        row["responsible_party"],
        _yes(row["unmanaged"]),
        _yes(row["model_changed"]),
        row["collection"]["rate"],
        Decimal(text) if text is not None else None,
        row["rating_responses"],
    ]


def export_name(year):
    return f"物业管理概况-{year}年"
