"""Coarse role gates for views. They run before argument parsing, so 401/403 come before 422."""

from functools import wraps

from flask_jwt_extended import current_user, get_jwt, verify_jwt_in_request

from ..errors import Forbidden

ROLE_NAMES = {"admin": "管理员", "official": "政府工作人员", "committee": "社区居委会", "resident": "居民"}


def roles_required(*roles):
    def decorator(fn):
        @wraps(fn)
        def wrapper(*args, **kwargs):
            verify_jwt_in_request()
            if get_jwt().get("role") not in roles:
                allowed = "、".join(ROLE_NAMES[r] for r in roles)
                raise Forbidden("role_forbidden", f"此操作仅限{allowed}")
            return fn(*args, **kwargs)

        return wrapper

    return decorator


STAFF = ("admin", "official", "committee")
MANAGERS = ("admin", "committee")
ANYONE = ("admin", "official", "committee", "resident")

__all__ = ["ANYONE", "MANAGERS", "STAFF", "current_user", "roles_required"]
