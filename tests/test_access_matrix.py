"""Who may call what (issue 14 §4): every route × every role × own region or another district, from a declared table.

``ACCESS`` states, for each API route and method, the roles it admits; the region then decides as the codebase
does (``backend/jurisdiction.py``): the admin reaches every compound, staff outside their region get 403, and a
resident asking for something outside their household gets 404, so nothing leaks. One test walks the route list
(``app.url_map``) and fails for a route without an entry — a new endpoint is never silently left out — and then
sends each route, for each role, the request for an object of its own region (幸福里小区, community 1) and one of
another district's compound (书院小区, 碑林区):

- anonymous → 401, a role not admitted → 403, an admitted role outside its region → 403 (resident: 404);
- an admitted role in its region gets past the gate: anything but 401/403/404 (an empty body answers 422; a route
  whose path names a sub-object the test does not create, ``child``, may answer that sub-object's 404).

The same walk checks the CSRF reasoning of README (Security): no response sets a cookie, and a request carrying a
staff token only as cookies (flask-jwt-extended's and Flask's names), never in the Authorization header, is
refused with 401 on every route that needs a sign-in.

Cheap by design: one world, one app, one request per cell (about 1,700; a role a route does not admit is sent
once), bodies empty so writes stop at validation (``send`` gives the few that need one a valid body); the refusals
of a route go before its admitted calls, so a state change (a vote closed) cannot turn a refusal into another.
"""

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from flask import current_app
from PIL import Image

from backend.auth.models import ProviderCompound
from backend.auth.services import issue_tokens
from backend.extensions import db
from backend.roster.models import HouseholdBinding, Resident
from tests.test_campaigns import spec as campaign_spec
from tests.test_projects import ITEMS, department_user
from tests.test_votes_kit import at, item

ROLES = ("admin", "official", "committee", "provider", "department", "resident")
STAFF = ("admin", "official", "committee")
MANAGERS = ("admin", "committee")
PUBLIC = "public"
SIGNED_IN = "signed_in"  # any token at all (logout)
REFRESH = "refresh"  # a refresh token, never an access token: every access token (and none) answers 401


@dataclass(frozen=True)
class A:
    """A route's access: the roles admitted (or PUBLIC); ``other`` overrides the refusal outside the region by
    role, ``own`` an admitted role's answer inside it (a role the route admits but the object refuses); ``child``
    when the path names a sub-object the matrix does not create (its 404 counts as admitted); ``regional=False``
    when the path's object carries no region the matrix builds (checked by role only); ``send(ids)`` gives a
    valid body or query where the view reads it before the service checks the region (an empty one would stop
    at 422 and prove nothing)."""

    roles: tuple | str
    other: dict = field(default_factory=dict)
    own: dict = field(default_factory=dict)
    child: bool = False
    regional: bool = True
    send: object = None


R = ("resident",)
S_R = (*STAFF, "resident")
PROV = ("provider",)
DEPT = ("department",)
NO_DEPARTMENT = {"department": 403}  # the route admits the role, but no compound is a department's to read


def _json(**body):
    return lambda ids: {"json": body}


def _choices(ids):
    proposals = [{"model": "professional"}, {"model": "quasi"}]
    return {"json": {"title": "选聘物业", "opens_at": at(minutes=-1), "closes_at": at(days=1), "proposals": proposals}}


def _problem(ids):
    return {"data": {"text": "噪音", "category": "noise"}, "content_type": "multipart/form-data"}


DECIDE = _json(approve=False, reason="材料不全")

