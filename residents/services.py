"""Household binding: by invite code, by matching the roster, or by a request the committee decides.

Also proxy authorisations (委托书), which the committee approves into a ``proxy`` binding.
"""

import hmac
import secrets
from contextlib import contextmanager
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from backend import audit, uploads
from backend.errors import Conflict, Forbidden, Invalid, NotFound
from backend.extensions import db
from backend.jurisdiction import require_compound
from backend.ratelimit import enforce, failures_limited
from backend.roster.models import Compound, HouseholdBinding, Resident, Unit
from backend.types import utcnow

from .models import BindingRequest, InviteCode, ProxyAuthorisation
from .signin import keyed_hash

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: a code copied from paper by an elderly hand must not be misread.
CODE_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
CODE_LENGTH = 10  # 25**10 ≈ 9.5e13 codes; with 10 tries an hour per resident guessing is hopeless
RELATION_NAMES = {"owner": "业主", "proxy": "委托代理人", "family": "家庭成员", "tenant": "租户"}
STATUS_NAMES = {"pending": "待居委会审核", "approved": "已通过", "rejected": "未通过"}


def new_invite_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text):
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def code_hash(code):
    return keyed_hash("invite", normalise_code(code))


def format_code(code):
    return f"{code[:5]} {code[5:]}"


@contextmanager
def _attempt_limited(resident, address):
    """Every attempt counts against the resident; only failures count against the address, which a committee's
    sign-up afternoon at the office or a carrier's shared address puts many honest residents behind."""
    cfg = current_app.config
    message = "尝试次数过多，请一小时后再试，或到居委会办理"
    enforce(cfg["BINDING_RATE_PER_RESIDENT"], "bind-resident", resident.id, message=message)
    with failures_limited(cfg["BINDING_RATE_PER_IP"], "bind-ip-failures", address, message=message):
        yield


def _require_consent(resident):
    if resident.consent_version is None:
        raise Forbidden("consent_required", "请先阅读并同意《个人信息保护说明》")


def bind(resident, unit, relation, method, evidence=None):
    """Create or reactivate the resident's binding to ``unit`` (one row per resident and unit)."""
    binding = db.session.scalar(
        select(HouseholdBinding)
        .where(HouseholdBinding.resident_id == resident.id, HouseholdBinding.unit_id == unit.id)
        .with_for_update()
    )
    if binding is None:
        binding = HouseholdBinding(resident_id=resident.id, unit_id=unit.id)
        db.session.add(binding)
    elif binding.status == "active" and binding.relation in ("owner", "proxy") and relation not in ("owner", "proxy"):
        return binding  # never downgrade a voting binding by a later, weaker proof
    binding.relation, binding.method, binding.status, binding.revoked_at = relation, method, "active", None
    if evidence is not None:
        binding.proxy_evidence = evidence
    db.session.flush()
    audit.append(
        f"bindings:{unit.compound_id}",
        resident,
        "bind",
        {"unit_id": unit.id, "relation": relation, "method": method, "evidence": evidence},
    )
    return binding


INVITE_USED = "该邀请码已被使用。同户其他人请用“核对业主信息”绑定，或联系居委会"


def invite_expired(invite, now=None):
    return invite.created_at < (now or utcnow()) - timedelta(days=current_app.config["INVITE_CODE_DAYS"])


def bind_by_code(resident, code, relation, owner_name, address):
    """Bind with the letter's code. The letter goes to the letterbox, so whoever lives there holds it: the code
    alone proves residence, and claiming ownership (a vote) also takes an owner's name as on the roster."""
    _require_consent(resident)
    with _attempt_limited(resident, address):
        return _bind_by_code(resident, code, relation, owner_name)


