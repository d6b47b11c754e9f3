"""Roster rules: importing and merging a roster, listing units, likely duplicate owners and their merge."""

import hashlib
import json
from collections import defaultdict

from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from .. import audit
from ..errors import Forbidden, Invalid, NotFound
from ..extensions import db
from ..jurisdiction import require_compound, require_org
from ..types import utcnow
from .identity import hash_id, owner_key
from .models import Compound, HouseholdBinding, Owner, OwnerMember, Unit
from .order import natural, unit_order
from .parsing import parse_roster


def create_compound(actor, data):
    org = require_org(actor, data["org_id"])
    if actor.role == "committee" and org.id != actor.org_id:
        raise Forbidden("outside_jurisdiction", "只能在本社区下新建小区")
    if org.level != "community":
        raise Invalid("org_level", "小区必须属于一个社区", errors={"json": {"org_id": ["请选择社区"]}})
    compound = Compound(**data)
    db.session.add(compound)
    db.session.commit()
    return compound


def import_roster(actor, compound_id, filename, content):
    """All or nothing: any bad row → 422 listing every bad row, and nothing is stored."""
    compound = require_compound(actor, compound_id, manage=True)
    parsed = parse_roster(filename, content)
    if parsed.errors:
        raise Invalid(
            "roster_invalid",
            f"名册有{len({e['row'] for e in parsed.errors})}行有误，未导入任何数据，请改正后重新上传",
            errors=parsed.errors,
        )
    existing = {
        (u.building, u.entrance, u.room): u
        for u in db.session.scalars(
            select(Unit)
            .where(Unit.compound_id == compound.id)
            .options(selectinload(Unit.owner).selectinload(Owner.members))
        )
    }
    keyed = {
        o.key: o
        for o in db.session.scalars(
            select(Owner)
            .where(Owner.compound_id == compound.id, Owner.key.is_not(None))
            .options(selectinload(Owner.members))
        )
    }
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    names_by_id, warnings, sold = defaultdict(set), [], []
    for row in parsed.rows:
        members = _members(row)
        for name, id_hash in zip(row.names, (m[1] for m in members), strict=False):
            if id_hash:
                names_by_id[id_hash].add((name, row.row))
        unit = existing.get(row.place)
        if unit is None:
            unit = Unit(compound_id=compound.id, building=row.building, entrance=row.entrance, room=row.room)
            db.session.add(unit)
            counts["created"] += 1
        elif _same(unit, row, members):
            counts["unchanged"] += 1
            continue
        else:
            counts["updated"] += 1
        unit.floor, unit.area, unit.area_source = row.floor, row.area, row.area_source
        digest = _digest(row, members)
        if unit.roster_digest != digest:
            transferred = unit.id is not None and _transferred(unit.owner, members)
            unit.owner = _owner_for(compound, row, members, keyed, unit, reuse=not transferred)
            unit.roster_digest = digest
            if transferred:
                sold.append(unit)
    for rows in names_by_id.values():
        names = sorted({n for n, _ in rows})
        if len(names) > 1:
            warnings.append(
                {
                    "rows": sorted(r for _, r in rows),
                    "message": f"同一证件号对应不同姓名：{'、'.join(names)}，已按同一业主导入，请核对",
                }
            )
    missing = len(existing) - len({r.place for r in parsed.rows} & set(existing))
    if missing:
        warnings.append({"rows": [], "message": f"已有{missing}户不在本次名册中，已保留原记录"})
    ended = _end_bindings(sold)
    if sold:
        warnings.append(
            {"rows": [], "message": f"{len(sold)}户业主已变更（过户），原业主及其家属的绑定已解除（{ended}个）"}
        )
    audit.append(
        f"roster:{compound.id}",
        actor,
        "roster_imported",
        {"file": filename, **counts, "transferred_units": [u.id for u in sold], "bindings_ended": ended},
    )
    db.session.commit()
    units, owners = db.session.execute(
        select(func.count(Unit.id), func.count(func.distinct(Unit.owner_id))).where(Unit.compound_id == compound.id)
    ).one()
    return {"units": units, "owners": owners, **counts, "warnings": warnings}


def _members(row):
    hashes = [hash_id(i) for i in row.ids]
    return [
        (name, hashes[i] if i < len(hashes) else None, row.phone if i == 0 else None)
        for i, name in enumerate(row.names)
    ]


def _digest(row, members):
    return hashlib.sha256(json.dumps([row.owner_type, members]).encode()).hexdigest()


def _same(unit, row, members):
    return (unit.floor, unit.area, unit.area_source) == (
        row.floor,
        row.area,
        row.area_source,
    ) and unit.roster_digest == _digest(row, members)


def _identities(pairs):
    return {id_hash or f"name:{name}" for name, id_hash in pairs}


def _transferred(previous, members):
    """A sale, not a correction: none of the people who owned the unit is among its owners now."""
    before = _identities((m.name, m.id_hash) for m in previous.members)
    return not before & _identities((name, id_hash) for name, id_hash, _ in members)


def _end_bindings(units):
    """After a sale the seller's household no longer speaks for the unit: end its bindings (kept for the record)."""
    if not units:
        return 0
    result = db.session.execute(
        update(HouseholdBinding)
        .where(HouseholdBinding.unit_id.in_([u.id for u in units]), HouseholdBinding.status == "active")
        .values(status="revoked", revoked_at=utcnow())
    )
    return result.rowcount


