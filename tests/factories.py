"""Factories bound to ``db.session``: build the places and people a test needs, directly in the database."""

from decimal import Decimal
from types import SimpleNamespace

from backend.auth.models import User
from backend.auth.services import issue_tokens
from backend.extensions import db
from backend.roster.identity import hash_id, owner_key
from backend.roster.models import Compound, HouseholdBinding, Owner, OwnerMember, Resident, Unit
from backend.roster.orgs import create_org

_HASHES = {}


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


class Factory:
    def org(self, name, level, parent=None):
        org = create_org(name, level, parent)
        db.session.commit()
        return org

    def user(self, username, role, org=None, password="secret-pass-1"):
        user = User(username=username, role=role, org_id=org.id if org else None)
        if password not in _HASHES:  # hashing is deliberately slow; tests share one hash per password
            user.set_password(password)
            _HASHES[password] = user.password_hash
        user.password_hash = _HASHES[password]
        db.session.add(user)
        db.session.commit()
        return user

    def headers(self, actor):
        """Bearer headers for a staff user or a resident, as if they had signed in."""
        return bearer(issue_tokens(actor)["access_token"])

    def compound(self, org, name="测试小区", **kw):
        compound = Compound(org_id=org.id, name=name, address=kw.pop("address", "测试路1号"), **kw)
        db.session.add(compound)
        db.session.commit()
        return compound

    def owner(self, compound, names=("业主",), ids=None, phone=None, owner_type="person"):
        """An owner; equal ``ids`` in one compound give the same owner, as the roster import does."""
        ids = list(ids or [])
        hashes = [hash_id(i) for i in ids]
        key = owner_key(list(names), hashes)
        if key:
            existing = db.session.query(Owner).filter_by(compound_id=compound.id, key=key).one_or_none()
            if existing:
                return existing
        owner = Owner(compound_id=compound.id, key=key, owner_type=owner_type)
        owner.members = [
            OwnerMember(
                position=i, name=n, id_hash=hashes[i] if i < len(hashes) else None, phone=phone if i == 0 else None
            )
            for i, n in enumerate(names)
        ]
        db.session.add(owner)
        db.session.flush()
        return owner

    def unit(self, compound, building="1", entrance="1", room="101", area="80.00", floor=None, owner=None, **kw):
        owner = owner or self.owner(compound, names=(f"业主{building}-{entrance}-{room}",), **kw)
        unit = Unit(
            compound_id=compound.id,
            building=str(building),
            entrance=str(entrance),
            room=str(room),
            floor=floor,
            area=Decimal(area),
            owner=owner,
        )
        db.session.add(unit)
        db.session.commit()
        return unit

    def units(self, compound, count, area="80.00", building="1", entrance="1"):
        """``count`` units, each with an owner of its own."""
        made = []
        for n in range(count):
            floor = n // 2 + 1
            owner = self.owner(compound, names=(f"业主{building}{entrance}{n}",))
            made.append(
                Unit(
                    compound_id=compound.id,
                    building=str(building),
                    entrance=str(entrance),
                    room=f"{floor}0{n % 2 + 1}" if count < 200 else f"{n + 1:04d}",
                    floor=floor,
                    area=Decimal(area),
                    owner=owner,
                )
            )
        db.session.add_all(made)
        db.session.commit()
        return made

    def resident(self, *units, relation="owner", name="居民"):
        resident = Resident(display_name=name)
        db.session.add(resident)
        db.session.flush()
        for unit in units:
            db.session.add(HouseholdBinding(resident_id=resident.id, unit_id=unit.id, relation=relation))
        db.session.commit()
        return resident

    def world(self):
        city = self.org("西安市", "city")
        district = self.org("雁塔区", "district", city)
        street = self.org("小寨路街道", "street", district)
        c1 = self.org("幸福里社区", "community", street)
        c2 = self.org("和平路社区", "community", street)
        other_district = self.org("碑林区", "district", city)
        other_street = self.org("南院门街道", "street", other_district)
        c3 = self.org("书院门社区", "community", other_street)
        users = {
            "admin": self.user("admin", "admin"),
            "official": self.user("official", "official", street),
            "official_city": self.user("official_city", "official", city),
            "official_other": self.user("official_other", "official", other_district),
            "committee": self.user("committee", "committee", c1),
            "committee2": self.user("committee2", "committee", c2),
            "committee3": self.user("committee3", "committee", c3),
        }
        compounds = {
            "c1": self.compound(c1, "幸福里小区"),
            "c2": self.compound(c2, "和平小区"),
            "c3": self.compound(c3, "书院小区"),
        }
        return SimpleNamespace(
            city=city,
            district=district,
            street=street,
            c1=c1,
            c2=c2,
            c3=c3,
            users=users,
            compounds=compounds,
            h={name: self.headers(u) for name, u in users.items()},
        )
