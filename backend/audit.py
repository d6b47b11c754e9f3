"""Append-only audit log: one hash chain per subject ("vote:12", "owners:3", "ledger:5").

Each entry carries the hash of the one before it in its chain, so editing or deleting a row breaks the chain
at that point. Chains are independent: appending to one locks only its head row, never another chain's. The
head row is made by the chain's first entry; two first entries at once both find it made (ON CONFLICT DO
NOTHING), and then queue on its lock like any others.

Entries written by the thousand at once (a vote's ballots) would all queue on that one head row, each holding
it to its commit. They are stored unlinked instead (``append_unlinked``: no seq, no hash, no lock) and linked
just after their transaction commits (``link``), in order of id, by whichever writer holds the head at the time
while the others go on (SKIP LOCKED). Only committed entries are ever linked, so a rolled-back ballot leaves no
gap; an entry is unprotected only for the moment between its commit and its linking, and one whose writer died
in that moment is linked by the next writer, ``append`` or ``flask audit verify``. ``append`` links what waits
before its own entry, so an entry made after a change (a close waits for the ballots in flight) follows it.
"""

import hashlib
import json
import logging
from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, bindparam, exists, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import db
from .types import UTCDateTime, utcnow

GENESIS = "0" * 64
log = logging.getLogger(__name__)
UNLINKED = "seq IS NULL"


class AuditChain(db.Model):
    __tablename__ = "audit_chains"
    chain: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_seq: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default=GENESIS)


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    chain: Mapped[str] = mapped_column(String(64), ForeignKey("audit_chains.chain"))
    seq: Mapped[Optional[int]]  # NULL until linked (append_unlinked)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    prev_hash: Mapped[Optional[str]] = mapped_column(String(64))
    hash: Mapped[Optional[str]] = mapped_column(String(64))

    __table_args__ = (
        UniqueConstraint("chain", "seq"),
        Index("ix_audit_entries_unlinked", "chain", "id", sqlite_where=text(UNLINKED), postgresql_where=text(UNLINKED)),
    )

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


def _head_lock(chain):
    return (
        update(AuditChain)
        .where(AuditChain.chain == chain)
        .values(last_seq=AuditChain.last_seq)
        .returning(AuditChain.last_seq, AuditChain.last_hash)
        .execution_options(synchronize_session=False)
    )


def _lock_head(chain):
    """Lock the chain's head row and read it, making it first if need be.

    A no-op UPDATE … RETURNING takes PostgreSQL's row lock and SQLite's write lock alike (SQLite ignores FOR
    UPDATE), so what it returns is the latest committed head and stays so until this transaction ends.
    """
    lock = _head_lock(chain)
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


def _entry(chain, actor, action, payload):
    body = json.dumps(payload or {}, ensure_ascii=False, sort_keys=True, default=str)
    return AuditEntry(
        chain=chain, actor=actor_label(actor), action=action, payload=body, created_at=utcnow().replace(microsecond=0)
    )


WAITING = (AuditEntry.id, AuditEntry.actor, AuditEntry.action, AuditEntry.payload, AuditEntry.created_at)


def _waiting(chain):
    stmt = select(*WAITING).where(AuditEntry.chain == chain, AuditEntry.seq.is_(None)).order_by(AuditEntry.id)
    return db.session.execute(stmt).all()


def _chained(chain, waiting, last_seq, last_hash):
    """Seq and hashes for ``waiting`` (rows of WAITING, in chain order) after (last_seq, last_hash)."""
    links = []
    for e in waiting:
        last_seq += 1
        digest = entry_hash(chain, last_seq, e.actor, e.action, e.payload, e.created_at, last_hash)
        links.append({"entry_id": e.id, "seq": last_seq, "prev_hash": last_hash, "hash": digest})
        last_hash = digest
    return links


def _write_links(links):
    """One statement for all (executemany), straight on the table: the entries are not loaded as objects."""
    table = AuditEntry.__table__
    db.session.execute(
        update(table)
        .where(table.c.id == bindparam("entry_id"))
        .values(seq=bindparam("seq"), prev_hash=bindparam("prev_hash"), hash=bindparam("hash")),
        links,
    )


