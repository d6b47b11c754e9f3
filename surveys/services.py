"""Survey lifecycle and answering: who may see a survey, creating and editing drafts, publishing (which freezes
the questions), closing, and answers online and on paper under the one-per-household or one-per-resident rule.

State changes are conditional UPDATEs whose row count decides (``move``), so of two publishes, or an edit and a
publish at once, exactly one wins on SQLite and PostgreSQL alike. The one-per rule is the unique key of
``survey_participations``; the checks here only give the friendly 409 first.
"""

import hashlib
import json

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from backend import audit
from backend.errors import Conflict, Forbidden, Invalid, NotFound, conflict_for
from backend.extensions import db
from backend.jurisdiction import is_resident, require_compound
from backend.names import scope_text
from backend.roster.models import HouseholdBinding, Unit
from backend.roster.order import sort_units
from backend.types import utcnow

from . import catalog
from .models import AnonymousResponse, Participation, Response, Survey
from .validation import check_answers

SURVEY_NOT_FOUND = ("survey_not_found", "找不到该问卷")


def chain(survey):
    return f"survey:{survey.id}"


# --- places -----------------------------------------------------------------------------------------------


def scope_clause(survey):
    clause = [Unit.compound_id == survey.compound_id]
    if survey.scope_building:
        clause.append(Unit.building == survey.scope_building)
    if survey.scope_entrance:
        clause.append(Unit.entrance == survey.scope_entrance)
    return clause


def units_in_scope(survey):
    return sort_units(db.session.scalars(select(Unit).where(*scope_clause(survey))).all())


def in_scope(survey, unit):
    return (
        unit.compound_id == survey.compound_id
        and survey.scope_building in (None, unit.building)
        and survey.scope_entrance in (None, unit.entrance)
    )


def bound_units(resident):
    """Units the resident is bound to, in any relation (a survey is not an owner decision: tenants answer too)."""
    return db.session.scalars(
        select(Unit)
        .join(HouseholdBinding, HouseholdBinding.unit_id == Unit.id)
        .where(HouseholdBinding.resident_id == resident.id, HouseholdBinding.status == "active")
    ).all()


# --- access -----------------------------------------------------------------------------------------------


def get_survey(actor, survey_id, manage=False):
    """The survey, if the actor may read (or manage) it. A resident sees a published survey whose scope holds a
    unit they are bound to; any other is 404 like an unknown id."""
    survey = db.session.get(Survey, survey_id)
    if survey is None:
        raise NotFound(*SURVEY_NOT_FOUND)
    if is_resident(actor):
        if survey.status == "draft" or not any(in_scope(survey, u) for u in bound_units(actor)):
            raise NotFound(*SURVEY_NOT_FOUND)
    else:
        require_compound(actor, survey.compound_id, manage=manage)
    return survey


def compound_surveys(compound, status=None):
    stmt = select(Survey).where(Survey.compound_id == compound.id).order_by(Survey.id.desc())
    rows = db.session.scalars(stmt).all()
    return [s for s in rows if status is None or s.status_at() == status]


def my_surveys(resident):
    """Published surveys whose scope holds a unit the resident is bound to, newest first, with ``mine``."""
    units = bound_units(resident)
    if not units:
        return []
    compounds = {u.compound_id for u in units}
    surveys = db.session.scalars(
        select(Survey).where(Survey.compound_id.in_(compounds), Survey.status != "draft").order_by(Survey.id.desc())
    ).all()
    return [with_mine(resident, s, units) for s in surveys if any(in_scope(s, u) for u in units)]


def with_mine(resident, survey, units=None):
    """Mark on the survey which of the resident's units in scope have answered (resident surveys: whether they
    have), for the answer page and the home card."""
    units = sort_units([u for u in (units or bound_units(resident)) if in_scope(survey, u)])
    keys = set(db.session.scalars(select(Participation.one_key).where(Participation.survey_id == survey.id)))
    if survey.audience == "household":
        survey.mine = [{"unit_id": u.id, "label": u.label, "answered": f"unit:{u.id}" in keys} for u in units]
    else:
        me = f"resident:{resident.id}" in keys
        survey.mine = [{"unit_id": u.id, "label": u.label, "answered": me} for u in units]
    return survey


# --- lifecycle --------------------------------------------------------------------------------------------


