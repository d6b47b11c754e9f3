"""Scan counts without a write per scan.

A QR on the notice board is scanned by the hundred in an evening; an UPDATE and a commit per scan made every
landing page queue on the notice's one row. With Redis configured (production), a scan is an INCR in Redis, and
the counts are folded into the notice's row when staff read it (``settle``), so a count is right wherever it is
shown. Without Redis (a laptop, most tests) the scan is still one UPDATE, as before.
"""

from datetime import UTC, datetime

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from backend.auth.tokens import redis_client
from backend.extensions import db
from backend.types import utcnow

from .models import Notice


def _keys(notice_id):
    return f"gongjian:notice-scans:{notice_id}", f"gongjian:notice-scanned-at:{notice_id}"


def record(notice_id):
    """Count one scan of the notice (one round trip to Redis, or one UPDATE and commit without it)."""
    client, now = redis_client(), utcnow()
    if client is None:
        db.session.execute(
            update(Notice).where(Notice.id == notice_id).values(scan_count=Notice.scan_count + 1, last_scan_at=now)
        )
        db.session.commit()
        return
    count, at = _keys(notice_id)
    client.pipeline(transaction=False).incr(count).set(at, now.timestamp()).execute()


def settle(notices):
    """Fold the scans counted in Redis into these notices' rows, and into the objects about to be shown.

    Each count is taken from Redis atomically (GETDEL), so two staff reading at once never add the same scans
    twice; if the commit then fails, the counts are given back. The rows answer with their new figures
    (RETURNING), so nothing is read again.
    """
    client = redis_client()
    if client is None or not notices:
        return notices
    pipe = client.pipeline(transaction=False)
    for n in notices:
        count, at = _keys(n.id)
        pipe.getdel(count).get(at)
    values = pipe.execute()
    pending = {
        n: (int(c), float(at) if at else None) for n, c, at in zip(notices, values[::2], values[1::2], strict=True) if c
    }
    if not pending:
        return notices
    folded = {}
    try:
        for notice, (count, at) in pending.items():
            values = {"scan_count": Notice.scan_count + count}
            if at is not None:
                values["last_scan_at"] = datetime.fromtimestamp(at, UTC)
            folded[notice] = db.session.execute(
                update(Notice)
                .where(Notice.id == notice.id)
                .values(**values)
                .returning(Notice.scan_count, Notice.last_scan_at)
                .execution_options(synchronize_session=False)
            ).one()
        session = db.session()
        session.expire_on_commit = False  # the notices keep what they were loaded with, and get the new figures
        try:
            session.commit()
        finally:
            session.expire_on_commit = True
    except Exception:
        db.session.rollback()
        pipe = client.pipeline(transaction=False)
        for notice, (count, _) in pending.items():
            pipe.incrby(_keys(notice.id)[0], count)
        pipe.execute()
        raise
    for notice, (count, last) in folded.items():
        set_committed_value(notice, "scan_count", count)
        set_committed_value(notice, "last_scan_at", last)
    return notices
