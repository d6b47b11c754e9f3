"""Writing to the fund ledger: rates, deposits, reversals and spending, each appended to the compound's audit chain
``fund:<compound id>`` in the same transaction. Nothing is ever edited: a mistake is reversed by a new entry."""

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from backend import audit, booking, statements
from backend.errors import Conflict, Invalid, NotFound
from backend.extensions import db
from backend.jurisdiction import bound_unit_ids
from backend.money import allocate, yuan_display
from backend.names import building_label, matter_name
from backend.roster.models import Unit
from backend.roster.order import sort_units
from backend.roster.parsing import clean, normalise_building, normalise_entrance
from backend.types import local_date_text, utcnow
from votes import tally as counting
from votes.models import VoteItem

from .accounts import compound_accounts, entries_of, today
from .models import FundEntry, FundRate, FundSpending


def chain(compound):
    return f"fund:{compound.id}"


def _not_after_today(day, field="date"):
    if day > today():
        raise Invalid("date_in_future", "日期不能晚于今天", errors={"json": {field: ["日期不能晚于今天"]}})


def decision(compound, vote_item_id, matter):
    """The owners' decision a rate or a spending rests on: an item of ``matter`` in this compound, announced and
    passed (read from votes' own tally)."""
    item = db.session.get(VoteItem, vote_item_id)
    if item is None or item.vote.compound_id != compound.id or item.matter != matter:
        raise Invalid("vote_item_invalid", f"找不到本小区“{matter_name(matter)}”的表决事项")
    vote = item.vote
    tallied = next((i for i in counting.tally(vote).items if i.item_id == item.id), None)
    if vote.status != "announced" or tallied is None or not tallied.passed:
        raise Invalid("vote_item_not_approved", f"表决事项“{item.title}”尚未公告通过，不能作为依据")
    return item


def _units(compound, building=None, entrance=None):
    stmt = select(Unit).where(Unit.compound_id == compound.id)
    if building:
        stmt = stmt.where(Unit.building == building)
    if entrance:
        stmt = stmt.where(Unit.entrance == entrance)
    return sort_units(db.session.scalars(stmt).all())


def add_rate(actor, compound, data, notice=None):
    """Record a rate; with ``notice`` (``{"title", "body"}``, either may be None) post the fund call as a notice in
    the same transaction."""
    data = {"building": None, "vote_item_id": None, **data}
    if data["building"]:
        data["building"] = normalise_building(data["building"])  # "3号楼" is building 3, as in the roster
    if data["building"] and not _units(compound, data["building"]):
        raise Invalid("building_unknown", f"本小区没有{data['building']}号楼")
    if data["vote_item_id"] is not None:
        decision(compound, data["vote_item_id"], "fund_raising")
    rate = FundRate(compound_id=compound.id, created_by=audit.actor_label(actor), **data)
    db.session.add(rate)
    db.session.flush()
    rate.notice = _fund_notice(actor, compound, rate, notice) if notice is not None else None
    payload = {k: getattr(rate, k) for k in ("id", "building", "rate_fen_per_m2", "effective_from", "basis")}
    payload |= {"vote_item_id": rate.vote_item_id, "notice_id": rate.notice.id if rate.notice else None}
    audit.append(chain(compound), actor, "fund_rate_set", payload)
    db.session.commit()
    return rate


def fund_call_text(rate):
    """The default body of a fund call: the rate, whom it applies to, from when and on what basis."""
    return "\n".join(
        [
            f"{building_label(rate.building) if rate.building else '本小区'}住宅专项维修资金按每平方米 {yuan_display(rate.rate_fen_per_m2)} 缴存，"
            f"自{local_date_text(rate.effective_from)}起执行。",
            f"依据：{rate.basis}",
            "每户应缴 = 标准 × 房屋建筑面积（四舍五入到分）。请扫码登录，查看您家的应缴、已缴和余额。",
        ]
    )


