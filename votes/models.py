"""Owner decisions: votes, their items, the electorate frozen at publish, ballots and their choices."""

import json
from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.extensions import db
from backend.names import option_choice, unit_label
from backend.roster.models import Compound
from backend.roster.scope import Scoped
from backend.types import UTCDateTime, utcnow

# Civil Code art. 278: the matter decides the consent rule (DOMAIN.md §2).
THREE_QUARTERS = ("fund_raising", "rebuild", "common_use_change")
MAJORITY = (
    "rules_of_procedure",
    "management_statute",
    "committee_election",
    "property_manager",
    "fund_use",
    "other_major",
)
MATTERS = MAJORITY + THREE_QUARTERS + ("consultation",)
DEFAULT_OPTIONS = ["agree", "disagree", "abstain"]
MANAGEMENT_MODELS = ["professional", "quasi", "self_managed"]  # a choice among property management models
NEVER_WIN = ("disagree", "abstain")
STORED_STATUSES = ("draft", "open", "closed", "announced")  # "scheduled" is "open" before opens_at
CHANNELS = ("online", "paper", "proxy")
# A ballot still standing: not replaced by a correction (the partial unique indexes below rely on this).
CURRENT = "superseded_at IS NULL"
COUNTED = "superseded_at IS NULL AND confirmed_at IS NOT NULL"  # a ballot a tally counts


class Vote(Scoped, db.Model):
    __tablename__ = "votes"
    id: Mapped[int] = mapped_column(primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    scope_building: Mapped[Optional[str]] = mapped_column(String(32))
    scope_entrance: Mapped[Optional[str]] = mapped_column(String(32))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    require_confirmation: Mapped[bool] = mapped_column(default=False)
    # JSON list of Chinese sentences: the notice-lead warning and the like, printed on the result.
    warnings_json: Mapped[str] = mapped_column(Text, default="[]")
    # The frozen electorate's totals, fixed at publish (the per-unit rows are in vote_units).
    electorate_units: Mapped[int] = mapped_column(default=0)
    electorate_owners: Mapped[int] = mapped_column(default=0)
    electorate_area_cents: Mapped[int] = mapped_column(default=0)
    runoff_of_item_id: Mapped[Optional[int]]  # the undecided item this runoff settles (no FK: items → votes)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    closed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    announced_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    publicity_until: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    compound: Mapped[Compound] = relationship()
    items: Mapped[list["VoteItem"]] = relationship(
        back_populates="vote", order_by="VoteItem.position", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint(f"status IN {STORED_STATUSES}", name="status"),
        CheckConstraint("closes_at > opens_at", name="window"),
        CheckConstraint("scope_entrance IS NULL OR scope_building IS NOT NULL", name="scope"),
        Index("ix_votes_compound_order", "compound_id", "id"),  # the consent-rate report's order
    )

    @property
    def warnings(self):
        return json.loads(self.warnings_json or "[]")

    @property
    def electorate(self):
        return {
            "units": self.electorate_units,
            "owners": self.electorate_owners,
            "area": cents_str(self.electorate_area_cents),
        }

    # Every status a vote shows; "scheduled", and "closed" once the window is over, are read off the clock.
    STATUSES = ("draft", "scheduled", "open", "closed", "announced")

    @hybrid_method
    def in_status(self, status, now):
        """Whether the vote is in ``status`` at ``now``: the one definition, for Python and for SQL.

        On an instance the operands are its values and the answer a bool; on the class they are the columns and
        the answer a WHERE clause (``&`` and ``|`` serve both). Exactly one status holds for any vote.
        """
        published = self.status == "open"
        return {
            "draft": self.status == "draft",
            "announced": self.status == "announced",
            "scheduled": published & (self.opens_at > now),
            "open": published & (self.opens_at <= now) & (self.closes_at > now),
            "closed": (self.status == "closed") | (published & (self.closes_at <= now)),
        }[status]

    def status_at(self, now=None):
        """The status as the server clock sees it: a published vote is scheduled, open or (window over) closed."""
        now = now or utcnow()
        return next(status for status in self.STATUSES if self.in_status(status, now))

    @property
    def effective_closed_at(self):
        return self.closed_at or self.closes_at


class VoteItem(db.Model):
    __tablename__ = "vote_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    matter: Mapped[str] = mapped_column(String(32))
    # JSON list of {"code", "label"} in ballot order; always holds "abstain". Ballots store the code.
    options_json: Mapped[str] = mapped_column(Text)

    vote: Mapped[Vote] = relationship(back_populates="items")

    @property
    def choices(self):
        return json.loads(self.options_json)

    @choices.setter
    def choices(self, options):
        """Codes, built-in names or ``{"code", "label"}``; abstaining is always possible (and is how blank paper
        items count), so ``abstain`` is added when missing."""
        choices = [option_choice(o) for o in options]
        if "abstain" not in [c["code"] for c in choices]:
            choices.append(option_choice("abstain"))
        self.options_json = json.dumps(choices, ensure_ascii=False)

    @property
    def options(self):
        return [c["code"] for c in self.choices]

    @property
    def option_labels(self):
        return {c["code"]: c["label"] for c in self.choices}

    def label(self, code):
        return self.option_labels.get(code, code)

    __table_args__ = (CheckConstraint(f"matter IN {MATTERS}", name="matter"),)


class VoteUnit(db.Model):
    """One unit of the electorate as it stood at publish: later roster edits and sales do not move it."""

    __tablename__ = "vote_units"
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    building: Mapped[str] = mapped_column(String(32))
    entrance: Mapped[str] = mapped_column(String(32))
    room: Mapped[str] = mapped_column(String(32))
    area_cents: Mapped[int]  # exact hundredths of m², so SQL sums stay integers
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"))

    __table_args__ = (
        Index("ix_vote_units_owner", "vote_id", "owner_id"),
        Index("ix_vote_units_area", "vote_id", "unit_id", "area_cents"),  # area sums read the index only
    )

    @property
    def label(self):
        return unit_label(self.building, self.entrance, self.room)


def cents_str(cents):
    """Integer hundredths of m² as the API's two-place string."""
    cents = int(cents or 0)
    return f"{cents // 100}.{cents % 100:02d}"


class Ballot(db.Model):
    """A unit's ballot. A correction keeps this row (``superseded_at``) and adds the new one."""

    __tablename__ = "ballots"
    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    # Whom the ballot counts for in the headcount: the owner frozen at publish, or the buyer of a unit sold
    # since (DOMAIN §2: the new owner casts the ballot, and they are not the seller).
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"))
    channel: Mapped[str] = mapped_column(String(16))
    receipt: Mapped[str] = mapped_column(String(16))
    sheet_no: Mapped[Optional[str]] = mapped_column(String(32))
    proxy_name: Mapped[Optional[str]] = mapped_column(String(100))
    evidence: Mapped[Optional[str]] = mapped_column(String(255))
    resident_id: Mapped[Optional[int]] = mapped_column(ForeignKey("residents.id"))
    entered_by: Mapped[str] = mapped_column(String(100))  # the actor label of whoever cast or keyed it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_by: Mapped[Optional[str]] = mapped_column(String(100))
    confirmed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)  # NULL: awaiting a second person
    superseded_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    supersedes_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ballots.id"))
    correction_reason: Mapped[Optional[str]] = mapped_column(String(500))

    choices: Mapped[list["BallotChoice"]] = relationship(cascade="all, delete-orphan")
    # The unit as frozen at publish, for the label the desk's ballot lists print.
    place: Mapped[Optional[VoteUnit]] = relationship(
        primaryjoin="and_(Ballot.vote_id == foreign(VoteUnit.vote_id), Ballot.unit_id == foreign(VoteUnit.unit_id))",
        viewonly=True,
        uselist=False,
    )

    @property
    def label(self):
        return self.place.label if self.place else None

    __table_args__ = (
        # One standing ballot per unit per vote, whatever the channel; superseded rows stay beside it.
        Index(
            "uq_ballots_current_unit",
            "vote_id",
            "unit_id",
            unique=True,
            sqlite_where=text(CURRENT),
            postgresql_where=text(CURRENT),
        ),
        Index(
            "uq_ballots_current_sheet",
            "vote_id",
            "sheet_no",
            unique=True,
            sqlite_where=text(CURRENT),
            postgresql_where=text(CURRENT),
        ),
        UniqueConstraint("vote_id", "receipt"),
        # A vote's counted ballots (votes.tally.counted_ballots) as one index range, for tallies across a city.
        Index(
            "ix_ballots_counted",
            "vote_id",
            "unit_id",
            "id",
            "owner_id",
            sqlite_where=text(COUNTED),
            postgresql_where=text(COUNTED),
        ),
        CheckConstraint(f"channel IN {CHANNELS}", name="channel"),
    )

    @property
    def choice_map(self):
        return {str(c.item_id): c.option for c in self.choices}

    @property
    def choice_labels(self):
        return {str(c.item_id): c.label for c in self.choices}


