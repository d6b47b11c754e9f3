"""Ballots through every channel: online, paper keyed in by staff, proxy; confirmation and corrections.

One standing ballot per unit per vote is a partial unique index (``uq_ballots_current_unit``); the checks here
give the friendly 409s in the documented order, and the index settles any race. Each function takes the vote the
routes' gate has loaded and authorised.

A ballot holds a shared lock on the vote's row while it is checked and stored, so a close or an announcement
(which lock it exclusively) waits for ballots in flight, and a ballot that waited sees the vote closed.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from backend import audit
from backend.errors import Conflict, Forbidden, Invalid, NotFound
from backend.extensions import db
from backend.names import unit_label
from backend.roster.models import HouseholdBinding, Owner, Unit
from backend.types import utcnow

from . import sheets
from .models import Ballot, BallotChoice, Vote, VoteUnit
from .services import chain, lock, voting_bindings

# No 0/O or 1/I: a receipt is read aloud and typed back from paper.
RECEIPT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
RECEIPT_LENGTH = 10


def standing(vote, pending_only=False):
    stmt = select(Ballot).where(Ballot.vote_id == vote.id, Ballot.superseded_at.is_(None)).order_by(Ballot.id)
    if pending_only:
        stmt = stmt.where(Ballot.confirmed_at.is_(None))
    return stmt.options(selectinload(Ballot.choices), selectinload(Ballot.place))


@dataclass(frozen=True)
class Receipt:
    """What the answer to a stored ballot shows, taken before the commit so it is not read back after it."""

    id: int
    receipt: str
    confirmed_at: Optional[datetime]


def new_receipt():
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))


def current_ballot(vote_id, unit_id):
    return db.session.scalar(
        select(Ballot).where(Ballot.vote_id == vote_id, Ballot.unit_id == unit_id, Ballot.superseded_at.is_(None))
    )


def normalise_choices(vote, choices, fill_blank):
    """{item_id: option} for every item; paper leaves a blank (or spoiled) item as abstain, online may not."""
    items = {str(i.id): i for i in vote.items}
    errors = {}
    for key, option in choices.items():
        if key not in items:
            errors[key] = ["该表决事项不存在"]
        elif option not in (None, "") and option not in items[key].options:
            errors[key] = [f"可选：{'、'.join(items[key].options)}"]
        elif option in (None, "") and not fill_blank:
            errors[key] = ["请作出选择"]
    if not fill_blank:
        errors.update({key: ["请对每一项表决事项作出选择"] for key in items if key not in choices})
    if errors:
        raise Invalid("choices_invalid", "选票内容有误", errors={"json": {"choices": errors}})
    return {item.id: choices.get(key) or "abstain" for key, item in items.items()}


def _not_in_electorate():
    return Invalid(
        "unit_not_in_electorate", "该房屋不在本次表决范围内", errors={"json": {"unit_id": ["该房屋不在本次表决范围内"]}}
    )


def electorate_unit(vote, unit_id):
    place = db.session.get(VoteUnit, (vote.id, unit_id))
    if place is None:
        raise _not_in_electorate()
    return place


def voting_place(resident, vote, unit_id):
    """(binding, frozen place) of a unit the resident may vote for, in one read: 403 unless bound as its owner or
    an approved proxy, then 422 unless it is in the vote's electorate."""
    found = db.session.execute(
        select(HouseholdBinding, VoteUnit)
        .outerjoin(VoteUnit, and_(VoteUnit.vote_id == vote.id, VoteUnit.unit_id == HouseholdBinding.unit_id))
        .where(*voting_bindings(resident), HouseholdBinding.unit_id == unit_id)
    ).first()
    if found is None:
        raise Forbidden("unit_not_bound", "您未绑定该房屋，或不是该房屋的业主（或经批准的委托人）")
    if found[1] is None:
        raise _not_in_electorate()
    return found