def _fund_notice(actor, compound, rate, spec):
    from notices.models import Notice  # a feature may use another's models

    notice = Notice(
        compound_id=compound.id,
        kind="fund_notice",
        title=spec.get("title") or f"{compound.name}维修资金缴存通知",
        body=spec.get("body") or fund_call_text(rate),
        publish_at=utcnow(),
        created_by=audit.actor_label(actor),
    )
    db.session.add(notice)
    db.session.flush()
    return notice


def rates(compound):
    stmt = select(FundRate).where(FundRate.compound_id == compound.id)
    return db.session.scalars(stmt.order_by(FundRate.effective_from.desc(), FundRate.id.desc())).all()


def _taken_references(compound, references):
    taken = db.session.scalars(
        select(FundEntry.reference).where(FundEntry.compound_id == compound.id, FundEntry.reference.in_(references))
    ).all()
    return set(taken)


def record_entry(actor, compound, data):
    if data["kind"] == "deposit":
        return deposit(actor, compound, data)
    return reverse(actor, compound, data)


ENTRY_KEYS = ("id", "unit_id", "kind", "amount_fen", "date", "reference", "reverses_id", "reason")
REVERSAL_REFUSALS = booking.ReversalRefusals(
    missing=booking.Refusal(NotFound, "entry_not_found", "找不到要冲正的记录"),
    not_reversible=booking.Refusal(Invalid, "entry_not_reversible", "只能冲正缴存记录（使用记录随支出项目一起更正）"),
    already=booking.Refusal(Conflict, "entry_already_reversed", "该笔记录已经冲正过，不能重复冲正"),
)


def deposit(actor, compound, data):
    unit = db.session.get(Unit, data["unit_id"])
    if unit is None or unit.compound_id != compound.id:
        raise NotFound("unit_not_found", "本小区没有该房屋")
    _not_after_today(data["date"])
    reference = clean(data["reference"])  # as an import reads it: full-width letters and digits made plain
    if _taken_references(compound, [reference]):
        raise Conflict("payment_duplicate", f"流水号（凭证号）“{reference}”已在本小区登记过")
    entry = FundEntry(
        compound_id=compound.id,
        unit=unit,
        kind="deposit",
        amount_fen=data["amount_fen"],
        date=data["date"],
        reference=reference,
        created_by=audit.actor_label(actor),
    )
    return booking.book(actor, chain(compound), "fund_deposit", entry, ENTRY_KEYS)


def reverse(actor, compound, data):
    original = booking.reversible(
        FundEntry,
        data["reverses"],
        belongs=lambda e: e.compound_id == compound.id,
        may_reverse=lambda e: e.kind == "deposit",
        refusals=REVERSAL_REFUSALS,
    )
    if data.get("unit_id") not in (None, original.unit_id):
        raise Invalid("entry_unit_mismatch", "冲正记录的房屋须与原记录相同")
    day = data.get("date") or today()
    _not_after_today(day)
    entry = FundEntry(
        compound_id=compound.id,
        unit_id=original.unit_id,
        kind="reversal",
        amount_fen=original.amount_fen,
        date=day,
        reverses_id=original.id,
        reason=data["reason"].strip(),
        created_by=audit.actor_label(actor),
    )
    return booking.book(actor, chain(compound), "fund_reversal", entry, ENTRY_KEYS)


