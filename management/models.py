"""A compound's property management (DOMAIN.md §1, §7): what it has now, and every change with its basis.

``management_states`` holds one current row per compound (a version number makes two edits at once collide);
``management_changes`` is the append-only history: each row a full snapshot, who made it, from when, and why —
a vote item when the owners chose, free text when the committee recorded a fact.
"""

import json
from datetime import date, datetime
from typing import Optional

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.extensions import db
from backend.names import MANAGEMENT_MODEL_NAMES, RIGHTS_HOLDER_NAMES
from backend.roster.models import Compound
from backend.types import UTCDateTime, utcnow

MODELS = tuple(MANAGEMENT_MODEL_NAMES)  # professional, quasi, self_managed, none
CHOSEN_MODELS = ("professional", "quasi", "self_managed")  # what owners vote among
RIGHTS_HOLDERS = tuple(RIGHTS_HOLDER_NAMES)
# The fields a change snapshots, in the order the history prints them.
FIELDS = (
    "model",
    "provider_name",
    "provider_contact",
    "provider_licence",
    "fee_fen_per_m2_month",
    "contract_start",
    "contract_end",
    "rights_holder",
    "responsible_party",
)


class ManagementFields:
    """The columns a state and a change share."""

    model: Mapped[str] = mapped_column(String(16), default="none")
    provider_name: Mapped[Optional[str]] = mapped_column(String(200))
    provider_contact: Mapped[Optional[str]] = mapped_column(String(100))
    provider_licence: Mapped[Optional[str]] = mapped_column(String(64))
    fee_fen_per_m2_month: Mapped[Optional[int]]
    contract_start: Mapped[Optional[date]] = mapped_column(Date)
    contract_end: Mapped[Optional[date]] = mapped_column(Date)
    rights_holder: Mapped[str] = mapped_column(String(32), default="unknown")
    # Who answers for the compound (a company, the community, the owners' committee); none = 失管.
    responsible_party: Mapped[Optional[str]] = mapped_column(String(200))

    @property
    def unmanaged(self):
        return not self.responsible_party

    def snapshot(self):
        return {f: getattr(self, f) for f in FIELDS}


class ManagementState(ManagementFields, db.Model):
    __tablename__ = "management_states"
    id: Mapped[int] = mapped_column(primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), unique=True)
    version: Mapped[int] = mapped_column(default=1)
    effective_from: Mapped[Optional[date]] = mapped_column(Date)
    basis: Mapped[str] = mapped_column(Text, default="")
    vote_item_id: Mapped[Optional[int]]  # the announced property_manager item that chose the model
    updated_by: Mapped[str] = mapped_column(String(100), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    compound: Mapped[Compound] = relationship()

    __table_args__ = (
        CheckConstraint(f"model IN {MODELS}", name="model"),
        CheckConstraint(f"rights_holder IN {RIGHTS_HOLDERS}", name="rights_holder"),
        CheckConstraint("fee_fen_per_m2_month IS NULL OR fee_fen_per_m2_month >= 0", name="fee"),
    )


class ManagementChange(ManagementFields, db.Model):
    """One row per change, never edited: the history officials and residents read."""

    __tablename__ = "management_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    version: Mapped[int]  # the state's version this change produced
    effective_from: Mapped[Optional[date]] = mapped_column(Date)
    basis: Mapped[str] = mapped_column(Text, default="")
    vote_item_id: Mapped[Optional[int]]
    changed_by: Mapped[str] = mapped_column(String(100))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("compound_id", "version"),)


class ManagementChoice(db.Model):
    """The guided choice: the survey asked, the vote held, the fee proposed per model. When the vote's
    property_manager item is announced with a winner, the compound's model becomes it at that model's fee."""

    __tablename__ = "management_choices"
    id: Mapped[int] = mapped_column(primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    survey_id: Mapped[Optional[int]]  # no FK: surveys are another feature's tables
    vote_id: Mapped[int] = mapped_column(unique=True)
    vote_item_id: Mapped[int] = mapped_column(unique=True)
    # {"professional": 120, "quasi": 50, "self_managed": 30}: fen per m² per month, per model offered
    proposals_json: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    applied_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    @property
    def proposals(self):
        return json.loads(self.proposals_json)

    @property
    def proposal_rows(self):
        return [{"model": m, "fee_fen_per_m2_month": fee} for m, fee in self.proposals.items()]
