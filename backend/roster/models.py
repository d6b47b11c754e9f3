"""Places and people: the jurisdiction tree, compounds, units, owners and residents."""

from datetime import datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, Numeric, String, UniqueConstraint, cast, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..names import unit_label
from ..types import UTCDateTime, utcnow

ORG_LEVELS = ("city", "district", "street", "community")
AREA_SOURCES = ("register", "survey", "contract")  # SPC interpretation art. 8, in order of precedence
OWNER_TYPES = ("person", "organisation")


class Org(db.Model):
    """A node of city → district → street → community. ``path`` ("/1/4/9/") makes a subtree one indexed LIKE."""

    __tablename__ = "orgs"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("orgs.id"))
    path: Mapped[str] = mapped_column(String(255), default="", index=True)

    parent: Mapped[Optional["Org"]] = relationship(remote_side=[id])

    __table_args__ = (CheckConstraint(f"level IN {ORG_LEVELS}", name="level"),)

    def contains(self, other: "Org") -> bool:
        return other.path.startswith(self.path)


class Compound(db.Model):
    __tablename__ = "compounds"
    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(255), default="")
    # Local practice (物业管理条例 art. 14 and local rules): settings with the stated defaults.
    notice_lead_days: Mapped[int] = mapped_column(default=15)
    publicity_days: Mapped[int] = mapped_column(default=7)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    org: Mapped[Org] = relationship()


class Owner(db.Model):
    """One owner for the headcount: a person, a group of co-owners, or an organisation.

    ``key`` is an HMAC of the owners' ids (and names of co-owners without an id); units with equal keys
    in one compound are one owner. A unit with no owner id at all gets an owner of its own (key NULL).
    """

    __tablename__ = "owners"
    id: Mapped[int] = mapped_column(primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    key: Mapped[Optional[str]] = mapped_column(String(64))
    owner_type: Mapped[str] = mapped_column(String(16), default="person")
    merged_into_id: Mapped[Optional[int]] = mapped_column(ForeignKey("owners.id"))

    members: Mapped[list["OwnerMember"]] = relationship(
        back_populates="owner", order_by="OwnerMember.position", cascade="all, delete-orphan"
    )

    __table_args__ = (
        UniqueConstraint("compound_id", "key"),
        CheckConstraint(f"owner_type IN {OWNER_TYPES}", name="owner_type"),
    )

    @property
    def name(self):
        return "、".join(m.name for m in self.members)

    @property
    def phone(self):
        return next((m.phone for m in self.members if m.phone), None)


class OwnerMember(db.Model):
    """A named co-owner; the id number is kept only as a keyed hash."""

    __tablename__ = "owner_members"
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(100))
    id_hash: Mapped[Optional[str]] = mapped_column(String(64))
    phone: Mapped[Optional[str]] = mapped_column(String(20))

    owner: Mapped[Owner] = relationship(back_populates="members")


class Unit(db.Model):
    """An exclusive part 专有部分: one ballot, one share, one fund account."""

    __tablename__ = "units"
    id: Mapped[int] = mapped_column(primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"))
    building: Mapped[str] = mapped_column(String(32))
    entrance: Mapped[str] = mapped_column(String(32), default="1")
    room: Mapped[str] = mapped_column(String(32))
    floor: Mapped[Optional[int]]
    area: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    area_source: Mapped[str] = mapped_column(String(16), default="register")
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"), index=True)
    # Digest of the owner columns as last imported: an unchanged row keeps its owner, merges included.
    roster_digest: Mapped[Optional[str]] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    owner: Mapped[Owner] = relationship()
    compound: Mapped[Compound] = relationship()

    __table_args__ = (
        UniqueConstraint("compound_id", "building", "entrance", "room"),
        CheckConstraint("area > 0", name="area_positive"),
        CheckConstraint(f"area_source IN {AREA_SOURCES}", name="area_source"),
        Index("ix_units_scope", "compound_id", "building", "entrance"),
    )

    @property
    def label(self):
        return unit_label(self.building, self.entrance, self.room)


def unit_area_cents():
    """A unit's area in SQL as whole hundredths of m² (two places, so exact): integers sum exactly and read fast;
    round() keeps SQLite's REAL storage exact."""
    return cast(func.round(Unit.area * 100), Integer)


class Resident(db.Model):
    """A person who signed in on the mobile pages (owner, co-owner, family member or tenant)."""

    __tablename__ = "residents"
    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # PIPL: which version of the personal-data notice the resident agreed to, and when; last sign-in, so
    # residents who stopped using the service can be purged after the retention period.
    consent_version: Mapped[Optional[str]] = mapped_column(String(16))
    consented_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)


class HouseholdBinding(db.Model):
    """A resident's proven link to a unit.

    ``relation``: owner (may vote), proxy (votes for the owner on an approved written authorisation, whose
    reference is ``proxy_evidence``), family or tenant (surveys and notices only).
    """

    __tablename__ = "household_bindings"
    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    relation: Mapped[str] = mapped_column(String(16), default="owner")  # owner | proxy | family | tenant
    proxy_evidence: Mapped[Optional[str]] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | revoked
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # How the link was proven (invite | roster | request | proxy); when it ended, for the retention purge.
    method: Mapped[Optional[str]] = mapped_column(String(16))
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    resident: Mapped[Resident] = relationship()
    unit: Mapped[Unit] = relationship()

    __table_args__ = (UniqueConstraint("resident_id", "unit_id"),)
