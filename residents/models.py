"""Resident sign-in identities, one-time codes, binding requests, proxy authorisations and letter jobs."""

from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from backend.extensions import db
from backend.roster.models import Resident, Unit
from backend.types import UTCDateTime, utcnow

PROVIDERS = ("wechat", "sms", "dev")
RELATIONS = ("owner", "family", "tenant")  # what a resident may claim; "proxy" only comes from an approval
DECISIONS = ("pending", "approved", "rejected")
PENDING = "status = 'pending'"


class ResidentIdentity(db.Model):
    """How a resident signs in: a WeChat openid, a keyed hash of a phone number, or a demo subject."""

    __tablename__ = "resident_identities"
    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    resident: Mapped[Resident] = relationship()

    __table_args__ = (
        UniqueConstraint("provider", "subject"),
        CheckConstraint(f"provider IN {PROVIDERS}", name="provider"),
    )


class SmsCode(db.Model):
    """A six-digit sign-in code: stored hashed, expires, single use, a few wrong tries at most."""

    __tablename__ = "sms_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    phone_hash: Mapped[str] = mapped_column(String(64), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    tries: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class InviteCode(db.Model):
    """The one-time code printed on a household letter; only its keyed hash is stored."""

    __tablename__ = "invite_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | used | revoked
    letter_job_id: Mapped[Optional[int]] = mapped_column(ForeignKey("letter_jobs.id", ondelete="SET NULL"))
    used_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    unit: Mapped[Unit] = relationship()

    __table_args__ = (
        CheckConstraint("status IN ('active', 'used', 'revoked')", name="status"),
        Index("ix_invite_codes_unit_status", "unit_id", "status"),
    )


class Reviewed:
    """What the committee decided, when, who, and the reason the resident is shown."""

    status: Mapped[str] = mapped_column(String(16), default="pending")
    reason: Mapped[str] = mapped_column(String(500), default="")
    reviewed_by: Mapped[Optional[str]] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)


class BindingRequest(Reviewed, db.Model):
    """A binding the resident could not prove alone; the committee approves or rejects it with a reason."""

    __tablename__ = "binding_requests"
    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), index=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("units.id"))
    building: Mapped[str] = mapped_column(String(32))
    entrance: Mapped[str] = mapped_column(String(32))
    room: Mapped[str] = mapped_column(String(32))
    relation: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(String(500), default="")

    unit: Mapped[Optional[Unit]] = relationship()

    __table_args__ = (
        CheckConstraint(f"status IN {DECISIONS}", name="status"),
        CheckConstraint(f"relation IN {RELATIONS}", name="relation"),
        # One pending request per resident and address, however many taps arrive at once.
        Index(
            "uq_binding_requests_pending",
            "resident_id",
            "compound_id",
            "building",
            "entrance",
            "room",
            unique=True,
            sqlite_where=text(PENDING),
            postgresql_where=text(PENDING),
        ),
    )


class ProxyAuthorisation(Reviewed, db.Model):
    """A signed 委托书 photographed by the owner's child (or other proxy), checked by the committee."""

    __tablename__ = "proxy_authorisations"
    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    proxy_name: Mapped[str] = mapped_column(String(100))
    owner_name: Mapped[str] = mapped_column(String(100))
    photo: Mapped[Optional[bytes]] = deferred(mapped_column(LargeBinary))  # purged after the retention period
    photo_type: Mapped[str] = mapped_column(String(64), default="image/jpeg")

    unit: Mapped[Unit] = relationship()

    __table_args__ = (CheckConstraint(f"status IN {DECISIONS}", name="status"),)

    @property
    def reference(self):
        return f"委托书#{self.id}"


class LetterJob(db.Model):
    """Household letters for a compound or one entrance, built in the background; progress is polled."""

    __tablename__ = "letter_jobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    building: Mapped[Optional[str]] = mapped_column(String(32))
    entrance: Mapped[Optional[str]] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued | running | done | failed
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    file_name: Mapped[Optional[str]] = mapped_column(String(255))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    __table_args__ = (CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),)

    @property
    def purged(self):
        """Done, but the retention purge has deleted the file (it clears ``file_name``; a build always sets it)."""
        return self.status == "done" and not self.file_name
