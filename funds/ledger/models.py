"""The maintenance-fund ledger: rates with their basis, spending items, and one append-only entry table.

Entries are never edited: a mistaken deposit is undone by a reversal entry (at most one per entry, held by a
unique constraint), and a spending item writes one ``use`` entry per unit in its scope. A payment's reference
(bank serial or receipt number) is unique within the compound, so the same statement line cannot be booked twice,
whether typed at the desk or imported.
"""

from datetime import date, datetime
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.extensions import db
from backend.names import scope_text
from backend.roster.models import Unit
from backend.types import UTCDateTime, utcnow

ENTRY_KINDS = ("deposit", "reversal", "use")


class FundRate(db.Model):
    """A rate per m² from a date: the compound's (``building`` NULL) or one building's."""

    __tablename__ = "fund_rates"
    id: Mapped[int] = mapped_column(primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    building: Mapped[Optional[str]] = mapped_column(String(32))
    rate_fen_per_m2: Mapped[int]
    effective_from: Mapped[date]
    basis: Mapped[str] = mapped_column(String(500))
    # The owners' fund_raising decision the rate comes from (or NULL: the city's regulation, named in basis).
    vote_item_id: Mapped[Optional[int]] = mapped_column(ForeignKey("vote_items.id"))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (CheckConstraint("rate_fen_per_m2 > 0", name="rate_positive"),)


class FundSpending(db.Model):
    """A use of the fund, shared by area over the units of its scope (their ``use`` entries)."""

    __tablename__ = "fund_spendings"
    id: Mapped[int] = mapped_column(primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    amount_fen: Mapped[int]
    scope_building: Mapped[Optional[str]] = mapped_column(String(32))
    scope_entrance: Mapped[Optional[str]] = mapped_column(String(32))
    date: Mapped[date]
    vote_item_id: Mapped[Optional[int]] = mapped_column(ForeignKey("vote_items.id"))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entries: Mapped[list["FundEntry"]] = relationship(back_populates="spending", order_by="FundEntry.id")

    __table_args__ = (
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        CheckConstraint("scope_entrance IS NULL OR scope_building IS NOT NULL", name="scope"),
    )

    @property
    def scope(self):
        return {"building": self.scope_building, "entrance": self.scope_entrance}

    @property
    def scope_text(self):
        return scope_text(self.scope_building, self.scope_entrance)


class FundEntry(db.Model):
    """One line of a unit's account. ``amount_fen`` is always ≥ 0; the kind gives its sign (a reversal takes
    back the deposit it names)."""

    __tablename__ = "fund_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    kind: Mapped[str] = mapped_column(String(16))
    amount_fen: Mapped[int]
    date: Mapped[date]
    reference: Mapped[Optional[str]] = mapped_column(String(64))
    reverses_id: Mapped[Optional[int]] = mapped_column(ForeignKey("fund_entries.id"))
    reason: Mapped[Optional[str]] = mapped_column(String(500))
    spending_id: Mapped[Optional[int]] = mapped_column(ForeignKey("fund_spendings.id"), index=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship()
    spending: Mapped[Optional[FundSpending]] = relationship(back_populates="entries")

    __table_args__ = (
        # One booking per bank serial or receipt number in a compound (NULLs — reversals, uses — never clash).
        UniqueConstraint("compound_id", "reference"),
        # An entry is reversed at most once, however many people press the button at once.
        UniqueConstraint("reverses_id"),
        CheckConstraint(f"kind IN {ENTRY_KINDS}", name="kind"),
        CheckConstraint("amount_fen > 0 OR (kind = 'use' AND amount_fen = 0)", name="amount_positive"),
        CheckConstraint("(kind = 'reversal') = (reverses_id IS NOT NULL)", name="reversal_names_entry"),
        CheckConstraint("(kind = 'use') = (spending_id IS NOT NULL)", name="use_names_spending"),
        Index("ix_fund_entries_account", "compound_id", "unit_id"),
    )
