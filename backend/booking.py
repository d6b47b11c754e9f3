"""Append-only money entries: booking one in its audit chain, and finding the entry a reversal may mirror.

Fund deposits, property-fee payments and co-funding payments are never edited: a mistake is undone by a reversing
entry with a reason. Each feature's table holds one reversal per entry with a unique constraint on ``reverses_id``,
so of two clerks reversing at once one gets 201 and the other the constraint's named 409. The checks in front of
that constraint are the same everywhere; only each feature's words differ, so the feature passes its refusals in.
"""

from dataclasses import dataclass

from sqlalchemy import select

from backend import audit
from backend.errors import Conflict, Invalid, NotFound, ServiceError
from backend.extensions import db


@dataclass(frozen=True)
class Refusal:
    error: type[ServiceError]
    code: str
    message: str

    def __call__(self):
        return self.error(self.code, self.message)


@dataclass(frozen=True)
class ReversalRefusals:
    missing: Refusal  # no such entry in this compound or campaign
    not_reversible: Refusal  # a reversal, or a kind corrected some other way
    already: Refusal  # reversed before (the unique constraint says the same under a race)


# The words most ledgers use (a feature with other kinds of entry says more).
REFUSALS = ReversalRefusals(
    missing=Refusal(NotFound, "entry_not_found", "找不到要冲正的记录"),
    not_reversible=Refusal(Invalid, "entry_not_reversible", "冲正记录本身不能再冲正"),
    already=Refusal(Conflict, "entry_already_reversed", "该笔记录已经冲正过，不能重复冲正"),
)


def reversible(model, entry_id, *, belongs, may_reverse, refusals):
    """The entry ``entry_id`` of ``model`` if it belongs to the caller's ledger and may be reversed now."""
    original = db.session.get(model, entry_id)
    if original is None or not belongs(original):
        raise refusals.missing()
    if not may_reverse(original):
        raise refusals.not_reversible()
    if db.session.scalar(select(model.id).where(model.reverses_id == original.id)) is not None:
        raise refusals.already()
    return original


def payload(entry, keys):
    """The audit record of an entry: the named fields that are set."""
    return {k: getattr(entry, k) for k in keys if getattr(entry, k) is not None}


def book(actor, chain, action, entry, keys):
    """Insert the entry, chain it in the audit log and commit. The flush comes first so that a unique constraint
    broken by a concurrent booking fails here, as its named 409, before anything is chained."""
    db.session.add(entry)
    db.session.flush()
    audit.append(chain, actor, action, payload(entry, keys))
    db.session.commit()
    return entry