ACCESS = {
    # auth
    "POST /api/v1/auth/login": A(PUBLIC),
    "POST /api/v1/auth/logout": A(SIGNED_IN),
    "GET /api/v1/auth/me": A((*STAFF, "department", "provider")),
    "POST /api/v1/auth/refresh": A(REFRESH),
    "POST /api/v1/auth/users": A(("admin",)),
    "GET /api/v1/openapi.json": A(PUBLIC),
    # residents' sign-in
    "POST /api/v1/residents/auth/dev": A(PUBLIC),
    "GET /api/v1/residents/auth/providers": A(PUBLIC),
    "POST /api/v1/residents/auth/sms/send": A(PUBLIC),
    "POST /api/v1/residents/auth/sms/verify": A(PUBLIC),
    "POST /api/v1/residents/auth/wechat": A(PUBLIC),
    "GET /api/v1/public/notices/<token>": A(PUBLIC),
    # orgs and compounds
    "GET /api/v1/orgs": A(STAFF),
    "POST /api/v1/orgs": A(("admin",)),
    "GET /api/v1/compounds": A((*STAFF, "provider", "resident")),
    "POST /api/v1/compounds": A(MANAGERS),
    "GET /api/v1/compounds/<int:compound_id>": A((*STAFF, "provider", "resident"), {"resident": 403}),
    "PATCH /api/v1/compounds/<int:compound_id>": A(MANAGERS),
    "GET /api/v1/compounds/<int:compound_id>/binding-requests": A(MANAGERS),
    "GET /api/v1/compounds/<int:compound_id>/buildings": A(STAFF),
    "GET /api/v1/compounds/<int:compound_id>/owners": A(STAFF),
    "GET /api/v1/compounds/<int:compound_id>/owners/duplicates": A(MANAGERS),
    "POST /api/v1/compounds/<int:compound_id>/owners/merge": A(MANAGERS),
    "GET /api/v1/compounds/<int:compound_id>/proxies": A(MANAGERS),
    "POST /api/v1/compounds/<int:compound_id>/roster": A(MANAGERS),
    "GET /api/v1/compounds/<int:compound_id>/roster/export": A(STAFF),
    "GET /api/v1/compounds/<int:compound_id>/units": A(STAFF),
    "GET /api/v1/units/<int:unit_id>": A(STAFF),
    "GET /api/v1/compounds/<int:compound_id>/letters": A(MANAGERS),
    "POST /api/v1/compounds/<int:compound_id>/letters": A(MANAGERS),
    "GET /api/v1/letter-jobs/<int:job_id>": A(MANAGERS, child=True, regional=False),
    "GET /api/v1/letter-jobs/<int:job_id>/pdf": A(MANAGERS, child=True, regional=False),
    "GET /api/v1/compounds/<int:compound_id>/notices": A(S_R, {"resident": 403}),
    "POST /api/v1/compounds/<int:compound_id>/notices": A(MANAGERS, send=_json(title="通知")),
    "GET /api/v1/compounds/<int:compound_id>/problems": A(STAFF),
    "GET /api/v1/compounds/<int:compound_id>/project-settings": A((*STAFF, "department"), own=NO_DEPARTMENT),
    "PUT /api/v1/compounds/<int:compound_id>/project-settings": A(MANAGERS, send=_json(pledge_threshold_bp=6000)),
    # binding, proxies
    "POST /api/v1/binding-requests/<int:request_id>/decision": A(MANAGERS, send=DECIDE),
    "POST /api/v1/proxies/<int:proxy_id>/decision": A(MANAGERS, send=DECIDE),
    "GET /api/v1/proxies/<int:proxy_id>/photo": A(MANAGERS),
    "POST /api/v1/my/binding-requests": A(R),
    "DELETE /api/v1/my/bindings/<int:binding_id>": A(R, child=True, regional=False),
    "POST /api/v1/my/bindings/invite": A(R),
    "POST /api/v1/my/bindings/roster": A(R),
    "GET /api/v1/my/household": A(R),
    "POST /api/v1/my/proxies": A(R),
    # fund ledger
    "GET /api/v1/compounds/<int:compound_id>/fund": A(STAFF),
    "GET /api/v1/compounds/<int:compound_id>/fund/accounts": A(STAFF),
    "GET /api/v1/compounds/<int:compound_id>/fund/entries": A(STAFF),
    "POST /api/v1/compounds/<int:compound_id>/fund/entries": A(MANAGERS),
    "POST /api/v1/compounds/<int:compound_id>/fund/imports": A(MANAGERS),
    "GET /api/v1/compounds/<int:compound_id>/fund/rates": A(STAFF),
    "POST /api/v1/compounds/<int:compound_id>/fund/rates": A(MANAGERS),
    "GET /api/v1/compounds/<int:compound_id>/fund/spending": A(STAFF),
    "POST /api/v1/compounds/<int:compound_id>/fund/spending": A(MANAGERS),
    "GET /api/v1/compounds/<int:compound_id>/fund/statement": A(STAFF),
    "GET /api/v1/my/fund": A(R),
    # campaigns
    "GET /api/v1/compounds/<int:compound_id>/campaigns": A(STAFF),
    "POST /api/v1/compounds/<int:compound_id>/campaigns": A(MANAGERS),
    "GET /api/v1/campaigns/<int:campaign_id>": A(S_R),
    "PUT /api/v1/campaigns/<int:campaign_id>": A(MANAGERS),
    "GET /api/v1/campaigns/<int:campaign_id>/letters.pdf": A(MANAGERS),
    "GET /api/v1/campaigns/<int:campaign_id>/payments": A(STAFF),
    "POST /api/v1/campaigns/<int:campaign_id>/payments": A(MANAGERS),
    "POST /api/v1/campaigns/<int:campaign_id>/payments/<int:payment_id>/reverse": A(MANAGERS, child=True),
    "POST /api/v1/campaigns/<int:campaign_id>/pledges": A(MANAGERS),
    "POST /api/v1/campaigns/<int:campaign_id>/publish": A(MANAGERS),
    "GET /api/v1/campaigns/<int:campaign_id>/shares": A(STAFF),
    "GET /api/v1/my/pledges": A(R),
    "POST /api/v1/my/pledges": A(R),
    # management and fees
    "GET /api/v1/compounds/<int:compound_id>/management": A(STAFF),
    "PUT /api/v1/compounds/<int:compound_id>/management": A(
        MANAGERS, send=_json(version=0, model="none", basis="业主大会决定")
    ),
    "GET /api/v1/compounds/<int:compound_id>/management/choices": A(STAFF),
    "POST /api/v1/compounds/<int:compound_id>/management/choices": A(MANAGERS, send=_choices),
    "GET /api/v1/compounds/<int:compound_id>/management/history": A(STAFF),
    "GET /api/v1/compounds/<int:compound_id>/management/proposal": A(
        STAFF, send=lambda ids: {"query_string": {"survey_id": ids["survey_id"]}}
    ),
    "GET /api/v1/compounds/<int:compound_id>/management/ratings": A(STAFF),
    "GET /api/v1/compounds/<int:compound_id>/management/providers": A(STAFF),
    "POST /api/v1/compounds/<int:compound_id>/management/providers": A(MANAGERS),
    "DELETE /api/v1/compounds/<int:compound_id>/management/providers/<int:user_id>": A(MANAGERS, child=True),
    "GET /api/v1/compounds/<int:compound_id>/management/fees": A((*STAFF, "provider")),
    "GET /api/v1/compounds/<int:compound_id>/management/fees/accounts": A((*STAFF, "provider")),
    "GET /api/v1/compounds/<int:compound_id>/management/fees/arrears": A((*STAFF, "provider")),
    "GET /api/v1/compounds/<int:compound_id>/management/fees/entries": A((*STAFF, "provider")),
    "POST /api/v1/compounds/<int:compound_id>/management/fees/entries": A((*MANAGERS, "provider")),
    "POST /api/v1/compounds/<int:compound_id>/management/fees/imports": A((*MANAGERS, "provider")),
    "GET /api/v1/management/overview": A(STAFF),
    "GET /api/v1/my/management": A(R),
    "GET /api/v1/my/management/fees": A(R),
    # notices
    "GET /api/v1/notices/<int:notice_id>": A(STAFF),
    "PATCH /api/v1/notices/<int:notice_id>": A(MANAGERS),
    "GET /api/v1/notices/<int:notice_id>/poster.pdf": A(STAFF),
    "GET /api/v1/notices/<int:notice_id>/qr.png": A(STAFF),
    "GET /api/v1/notices/<int:notice_id>/qr.svg": A(STAFF),
    "POST /api/v1/notices/<int:notice_id>/withdraw": A(MANAGERS),
    # projects and construction problems
    "GET /api/v1/projects": A((*STAFF, "department")),
    "POST /api/v1/projects": A(STAFF),
    "GET /api/v1/projects/reserve-pool": A(("admin", "official", "department"), own={"department": 403}),
    "GET /api/v1/projects/<int:project_id>": A((*STAFF, "department")),
    "GET /api/v1/projects/<int:project_id>/contractor": A(STAFF),
    "PUT /api/v1/projects/<int:project_id>/contractor": A(STAFF, send=_json(username="builder", contact="王工")),
    "GET /api/v1/projects/<int:project_id>/funding": A((*STAFF, "department")),
    "POST /api/v1/projects/<int:project_id>/funding": A(STAFF),
    "POST /api/v1/projects/<int:project_id>/funding/<int:funding_id>/arrivals": A(
        (*STAFF, "department"), child=True, send=_json(amount_fen=100, arrived_on="2025-03-01")
    ),
    "PATCH /api/v1/projects/<int:project_id>/funding/<int:funding_id>": A(
        STAFF, child=True, send=_json(planned_before_fen=100, planned_fen=200, reason="调增")
    ),
    "POST /api/v1/projects/<int:project_id>/items": A(STAFF),
    "GET /api/v1/projects/<int:project_id>/problems": A((*STAFF, "provider")),
    "GET /api/v1/projects/<int:project_id>/readiness": A((*STAFF, "department")),
    "PATCH /api/v1/projects/<int:project_id>/steps/<step>": A(STAFF),
    "POST /api/v1/projects/<int:project_id>/steps/<step>/complete": A((*STAFF, "department")),
    "GET /api/v1/departments/steps": A(DEPT),
    "GET /api/v1/contractor/problems": A(PROV),
    "GET /api/v1/problem-categories": A(S_R),
    "GET /api/v1/problems/<int:problem_id>": A((*S_R, "provider")),
    "POST /api/v1/problems/<int:problem_id>/close": A((*MANAGERS, "provider")),
    "POST /api/v1/problems/<int:problem_id>/reply": A((*MANAGERS, "provider"), send=_json(reply="已处理")),
    "GET /api/v1/problem-photos/<int:photo_id>": A((*S_R, "provider")),
    "GET /api/v1/my/problems": A(R),
    "GET /api/v1/my/projects": A(R),
    "POST /api/v1/my/projects/<int:project_id>/problems": A(R, {"resident": 403}, send=_problem),
    # reports
    "GET /api/v1/reports/city-figures": A(STAFF),
    "GET /api/v1/reports/city-figures/compounds": A(STAFF),
    "GET /api/v1/reports/consent-rates": A(STAFF),
    "GET /api/v1/reports/open-problems": A(("admin", "official")),
    "GET /api/v1/reports/overdue-steps": A(("admin", "official")),
    "GET /api/v1/reports/rollup": A(STAFF),
    "GET /api/v1/reports/rollup/compounds": A(STAFF),
    # surveys
    "GET /api/v1/survey-templates": A(STAFF),
    "GET /api/v1/compounds/<int:compound_id>/surveys": A(STAFF),
    "POST /api/v1/compounds/<int:compound_id>/surveys": A(MANAGERS),
    "GET /api/v1/surveys/<int:survey_id>": A(S_R),
    "PATCH /api/v1/surveys/<int:survey_id>": A(MANAGERS),
    "GET /api/v1/surveys/<int:survey_id>/charts": A(STAFF),
    "POST /api/v1/surveys/<int:survey_id>/close": A(MANAGERS),
    "POST /api/v1/surveys/<int:survey_id>/draft-campaign": A(MANAGERS),
    "POST /api/v1/surveys/<int:survey_id>/draft-vote": A(MANAGERS),
    "GET /api/v1/surveys/<int:survey_id>/export": A(STAFF),
    "POST /api/v1/surveys/<int:survey_id>/paper-responses": A(MANAGERS),
    "GET /api/v1/surveys/<int:survey_id>/pending": A(STAFF),
    "POST /api/v1/surveys/<int:survey_id>/publish": A(MANAGERS),
    "POST /api/v1/surveys/<int:survey_id>/responses": A(R),
    "GET /api/v1/surveys/<int:survey_id>/results": A(STAFF),
    "GET /api/v1/my/surveys": A(R),
    # votes
    "GET /api/v1/compounds/<int:compound_id>/votes": A(STAFF),
    "POST /api/v1/compounds/<int:compound_id>/votes": A(MANAGERS),
    "GET /api/v1/votes": A(STAFF),
    "GET /api/v1/votes/<int:vote_id>": A(S_R),
    "POST /api/v1/votes/<int:vote_id>/announce": A(MANAGERS),
    "GET /api/v1/votes/<int:vote_id>/ballot-sheets.pdf": A(MANAGERS),
    "GET /api/v1/votes/<int:vote_id>/ballots": A(STAFF),
    "POST /api/v1/votes/<int:vote_id>/ballots": A(R),
    "POST /api/v1/votes/<int:vote_id>/ballots/<int:ballot_id>/confirm": A(MANAGERS, child=True),
    "POST /api/v1/votes/<int:vote_id>/ballots/<int:ballot_id>/correct": A(MANAGERS, child=True),
    "POST /api/v1/votes/<int:vote_id>/close": A(MANAGERS),
    "GET /api/v1/votes/<int:vote_id>/evidence.xlsx": A(STAFF),
    "POST /api/v1/votes/<int:vote_id>/items/<int:item_id>/runoff": A(MANAGERS, child=True),
    "POST /api/v1/votes/<int:vote_id>/paper-ballots": A(MANAGERS),
    "POST /api/v1/votes/<int:vote_id>/paper-ballots/bulk": A(MANAGERS),
    "GET /api/v1/votes/<int:vote_id>/progress": A(STAFF),
    "GET /api/v1/votes/<int:vote_id>/tally": A(STAFF),
    "POST /api/v1/votes/<int:vote_id>/publish": A(MANAGERS),
    "GET /api/v1/votes/<int:vote_id>/result": A(S_R),
    "GET /api/v1/votes/<int:vote_id>/result.pdf": A(S_R),
    "GET /api/v1/votes/<int:vote_id>/sheets": A(STAFF),
    "POST /api/v1/votes/<int:vote_id>/sheets": A(MANAGERS),
    "GET /api/v1/votes/<int:vote_id>/sheets/<sheet_no>": A(MANAGERS, child=True),
    "POST /api/v1/votes/<int:vote_id>/sheets/<sheet_no>/void": A(MANAGERS, child=True),
    "GET /api/v1/my/votes": A(R),
}

