"""Construction-problem reports (issue 13 §6): a resident bound to a unit of a project's compound reports noise, a
safety hazard, blocked access or poor workmanship while the works go on; the compound's committee answers and
closes it. States open → answered → closed, each change one conditional UPDATE (of two clerks at once, one wins).

Photos are files under ``PHOTO_DIR`` with random names (never the uploader's), re-encoded so no EXIF (GPS) or
other metadata survives; a row here says which report each belongs to and what type it is.
"""

from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.extensions import db
from backend.names import PROBLEM_CATEGORY_NAMES, PROBLEM_STATUS_NAMES
from backend.roster.models import Compound, Unit
from backend.types import UTCDateTime, utcnow

CATEGORIES = tuple(PROBLEM_CATEGORY_NAMES)
STATUSES = tuple(PROBLEM_STATUS_NAMES)
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")


class ConstructionProblem(db.Model):
    __tablename__ = "construction_problems"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))  # the reporter's unit there
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    building: Mapped[str] = mapped_column(String(32), default="")
    category: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    reply: Mapped[Optional[str]] = mapped_column(Text)
    replied_by: Mapped[Optional[str]] = mapped_column(String(100))
    replied_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    closed_by: Mapped[Optional[str]] = mapped_column(String(100))
    closed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when the retention purge deleted the photos (RETENTION_DAYS after closing); the report itself stays.
    photos_purged_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    compound: Mapped[Compound] = relationship(lazy="selectin")
    unit: Mapped[Unit] = relationship(lazy="selectin")
    photos: Mapped[list["ProblemPhoto"]] = relationship(order_by="ProblemPhoto.position", lazy="selectin")

    __table_args__ = (
        Index("ix_construction_problems_compound_id_status", "compound_id", "status"),
        CheckConstraint(f"category IN {CATEGORIES}", name="category"),
        CheckConstraint(f"status IN {STATUSES}", name="status"),
        CheckConstraint("(status = 'open') = (reply IS NULL)", name="reply"),
        CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)", name="closed"),
    )


class ProblemPhoto(db.Model):
    __tablename__ = "problem_photos"
    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("construction_problems.id"), index=True)
    position: Mapped[int]
    file_name: Mapped[str] = mapped_column(String(64), unique=True)  # random, under PHOTO_DIR
    mime: Mapped[str] = mapped_column(String(16))
    size_bytes: Mapped[int]
    width: Mapped[int]
    height: Mapped[int]

    __table_args__ = (CheckConstraint(f"mime IN {PHOTO_TYPES}", name="mime"),)


class ProjectContractor(db.Model):
    """The contractor's contact for a project: a company account (role ``provider``) that sees the project's
    problem reports and their photos, and answers and closes them as the committee does."""

    __tablename__ = "project_contractors"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    contact: Mapped[str] = mapped_column(String(200), default="")  # name and phone, as the committee gives them
    set_by: Mapped[str] = mapped_column(String(100))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
