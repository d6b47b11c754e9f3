"""Surveys: the survey and its frozen questions, who has taken part, and the answers.

The one-response rule lives in ``survey_participations`` (a unique key per unit or per resident), never on the
answers. Named answers (``survey_responses``) say whose they are; anonymous answers
(``survey_anonymous_responses``) are stored apart, with a random id, no time and no column or foreign key that
leads to a unit, a resident or a participation, so nothing stored can tie an answer to a household.
"""

import json
import uuid
from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.extensions import db
from backend.names import survey_scope_text
from backend.roster.models import Compound
from backend.roster.scope import Scoped
from backend.types import UTCDateTime, utcnow

AUDIENCES = ("household", "resident")
STORED_STATUSES = ("draft", "open", "closed")  # "scheduled" is "open" before opens_at
STATUSES = ("draft", "scheduled", "open", "closed")
CHANNELS = ("online", "paper")


class Survey(Scoped, db.Model):
    __tablename__ = "surveys"
    id: Mapped[int] = mapped_column(primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    template: Mapped[Optional[str]] = mapped_column(String(40))
    audience: Mapped[str] = mapped_column(String(16), default="household")
    anonymous: Mapped[bool] = mapped_column(default=False)
    scope_building: Mapped[Optional[str]] = mapped_column(String(32))
    scope_entrance: Mapped[Optional[str]] = mapped_column(String(32))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    # The questions as validated (surveys/validation.py); frozen once published.
    questions_json: Mapped[str] = mapped_column(Text, default="[]")
    # The draft vote started from this survey's results (votes are another feature's table: no FK).
    draft_vote_id: Mapped[Optional[int]]
    draft_campaign_id: Mapped[Optional[int]]  # the co-funding campaign drafted from an elevator survey
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    closed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    compound: Mapped[Compound] = relationship()

    __table_args__ = (
        CheckConstraint(f"status IN {STORED_STATUSES}", name="status"),
        CheckConstraint(f"audience IN {AUDIENCES}", name="audience"),
        CheckConstraint("closes_at > opens_at", name="window"),
        CheckConstraint("scope_entrance IS NULL OR scope_building IS NOT NULL", name="scope"),
    )

    @property
    def questions(self):
        return json.loads(self.questions_json or "[]")

    @questions.setter
    def questions(self, questions):
        self.questions_json = json.dumps(questions, ensure_ascii=False)

    @property
    def scope_text(self):
        return survey_scope_text(self.scope_building, self.scope_entrance)

    def status_at(self, now=None):
        """A published survey is scheduled before opens_at, open in its window, closed after it (or when closed)."""
        now = now or utcnow()
        if self.status in ("draft", "closed"):
            return self.status
        if now < self.opens_at:
            return "scheduled"
        return "open" if now < self.closes_at else "closed"

    @property
    def effective_closed_at(self):
        return self.closed_at or self.closes_at


class Participation(db.Model):
    """That a unit (household survey) or a resident (resident survey) has answered; never which answer.

    ``one_key`` is "unit:<id>" or "resident:<id>"; paper answers to a resident survey count one each (NULL key,
    the unit named). The unique constraint holds the one-per rule against any race and either channel.
    """

    __tablename__ = "survey_participations"
    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    one_key: Mapped[Optional[str]] = mapped_column(String(40))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    resident_id: Mapped[Optional[int]] = mapped_column(ForeignKey("residents.id"))
    channel: Mapped[str] = mapped_column(String(16))
    entered_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("survey_id", "one_key", name="uq_survey_participations_one"),
        CheckConstraint(f"channel IN {CHANNELS}", name="channel"),
    )


class Response(db.Model):
    """A named answer set (surveys that are not anonymous): its unit and, online, its resident."""

    __tablename__ = "survey_responses"
    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    resident_id: Mapped[Optional[int]] = mapped_column(ForeignKey("residents.id"))
    channel: Mapped[str] = mapped_column(String(16))
    answers_json: Mapped[str] = mapped_column(Text)
    entered_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (CheckConstraint(f"channel IN {CHANNELS}", name="channel"),)

    @property
    def answers(self):
        return json.loads(self.answers_json)


def random_id():
    return uuid.uuid4().hex  # no order: an id cannot be matched to a participation by when it was made


class AnonymousResponse(db.Model):
    """An anonymous answer set: the survey and the answers, nothing else (see the module's docstring)."""

    __tablename__ = "survey_anonymous_responses"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    answers_json: Mapped[str] = mapped_column(Text)

    @property
    def answers(self):
        return json.loads(self.answers_json)