def _move_head(chain, last_seq, last_hash, from_seq=None):
    """Move the head; with ``from_seq``, only from there (False if it had moved)."""
    stmt = update(AuditChain).where(AuditChain.chain == chain)
    if from_seq is not None:
        stmt = stmt.where(AuditChain.last_seq == from_seq)
    moved = db.session.execute(
        stmt.values(last_seq=last_seq, last_hash=last_hash).execution_options(synchronize_session=False)
    )
    return bool(moved.rowcount)


def append(chain, actor, action, payload=None):
    """Append an entry in the caller's transaction; the chain's head row is locked until it commits.

    Committed entries still waiting to be linked go first: they were made before this one."""
    last_seq, last_hash = _lock_head(chain)
    waiting = _waiting(chain)
    if waiting:
        links = _chained(chain, waiting, last_seq, last_hash)
        _write_links(links)
        last_seq, last_hash = links[-1]["seq"], links[-1]["hash"]
    entry = _entry(chain, actor, action, payload)
    entry.seq, entry.prev_hash = last_seq + 1, last_hash
    entry.hash = entry_hash(chain, entry.seq, entry.actor, entry.action, entry.payload, entry.created_at, last_hash)
    _move_head(chain, entry.seq, entry.hash)
    db.session.add(entry)
    return entry


def append_unlinked(chain, actor, action, payload=None):
    """Store an entry in the caller's transaction without touching the chain's head (which must exist: the
    chain was begun by ``append``); call ``link(chain)`` once the transaction has committed."""
    entry = _entry(chain, actor, action, payload)
    db.session.add(entry)
    return entry


def link(chain):
    """``_link`` after the caller's commit: a failure here leaves the entries for the next writer to link, and never
    turns what was stored into an error."""
    try:
        _link(chain)
    except SQLAlchemyError:
        db.session.rollback()
        log.warning("audit chain %s: linking left for the next writer", chain, exc_info=True)


def _link(chain):
    """Link the chain's committed unlinked entries, in order of id; a no-op while another writer is linking.

    That writer looks again after its commit, so an entry committed while it held the head is not left behind.
    The head is locked FOR NO KEY UPDATE: the entries' foreign key takes KEY SHARE on it, which must not wait. The
    entries are read after the lock is held, by a statement of their own: read in the same statement, they would
    come from before a linker that had just committed, and be linked twice. SQLite ignores the lock (one writer
    at a time), so there the head moves only from where it was read.
    """
    while True:
        head = db.session.execute(
            select(AuditChain.last_seq, AuditChain.last_hash)
            .where(AuditChain.chain == chain)
            .with_for_update(key_share=True, skip_locked=True)
        ).one_or_none()
        waiting = _waiting(chain) if head is not None else []
        if not waiting:  # nothing left, or another writer holds the head and will look again
            db.session.rollback()
            return
        links = _chained(chain, waiting, *head)
        # The head first: on SQLite this takes the write lock, and moves only if no one linked since it was read.
        if not _move_head(chain, links[-1]["seq"], links[-1]["hash"], from_seq=head.last_seq):
            db.session.rollback()
            continue
        _write_links(links)
        db.session.commit()
        if not db.session.scalar(select(exists().where(AuditEntry.chain == chain, AuditEntry.seq.is_(None)))):
            return


def entries(chain):
    """The chain in order; entries not yet linked come last."""
    order = (AuditEntry.seq.is_(None), AuditEntry.seq, AuditEntry.id)
    return db.session.scalars(select(AuditEntry).where(AuditEntry.chain == chain).order_by(*order)).all()


def verify_chain(chain):
    """Return None if the chain holds, else a description of the first broken entry."""
    prev, expected_seq = GENESIS, 1
    for e in entries(chain):
        if e.seq is None:  # committed a moment ago, linked by its writer next (``verify_all`` links it first)
            break
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
    """Every chain's problems; the entries still waiting to be linked are linked first, as their writers would."""
    for waiting in db.session.scalars(select(AuditEntry.chain).where(AuditEntry.seq.is_(None)).distinct()).all():
        _link(waiting)
    chains = db.session.scalars(select(AuditChain.chain).order_by(AuditChain.chain)).all()
    return [problem for c in chains if (problem := verify_chain(c))]
