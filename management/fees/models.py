"""Property fees: one append-only table of payments per unit and month.

A month's fee is not stored: it is the rate in force on the month's first day (from the management history) times
the unit's area, rounded half up, computed when read. A payment names the month it pays; a mistake is undone by a
reversal entry (at most one per payment, held by a unique constraint). A receipt or bank reference is unique within
the compound, so one receipt cannot be booked twice, typed at the desk or imported.
"""

from datetime import date, datetime
from typing import Optional

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.extensions import db
from backend.names import PAYMENT_METHOD_NAMES
from backend.roster.models import Unit
from backend.types import UTCDateTime, utcnow

ENTRY_KINDS = ("payment", "reversal")
METHODS = tuple(PAYMENT_METHOD_NAMES)


class FeeEntry(db.Model):
    __tablename__ = "fee_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    period: Mapped[str] = mapped_column(String(7))  # "2026-11": sorts as text, as months do
    kind: Mapped[str] = mapped_column(String(16), default="payment")
    amount_fen: Mapped[int]  # positive; a reversal takes back the payment it names
    paid_on: Mapped[date] = mapped_column(Date)
    method: Mapped[Optional[str]] = mapped_column(String(16))
    reference: Mapped[Optional[str]] = mapped_column(String(64))
    reverses_id: Mapped[Optional[int]] = mapped_column(ForeignKey("fee_entries.id"))
    reason: Mapped[Optional[str]] = mapped_column(String(255))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship()

    __table_args__ = (
        UniqueConstraint("compound_id", "reference"),  # NULLs are distinct: reversals carry none
        UniqueConstraint("reverses_id"),  # reversed at most once, however many press the button
        CheckConstraint(f"kind IN {ENTRY_KINDS}", name="kind"),
        CheckConstraint(f"method IS NULL OR method IN {METHODS}", name="method"),
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        CheckConstraint("(kind = 'reversal') = (reverses_id IS NOT NULL)", name="reversal_link"),
        CheckConstraint("kind = 'reversal' OR reference IS NOT NULL", name="reference"),
        CheckConstraint("length(period) = 7", name="period"),
        Index("ix_fee_entries_account", "compound_id", "unit_id"),
        Index("ix_fee_entries_period", "compound_id", "period"),
    )

    @property
    def signed_fen(self):
        return -self.amount_fen if self.kind == "reversal" else self.amount_fen
