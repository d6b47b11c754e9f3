"""Staff authentication: login, refresh, logout, who am I, and accounts (admin)."""

from flask import current_app
from flask.views import MethodView
from flask_jwt_extended import current_user, get_jwt, jwt_required
from flask_smorest import Blueprint

from ..ratelimit import client_address, enforce
from . import services
from .decorators import roles_required
from .models import STAFF_ROLES
from .schemas import AccessOut, LoginIn, TokensOut, UserIn, UserOut
from .tokens import revoke

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Staff sign-in")


@blp.route("/login")
class Login(MethodView):
    @blp.arguments(LoginIn)
    @blp.response(200, TokensOut)
    @blp.doc(security=[])
    def post(self, data):
        """Sign in with username and password; limited per username and client address."""
        enforce(
            current_app.config["LOGIN_RATE_LIMIT"],
            "login",
            data["username"].lower(),
            client_address(),
            message="登录尝试过于频繁，请一分钟后再试",
        )
        return services.login(data["username"], data["password"])


@blp.route("/refresh")
class Refresh(MethodView):
    @jwt_required(refresh=True)
    @blp.response(200, AccessOut)
    def post(self):
        """Exchange a refresh token (as bearer) for a new access token."""
        return {"access_token": services.issue_tokens(current_user)["access_token"]}


@blp.route("/logout")
class Logout(MethodView):
    @jwt_required(verify_type=False)
    @blp.response(204)
    def post(self):
        """Revoke the bearer token presented (access or refresh)."""
        revoke(get_jwt())


@blp.route("/me")
class Me(MethodView):
    @roles_required(*STAFF_ROLES)  # every staff account may read itself, a property provider's included
    @blp.response(200, UserOut)
    def get(self):
        """The signed-in staff account."""
        return current_user


@blp.route("/users")
class Users(MethodView):
    @roles_required("admin")
    @blp.arguments(UserIn)
    @blp.response(201, UserOut)
    def post(self, data):
        """Create a staff account (admin only)."""
        return services.create_user(**data)
