"""Service rating (DOMAIN.md §7): what households scored the provider, per compound and per provider, per year.

Counted: surveys of the ``satisfaction_after_works`` and ``provider_rating`` templates that are over (closed, or
published and past their closing time). A survey rates the provider in force on its closing date (Beijing), read
from the compound's management history; a compound with no named provider is grouped under its model's name.
Its year is the year of that date.

Only aggregates leave this module: per aspect the points and the number of answers, summed over surveys — never
an answer set, never which unit gave what (anonymous answers are read from their own table like surveys/results.py
does, and carry nothing to read but the scores). Means are exact Fractions; ``mean_text`` rounds half up to two
places in integers.
"""

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from fractions import Fraction

from sqlalchemy import or_, select

from backend.extensions import db
from backend.jurisdiction import require_compound
from backend.names import RATING_ASPECT_NAMES, management_model_name
from backend.types import CHINA_TZ, utcnow
from surveys.models import AnonymousResponse, Response, Survey

from .models import ManagementChange

TEMPLATES = ("satisfaction_after_works", "provider_rating")
ASPECTS = tuple(RATING_ASPECT_NAMES)  # cleaning, security, repairs, green, parking, attitude
SCALE = range(1, 6)


def mean_text(points, count):
    """points / count rounded half up to two places, in integers: "4.33"; None for no answers."""
    if not count:
        return None
    hundredths = (200 * points + count) // (2 * count)  # floor(points * 100 / count + 1/2), all positive
    return f"{hundredths // 100}.{hundredths % 100:02d}"


@dataclass
class Tally:
    """Points and answers per aspect, the surveys and answer sets they came from, and the compounds they rate."""

    points: dict = field(default_factory=lambda: dict.fromkeys(ASPECTS, 0))
    answers: dict = field(default_factory=lambda: dict.fromkeys(ASPECTS, 0))
    surveys: int = 0
    responses: int = 0
    compounds: set = field(default_factory=set)

    def add(self, other):
        for key in ASPECTS:
            self.points[key] += other.points[key]
            self.answers[key] += other.answers[key]
        self.surveys += other.surveys
        self.responses += other.responses
        self.compounds |= other.compounds

    @property
    def overall_points(self):
        return sum(self.points.values())

    @property
    def overall_answers(self):
        return sum(self.answers.values())

    @property
    def overall_mean(self):
        """Every aspect score counts once: all points over all answers."""
        n = self.overall_answers
        return Fraction(self.overall_points, n) if n else None

    def figures(self):
        """The figures the outputs show (exact means; ``mean_text`` rounded for reading)."""
        return {
            "surveys": self.surveys,
            "responses": self.responses,
            "compounds": len(self.compounds),
            "aspects": [
                {
                    "key": key,
                    "responses": self.answers[key],
                    "mean": Fraction(self.points[key], self.answers[key]) if self.answers[key] else None,
                    "mean_text": mean_text(self.points[key], self.answers[key]),
                }
                for key in ASPECTS
            ],
            "overall_mean": self.overall_mean,
            "overall_text": mean_text(self.overall_points, self.overall_answers),
        }


def local_midnight(day):
    return datetime.combine(day, time.min, CHINA_TZ)


def closing_date(survey):
    return survey.effective_closed_at.astimezone(CHINA_TZ).date()


def rating_surveys(compound_ids, year=None):
    """The surveys that count, of the given compounds (a list or a subquery of ids), optionally of one year."""
    now = utcnow()
    closed_at = Survey.closed_at
    stmt = select(Survey).where(
        Survey.compound_id.in_(compound_ids),
        Survey.template.in_(TEMPLATES),
        or_(Survey.status == "closed", (Survey.status == "open") & (Survey.closes_at <= now)),
    )
    if year is not None:
        start, end = local_midnight(date(year, 1, 1)), local_midnight(date(year + 1, 1, 1))
        # The closing moment: closed_at when closed (never later than closes_at), else closes_at.
        stmt = stmt.where(
            or_(
                closed_at.is_not(None) & (closed_at >= start) & (closed_at < end),
                closed_at.is_(None) & (Survey.closes_at >= start) & (Survey.closes_at < end),
            )
        )
    return db.session.scalars(stmt.order_by(Survey.compound_id, Survey.id)).all()


