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


def imported_packages(package):
    """The top-level packages a feature's modules import (function-level imports included)."""
    found = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
            elif isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
    return found & {"backend", *FEATURES}


def test_the_money_feature_imports_only_the_core_votes_and_notices():
    """Issue 9 §1: funds/ stands beside votes/ on the core; votes/ for the decision a campaign, a rate or a spending
    rests on, notices/ for the money and fund notices (§6). Nothing else, and nothing of surveys/ or management/."""
    assert imported_packages("funds") <= {"backend", "funds", "votes", "notices"}


def test_the_core_imports_no_feature():
    """Features import the core, never the reverse: ``create_app`` loads them by name from FEATURES, and a feature's
    commands, pages and demo data register themselves from its ``init_app``."""
    assert imported_packages("backend") == {"backend"}
