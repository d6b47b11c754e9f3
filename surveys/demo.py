"""Demo data for surveys: the renovation-needs survey open in 幸福里小区, with a few paper answers in."""

from datetime import timedelta

from sqlalchemy import select

from backend.extensions import db
from backend.roster.models import Unit
from backend.types import utcnow

from . import services
from .models import Survey

TITLE = "幸福里小区改造需求调查"
ANSWERS = [
    {"basic": ["water", "roof_facade_stairs"], "priority": ["water", "roof_facade_stairs", "elevator"], "cofund": "yes",
     "cofund_amount": "20_50", "parking": "car_no_space"},
    {"basic": ["water", "gas"], "priority": ["elevator", "water"], "cofund": "depends", "parking": "no_car"},
    {"basic": ["fire_safety"], "improvement": ["parking", "charging"], "priority": ["parking", "water"], "cofund": "no",
     "comments": "希望多建停车位"},
]  # fmt: skip


def load(context):
    compound, committee = context["compound"], context["committee"]
    survey = db.session.scalar(select(Survey).where(Survey.compound_id == compound.id, Survey.title == TITLE))
    if survey is None:
        now = utcnow()
        survey = services.create_survey(
            committee,
            compound,
            {
                "template": "renovation_needs",
                "title": TITLE,
                "opens_at": now - timedelta(days=1),
                "closes_at": now + timedelta(days=21),
            },
        )
        services.publish(committee, survey)
        units = db.session.scalars(select(Unit).where(Unit.compound_id == compound.id).order_by(Unit.id).limit(3))
        for unit, answers in zip(units, ANSWERS, strict=False):
            services.answer_paper(committee, survey, {"unit_id": unit.id, "answers": answers})
    return [f"demo survey: {survey.title} (id {survey.id})"]
