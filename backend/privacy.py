"""Personal data (PIPL): a record of which staff viewed or exported whose personal data, and when."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from .audit import actor_label
from .extensions import db
from .types import UTCDateTime, utcnow


class PersonalDataAccess(db.Model):
    __tablename__ = "personal_data_access"
    id: Mapped[int] = mapped_column(primary_key=True)
    actor: Mapped[str] = mapped_column(String(100), index=True)
    action: Mapped[str] = mapped_column(String(32))  # view | export
    subject: Mapped[str] = mapped_column(String(100))  # e.g. "compound:3 roster"
    address: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


def record_access(actor, action, subject, address):
    """Log a view or export of personal data from ``address`` in the caller's transaction, which commits it."""
    db.session.add(PersonalDataAccess(actor=actor_label(actor), action=action, subject=subject, address=address or ""))


def commit_access(actor, action, subject, address):
    """For a route that only reads: log the access and commit it before the data leaves."""
    record_access(actor, action, subject, address)
    db.session.commit()
