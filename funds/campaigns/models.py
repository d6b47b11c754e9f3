"""Co-funding campaigns: the campaign, its subsidies, the shares frozen at publish, pledges and payment entries.

Money is integer fen; area is frozen as integer hundredths of m² (so SQL sums stay integers). Entries are never
edited: a payment is corrected by a reversing entry, and the database holds one pledge per unit, one use of a
reference per campaign and one reversal per payment (unique constraints: they decide races too).
"""

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import CheckConstraint, Date, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.extensions import db
from backend.names import unit_label
from backend.roster.models import Compound
from backend.roster.scope import Scoped
from backend.types import UTCDateTime, utcnow

STATUSES = ("draft", "open")
RULES = ("area", "equal", "floor_area")
SOURCES = ("city", "district", "provident_fund", "other")
METHODS = ("cash", "bank", "wechat", "alipay")
ENTRY_KINDS = ("payment", "reversal")
SHARE_STATUSES = ("none", "pledged", "part_paid", "paid")


class Campaign(Scoped, db.Model):
    __tablename__ = "campaigns"
    id: Mapped[int] = mapped_column(primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    scope_building: Mapped[Optional[str]] = mapped_column(String(32))
    scope_entrance: Mapped[Optional[str]] = mapped_column(String(32))
    total_cost_fen: Mapped[int]
    rule: Mapped[str] = mapped_column(String(16), default="area")
    # {"3": "0.70", ...}: floor → coefficient as a decimal string (floor_area only); a floor not listed pays 0.
    coefficients_json: Mapped[str] = mapped_column(Text, default="{}")
    vote_item_id: Mapped[Optional[int]] = mapped_column(ForeignKey("vote_items.id"))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    compound: Mapped[Compound] = relationship()
    subsidies: Mapped[list["CampaignSubsidy"]] = relationship(
        order_by="CampaignSubsidy.id", cascade="all, delete-orphan", lazy="selectin"
    )

    __table_args__ = (
        CheckConstraint(f"status IN {STATUSES}", name="status"),
        CheckConstraint(f"rule IN {RULES}", name="rule"),
        CheckConstraint("total_cost_fen >= 0", name="cost"),
        CheckConstraint("scope_entrance IS NULL OR scope_building IS NOT NULL", name="scope"),
    )

    @property
    def coefficients(self):
        """Floor (int) → coefficient (Decimal)."""
        return {int(k): Decimal(v) for k, v in json.loads(self.coefficients_json or "{}").items()}

    @property
    def coefficients_text(self):
        return json.loads(self.coefficients_json or "{}")

    @property
    def subsidies_fen(self):
        return sum(s.amount_fen for s in self.subsidies)

    @property
    def residents_part_fen(self):
        return self.total_cost_fen - self.subsidies_fen


class CampaignSubsidy(db.Model):
    __tablename__ = "campaign_subsidies"
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(16))
    amount_fen: Mapped[int]

    __table_args__ = (
        CheckConstraint(f"source IN {SOURCES}", name="source"),
        CheckConstraint("amount_fen > 0", name="amount_positive"),
    )


class CampaignShare(db.Model):
    """A unit's share as frozen at publish, with what it was computed from; ``position`` is the unit order."""

    __tablename__ = "campaign_shares"
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    position: Mapped[int]
    building: Mapped[str] = mapped_column(String(32))
    entrance: Mapped[str] = mapped_column(String(32))
    room: Mapped[str] = mapped_column(String(32))
    floor: Mapped[Optional[int]]  # the floor the rule used (roster's, else from the room number)
    area_cents: Mapped[int]
    coefficient: Mapped[Optional[Decimal]] = mapped_column(Numeric(6, 2))  # floor_area only
    share_fen: Mapped[int]

    __table_args__ = (CheckConstraint("share_fen >= 0", name="share_nonnegative"),)

    @property
    def label(self):
        return unit_label(self.building, self.entrance, self.room)


class Pledge(db.Model):
    __tablename__ = "campaign_pledges"
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    amount_fen: Mapped[int]
    channel: Mapped[str] = mapped_column(String(16))  # online | paper | payment (made by a payment's entry)
    resident_id: Mapped[Optional[int]] = mapped_column(ForeignKey("residents.id"))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("campaign_id", "unit_id"),  # one pledge per unit → 409 pledge_exists
        CheckConstraint("amount_fen > 0", name="amount_positive"),
    )


class PaymentEntry(db.Model):
    """A payment, or the reversal of one (same unit and amount, ``reverses_id`` set). Never edited or deleted."""

    __tablename__ = "campaign_payments"
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    kind: Mapped[str] = mapped_column(String(16), default="payment")
    amount_fen: Mapped[int]  # positive; a reversal subtracts it
    paid_on: Mapped[date] = mapped_column(Date)
    method: Mapped[Optional[str]] = mapped_column(String(16))
    reference: Mapped[Optional[str]] = mapped_column(String(64))
    reverses_id: Mapped[Optional[int]] = mapped_column(ForeignKey("campaign_payments.id"), unique=True)
    reason: Mapped[Optional[str]] = mapped_column(String(255))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("campaign_id", "reference"),  # NULLs are distinct: reversals carry none
        CheckConstraint(f"kind IN {ENTRY_KINDS}", name="kind"),
        CheckConstraint(f"method IS NULL OR method IN {METHODS}", name="method"),
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        CheckConstraint("(kind = 'reversal') = (reverses_id IS NOT NULL)", name="reversal_link"),
    )

    @property
    def signed_fen(self):
        return -self.amount_fen if self.kind == "reversal" else self.amount_fen
