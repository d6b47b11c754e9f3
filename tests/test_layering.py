"""Services take what they need from the route: only the web layer reads ``flask.request``."""

import ast
from pathlib import Path

from backend import FEATURES

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("backend", *FEATURES)  # every feature the app registers, so a new one cannot be missed
# The web layer: views, pages, the docs page, request middleware, and the helper routes get the address from.
WEB = {"routes.py", "pages.py"}  # and a feature's second blueprint, e.g. projects/problem_routes.py
WEB_MODULES = {
    "backend/docs.py",
    "backend/security.py",
    "backend/ratelimit.py",
    "backend/logs.py",
    "backend/reports_db.py",  # which blueprints read from the reports database
    "backend/auth/tokens.py",  # the blocklist check lets reads through when Redis is down
}  # the web layer's own hooks


def reads_request(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            names = {alias.name for alias in node.names}
            if (node.module == "flask" and "request" in names) or (
                (node.module or "").endswith("ratelimit") and "client_address" in names
            ):
                return True
        if isinstance(node, ast.Attribute) and node.attr == "request" and getattr(node.value, "id", "") == "flask":
            return True
    return False


def test_services_do_not_read_the_request():
    modules = [p for package in PACKAGES for p in (ROOT / package).rglob("*.py")]
    offenders = [
        str(p.relative_to(ROOT))
        for p in modules
        if not p.name.endswith(tuple(WEB)) and str(p.relative_to(ROOT)) not in WEB_MODULES and reads_request(p)
    ]
    assert len(modules) > 20 and offenders == []