def lock_counting_owner(place):
    """The owner a ballot for this frozen place counts for, with their row locked so that their ballots agree.

    The owner frozen at publish, unless the unit has been sold since: then the buyer, a different person whose
    ballot need not agree with the seller's other units. A hand merge of owner records is not a sale. The unit's
    owner is read and locked in one statement; only a unit whose owner changed since publish needs more.
    """
    current = db.session.scalar(
        select(Owner.id).join(Unit, Unit.owner_id == Owner.id).where(Unit.id == place.unit_id).with_for_update(of=Owner)
    )
    if current == place.owner_id:
        return current
    owner = db.session.get(Owner, place.owner_id)
    while owner is not None and owner.id != current and owner.merged_into_id:
        owner = db.session.get(Owner, owner.merged_into_id)
    counted = place.owner_id if owner is not None and owner.id == current else current
    if counted != current:
        db.session.execute(select(Owner.id).where(Owner.id == counted).with_for_update())
    return counted


def _check_state(vote, place, owner_id, choices, sheet_no, replacing=()):
    """The 409s, ``ballot_exists`` first; the caller has locked the owner's row so that their ballots agree."""
    status = vote.status_at()
    replaced = [b.id for b in replacing]
    # The unit's standing ballot and the owner's others, in one read.
    nearby = db.session.scalars(
        select(Ballot)
        .where(
            Ballot.vote_id == vote.id,
            Ballot.superseded_at.is_(None),
            Ballot.id.not_in(replaced),
            or_(Ballot.unit_id == place.unit_id, Ballot.owner_id == owner_id),
        )
        .options(selectinload(Ballot.choices))
    ).all()
    if replacing:  # a correction: allowed until the result is announced
        if status == "announced":
            raise Conflict("vote_announced", "表决结果已公告，不能再更正选票")
    elif any(b.unit_id == place.unit_id for b in nearby):
        raise Conflict("ballot_exists", "该户已投票，每户只能投一次")
    elif status in ("draft", "scheduled"):
        raise Conflict("vote_not_open", "表决尚未开始")
    elif status in ("closed", "announced"):
        raise Conflict("vote_closed", "表决已结束，不能再投票")
    if sheet_no and db.session.scalar(
        select(Ballot.id).where(
            Ballot.vote_id == vote.id,
            Ballot.sheet_no == sheet_no,
            Ballot.superseded_at.is_(None),
            Ballot.id.not_in(replaced),
        )
    ):
        raise Conflict("sheet_exists", f"选票编号{sheet_no}已录入")
    wanted = {str(k): v for k, v in choices.items()}
    if any(b.choice_map != wanted for b in nearby if b.unit_id != place.unit_id):
        raise Conflict("owner_inconsistent", "同一业主名下各户的表决意见必须一致，与该业主已投的选票不同")


def _store(vote, actor, place, choices, confirmed, **fields):
    now = utcnow()
    ballot = Ballot(
        vote_id=vote.id,
        unit_id=place.unit_id,
        receipt=new_receipt(),
        created_at=now,
        entered_by=audit.actor_label(actor),
        confirmed_at=now if confirmed else None,
        confirmed_by=audit.actor_label(actor) if confirmed else None,
        **fields,
    )
    ballot.choices = [BallotChoice(item_id=k, option=v) for k, v in choices.items()]
    db.session.add(ballot)
    db.session.flush()
    return ballot


def _payload(ballot, place):
    return {
        "ballot_id": ballot.id,
        "unit": place.label,
        "channel": ballot.channel,
        "sheet_no": ballot.sheet_no,
        "proxy_name": ballot.proxy_name,
        "evidence": ballot.evidence,
        "choices": ballot.choice_map,
        "receipt": ballot.receipt,
        "confirmed": ballot.confirmed_at is not None,
    }


def _cast(vote, actor, place, choices, action, confirmed, **fields):
    """Check and store one ballot; its audit entry is linked into the vote's chain just after the commit, so
    ballots of one vote never wait for each other on the chain's head (backend/audit)."""
    trail = chain(vote)  # named before the commit expires the vote
    try:
        lock(vote, shared=True)
        owner_id = lock_counting_owner(place)
        _check_state(vote, place, owner_id, choices, fields.get("sheet_no"))
        ballot = _store(vote, actor, place, choices, confirmed, owner_id=owner_id, **fields)
        audit.append_unlinked(trail, actor, action, _payload(ballot, place))
        receipt = Receipt(ballot.id, ballot.receipt, ballot.confirmed_at)
        db.session.commit()
    except IntegrityError as e:
        # A concurrent request won the race for this unit (or sheet); say which, as the checks would have.
        db.session.rollback()
        if current_ballot(vote.id, place.unit_id) is not None:
            raise Conflict("ballot_exists", "该户已投票，每户只能投一次") from e
        if fields.get("sheet_no"):
            raise Conflict("sheet_exists", f"选票编号{fields['sheet_no']}已录入") from e
        raise
    audit.link(trail)
    return receipt