def spend(actor, compound, data):
    """One use entry per unit in scope, the amount shared by area: rounded down, leftover fen to the largest
    remainders, ties in unit order (``allocate``), so the shares add up exactly."""
    data = {"scope": {}, "vote_item_id": None, **data}
    scope = data["scope"]
    building = normalise_building(scope.get("building") or "") or None
    entrance = normalise_entrance(scope.get("entrance") or "") or None
    units = _units(compound, building, entrance)
    if not units:
        raise Invalid("scope_empty", "该范围内没有房屋")
    _not_after_today(data["date"])
    if data["vote_item_id"] is not None:
        decision(compound, data["vote_item_id"], "fund_use")
    shares = allocate(data["amount_fen"], [(u.id, u.area) for u in units])
    spending = FundSpending(
        compound_id=compound.id,
        title=data["title"],
        amount_fen=data["amount_fen"],
        scope_building=building,
        scope_entrance=entrance if building else None,
        date=data["date"],
        vote_item_id=data["vote_item_id"],
        created_by=audit.actor_label(actor),
    )
    db.session.add(spending)
    for unit in units:
        spending.entries.append(
            FundEntry(
                compound_id=compound.id,
                unit=unit,
                kind="use",
                amount_fen=shares[unit.id],
                date=data["date"],
                created_by=spending.created_by,
            )
        )
    db.session.flush()
    audit.append(
        chain(compound),
        actor,
        "fund_spending",
        {
            "id": spending.id,
            "title": spending.title,
            "amount_fen": spending.amount_fen,
            "scope": spending.scope,
            "date": spending.date,
            "vote_item_id": spending.vote_item_id,
            "shares": {str(uid): fen for uid, fen in shares.items()},
        },
    )
    db.session.commit()
    return spending


def spendings(compound, since=None, until=None):
    stmt = select(FundSpending).where(FundSpending.compound_id == compound.id)
    if since:
        stmt = stmt.where(FundSpending.date >= since)
    if until:
        stmt = stmt.where(FundSpending.date <= until)
    stmt = stmt.options(selectinload(FundSpending.entries).selectinload(FundEntry.unit))
    return db.session.scalars(stmt.order_by(FundSpending.date, FundSpending.id)).all()


def entries(compound, unit_id=None):
    return entries_of(compound.id, unit_id).options(selectinload(FundEntry.unit), selectinload(FundEntry.spending))


def check_import(compound, filename, content):
    """A bank or fund-centre statement's lines as deposits to book, every row checked (``backend.statements``)."""
    return statements.check(
        compound, filename, content, today=today(), taken=lambda refs: _taken_references(compound, refs)
    )


def book_import(actor, compound, lines):
    """Store checked import lines (``check_import`` found every row good) as deposits, in one transaction."""
    label = audit.actor_label(actor)
    booked = [
        FundEntry(
            compound_id=compound.id,
            unit_id=line.unit.id,
            kind="deposit",
            amount_fen=line.amount_fen,
            date=line.date,
            reference=line.reference,
            created_by=label,
        )
        for line in lines
    ]
    db.session.add_all(booked)
    db.session.flush()
    total = sum(line.amount_fen for line in lines)
    audit.append(
        chain(compound),
        actor,
        "fund_import",
        {
            "entries": [booking.payload(e, ENTRY_KEYS) for e in booked],
            "amount_fen": total,
            "amount": yuan_display(total),
        },
    )
    db.session.commit()
    return {"entries": len(booked), "amount_fen": total}


def my_accounts(resident):
    """The accounts of the units this resident is bound to, each with its entries, newest first."""
    unit_ids = bound_unit_ids(resident)
    if not unit_ids:
        return []
    units = db.session.scalars(select(Unit).where(Unit.id.in_(unit_ids))).all()
    by_compound = defaultdict(list)
    for unit in units:
        by_compound[unit.compound_id].append(unit)
    found = []
    for compound_id in sorted(by_compound):
        accounts = compound_accounts(compound_id, by_compound[compound_id])
        listed = defaultdict(list)
        stmt = entries_of(compound_id).where(FundEntry.unit_id.in_([a.unit_id for a in accounts]))
        stmt = stmt.options(selectinload(FundEntry.unit), selectinload(FundEntry.spending))
        for entry in db.session.scalars(stmt):
            listed[entry.unit_id].append(entry)
        for account in accounts:
            account.entries = listed[account.unit_id]
        found.extend(accounts)
    return found
