"""Staff accounts and revoked tokens."""

from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..roster.models import Compound, Org
from ..types import UTCDateTime, utcnow

STAFF_ROLES = ("admin", "official", "committee", "provider", "department")


class User(db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    org_id: Mapped[Optional[int]] = mapped_column(ForeignKey("orgs.id"))
    display_name: Mapped[str] = mapped_column(String(100), default="")
    # A department account (住建, 发改, …; codes in backend.names.DEPARTMENT_NAMES) works its department's steps
    # of the renovation projects in its org's region (projects/); null for every other role.
    department: Mapped[Optional[str]] = mapped_column(String(24))
    active: Mapped[bool] = mapped_column(default=True)
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    org: Mapped[Optional[Org]] = relationship()

    __table_args__ = (CheckConstraint(f"role IN {STAFF_ROLES}", name="role"),)

    def set_password(self, password):
        self.password_hash = generate_password_hash(password)

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)


class ProviderCompound(db.Model):
    """A property-service company's account reaches the compounds a committee granted it, and only those."""

    __tablename__ = "provider_compounds"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    granted_by: Mapped[str] = mapped_column(String(100))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
    compound: Mapped[Compound] = relationship()

    __table_args__ = (UniqueConstraint("user_id", "compound_id"),)


class RevokedToken(db.Model):
    """The JWT blocklist when Redis is not configured."""

    __tablename__ = "revoked_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    jti: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
