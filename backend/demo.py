"""Demo data: a realistic street with two communities and their compounds, and the accounts of API.md."""

import random
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from .auth.models import User
from .config import ConfigError
from .extensions import db
from .roster.models import Compound, Org, Unit
from .roster.orgs import create_org

DEMO_PASSWORD = "demo1234"
DEMO_LOADERS = "gongjian.demo_loaders"
ROSTER = Path(__file__).parent / "demo_data" / "roster_xingfuli.csv"
TREE = [("西安市", "city"), ("雁塔区", "district"), ("小寨路街道", "street")]
COMMUNITIES = ["幸福里社区", "和平路社区"]


class DemoActor:
    """The demo loader acts as an admin, so it goes through the same import rules as a committee."""

    id, role, org_id, org, username = 0, "admin", None, None, "demo"


def _org(name, level, parent):
    org = db.session.scalar(select(Org).where(Org.name == name, Org.level == level))
    return org or create_org(name, level, parent)


def _compound(org, name, address):
    compound = db.session.scalar(select(Compound).where(Compound.org_id == org.id, Compound.name == name))
    if compound is None:
        compound = Compound(org_id=org.id, name=name, address=address)
        db.session.add(compound)
        db.session.flush()
    return compound


def _peace_roster():
    """和平小区: 2 buildings × 2 entrances × 6 floors × 2 flats, generated the same every time."""
    rng = random.Random(7)
    surnames, given = "王李张刘陈杨赵黄周吴", ["建国", "秀英", "桂兰", "志强", "淑珍", "玉兰", "国华", "丽华"]
    lines = ["楼栋,单元,房号,楼层,建筑面积,业主,证件号,手机,业主类型"]
    for b in (1, 2):
        for e in (1, 2):
            for f in range(1, 7):
                for d in (1, 2):
                    n = len(lines)
                    lines.append(
                        f"{b},{e},{f}0{d},{f},{rng.choice(['58.20', '64.35', '71.80'])},"
                        f"{rng.choice(surnames)}{rng.choice(given)},6101131950{n:08d},"
                        f"139{n:08d},个人"
                    )
    return ("\n".join(lines) + "\n").encode()


def load_demo():
    from .roster.services import import_roster

    parent = None
    for name, level in TREE:
        parent = _org(name, level, parent)
    street = parent
    communities = [_org(name, "community", street) for name in COMMUNITIES]
    xingfuli = _compound(communities[0], "幸福里小区", "雁塔区小寨路幸福里1号")
    peace = _compound(communities[1], "和平小区", "雁塔区和平路18号")
    db.session.commit()
    for compound, content in ((xingfuli, ROSTER.read_bytes()), (peace, _peace_roster())):
        if db.session.scalar(select(Unit.id).where(Unit.compound_id == compound.id).limit(1)) is None:
            import_roster(DemoActor(), compound.id, "demo.csv", content)
    accounts = [
        ("admin", "admin", None, "系统管理员"),
        ("official", "official", street.id, "小寨路街道办"),
        ("committee", "committee", communities[0].id, "幸福里社区居委会"),
        ("committee2", "committee", communities[1].id, "和平路社区居委会"),
    ]
    for username, role, org_id, display in accounts:
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            user = User(username=username, role=role, org_id=org_id, display_name=display, is_demo=True)
            user.set_password(DEMO_PASSWORD)
            db.session.add(user)
    db.session.commit()
    out = [
        f"demo: {xingfuli.name} (id {xingfuli.id}) under {communities[0].name} (org {communities[0].id}); "
        f"{peace.name} (id {peace.id}) under {communities[1].name} (org {communities[1].id})",
        f"demo accounts (password {DEMO_PASSWORD}):",
    ]
    out += [f"  {u:<11} {r:<9} {d}" for u, r, _, d in accounts]
    # Features add their own demo data (an open vote, its notice…) without the core importing them.
    context = {"compound": xingfuli, "committee": db.session.scalar(select(User).where(User.username == "committee"))}
    for loader in current_app.extensions.get(DEMO_LOADERS, []):
        out += loader(context)
    return out


def register_demo_loader(app, loader):
    """Called from a feature's ``init_app``: ``loader(context) -> [lines to print]``, idempotent."""
    app.extensions.setdefault(DEMO_LOADERS, []).append(loader)


def refuse_demo_accounts():
    """A production server must not start while demo accounts exist."""
    from sqlalchemy import inspect

    if not inspect(db.engine).has_table("users"):
        return  # before the first migration
    if db.session.scalar(select(User.id).where(User.is_demo.is_(True)).limit(1)) is not None:
        raise ConfigError("demo accounts exist in this database; remove them before running with APP_ENV=production")
