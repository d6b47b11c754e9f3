"""Append-only audit log: one hash chain per subject ("vote:12", "owners:3", "ledger:5").

Each entry carries the hash of the one before it in its chain, so editing or deleting a row breaks the chain
at that point. Chains are independent: appending to one locks only its head row, never another chain's. The
head row is made by the chain's first entry; two first entries at once both find it made (ON CONFLICT DO
NOTHING), and then queue on its lock like any others.
"""

import hashlib
import json
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import db
from .types import UTCDateTime, utcnow

GENESIS = "0" * 64


class AuditChain(db.Model):
    __tablename__ = "audit_chains"
    chain: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_seq: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default=GENESIS)


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    chain: Mapped[str] = mapped_column(String(64), ForeignKey("audit_chains.chain"))
    seq: Mapped[int]
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (UniqueConstraint("chain", "seq"),)

    @property
    def data(self):
        return json.loads(self.payload)


def actor_label(actor):
    """'user:3:committee' or 'resident:7'; None for the system."""
    if actor is None:
        return "system"
    role = getattr(actor, "role", "resident")
    return f"{role}:{actor.id}:{getattr(actor, 'username', '')}".rstrip(":")


def entry_hash(chain, seq, actor, action, payload, created_at, prev_hash):
    body = json.dumps(
        [chain, seq, actor, action, payload, created_at.isoformat(), prev_hash],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode()).hexdigest()


INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def _lock_head(chain):
    """Lock the chain's head row and read it, making it first if need be.

    A no-op UPDATE … RETURNING takes PostgreSQL's row lock and SQLite's write lock alike (SQLite ignores FOR
    UPDATE), so what it returns is the latest committed head and stays so until this transaction ends.
    """
    lock = (
        update(AuditChain)
        .where(AuditChain.chain == chain)
        .values(last_seq=AuditChain.last_seq)
        .returning(AuditChain.last_seq, AuditChain.last_hash)
        .execution_options(synchronize_session=False)
    )
    head = db.session.execute(lock).one_or_none()
    if head is None:
        insert = INSERT[db.session.get_bind().dialect.name]
        db.session.execute(
            insert(AuditChain)
            .values(chain=chain, last_seq=0, last_hash=GENESIS)
            .on_conflict_do_nothing(index_elements=[AuditChain.chain])
        )
        head = db.session.execute(lock).one()
    return head


def append(chain, actor, action, payload=None):
    """Append an entry in the caller's transaction; the chain's head row is locked until it commits."""
    last_seq, last_hash = _lock_head(chain)
    text = json.dumps(payload or {}, ensure_ascii=False, sort_keys=True, default=str)
    now = utcnow().replace(microsecond=0)
    seq, who = last_seq + 1, actor_label(actor)
    digest = entry_hash(chain, seq, who, action, text, now, last_hash)
    entry = AuditEntry(
        chain=chain, seq=seq, actor=who, action=action, payload=text, created_at=now, prev_hash=last_hash, hash=digest
    )
    db.session.add(entry)
    db.session.execute(
        update(AuditChain)
        .where(AuditChain.chain == chain)
        .values(last_seq=seq, last_hash=digest)
        .execution_options(synchronize_session=False)
    )
    return entry


def entries(chain):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.chain == chain).order_by(AuditEntry.seq)).all()


def verify_chain(chain):
    """Return None if the chain holds, else a description of the first broken entry."""
    prev, expected_seq = GENESIS, 1
    for e in entries(chain):
        if e.seq != expected_seq:
            return f"{chain}: entry #{expected_seq} missing (found #{e.seq}, id {e.id})"
        if e.prev_hash != prev or entry_hash(chain, e.seq, e.actor, e.action, e.payload, e.created_at, prev) != e.hash:
            return f"{chain}: entry #{e.seq} (id {e.id}, {e.action}) does not match its hash"
        prev, expected_seq = e.hash, expected_seq + 1
    head = db.session.get(AuditChain, chain)
    if head is not None and (head.last_seq != expected_seq - 1 or head.last_hash != prev):
        return f"{chain}: entries after #{expected_seq - 1} were removed"
    return None


def verify_all():
    chains = db.session.scalars(select(AuditChain.chain).order_by(AuditChain.chain)).all()
    return [problem for c in chains if (problem := verify_chain(c))]