def _bind_by_code(resident, code, relation, owner_name):
    invite = db.session.scalar(select(InviteCode).where(InviteCode.code_hash == code_hash(code)))
    if invite is None or invite.status == "revoked":
        # Revoked codes look like unknown ones: the letter was replaced by a newer one.
        raise Invalid("invite_invalid", "邀请码不正确或已作废，请核对信上的邀请码（不区分大小写）")
    if invite.status == "used":
        raise Conflict("invite_used", INVITE_USED)
    if invite_expired(invite):
        raise Invalid("invite_expired", "邀请码已过期，请向居委会索取新的入户信")
    if relation == "owner":
        if not owner_name.strip():
            raise Invalid(
                "owner_name_required",
                "选择“我是业主”时，请填写房产证上的业主姓名",
                {"json": {"owner_name": ["请填写业主姓名"]}},
            )
        if not _names_match(owner_name, invite.unit.owner):
            # Never echo the roster's name: the holder of a letter may be a tenant fishing for it. The code
            # stays valid, so the same person can bind as family or tenant, or ask the committee.
            raise Invalid(
                "owner_name_mismatch",
                "业主姓名与名册不一致。不是业主的，请选择“家庭成员”或“租户”；确是业主的，请提交申请由居委会审核",
                {"json": {"owner_name": ["与名册不一致"]}},
            )
    # The conditional update's row count decides which of several simultaneous holders the code binds: a row lock
    # on PostgreSQL and the write lock on SQLite both make the others see it used.
    used = db.session.execute(
        update(InviteCode)
        .where(InviteCode.id == invite.id, InviteCode.status == "active")
        .values(status="used", used_by_id=resident.id, ended_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:
        raise Conflict("invite_used", INVITE_USED)
    binding = bind(resident, invite.unit, relation, "invite")
    db.session.commit()
    return binding


def find_unit(compound_id, building, entrance, room):
    return db.session.scalar(
        select(Unit).where(
            Unit.compound_id == compound_id,
            Unit.building == building.strip(),
            Unit.entrance == (entrance or "1").strip(),
            Unit.room == room.strip(),
        )
    )


def _names_match(typed, owner):
    typed = "".join(typed.split()).encode()
    return any(hmac.compare_digest("".join(m.name.split()).encode(), typed) for m in owner.members)


def bind_by_roster(resident, data, address):
    """The roster says this unit's owner has this name and a phone ending in these four digits."""
    _require_consent(resident)
    with _attempt_limited(resident, address):
        return _bind_by_roster(resident, data)


def _bind_by_roster(resident, data):
    compound = db.session.get(Compound, data["compound_id"])
    unit = compound and find_unit(compound.id, data["building"], data["entrance"], data["room"])
    phones = [m.phone for m in unit.owner.members if m.phone] if unit else []
    if (
        unit is None
        or not phones
        or not _names_match(data["owner_name"], unit.owner)
        or not any(hmac.compare_digest(p[-4:].encode(), data["phone_last4"].encode()) for p in phones)
    ):
        # One message for every mismatch, so the form cannot be used to learn who owns which flat.
        raise Invalid("roster_mismatch", "与业主名册不一致，无法自动绑定。请核对后重试，或提交申请由居委会审核")
    binding = bind(resident, unit, "owner", "roster")
    db.session.commit()
    return binding


def request_binding(resident, data):
    _require_consent(resident)
    compound = db.session.get(Compound, data["compound_id"])
    if compound is None:
        raise NotFound("compound_not_found", "找不到该小区")
    unit = find_unit(compound.id, data["building"], data["entrance"], data["room"])
    # A second pending request for the same address breaks uq_binding_requests_pending: 409 request_pending.
    req = BindingRequest(
        resident_id=resident.id,
        compound_id=compound.id,
        unit_id=unit.id if unit else None,
        building=data["building"],
        entrance=data["entrance"],
        room=data["room"],
        relation=data["relation"],
        name=data["name"],
        note=data.get("note", ""),
    )
    db.session.add(req)
    db.session.commit()
    return req


ALREADY_DECIDED = "该申请已处理过"


def _load_for_review(model, item_id, actor):
    item = db.session.get(model, item_id)
    if item is None:
        raise NotFound("not_found", "找不到该申请")
    compound_id = item.compound_id if model is BindingRequest else item.unit.compound_id
    require_compound(actor, compound_id, manage=True)
    if item.status != "pending":
        raise Conflict("already_decided", ALREADY_DECIDED)
    return item


def _require_reason(approve, reason):
    if not approve and not reason.strip():
        raise Invalid("reason_required", "驳回时请填写原因，居民会看到", {"json": {"reason": ["请填写原因"]}})


def _settle(item, actor, approve, reason, **values):
    """Record the decision on an item still pending, before anything it grants: the conditional update's row
    count lets exactly one of two simultaneous decisions through (row lock on PostgreSQL, write lock on SQLite)."""
    model = type(item)
    decided = db.session.execute(
        update(model)
        .where(model.id == item.id, model.status == "pending")
        .values(
            status="approved" if approve else "rejected",
            reason=reason.strip(),
            reviewed_by=audit.actor_label(actor),
            decided_at=utcnow(),
            **values,
        )
        .execution_options(synchronize_session="evaluate")
    )
    if decided.rowcount != 1:
        raise Conflict("already_decided", ALREADY_DECIDED)


def decide_request(actor, request_id, approve, reason="", relation=None):
    req = _load_for_review(BindingRequest, request_id, actor)
    _require_reason(approve, reason)
    unit = None
    if approve:
        unit = req.unit or find_unit(req.compound_id, req.building, req.entrance, req.room)
        if unit is None:
            raise Invalid("unit_not_found", "名册中没有该房屋，请先核对或更新名册，或驳回并说明原因")
    _settle(req, actor, approve, reason, unit_id=unit.id if unit else req.unit_id)
    if unit is not None:
        bind(db.session.get(Resident, req.resident_id), unit, relation or req.relation, "request")
    audit.append(
        f"bindings:{req.compound_id}", actor, "request_" + req.status, {"request_id": req.id, "reason": req.reason}
    )
    db.session.commit()
    return req


def submit_proxy(resident, data, photo):
    _require_consent(resident)
    content = photo.read(current_app.config["PROXY_PHOTO_MAX_BYTES"] + 1) if photo else b""
    if not content:
        raise Invalid("photo_required", "请拍照上传签字的委托书", {"files": {"photo": ["请上传照片"]}})
    try:  # checked by its content and re-encoded from its pixels, so no EXIF (GPS location) is kept
        content, mime, *_ = uploads.clean_photo(content, current_app.config["PROXY_PHOTO_MAX_BYTES"])
    except uploads.PhotoRefused as e:
        raise Invalid(e.code, e.message, {"files": {"photo": [e.message]}}) from e
    unit = find_unit(data["compound_id"], data["building"], data["entrance"], data["room"])
    if unit is None:
        raise NotFound("unit_not_found", "找不到该房屋，请核对楼栋、单元、房号")
    auth = ProxyAuthorisation(
        resident_id=resident.id,
        unit_id=unit.id,
        proxy_name=data["proxy_name"],
        owner_name=data["owner_name"],
        photo=content,
        photo_type=mime,
    )
    db.session.add(auth)
    db.session.commit()
    return auth


def decide_proxy(actor, proxy_id, approve, reason=""):
    auth = _load_for_review(ProxyAuthorisation, proxy_id, actor)
    _require_reason(approve, reason)
    _settle(auth, actor, approve, reason)
    if approve:
        resident = db.session.get(Resident, auth.resident_id)
        # The votes feature writes the resident's name on proxy ballots; WeChat and SMS sign-ins bring none.
        resident.display_name = resident.display_name or auth.proxy_name
        bind(resident, auth.unit, "proxy", "proxy", evidence=auth.reference)
    audit.append(
        f"bindings:{auth.unit.compound_id}",
        actor,
        "proxy_" + auth.status,
        {"proxy_id": auth.id, "unit_id": auth.unit_id, "reason": auth.reason},
    )
    db.session.commit()
    return auth


def proxy_photo(actor, proxy_id):
    """The authorisation whose photo the committee may see (the route records the view)."""
    auth = db.session.get(ProxyAuthorisation, proxy_id)
    if auth is None:
        raise NotFound("not_found", "找不到该委托书")
    require_compound(actor, auth.unit.compound_id, manage=True)
    if auth.photo is None:
        raise NotFound("photo_purged", "委托书照片已按保存期限删除")
    return auth


def unbind(resident, binding_id):
    binding = db.session.get(HouseholdBinding, binding_id)
    if binding is None or binding.resident_id != resident.id:
        raise NotFound("binding_not_found", "找不到该绑定")
    binding.status, binding.revoked_at = "revoked", utcnow()
    audit.append(f"bindings:{binding.unit.compound_id}", resident, "unbind", {"unit_id": binding.unit_id})
    db.session.commit()


def household(resident):
    bindings = db.session.scalars(
        select(HouseholdBinding)
        .where(HouseholdBinding.resident_id == resident.id, HouseholdBinding.status == "active")
        .order_by(HouseholdBinding.id)
    ).all()
    requests = db.session.scalars(
        select(BindingRequest).where(BindingRequest.resident_id == resident.id).order_by(BindingRequest.id.desc())
    ).all()
    proxies = db.session.scalars(
        select(ProxyAuthorisation)
        .where(ProxyAuthorisation.resident_id == resident.id)
        .order_by(ProxyAuthorisation.id.desc())
    ).all()
    return {"resident": resident, "bindings": bindings, "requests": requests, "proxies": proxies}