# Routes outside the API: HTML shells and static files, the same for everyone (no data; the page's script asks the
# API with the token it keeps), the documentation, and the health checks.
NOT_API = re.compile(r"^/(m/|n/|static/|api/docs|healthz$|readyz$)")

COOKIE_NAMES = ("access_token_cookie", "session", "csrf_access_token")


def _routes(app):
    return sorted(
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
        if not NOT_API.match(rule.rule)
    )


def _jpeg():
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 20, 30)).save(out, "JPEG")
    return out.getvalue()


def _ok(r, what):
    assert r.status_code in (200, 201), (what, r.status_code, r.get_json())
    return r.get_json()


def app_consent():
    return current_app.config["CONSENT_VERSION"]


def _region(client, make, compound, committee_h, resident_h, contractor, tag):
    """One region's objects, made through the API as its committee (and its resident) would."""
    unit = make.unit(compound, "1", "1", "101")
    make.unit(compound, "1", "1", "102")
    c = compound.id
    vote = _ok(
        client.post(
            f"/api/v1/compounds/{c}/votes",
            json={"title": "表决", "scope": {}, "opens_at": at(minutes=-1), "closes_at": at(days=1), "items": [item()]},
            headers=committee_h,
        ),
        "vote",
    )
    _ok(client.post(f"/api/v1/votes/{vote['id']}/publish", headers=committee_h), "vote publish")
    survey = _ok(
        client.post(
            f"/api/v1/compounds/{c}/surveys",
            json={
                "title": "调查",
                "opens_at": at(minutes=-1),
                "closes_at": at(days=7),
                "questions": [{"key": "q", "type": "text", "title": "意见"}],
            },
            headers=committee_h,
        ),
        "survey",
    )
    _ok(client.post(f"/api/v1/surveys/{survey['id']}/publish", headers=committee_h), "survey publish")
    campaign = _ok(client.post(f"/api/v1/compounds/{c}/campaigns", json=campaign_spec(), headers=committee_h), "cp")
    _ok(client.post(f"/api/v1/campaigns/{campaign['id']}/publish", headers=committee_h), "campaign publish")
    notice = _ok(
        client.post(
            f"/api/v1/compounds/{c}/notices",
            json={"kind": "announcement", "title": "通知", "body": "各位业主"},
            headers=committee_h,
        ),
        "notice",
    )
    project = _ok(
        client.post(
            "/api/v1/projects", json={"title": "改造", "compound_ids": [c], "items": ITEMS}, headers=committee_h
        ),
        "project",
    )
    _ok(
        client.put(
            f"/api/v1/projects/{project['id']}/contractor",
            json={"username": contractor, "contact": "王工"},
            headers=committee_h,
        ),
        "contractor",
    )
    db.session.add(HouseholdBinding(resident_id=resident_h.id, unit_id=unit.id, relation="owner"))
    db.session.commit()
    problem = _ok(
        client.post(
            f"/api/v1/my/projects/{project['id']}/problems",
            data={"text": "噪音", "building": "1", "category": "noise", "photos": [(io.BytesIO(_jpeg()), "a.jpg")]},
            headers=resident_h.h,
            content_type="multipart/form-data",
        ),
        "problem",
    )
    proxy = _ok(
        client.post(
            "/api/v1/my/proxies",
            data={
                "compound_id": c,
                "building": "1",
                "entrance": "1",
                "room": "102",
                "proxy_name": "张小红",
                "owner_name": "业主1-1-102",
                "photo": (io.BytesIO(_jpeg()), "a.jpg"),
            },
            headers=resident_h.h,
            content_type="multipart/form-data",
        ),
        "proxy",
    )
    request = _ok(
        client.post(
            "/api/v1/my/binding-requests",
            json={"compound_id": c, "building": "1", "entrance": "1", "room": "102", "name": "业主1-1-102"},
            headers=resident_h.h,
        ),
        "binding request",
    )
    return {
        "compound_id": c,
        "unit_id": unit.id,
        "vote_id": vote["id"],
        "survey_id": survey["id"],
        "campaign_id": campaign["id"],
        "notice_id": notice["id"],
        "project_id": project["id"],
        "problem_id": problem["id"],
        "photo_id": int(problem["photos"][0]["url"].rstrip("/").rsplit("/", 1)[-1]),
        "proxy_id": proxy["id"],
        "request_id": request["id"],
        "step": "started",
        "token": notice["token"],
        # sub-objects the matrix does not make (their routes are marked ``child``), and regionless ones
        "payment_id": 999_999,
        "ballot_id": 999_999,
        "item_id": vote["items"][0]["id"] if tag == "own" else 999_999,
        "funding_id": 999_999,
        "user_id": 999_999,
        "sheet_no": "999999",
        "binding_id": 999_999,
        "job_id": 999_999,
    }


