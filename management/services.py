"""Property management: the compound's record and its history, the owners' choice, and what residents see.

Two people editing at once: the state row carries a version and changes with ``UPDATE … WHERE version = :seen``
(the row count decides, on SQLite as on PostgreSQL), and each change's (compound, version) is unique.
"""

import json

from sqlalchemy import select, update

from backend import audit
from backend.errors import Conflict, Invalid, NotFound
from backend.extensions import db
from backend.jurisdiction import bound_unit_ids, require_compound
from backend.money import yuan_display
from backend.names import management_model_name
from backend.roster.models import Compound, Unit
from backend.types import CHINA_TZ, utcnow

from .models import CHOSEN_MODELS, FIELDS, ManagementChange, ManagementChoice, ManagementState


def chain(compound_id):
    return f"management:{compound_id}"


def state_of(compound):
    """The compound's current record; a compound never recorded has model none and nobody responsible (失管)."""
    state = db.session.scalar(select(ManagementState).where(ManagementState.compound_id == compound.id))
    if state is None:
        state = ManagementState(compound_id=compound.id, version=0, model="none", rights_holder="unknown", basis="")
        state.compound = compound
    return state


def get_state(actor, compound_id):
    return state_of(require_compound(actor, compound_id))


def _write(compound, seen_version, values, actor, effective_from, basis, vote_item_id=None):
    """Apply ``values`` (every field of FIELDS) as version ``seen_version + 1`` and append the change."""
    version = seen_version + 1
    common = {
        **values,
        "version": version,
        "effective_from": effective_from,
        "basis": basis,
        "vote_item_id": vote_item_id,
    }
    if seen_version == 0:
        db.session.add(
            ManagementState(compound_id=compound.id, updated_by=audit.actor_label(actor), updated_at=utcnow(), **common)
        )
        db.session.flush()  # a second first record collides here: uq_management_states_compound_id
    else:
        moved = db.session.execute(
            update(ManagementState)
            .where(ManagementState.compound_id == compound.id, ManagementState.version == seen_version)
            .values(updated_by=audit.actor_label(actor), updated_at=utcnow(), **common)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not moved:
            db.session.rollback()
            raise Conflict("management_changed", "物业管理信息刚被他人修改，请刷新后再改")
    db.session.add(
        ManagementChange(compound_id=compound.id, changed_by=audit.actor_label(actor), changed_at=utcnow(), **common)
    )
    audit.append(
        chain(compound.id),
        actor,
        "management_changed",
        {
            **{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items()},
            "version": version,
            "effective_from": effective_from.isoformat() if effective_from else None,
            "basis": basis,
            "vote_item_id": vote_item_id,
        },
    )


def record(actor, compound_id, data):
    """The committee records the compound's management as it stands (a provider signed, a contract renewed, the
    responsible party gone): every field at once, with its basis, against the version the clerk saw."""
    compound = require_compound(actor, compound_id, manage=True)
    seen = data.pop("version")
    current = state_of(compound)
    if seen != current.version:
        raise Conflict("management_changed", "物业管理信息刚被他人修改，请刷新后再改")
    _check_contract(data)
    values = {f: data.get(f) for f in FIELDS}
    values["rights_holder"] = values["rights_holder"] or "unknown"
    _write(compound, seen, values, actor, data.get("effective_from") or local_today(), data["basis"])
    db.session.commit()
    return state_of(compound)


def _check_contract(data):
    start, end = data.get("contract_start"), data.get("contract_end")
    if start and end and end < start:
        raise Invalid("contract_period", "合同结束日期早于开始日期", {"json": {"contract_end": ["早于开始日期"]}})
    if data.get("model") == "none" and data.get("fee_fen_per_m2_month"):
        raise Invalid(
            "fee_without_model",
            "尚未选择管理模式，不能设定物业费",
            {"json": {"fee_fen_per_m2_month": ["请先选择模式"]}},
        )


def local_today():
    return utcnow().astimezone(CHINA_TZ).date()


def history(actor, compound_id):
    compound = require_compound(actor, compound_id)
    return db.session.scalars(
        select(ManagementChange)
        .where(ManagementChange.compound_id == compound.id)
        .order_by(ManagementChange.version.desc())
    ).all()


# ---- the owners' choice ----


def fee_label(model, fee_fen):
    """'专业物业公司（每月每平方米¥1.20）': the option a ballot shows, fee and all."""
    name = management_model_name(model)
    return name if fee_fen is None else f"{name}（每月每平方米{yuan_display(fee_fen)}）"


def start_choice(actor, compound_id, data):
    """Create the draft vote of matter property_manager among the proposed models, each option carrying the fee
    the committee proposes, and remember the proposal so the announced winner sets the compound's model."""
    from votes import services as votes

    compound = require_compound(actor, compound_id, manage=True)
    if data.get("survey_id") is not None:
        proposal(actor, compound.id, data["survey_id"])  # a property_management survey of this compound
    proposals = data["proposals"]
    if len(proposals) < 2:
        raise Invalid("too_few_models", "请至少提出两种管理模式供业主选择", {"json": {"proposals": ["至少两种"]}})
    item_title = data.get("item_title") or "选择本小区的物业管理模式"
    options = [{"code": p["model"], "label": fee_label(p["model"], p.get("fee_fen_per_m2_month"))} for p in proposals]
    vote = votes.create_vote(
        actor,
        compound,
        {
            "title": data["title"],
            "description": data.get("description", ""),
            "scope": {},
            "opens_at": data["opens_at"],
            "closes_at": data["closes_at"],
            "items": [{"title": item_title, "matter": "property_manager", "options": options}],
        },
    )
    choice = ManagementChoice(
        compound_id=compound.id,
        survey_id=data.get("survey_id"),
        vote_id=vote.id,
        vote_item_id=vote.items[0].id,
        proposals_json=json.dumps({p["model"]: p.get("fee_fen_per_m2_month") for p in proposals}),
        created_by=audit.actor_label(actor),
    )
    db.session.add(choice)
    db.session.commit()
    return choice


def proposal(actor, compound_id, survey_id):
    from .proposal import from_survey

    return from_survey(actor, require_compound(actor, compound_id), survey_id)


def choices(actor, compound_id):
    compound = require_compound(actor, compound_id)
    return db.session.scalars(
        select(ManagementChoice).where(ManagementChoice.compound_id == compound.id).order_by(ManagementChoice.id.desc())
    ).all()


def _choice_for(item_id, runoff_of):
    """The choice an announced item settles: its own, or (for a runoff) the undecided item's."""
    for candidate in (item_id, runoff_of):
        if candidate is None:
            continue
        found = db.session.scalar(select(ManagementChoice).where(ManagementChoice.vote_item_id == candidate))
        if found is not None:
            return found
    return None


def responsible_for(model, compound):
    """Who answers for the compound once the owners chose, until the committee records the provider."""
    if model == "quasi":
        return f"{compound.org.name}（社区准物业）"  # the compound's community arranges it
    if model == "self_managed":
        return "业主自治（业主大会）"
    return "物业服务企业（待登记）"


def apply_announced(vote, result, actor=None):
    """Receiver of votes' ``vote_announced``: a property_manager item with a winning model sets the compound's
    model from the announcement date, at the fee the winning option proposed; no winner changes nothing."""
    for item in result.items:
        winner = item.winner
        if item.matter != "property_manager" or winner not in CHOSEN_MODELS:
            continue
        compound = vote.compound
        current = state_of(compound)
        choice = _choice_for(item.item_id, vote.runoff_of_item_id)
        values = current.snapshot()
        if winner != current.model:
            values.update(provider_name=None, provider_contact=None, provider_licence=None)
            values.update(contract_start=None, contract_end=None, responsible_party=responsible_for(winner, compound))
        values["model"] = winner
        if choice is not None and choice.proposals.get(winner) is not None:
            values["fee_fen_per_m2_month"] = choice.proposals[winner]
        elif winner != current.model:
            values["fee_fen_per_m2_month"] = None
        announced = vote.announced_at.astimezone(CHINA_TZ).date()
        basis = f"业主表决《{vote.title}》“{item.title}”：{management_model_name(winner)}胜出"
        _write(compound, current.version, values, actor, announced, basis, vote_item_id=item.item_id)
        if choice is not None:
            choice.applied_at = utcnow()


# ---- residents ----


def my_management(resident):
    """The management of every compound the resident has a unit in: model, fee, contact and how it was chosen."""
    unit_ids = bound_unit_ids(resident)
    if not unit_ids:
        return []
    compound_ids = db.session.scalars(select(Unit.compound_id).where(Unit.id.in_(unit_ids)).distinct()).all()
    compounds = db.session.scalars(select(Compound).where(Compound.id.in_(compound_ids)).order_by(Compound.id)).all()
    return [state_of(c) for c in compounds]


def get_choice(actor, choice_id):
    choice = db.session.get(ManagementChoice, choice_id)
    if choice is None:
        raise NotFound("choice_not_found", "找不到该物业模式选择")
    require_compound(actor, choice.compound_id)
    return choice
