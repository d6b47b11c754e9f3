"""Coarse role gates for views. They run before argument parsing, so 401/403 come before 422."""

from functools import wraps

from flask_jwt_extended import current_user, get_jwt, verify_jwt_in_request

from ..errors import Forbidden

ROLE_NAMES = {
    "admin": "管理员",
    "official": "政府工作人员",
    "committee": "社区居委会",
    "provider": "物业服务企业",
    "department": "职能部门",
    "resident": "居民",
}


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


def url_gate(name, load):
    """A view decorator factory: ``gate(manage=False)`` loads and authorises the object whose id the URL carries
    (``<name>_id`` through ``load(actor, id, manage=)``, or ``compound_id`` through ``require_compound``) once, and
    hands it to the view in its id's place. Below the role check and above the body's validation, so errors come
    in the documented order: 401 → 403/404 → 422 → 409; the services trust what the gate hands them."""
    from ..jurisdiction import require_compound

    loaders = {"compound_id": ("compound", require_compound)}
    if name:
        loaders[f"{name}_id"] = (name, load)

    def gate(manage=False):
        def decorator(fn):
            @wraps(fn)
            def wrapper(*args, **kwargs):
                for key, (target, loader) in loaders.items():
                    if key in kwargs:
                        kwargs[target] = loader(current_user, kwargs.pop(key), manage=manage)
                        break
                return fn(*args, **kwargs)

            return wrapper

        return decorator

    return gate


STAFF = ("admin", "official", "committee")
MANAGERS = ("admin", "committee")
ANYONE = ("admin", "official", "committee", "resident")

__all__ = ["ANYONE", "MANAGERS", "STAFF", "current_user", "roles_required", "url_gate"]