def _actor(make, user_or_resident):
    return SimpleNamespace(id=user_or_resident.id, h=make.headers(user_or_resident))


def _setup(client, make, world):
    builder = make.user("builder", "provider")
    db.session.add(ProviderCompound(user_id=builder.id, compound_id=world.compounds["c1"].id, granted_by="测试"))
    db.session.commit()
    housing = department_user(make, "housing", "housing", world.district)
    make.user("builder3", "provider")
    # residents who agreed to the privacy terms (a proxy needs it)
    own_resident = Resident(display_name="本区居民", consent_version=app_consent())
    other_resident = Resident(display_name="外区居民", consent_version=app_consent())
    db.session.add_all([own_resident, other_resident])
    db.session.commit()
    c1, c3 = world.compounds["c1"], world.compounds["c3"]
    own = _region(client, make, c1, world.h["committee"], _actor(make, own_resident), "builder", "own")
    other = _region(client, make, c3, world.h["committee3"], _actor(make, other_resident), "builder3", "other")
    headers = {
        "admin": world.h["admin"],
        "official": world.h["official"],
        "committee": world.h["committee"],
        "provider": make.headers(builder),
        "department": housing.h,
        "resident": make.headers(own_resident),
    }
    return own, other, headers


def _url(rule, ids):
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(ids[m.group(1)]), rule)