def cast_online(resident, vote, data):
    """A resident's own ballot for a unit they are bound to as owner, or as an approved proxy."""
    binding, place = voting_place(resident, vote, data["unit_id"])
    choices = normalise_choices(vote, data["choices"], fill_blank=False)
    proxy = binding.relation == "proxy"
    try:
        return _cast(
            vote,
            resident,
            place,
            choices,
            "ballot_cast",
            confirmed=True,
            channel="proxy" if proxy else "online",
            resident_id=resident.id,
            proxy_name=resident.display_name if proxy else None,
            evidence=binding.proxy_evidence if proxy else None,
        )
    except Conflict as e:
        same = e.code == "ballot_exists" and _same_ballot(vote, resident, place, choices)
        if not same:
            raise
        return same


def _same_ballot(vote, resident, place, choices):
    """The unit's standing ballot when this resident cast it online with these very choices: a phone that timed out
    and sent the ballot again gets its receipt back (the same answer, nothing stored twice), not a 409."""
    db.session.rollback()
    ballot = current_ballot(vote.id, place.unit_id)
    wanted = {str(k): v for k, v in choices.items()}
    if ballot is not None and ballot.resident_id == resident.id and ballot.choice_map == wanted:
        return ballot
    return None


def enter_paper(actor, vote, data):
    """A paper sheet keyed in by staff; pending until a second person confirms when the vote asks for it."""
    place = electorate_unit(vote, sheets.unit_of(vote, data))
    raw = {str(i.id): None for i in vote.items} if data.get("spoiled") else data.get("choices", {})
    choices = normalise_choices(vote, raw, fill_blank=True)
    return _cast(
        vote,
        actor,
        place,
        choices,
        "ballot_entered",
        confirmed=not vote.require_confirmation,
        channel="proxy" if data.get("proxy_name") else "paper",
        sheet_no=data.get("sheet_no"),
        proxy_name=data.get("proxy_name"),
        evidence=data.get("evidence"),
    )


def record_bulk(actor, vote, sheets):
    """A stack of sheets keyed in by room; each sheet stands or falls on its own."""
    places = {
        (p.building, p.entrance, p.room): p.unit_id
        for p in db.session.scalars(select(VoteUnit).where(VoteUnit.vote_id == vote.id))
    }
    results = []
    for row, sheet in enumerate(sheets, start=1):
        unit_id = places.get((sheet["building"], sheet["entrance"], sheet["room"]))
        sheet_ref = {
            "row": row,
            "sheet_no": sheet.get("sheet_no"),
            "label": unit_label(sheet["building"], sheet["entrance"], sheet["room"]),
        }
        try:
            if unit_id is None:
                raise Invalid("unit_not_in_electorate", "该房屋不在本次表决范围内")
            ballot = enter_paper(actor, vote, {**sheet, "unit_id": unit_id})
            results.append({**sheet_ref, "receipt": ballot.receipt})
        except (Conflict, Invalid) as e:
            results.append(
                {**sheet_ref, "code": e.code, "message": e.message, **({"errors": e.errors} if e.errors else {})}
            )
    entered = sum(1 for r in results if "receipt" in r)
    return {"entered": entered, "refused": len(results) - entered, "results": results}


def _ballot(vote, ballot_id):
    ballot = db.session.get(Ballot, ballot_id)
    if ballot is None or ballot.vote_id != vote.id:
        raise NotFound("ballot_not_found", "找不到该选票")
    return ballot


