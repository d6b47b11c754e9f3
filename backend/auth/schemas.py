from marshmallow import Schema, fields, validate

from ..inputs import Id
from .models import STAFF_ROLES


class LoginIn(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200), load_only=True)


class UserOut(Schema):
    id = fields.Integer()
    username = fields.String()
    role = fields.String()
    org_id = fields.Integer(allow_none=True)
    display_name = fields.String()
    department = fields.String(allow_none=True)


class TokensOut(Schema):
    access_token = fields.String()
    refresh_token = fields.String()
    user = fields.Nested(UserOut)


class AccessOut(Schema):
    access_token = fields.String()


class UserIn(Schema):
    username = fields.String(required=True, validate=validate.Length(min=2, max=64))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=8, max=200))
    role = fields.String(required=True, validate=validate.OneOf(STAFF_ROLES))
    org_id = Id(allow_none=True, load_default=None)
    display_name = fields.String(load_default="")
    department = fields.String(
        load_default=None, allow_none=True, metadata={"description": "职能部门账号的部门代码（如 housing 住建）"}
    )