def _survey_tallies(surveys):
    """{survey id: Tally} from every stored answer set of the surveys (named and anonymous tables alike)."""
    if not surveys:
        return {}
    scales = {s.id: {q["key"] for q in s.questions if q["type"] == "scale" and q["key"] in ASPECTS} for s in surveys}
    tallies = {s.id: Tally(surveys=1, compounds={s.compound_id}) for s in surveys}
    ids = list(scales)
    for model in (Response, AnonymousResponse):
        for survey_id, answers_json in db.session.execute(
            select(model.survey_id, model.answers_json).where(model.survey_id.in_(ids))
        ):
            tally, answers = tallies[survey_id], json.loads(answers_json)
            tally.responses += 1
            for key in scales[survey_id]:
                value = answers.get(key)
                if isinstance(value, int) and not isinstance(value, bool) and value in SCALE:
                    tally.points[key] += value
                    tally.answers[key] += 1
    return tallies


def providers_in_force(compound_ids):
    """{compound id: [(effective_from, version, provider label)]} in the order the changes took effect."""
    found = defaultdict(list)
    if not compound_ids:
        return found
    rows = db.session.scalars(
        select(ManagementChange)
        .where(ManagementChange.compound_id.in_(compound_ids))
        .order_by(ManagementChange.compound_id, ManagementChange.effective_from, ManagementChange.version)
    )
    for change in rows:
        found[change.compound_id].append((change.effective_from or date.min, change.version, provider_label(change)))
    for changes in found.values():
        changes.sort(key=lambda c: (c[0], c[1]))
    return found


def provider_label(fields):
    """The provider's name, or the model's name when none is recorded (社区准物业, 业主自治, 尚未选择)."""
    name = (fields.provider_name or "").strip()
    return name or management_model_name(fields.model)


def provider_on(changes, day):
    """The provider in force on ``day``: the last change effective by then; before any, the model none."""
    label = management_model_name("none")
    for effective_from, _, provider in changes:
        if effective_from > day:
            break
        label = provider
    return label


def rated(compound_ids, year=None):
    """[(compound id, year, provider, Tally)] for every counted survey, one per survey."""
    surveys = rating_surveys(compound_ids, year)
    tallies = _survey_tallies(surveys)
    history = providers_in_force(sorted({s.compound_id for s in surveys}))
    out = []
    for survey in surveys:
        day = closing_date(survey)
        out.append((survey.compound_id, day.year, provider_on(history[survey.compound_id], day), tallies[survey.id]))
    return out


def compound_ratings(actor, compound_id):
    """The compound's rows: one per year and provider, years in order, providers by name."""
    compound = require_compound(actor, compound_id)
    grouped = defaultdict(Tally)
    for _, year, provider, tally in rated([compound.id]):
        grouped[(year, provider)].add(tally)
    return [
        {"year": year, "provider": provider, **grouped[(year, provider)].figures()}
        for year, provider in sorted(grouped)
    ]


def rank_key(row):
    """Overall mean high to low, then more answer sets first, then the name (a stable order for ties)."""
    mean = row["overall_mean"]
    return (mean is None, -(mean or 0), -row["responses"], row["provider"])


def provider_ranking(compound_ids, year):
    """Per provider over the compounds (a subquery or list of ids) for ``year``, ranked; and per compound its
    pooled Tally for the year (the overview's per-compound column)."""
    by_provider, by_compound = defaultdict(Tally), defaultdict(Tally)
    for compound_id, _, provider, tally in rated(compound_ids, year):
        by_provider[provider].add(tally)
        by_compound[compound_id].add(tally)
    rows = sorted(({"provider": p, **t.figures()} for p, t in by_provider.items()), key=rank_key)
    for n, row in enumerate(rows, start=1):
        row["rank"] = n
    return rows, by_compound