def move(survey, condition, **values):
    """Write ``values`` only while ``condition`` holds on the row; False (and rolled back) if it did not."""
    if db.session.execute(update(Survey).where(Survey.id == survey.id, condition).values(**values)).rowcount:
        return True
    db.session.rollback()
    return False


def _check_template_scope(spec, scope):
    if spec.get("requires_scope") == "entrance" and not scope.get("entrance"):
        raise Invalid(
            "scope_entrance_required",
            "该模板按单元调查，请选择楼栋和单元",
            {"json": {"scope": ["请选择楼栋和单元"]}},
        )


def create_survey(actor, compound, data):
    spec = catalog.template(data["template"]) if data.get("template") else {}
    scope = data.get("scope") or {}
    if spec:
        _check_template_scope(spec, scope)
    survey = Survey(
        compound_id=compound.id,
        title=data.get("title") or spec.get("title"),
        description=data.get("description", spec.get("description", "")),
        template=spec.get("code"),
        audience=data.get("audience") or spec.get("audience", "household"),
        anonymous=data.get("anonymous", spec.get("anonymous", False)),
        scope_building=scope.get("building"),
        scope_entrance=scope.get("entrance"),
        opens_at=data["opens_at"],
        closes_at=data["closes_at"],
        created_by=audit.actor_label(actor),
    )
    survey.questions = data.get("questions") or spec["questions"]
    db.session.add(survey)
    db.session.flush()
    audit.append(chain(survey), actor, "survey_created", {"title": survey.title, "template": survey.template})
    db.session.commit()
    return survey


def _published():
    return Conflict("survey_published", "问卷已发布，题目和设置不能再修改")


def edit(actor, survey, data):
    """Edit a draft: any key it was created with. The UPDATE applies only while the row is still a draft."""
    if survey.status != "draft":
        raise _published()
    opens, closes = data.get("opens_at", survey.opens_at), data.get("closes_at", survey.closes_at)
    if closes <= opens:
        raise Invalid("validation_error", "提交的数据有误", {"json": {"closes_at": ["结束时间必须晚于开始时间"]}})
    values = {k: v for k, v in data.items() if k in ("title", "description", "audience", "anonymous")}
    values.update(opens_at=opens, closes_at=closes)
    if "scope" in data:
        values.update(scope_building=data["scope"].get("building"), scope_entrance=data["scope"].get("entrance"))
    if survey.template and "scope" in data:
        _check_template_scope(catalog.templates().get(survey.template, {}), data["scope"])
    if "questions" in data:
        values["questions_json"] = json.dumps(data["questions"], ensure_ascii=False)
    if not move(survey, Survey.status == "draft", **values):
        raise _published()
    audit.append(chain(survey), actor, "survey_edited", {"keys": sorted(data)})
    db.session.commit()
    db.session.refresh(survey)
    return survey


def publish(actor, survey):
    """Freeze the questions and open the survey (or schedule it: opens_at in the future)."""
    now = utcnow()
    if survey.status != "draft":
        raise _published()
    if survey.closes_at <= now:
        raise Conflict("survey_window_over", "结束时间已过，请先修改结束时间再发布")
    if not db.session.scalar(select(Unit.id).where(*scope_clause(survey)).limit(1)):
        raise Conflict("scope_empty", "问卷范围内没有任何房屋，请先导入名册或检查楼栋、单元")
    if not move(survey, Survey.status == "draft", status="open", published_at=now):
        raise _published()
    # The frozen questions' digest: the audit chain proves they never changed after publishing.
    digest = hashlib.sha256(survey.questions_json.encode()).hexdigest()
    audit.append(chain(survey), actor, "survey_published", {"questions": len(survey.questions), "sha256": digest})
    db.session.commit()
    db.session.refresh(survey)
    return survey


def close(actor, survey):
    """Close at any time while published; answers stop at once."""
    now = utcnow()
    status = survey.status_at(now)
    if status == "draft":
        raise Conflict("survey_not_published", "问卷尚未发布")
    if status == "closed" and survey.status == "closed":
        raise Conflict("survey_closed", "问卷已结束")
    if not move(survey, Survey.status == "open", status="closed", closed_at=min(now, survey.closes_at)):
        raise Conflict("survey_closed", "问卷已结束")
    audit.append(chain(survey), actor, "survey_closed", {"early": now < survey.closes_at})
    db.session.commit()
    db.session.refresh(survey)
    return survey