class BallotChoice(db.Model):
    __tablename__ = "ballot_choices"
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("vote_items.id", ondelete="CASCADE"), primary_key=True)
    option: Mapped[str] = mapped_column(String(50))

    # The key and the option: tallies read a ballot's choices from the index alone.
    __table_args__ = (Index("ix_ballot_choices_cover", "ballot_id", "item_id", "option"),)

    # Loaded with the choice (one JOIN, no query per choice): ballot listings print the option's label.
    item: Mapped[VoteItem] = relationship(lazy="joined", viewonly=True)

    @property
    def label(self):
        return self.item.label(self.option)


class IssuedSheet(db.Model):
    """A paper ballot sheet handed out, so sheets returned can be reconciled against sheets issued."""

    __tablename__ = "vote_sheets"
    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id", ondelete="CASCADE"))
    sheet_no: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("units.id"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A sheet spoiled or lost is voided, not deleted: reconciliation still accounts for every number issued.
    voided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    void_reason: Mapped[Optional[str]] = mapped_column(String(255))
    voided_by: Mapped[Optional[str]] = mapped_column(String(100))

    # A printed sheet names its unit; reprinting reuses the number, never a second one (hand-issued ones: NULL).
    __table_args__ = (UniqueConstraint("vote_id", "sheet_no"), UniqueConstraint("vote_id", "unit_id"))


class VoteItemFigure(db.Model):
    """An announced vote's counts, stored in the announcing transaction (``tally.store_figures``): exactly the rows
    the live aggregate gives, one per item and option chosen. Corrections are refused once a vote is announced, so
    they never change; reports across a city read them instead of recounting every ballot."""

    __tablename__ = "vote_item_figures"
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("vote_items.id", ondelete="CASCADE"), primary_key=True)
    option: Mapped[str] = mapped_column(String(50), primary_key=True)
    owners: Mapped[int]  # distinct owners counted for the option
    area_cents: Mapped[int]  # hundredths of m²