def _send(client, method, url, headers=None, request=None):
    kwargs = {"headers": headers or {}}
    if request:
        kwargs.update(request)
    elif method in ("POST", "PUT", "PATCH"):
        kwargs["json"] = {}
    return client.open(url, method=method, **kwargs)


def _expected(access, role, region):
    """401/403/404 for a refusal, or "pass"."""
    if access.roles == PUBLIC:
        return "pass"
    if access.roles == REFRESH:
        return 401
    if role is None:
        return 401
    if access.roles == SIGNED_IN:
        return "pass"
    if role not in access.roles:
        return 403
    if region == "own" or role == "admin":
        return access.own.get(role, "pass")
    return access.other.get(role, 404 if role == "resident" else 403)


def test_every_route_refuses_the_roles_and_regions_it_must(app, client, make, world, clock):
    own, other, headers = _setup(client, make, world)
    routes = _routes(app)
    missing = [f"{m} {r}" for m, r in routes if f"{m} {r}" not in ACCESS]
    assert not missing, f"routes without an entry in ACCESS: {missing}"
    assert not set(ACCESS) - {f"{m} {r}" for m, r in routes}, "entries in ACCESS for routes that are gone"
    wrong, cookies = [], []
    logout = ("POST", "/api/v1/auth/logout")
    for method, rule in sorted(routes, key=lambda mr: mr == logout):  # logout revokes the token it is sent: last
        access = ACCESS[f"{method} {rule}"]
        regional = access.regional and "<" in rule
        admitted = [role for role in ROLES if regional and role in access.roles]  # the others stop at the role
        cells = [(None, "own")] + [(role, "other") for role in admitted] + [(role, "own") for role in ROLES]
        for role, region in sorted(cells, key=lambda cell: _expected(access, *cell) == "pass"):
            ids = own if region == "own" else other
            url = _url(rule, ids)
            r = _send(client, method, url, headers.get(role), access.send and access.send(ids))
            if r.headers.getlist("Set-Cookie"):
                cookies.append((method, url, r.headers.getlist("Set-Cookie")))
            expected, got = _expected(access, role, region), r.status_code
            body = r.get_json(silent=True) or {}
            if expected == "pass":
                bad = got in (401, 403) or (got == 404 and not access.child) or got >= 500
            else:
                bad = got != expected
            if bad:
                wrong.append(
                    f"{method} {url} as {role or 'anonymous'} ({region}): {got} {body.get('code')}, want {expected}"
                )
        if access.roles not in (PUBLIC,) and not rule.endswith("/logout"):
            # CSRF: a staff token carried only as cookies is no sign-in at all.
            token = issue_tokens(world.users["admin"])["access_token"]
            for name in COOKIE_NAMES:
                client.set_cookie(name, token)
            r = _send(client, method, _url(rule, own))
            for name in COOKIE_NAMES:
                client.delete_cookie(name)
            if r.status_code != 401:
                wrong.append(f"{method} {rule} with the token only as cookies: {r.status_code}, want 401")
    assert not cookies, f"responses setting cookies: {cookies}"
    assert not wrong, "\n" + "\n".join(wrong)


FLASK_SESSION = re.compile(r"from flask import[^\n]*\bsession\b|\bflask\.session\b")


def test_no_cookie_is_a_credential(app):
    """The JWT extension reads the header alone, and no module uses Flask's cookie session."""
    assert app.config["JWT_TOKEN_LOCATION"] == ["headers"]
    root = Path(__file__).resolve().parent.parent
    sources = [p for p in root.rglob("*.py") if not {".venv", "tests", "migrations"} & set(p.relative_to(root).parts)]
    assert len(sources) > 50
    assert [str(p) for p in sources if FLASK_SESSION.search(p.read_text(encoding="utf-8"))] == []