# --- answers ----------------------------------------------------------------------------------------------


def _require_open(survey):
    status = survey.status_at()
    if status in ("draft", "scheduled"):
        raise Conflict("survey_not_open", "问卷尚未开始")
    if status == "closed":
        raise Conflict("survey_closed", "问卷已结束，不能再回答")


def _lock_shared(survey):
    """Hold the survey's row shared while an answer is stored, so a close (an UPDATE) waits for answers in
    flight and an answer that waited sees the survey closed (PostgreSQL; SQLite runs one writer at a time)."""
    return db.session.scalars(
        select(Survey)
        .where(Survey.id == survey.id)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    ).one()


def _exists():
    return Conflict("response_exists", "已经回答过这份问卷，每户（或每人）只能回答一次")


def _store(actor, survey, unit, resident, channel, key, answers):
    if key and db.session.scalar(
        select(Participation.id).where(Participation.survey_id == survey.id, Participation.one_key == key)
    ):
        raise _exists()
    by = audit.actor_label(actor)
    db.session.add(
        Participation(
            survey_id=survey.id,
            one_key=key,
            unit_id=unit.id,
            resident_id=resident.id if resident else None,
            channel=channel,
            entered_by=by,
        )
    )
    stored = (
        AnonymousResponse(survey_id=survey.id)
        if survey.anonymous
        else Response(
            survey_id=survey.id,
            unit_id=unit.id,
            resident_id=resident.id if resident else None,
            channel=channel,
            entered_by=by,
        )
    )
    stored.answers_json = json.dumps(answers, ensure_ascii=False)
    db.session.add(stored)
    try:
        db.session.flush()
    except IntegrityError as e:
        db.session.rollback()
        raise conflict_for(e) from e
    if channel == "paper":
        audit.append(chain(survey), actor, "paper_response", {"unit": unit.label})
    db.session.commit()
    return {"survey_id": survey.id, "unit_id": unit.id, "label": unit.label, "channel": channel}


def answer_online(resident, survey, data):
    """A resident's answers for a unit they are bound to (any relation, tenants included)."""
    unit = next((u for u in bound_units(resident) if u.id == data["unit_id"]), None)
    if unit is None or not in_scope(survey, unit):
        raise Forbidden("unit_not_bound", "您未绑定该房屋，或该房屋不在问卷范围内")
    survey = _lock_shared(survey)
    _require_open(survey)
    answers = check_answers(survey.questions, data["answers"])
    key = f"unit:{unit.id}" if survey.audience == "household" else f"resident:{resident.id}"
    return _store(resident, survey, unit, resident, "online", key, answers)


def answer_paper(actor, survey, data):
    """Paper answers keyed by the committee: a household survey keeps one per unit by any channel; a resident
    survey counts each sheet once, naming its unit."""
    unit = db.session.get(Unit, data["unit_id"])
    if unit is None or not in_scope(survey, unit):
        raise Invalid("unit_not_in_scope", "该房屋不在问卷范围内", {"json": {"unit_id": ["该房屋不在问卷范围内"]}})
    survey = _lock_shared(survey)
    _require_open(survey)
    answers = check_answers(survey.questions, data["answers"])
    key = f"unit:{unit.id}" if survey.audience == "household" else None
    return _store(actor, survey, unit, None, "paper", key, answers)


def pending(survey):
    """Per entrance: the units in scope with no answer yet (resident surveys: no answer naming the unit)."""
    answered = set(db.session.scalars(select(Participation.unit_id).where(Participation.survey_id == survey.id)))
    groups = {}
    for unit in units_in_scope(survey):
        g = groups.setdefault(
            (unit.building, unit.entrance),
            {
                "building": unit.building,
                "entrance": unit.entrance,
                "label": scope_text(unit.building, unit.entrance),
                "households": 0,
                "answered": 0,
                "not_answered": [],
                "units": [],
            },
        )
        g["households"] += 1
        g["units"].append(unit)
        if unit.id in answered:
            g["answered"] += 1
        else:
            g["not_answered"].append(unit)
    return {
        "survey_id": survey.id,
        "status": survey.status_at(),
        "households": sum(g["households"] for g in groups.values()),
        "answered": sum(g["answered"] for g in groups.values()),
        "entrances": list(groups.values()),
    }
