"""The jurisdiction tree: city → district → street → community."""

from flask.views import MethodView
from flask_jwt_extended import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from ..auth.decorators import STAFF, roles_required
from ..errors import Invalid
from ..extensions import db
from ..inputs import Id
from ..jurisdiction import require_org
from .models import ORG_LEVELS, Org

blp = Blueprint("orgs", __name__, url_prefix="/api/v1", description="Jurisdiction tree")


def create_org(name, level, parent=None):
    """Add a node; its level must be one below its parent's, and a city has no parent."""
    expected = ORG_LEVELS[ORG_LEVELS.index(parent.level) + 1] if parent else "city"
    if parent is not None and parent.level == "community":
        raise Invalid("org_level", "社区下不能再设下级组织")
    if level != expected:
        raise Invalid("org_level", f"该位置只能新建“{expected}”级组织")
    org = Org(name=name, level=level, parent_id=parent.id if parent else None)
    db.session.add(org)
    db.session.flush()
    org.path = f"{parent.path if parent else '/'}{org.id}/"
    return org


class OrgIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    level = fields.String(required=True, validate=validate.OneOf(ORG_LEVELS))
    parent_id = Id(allow_none=True, load_default=None)


class OrgOut(Schema):
    id = fields.Integer()
    name = fields.String()
    level = fields.String()
    parent_id = fields.Integer(allow_none=True)


@blp.route("/orgs")
class Orgs(MethodView):
    @roles_required(*STAFF)
    @blp.response(200, OrgOut(many=True))
    def get(self):
        """The caller's org and everything below it (admin: the whole tree)."""
        stmt = select(Org).order_by(Org.path)
        if current_user.role != "admin":
            stmt = stmt.where(Org.path.startswith(current_user.org.path))
        return db.session.scalars(stmt).all()

    @roles_required("admin")
    @blp.arguments(OrgIn)
    @blp.response(201, OrgOut)
    def post(self, data):
        """Add a city, district, street or community (admin only)."""
        parent = require_org(current_user, data["parent_id"]) if data["parent_id"] else None
        org = create_org(data["name"], data["level"], parent)
        db.session.commit()
        return org