def _owner_for(compound, row, members, keyed, unit, reuse=True):
    key = owner_key(row.names, [h for _, h, _ in members if h])
    owner = keyed.get(key) if key else None
    while owner is not None and owner.merged_into_id:
        owner = db.session.get(Owner, owner.merged_into_id)
    if (
        owner is None
        and key is None
        and reuse
        and unit.owner is not None
        and unit.owner.key is None
        and db.session.scalar(select(func.count(Unit.id)).where(Unit.owner_id == unit.owner.id)) == 1
    ):
        owner = unit.owner  # a unit's own id-less owner is updated in place, keeping any merge made by hand
    if owner is None:
        owner = Owner(compound_id=compound.id, key=key, owner_type=row.owner_type)
        db.session.add(owner)
        if key:
            keyed[key] = owner
    owner.owner_type = row.owner_type
    current = [(m.name, m.id_hash, m.phone) for m in owner.members]
    if current != members:
        owner.members = [OwnerMember(position=i, name=n, id_hash=h, phone=p) for i, (n, h, p) in enumerate(members)]
    return owner


def units_query(compound_id, building=None, entrance=None):
    stmt = (
        select(Unit)
        .where(Unit.compound_id == compound_id)
        .options(selectinload(Unit.owner).selectinload(Owner.members))
    )
    if building:
        stmt = stmt.where(Unit.building == building)
    if entrance:
        stmt = stmt.where(Unit.entrance == entrance)
    return stmt.order_by(*unit_order(Unit), Unit.id)


def buildings(actor, compound_id):
    """Buildings and their stair entrances with unit counts and areas: the scopes a vote can take."""
    require_compound(actor, compound_id)
    rows = db.session.execute(
        select(Unit.building, Unit.entrance, func.count(Unit.id), func.sum(Unit.area))
        .where(Unit.compound_id == compound_id)
        .group_by(Unit.building, Unit.entrance)
    ).all()
    result = {}
    for building, entrance, count, area in sorted(rows, key=lambda r: (natural(r[0]), natural(r[1]))):
        b = result.setdefault(building, {"building": building, "units": 0, "area": 0, "entrances": []})
        b["units"] += count
        b["area"] += area
        b["entrances"].append({"entrance": entrance, "units": count, "area": area})
    return list(result.values())


def get_unit(actor, unit_id):
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        raise NotFound("unit_not_found", "找不到该房屋")
    require_compound(actor, unit.compound_id)
    return unit


def likely_duplicates(actor, compound_id):
    """Owners that are probably one person: same name and phone, but different or missing ids."""
    compound = require_compound(actor, compound_id, manage=True)
    groups = defaultdict(list)
    for owner in _active_owners(compound.id):
        if len(owner.members) == 1 and owner.phone:
            groups[(owner.members[0].name, owner.phone)].append(owner)
    return [
        {"name": name, "owners": _summaries(owners)} for (name, _), owners in sorted(groups.items()) if len(owners) > 1
    ]


def merge_owners(actor, compound_id, keep_id, merge_ids, reason):
    """Make several owner records one owner: their units move to ``keep``; the others point to it."""
    compound = require_compound(actor, compound_id, manage=True)
    ids = [i for i in dict.fromkeys(merge_ids) if i != keep_id]
    owners = {
        o.id: o
        for o in db.session.scalars(
            select(Owner).where(Owner.compound_id == compound.id, Owner.id.in_([keep_id, *ids]))
        )
    }
    missing = [i for i in [keep_id, *ids] if i not in owners or owners[i].merged_into_id]
    if missing:
        raise NotFound("owner_not_found", f"本小区找不到业主记录：{', '.join(map(str, missing))}")
    if not ids:
        raise Invalid("nothing_to_merge", "请至少选择一个要合并的业主记录")
    keep = owners[keep_id]
    moved = []
    for oid in ids:
        other = owners[oid]
        for unit in db.session.scalars(select(Unit).where(Unit.owner_id == oid)):
            unit.owner = keep
            moved.append(unit.id)
        other.merged_into_id = keep.id
    audit.append(
        f"owners:{compound.id}",
        actor,
        "owners_merged",
        {"keep": keep.id, "merged": ids, "units": moved, "reason": reason},
    )
    db.session.commit()
    return _summaries([keep])[0]


def _active_owners(compound_id):
    with_units = select(Unit.owner_id).where(Unit.compound_id == compound_id)
    return db.session.scalars(
        select(Owner).where(Owner.id.in_(with_units)).options(selectinload(Owner.members)).order_by(Owner.id)
    ).all()


def _summaries(owners):
    """Owner records with their units, in two queries whatever their number."""
    units = defaultdict(list)
    for unit in db.session.scalars(
        select(Unit).where(Unit.owner_id.in_([o.id for o in owners])).order_by(*unit_order(Unit))
    ):
        units[unit.owner_id].append(unit.label)
    return [
        {
            "id": o.id,
            "name": o.name,
            "owner_type": o.owner_type,
            "phone": o.phone,
            "has_id": any(m.id_hash for m in o.members),
            "units": units[o.id],
        }
        for o in owners
    ]


def owners_list(actor, compound_id):
    compound = require_compound(actor, compound_id)
    return _summaries(_active_owners(compound.id))