def confirm(actor, vote, ballot_id):
    """The second person's check of a paper entry: only then does it count.

    The UPDATE applies only to a ballot still pending, so of two confirmations at once exactly one counts.
    """
    ballot, who = _ballot(vote, ballot_id), audit.actor_label(actor)
    not_pending = Conflict("ballot_not_pending", "该选票无需确认")
    if ballot.confirmed_at is not None or ballot.superseded_at is not None:
        raise not_pending
    if ballot.entered_by == who:
        raise Conflict("confirm_by_other", "录入人不能确认自己录入的选票，须由另一位工作人员复核")
    if not db.session.execute(
        update(Ballot)
        .where(Ballot.id == ballot.id, Ballot.confirmed_at.is_(None), Ballot.superseded_at.is_(None))
        .values(confirmed_at=utcnow(), confirmed_by=who)
    ).rowcount:
        db.session.rollback()
        raise not_pending
    audit.append(chain(vote), actor, "ballot_confirmed", {"ballot_id": ballot.id, "receipt": ballot.receipt})
    db.session.commit()
    return ballot


def correct(actor, vote, ballot_id, data):
    """A committee correction of a mis-keyed ballot: the old rows stay, superseded, with the reason.

    One owner's ballots must agree, so all their standing ballots in this vote are corrected together. The vote's
    row is locked, so an announcement and a correction happen one after the other, never interleaved.
    """
    old = _ballot(vote, ballot_id)
    choices = normalise_choices(vote, data["choices"], fill_blank=True)
    if data.get("sheet_no"):  # a sheet number keyed anew must be that unit's sheet, and not a void one
        sheets.unit_of(vote, {"unit_id": old.unit_id, "sheet_no": data["sheet_no"]})
    lock(vote)
    group = db.session.scalars(
        select(Ballot)
        .where(Ballot.vote_id == vote.id, Ballot.owner_id == old.owner_id, Ballot.superseded_at.is_(None))
        .execution_options(populate_existing=True)
    ).all()
    if old not in group:
        raise Conflict("ballot_superseded", "该选票已被更正，请更正最新的记录")
    if any(b.resident_id is not None for b in group):
        # DOMAIN §2: a resident's own ballot cannot be changed once cast; only staff keying errors are corrected.
        raise Conflict("ballot_not_correctable", "居民本人在线投出的选票不能更改；只能更正工作人员录入的纸质选票")
    place = db.session.get(VoteUnit, (vote.id, old.unit_id))
    db.session.execute(select(Owner.id).where(Owner.id == old.owner_id).with_for_update())
    _check_state(vote, place, old.owner_id, choices, data.get("sheet_no"), replacing=group)
    now, corrected = utcnow(), None
    _supersede(vote, group, now)
    for prior in group:
        unit = db.session.get(VoteUnit, (vote.id, prior.unit_id))
        fresh = _store(
            vote,
            actor,
            unit,
            choices,
            confirmed=not (vote.require_confirmation and prior.channel != "online"),
            channel=prior.channel,
            sheet_no=data.get("sheet_no", prior.sheet_no) if prior is old else prior.sheet_no,
            proxy_name=prior.proxy_name,
            evidence=prior.evidence,
            owner_id=prior.owner_id,
            supersedes_id=prior.id,
            correction_reason=data["reason"],
        )
        audit.append(
            chain(vote),
            actor,
            "ballot_corrected",
            {
                **_payload(fresh, unit),
                "supersedes": prior.id,
                "old_choices": prior.choice_map,
                "old_receipt": prior.receipt,
                "reason": data["reason"],
            },
        )
        corrected = fresh if prior is old else corrected
    db.session.commit()
    return corrected


def _supersede(vote, group, now):
    """Retire the ballots being corrected, before their replacements arrive (the partial unique index).

    Only while they still stand and the vote is not announced: on SQLite, which ignores the row lock, this
    write is where a correction and an announcement or another correction at once are put in order.
    """
    unannounced = select(Vote.id).where(Vote.id == vote.id, Vote.status != "announced")
    retired = db.session.execute(
        update(Ballot)
        .where(Ballot.id.in_([b.id for b in group]), Ballot.superseded_at.is_(None), Ballot.vote_id.in_(unannounced))
        .values(superseded_at=now)
        .execution_options(synchronize_session="fetch")
    ).rowcount
    if retired != len(group):
        db.session.rollback()
        if vote.status == "announced":
            raise Conflict("vote_announced", "表决结果已公告，不能再更正选票")
        raise Conflict("ballot_superseded", "该选票已被更正，请更正最新的记录")
