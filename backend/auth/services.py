"""Staff sign-in and account management."""

from flask_jwt_extended import create_access_token, create_refresh_token
from sqlalchemy import select

from ..errors import Conflict, Invalid, Unauthorized
from ..extensions import db
from ..names import DEPARTMENT_NAMES
from ..roster.models import Org
from .models import STAFF_ROLES, User
from .tokens import claims_for


def issue_tokens(actor):
    claims = claims_for(actor)
    return {
        "access_token": create_access_token(identity=str(actor.id), additional_claims=claims),
        "refresh_token": create_refresh_token(identity=str(actor.id), additional_claims=claims),
    }


_DUMMY = []


def _dummy_user():
    if not _DUMMY:
        u = User()
        u.set_password("not-a-password")
        _DUMMY.append(u)
    return _DUMMY[0]


def login(username, password):
    user = db.session.scalar(select(User).where(User.username == username))
    # Check a hash even for unknown users so timing does not reveal which usernames exist.
    if user is None:
        _dummy_user().check_password(password)
        raise Unauthorized("invalid_credentials", "用户名或密码错误")
    if not user.check_password(password) or not user.active:
        raise Unauthorized("invalid_credentials", "用户名或密码错误")
    return {**issue_tokens(user), "user": user}


def create_user(username, password, role, org_id=None, display_name="", department=None):
    if role not in STAFF_ROLES:
        raise Invalid("invalid_role", f"角色必须是 {', '.join(STAFF_ROLES)} 之一")
    org = db.session.get(Org, org_id) if org_id is not None else None
    if role != "admin" and org is None:
        raise Invalid("org_required", "非管理员账号必须指定所属组织")
    if role == "committee" and org.level != "community":
        raise Invalid("org_level", "居委会账号必须属于一个社区")
    if (role == "department") != (department is not None):
        raise Invalid("department_required", "职能部门账号必须指定部门，其他账号不能指定部门")
    if department is not None and department not in DEPARTMENT_NAMES:
        raise Invalid("department_unknown", f"部门必须是 {', '.join(DEPARTMENT_NAMES)} 之一")
    # A provider's org is the region a committee may grant it compounds in; it reads nothing there by itself.
    if len(password) < 8:
        raise Invalid("weak_password", "密码至少8位")
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict("username_taken", "用户名已存在")
    user = User(
        username=username, role=role, org_id=org.id if org else None, display_name=display_name, department=department
    )
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user
