"""Every page a user reaches passes axe-core's WCAG 2.2 AA rules (and its best practices) on a 375×812 phone, and
the committee's pages on the office's 1280×800 screen too. axe is vendored (tests/vendor/axe-core), never fetched.

Each page is checked once its data has loaded, so the rules see what the user sees. A failure lists every
violation with its rule, impact, help text and the first elements it found, which says what to fix.
"""

import functools
from dataclasses import dataclass
from pathlib import Path

import pytest

from backend.auth.services import issue_tokens

# Markup and contrast do not depend on the database: one half of the run is enough, and halves CI's browser time.
pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]

AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
PHONE = {"width": 375, "height": 812}
DESK = {"width": 1280, "height": 800}
NODES_SHOWN = 3


@functools.cache
def axe_script():
    return AXE.read_text(encoding="utf-8")


def new_page(browser, viewport):
    """A fresh context of that size; ``bypass_csp`` only so axe's script may be injected (the pages forbid it)."""
    phone = viewport == PHONE
    context = browser.new_context(
        viewport=viewport,
        device_scale_factor=2 if phone else 1,
        is_mobile=phone,
        has_touch=phone,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        bypass_csp=True,
    )
    context.set_default_timeout(15_000)
    return context.new_page()


def axe_violations(page):
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(content=axe_script())
    return page.evaluate(
        "rules => axe.run(document, {runOnly: {type: 'tag', values: rules}})"
        ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " targets: v.nodes.map(n => n.target.join(' ')), summary: v.nodes[0].failureSummary})))",
        RULES,
    )


def describe(violations):
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} — {len(v['targets'])} element(s)")
        lines += [f"    {target}" for target in v["targets"][:NODES_SHOWN]]
        lines.append("    " + (v["summary"] or "").replace("\n", "\n    "))
    return "\n".join(lines)


def assert_accessible(page):
    violations = axe_violations(page)
    assert not violations, f"axe found {len(violations)} violation(s) on {page.url}:\n{describe(violations)}"


def store_tokens(page, base, storage, keys, user):
    """Put the tokens where the pages keep them, as their sign-in would."""
    tokens = issue_tokens(user)
    page.goto(base + "/m/privacy")
    page.evaluate(
        f"([k, a, r]) => {{ {storage}.setItem(k[0], a); {storage}.setItem(k[1], r); }}",
        [keys, tokens["access_token"], tokens["refresh_token"]],
    )


@dataclass
class Scene:
    """One community with a bound resident, an open vote, an announced vote and a published notice."""

    compound: int
    resident: object
    staff: object
    open_vote: int
    announced_vote: int
    notice_token: str


@pytest.fixture
def scene(kit, make, client):
    from backend.auth.models import User
    from backend.extensions import db
    from tests.test_votes_kit import at, item

    units = make.units(kit.compound, 3, building="3", entrance="2")
    announced = kit.vote(title="更换物业服务企业", items=[item("property_manager", "是否同意更换物业")])
    kit.cast(announced, units[:2], "agree")
    opened = kit.vote(
        title="3号楼2单元加装电梯",
        closes_at=at(days=30),
        description="电梯费用按楼层系数分摊。",
        items=[item("rebuild", "是否同意加装电梯")],
    )
    kit.end_window(announced)
    for action in ("close", "announce"):
        assert kit.post(announced, action).status_code == 200
    notice = client.post(
        f"/api/v1/compounds/{kit.compound.id}/notices",
        headers=kit.h,
        json={
            "kind": "vote_notice",
            "title": "关于3号楼2单元加装电梯的表决通知",
            "vote_id": opened["id"],
            "body": "各位业主：\n本单元加装电梯事项现开始表决，请扫码登录后投票。",
        },
    ).get_json()
    staff = db.session.get(User, kit.world.users["committee"].id)
    return Scene(
        compound=kit.compound.id,
        resident=make.resident(units[2]),
        staff=staff,
        open_vote=opened["id"],
        announced_vote=announced["id"],
        notice_token=notice["token"],
    )


def open_and_check(browser, live_server, viewport, path, ready=None, resident=None, staff=None, then=None):
    """Open the page as that user, wait for its data, and check it; ``then(page)`` first takes it to a later
    state (an error shown, the next step of a form), which is checked too."""
    page = new_page(browser, viewport)
    try:
        if resident is not None:
            store_tokens(page, live_server, "localStorage", ["gj-access", "gj-refresh"], resident)
        if staff is not None:
            store_tokens(page, live_server, "sessionStorage", ["gj-staff", "gj-staff-refresh"], staff)
        page.goto(live_server + path)
        page.wait_for_load_state("networkidle")  # the page's API calls have answered and been drawn
        if ready:
            page.locator(ready).first.wait_for()
        assert_accessible(page)
        if then:
            then(page)
            page.wait_for_load_state("networkidle")
            assert_accessible(page)
    finally:
        page.context.close()


# (name, path from the scene, who is signed in, a selector that shows the data has loaded)
RESIDENT_PAGES = [
    ("home-signed-out", lambda s: "/m/home", None, None),
    ("home", lambda s: "/m/home", "resident", "#units:has-text('3号楼2单元')"),
    ("signin", lambda s: "/m/signin?next=/m/home", None, "#consent"),
    ("bind", lambda s: f"/m/bind?compound={s.compound}", "resident", "#invite-code"),
    ("proxy", lambda s: f"/m/proxy?compound={s.compound}", "resident", "#proxy-compound:has(option)"),
    ("privacy", lambda s: "/m/privacy", None, None),
    ("vote-open", lambda s: f"/m/vote/{s.open_vote}", "resident", "#choose"),
    ("results-announced", lambda s: f"/m/results/{s.announced_vote}", "resident", "#result:has-text('更换物业')"),
    ("message", lambda s: "/n/no-such-notice", None, None),
    ("notice-landing", lambda s: f"/n/{s.notice_token}", None, "h1"),
    # funds/ledger
    ("fund-my", lambda s: "/m/fund", "resident", "#fund-accounts .card"),
    ("home-fund-card", lambda s: "/m/home", "resident", "#fund-card"),
]
COMMITTEE_PAGES = [
    ("committee-signin", lambda s: "/m/committee", None, "#staff-login"),
    ("committee-notices", lambda s: "/m/committee", "staff", "#notices:has-text('加装电梯')"),
    ("vote-list", lambda s: "/m/committee/votes", "staff", "#votes:has-text('加装电梯')"),
    ("vote-new", lambda s: "/m/committee/votes/new", "staff", "#v-title"),
    ("vote-desk-open", lambda s: f"/m/committee/votes/{s.open_vote}", "staff", "#v-status:has-text('投票中')"),
    (
        "vote-desk-announced",
        lambda s: f"/m/committee/votes/{s.announced_vote}",
        "staff",
        "#v-status:has-text('已公布结果')",
    ),
    ("paper-entry", lambda s: f"/m/committee/votes/{s.open_vote}/paper", "staff", "#room"),
    ("chasing", lambda s: f"/m/committee/votes/{s.open_vote}/chasing", "staff", "#still-needed:has-text('还差')"),
    # funds/ledger
    ("fund-desk", lambda s: "/m/committee/fund", "staff", "#accounts table"),
]


def ballot_error_confirm_done(page):
    """The ballot's later states: the error for a missing choice, the confirmation, the receipt."""
    page.click("#to-confirm")
    page.locator(".error").wait_for()
    assert_accessible(page)
    page.get_by_label("同意", exact=True).check()
    page.click("#to-confirm")
    page.locator("#confirm").wait_for()
    assert_accessible(page)
    page.click("#submit-ballot")
    page.locator("#done").wait_for()


def signin_error(page):
    page.locator("#sms-login, #dev-login, #wechat-login").first.click()  # consent not yet given
    page.locator(".error").wait_for()


def paper_sheet_and_refusal(page):
    """A sheet keyed, then the same flat again: the list of entered sheets and the refusal beside the form."""
    for _ in range(2):
        page.fill("#room", "103")
        page.focus("#room")
        page.keyboard.press("Enter")
        page.wait_for_load_state("networkidle")
    page.locator(".error").wait_for()


def staff_sign_in_error(page):
    page.fill("#username", "committee")
    page.fill("#password", "wrong-password")
    page.click("#login")
    page.locator(".error").wait_for()


# (name, path from the scene, who, ready selector, viewport, the steps to the later state)
STATES = [
    ("ballot-states", lambda s: f"/m/vote/{s.open_vote}", "resident", "#choose", PHONE, ballot_error_confirm_done),
    ("ballot-not-bound", lambda s: f"/m/vote/{s.open_vote}", "stranger", "#nothing", PHONE, None),
    ("ballot-signed-out", lambda s: f"/m/vote/{s.open_vote}", None, None, PHONE, None),
    ("results-of-open-vote", lambda s: f"/m/results/{s.open_vote}", "resident", None, PHONE, None),
    ("signin-error", lambda s: "/m/signin?next=/m/home", None, "#consent", PHONE, signin_error),
    ("home-not-bound", lambda s: "/m/home", "stranger", None, PHONE, None),
    ("vote-list-signed-out", lambda s: "/m/committee/votes", None, "#staff-login", PHONE, staff_sign_in_error),
    (
        "paper-entry-refusal",
        lambda s: f"/m/committee/votes/{s.open_vote}/paper",
        "staff",
        "#room",
        DESK,
        paper_sheet_and_refusal,
    ),
]


def test_axe_check_fails_on_a_real_violation(live_server, browser):
    """The check itself can fail: an image without alt text on a clean page is reported by rule and element."""
    page = new_page(browser, PHONE)
    try:
        page.goto(live_server + "/m/privacy")
        page.evaluate("""() => { const img = document.createElement('img');
            img.id = 'no-alt'; img.src = '/m/static/none.png'; document.querySelector('main').append(img); }""")
        violations = axe_violations(page)
        assert [v["id"] for v in violations] == ["image-alt"], describe(violations)
        assert violations[0]["targets"] == ["#no-alt"]
        with pytest.raises(AssertionError, match=r"image-alt \(critical\)[\s\S]*#no-alt"):
            assert_accessible(page)
    finally:
        page.context.close()


# --- surveys: the answer page (with its per-question errors), the home card, the survey desk ----------------


@dataclass
class SurveyScene:
    resident: object
    staff: object
    open_survey: int
    draft_survey: int


@pytest.fixture
def survey_scene(kit, make, client):
    from backend.auth.models import User
    from backend.extensions import db
    from tests.test_surveys import EVERY_TYPE, FULL
    from tests.test_votes_kit import at

    units = make.units(kit.compound, 3, building="3", entrance="2")
    url = f"/api/v1/compounds/{kit.compound.id}/surveys"
    spec = {"title": "改造意见", "opens_at": at(minutes=-5), "closes_at": at(days=10), "questions": EVERY_TYPE}
    opened = client.post(url, json=spec, headers=kit.h).get_json()
    client.post(f"/api/v1/surveys/{opened['id']}/publish", headers=kit.h)
    client.post(
        f"/api/v1/surveys/{opened['id']}/paper-responses", json={"unit_id": units[0].id, "answers": FULL}, headers=kit.h
    )
    draft = client.post(url, json={**spec, "title": "草稿问卷"}, headers=kit.h).get_json()
    return SurveyScene(
        resident=make.resident(units[2], relation="tenant"),
        staff=db.session.get(User, kit.world.users["committee"].id),
        open_survey=opened["id"],
        draft_survey=draft["id"],
    )


def survey_errors(page):
    page.click("#submit-survey")
    page.locator("#sv-err-q1:not([hidden])").wait_for()


SURVEY_PAGES = [
    ("survey-answer", lambda s: f"/m/survey/{s.open_survey}", "resident", "#survey-form", [PHONE], survey_errors),
    ("survey-home-card", lambda s: "/m/home", "resident", "#surveys-card", [PHONE], None),
    ("survey-not-bound", lambda s: f"/m/survey/{s.open_survey}", "stranger", "#survey-nothing", [PHONE], None),
    (
        "survey-desk-list",
        lambda s: "/m/committee/surveys",
        "staff",
        "#surveys:has-text('改造意见')",
        [PHONE, DESK],
        None,
    ),
    ("survey-desk-open", lambda s: f"/m/committee/surveys/{s.open_survey}", "staff", "#r-q1 svg", [PHONE, DESK], None),
    ("survey-desk-draft", lambda s: f"/m/committee/surveys/{s.draft_survey}", "staff", "#s-publish", [DESK], None),
]


# --- funds/campaigns: the resident's campaign page and home card, the committee's campaign desk -------------
@pytest.fixture
def money_scene(client, world, make):
    from types import SimpleNamespace

    from tests.test_campaigns import ELEVATOR, create, pay, publish

    c1, h = world.compounds["c1"], world.h["committee"]
    units = make.units(c1, 12, area="60.00")
    made = create(client, h, c1, rule="floor_area", floor_coefficients=ELEVATOR)
    publish(client, h, made, notice=True)
    draft = create(client, h, c1, title="外墙保温", rule="equal")
    client.post(f"/api/v1/campaigns/{made['id']}/pledges", json={"unit_id": units[10].id}, headers=h)
    pay(client, h, made, units[10], 100_000, "R-1")
    return SimpleNamespace(
        campaign=made["id"], draft=draft["id"], resident=make.resident(units[11]), staff=world.users["committee"]
    )


def pledge_made(page):
    page.fill(".pledge-amount", "100")
    page.click("button.pledge")
    page.locator("#c-done").wait_for()


MONEY_PAGES = [
    ("campaign", lambda s: f"/m/campaign/{s.campaign}", "resident", "#c-mine .share", PHONE, pledge_made),
    ("home-campaigns", lambda s: "/m/home", "resident", "#home-campaigns .row", PHONE, None),
    ("campaigns-desk", lambda s: "/m/committee/campaigns", "staff", "#campaigns table", PHONE, None),
    ("campaigns-desk-wide", lambda s: "/m/committee/campaigns", "staff", "#campaigns table", DESK, None),
    ("campaign-desk", lambda s: f"/m/committee/campaigns/{s.campaign}", "staff", "#payments table", PHONE, None),
    ("campaign-desk-wide", lambda s: f"/m/committee/campaigns/{s.campaign}", "staff", "#payments table", DESK, None),
    ("campaign-desk-draft", lambda s: f"/m/committee/campaigns/{s.draft}", "staff", "#c-figures table", DESK, None),
]


# --- management: the property-management desk (record, three steps, history) and the resident's card ---------
@pytest.fixture
def management_scene(client, kit, make, world):
    from types import SimpleNamespace

    from tests.test_management import PROPOSALS, choose, management_survey, record

    units = make.units(kit.compound, 3)
    record(kit, model="quasi", responsible_party="幸福里社区居委会", fee_fen_per_m2_month=50, rights_holder="work_unit")
    survey = management_survey(kit, units, [("quasi", "0_3_0_6"), ("professional", "over_1_0")])
    choose(kit, survey_id=survey, proposals=PROPOSALS[:2])
    from tests.test_management_oversight import close, rating_survey, scores

    close(kit, rating_survey(kit, kit.compound, units[:2], [scores(5), scores(4, attitude=4)]))
    return SimpleNamespace(resident=make.resident(units[0]), staff=world.users["committee"], survey=survey)


def proposal_shown(page):
    page.select_option("#m-survey", page.locator("#m-survey option").nth(1).get_attribute("value"))
    page.locator("#m-proposal table").wait_for()


MANAGEMENT_PAGES = [
    ("management-desk", "/m/committee/management", "staff", "#m-ratings td:has-text('4.50')", PHONE, proposal_shown),
    ("management-desk-wide", "/m/committee/management", "staff", "#m-history table", DESK, proposal_shown),
    ("home-management", "/m/home", "resident", "#management-card", PHONE, None),
]


# --- management/fees: the fee desk (committee, provider) and the household's fee account on 我的小区 -----------
@pytest.fixture
def fees_scene(client, kit, make, world):
    from types import SimpleNamespace

    from tests.test_management_fees import pay

    units = [make.units(kit.compound, 1, area=a, building=str(n + 1))[0] for n, a in enumerate(("80.00", "63.33"))]
    body = {"version": 0, "model": "quasi", "responsible_party": "幸福里社区居委会", "fee_fen_per_m2_month": 55}
    body.update(effective_from="2025-01-01", basis="街道安排社区准物业")
    assert client.put(f"/api/v1/compounds/{kit.compound.id}/management", json=body, headers=kit.h).status_code == 200
    kit.units = units
    assert pay(kit, units[0], "2025-01", 4400, "SJ-1").status_code == 201
    return SimpleNamespace(resident=make.resident(units[0]), staff=world.users["committee"])


def fee_form_filled(page):
    page.locator("#fee-arrears button[data-unit]").first.click()
    page.click("#record-fee")  # no receipt number: the API's refusal, shown beside the button
    page.locator(".error").wait_for()


FEE_PAGES = [
    ("fees-desk", "/m/committee/fees", "staff", "#fee-arrears table", PHONE, fee_form_filled),
    ("fees-desk-wide", "/m/committee/fees", "staff", "#fee-arrears table", DESK, None),
    ("home-fees", "/m/home", "resident", "#management-card .fee-account", PHONE, lambda p: p.click("text=最近各月")),
]


# --- projects: the renovation works of the household's compound on 我的小区 ------------------------------------
@pytest.fixture
def projects_scene(client, kit, make, world):
    from types import SimpleNamespace

    unit = make.units(kit.compound, 1)[0]
    body = {
        "title": "幸福里小区综合改造",
        "compound_ids": [kit.compound.id],
        "items": [
            {"tier": "basic", "code": "water", "planned_fen": 80_000_000, "underground": True},
            {"tier": "improvement", "code": "elevator", "planned_fen": 120_000_000},
        ],
    }
    r = client.post("/api/v1/projects", json=body, headers=kit.h)
    assert r.status_code == 201, r.get_json()
    return SimpleNamespace(resident=make.resident(unit))


PROJECT_PAGES = [("home-projects", "/m/home", "resident", "#projects-card .project", PHONE, None)]


# --- reports: the officials' dashboard (/m/official), on the phone and on the office's screen -----------------
@pytest.fixture
def official_scene(client, make, world, kit, clock):
    from types import SimpleNamespace

    from tests.test_rollup import City

    City(client, make, world, kit, clock).vote("c1", None, ["agree"] * 6)
    return SimpleNamespace(staff=world.users["official_city"])


def figure_list_opened(page):
    page.click("#o-rows .o-drill:has-text('雁塔区')")
    page.locator("#o-title:has-text('雁塔区')").wait_for()
    page.locator("#o-rows tr.total .o-figure[data-figure='compounds']").click()
    page.locator("#o-behind-list li").first.wait_for()


OFFICIAL_PAGES = [
    ("official", "/m/official", "staff", "#o-charts svg", PHONE, figure_list_opened),
    ("official-wide", "/m/official", "staff", "#o-charts svg", DESK, figure_list_opened),
    ("official-signed-out", "/m/official", None, "#staff-login", PHONE, None),
]


# --- projects: construction problems, on the resident's home page and the committee's projects desk -----------
@pytest.fixture
def problems_scene(app, client, kit, make, world, tmp_path):
    import io
    from types import SimpleNamespace

    from tests.test_construction_problems import gps_jpeg

    app.config["PHOTO_DIR"] = str(tmp_path / "photos")
    unit = make.units(kit.compound, 1)[0]
    body = {"title": "幸福里小区综合改造", "compound_ids": [kit.compound.id], "items": []}
    project = client.post("/api/v1/projects", json=body, headers=kit.h).get_json()
    resident = make.resident(unit)
    data = {
        "text": "施工围挡挡住了单元门",
        "building": "3",
        "category": "access",
        "photos": [(io.BytesIO(gps_jpeg()), "a.jpg")],
    }
    r = client.post(f"/api/v1/my/projects/{project['id']}/problems", data=data, headers=make.headers(resident),
                    content_type="multipart/form-data")  # fmt: skip
    assert r.status_code == 201, r.get_json()
    builder = make.user("builder", "provider")  # the contractor's contact, named by the committee
    named = {"username": "builder", "contact": "王工 13800000000"}
    assert client.put(f"/api/v1/projects/{project['id']}/contractor", json=named, headers=kit.h).status_code == 200
    return SimpleNamespace(resident=resident, staff=world.users["committee"], contractor=builder)


def problem_refused(page):
    page.locator("#pd-problems button[data-answer]").first.click()  # no answer written: the refusal beside it
    page.locator(".error").wait_for()


PROBLEM_PAGES = [
    ("home-problems", "/m/home", "resident", "#my-problems img[src^='blob:']", PHONE, None),
    ("projects-desk", "/m/committee/projects", "staff", "#pd-problems img[src^='blob:']", PHONE, problem_refused),
    ("projects-desk-wide", "/m/committee/projects", "staff", "#pd-projects table", DESK, None),
    ("contractor-desk", "/m/contractor", "contractor", "#pd-problems img[src^='blob:']", PHONE, problem_refused),
]


# --- projects: a department's desk ----------------------------------------------------------------------------
@pytest.fixture
def department_scene(client, kit, make, world):
    from types import SimpleNamespace

    from tests.test_projects import create, department_user, ready_to_apply

    units = make.units(kit.compound, 4, area="100.00")
    pj = SimpleNamespace(kit=kit, client=client, world=world, make=make, units=units, h=kit.h, c1=kit.compound)
    project = create(pj, steps=[{"step": "applied", "due_on": "2025-03-01"}])
    ready_to_apply(pj, project)
    return SimpleNamespace(staff=department_user(make, "ndrc", "ndrc", world.street).user)


def department_form_open(page):
    page.locator("#dp-steps button[data-step]").first.click()
    page.locator("#dp-form").wait_for()


DEPARTMENT_PAGES = [
    ("department-desk", "/m/department", "staff", "#dp-steps table", [PHONE, DESK], department_form_open)
]


# --- projects: correcting a project's money on the projects desk ----------------------------------------------
@pytest.fixture
def funding_scene(client, kit, make, world):
    from types import SimpleNamespace

    unit = make.units(kit.compound, 1)[0]
    body = {"title": "幸福里小区综合改造", "compound_ids": [kit.compound.id], "items": []}
    pid = client.post("/api/v1/projects", json=body, headers=kit.h).get_json()["id"]
    base = f"/api/v1/projects/{pid}/funding"
    fid = client.post(base, json={"source": "city_fiscal", "planned_fen": 500_000}, headers=kit.h).get_json()
    fid = fid["sources"][0]["id"]
    for amount in (100_000, 20_000):
        arrival = {"amount_fen": amount, "arrived_on": "2025-03-10", "document_no": "到账"}
        assert client.post(f"{base}/{fid}/arrivals", json=arrival, headers=kit.h).status_code == 201
    first = client.get(base, headers=kit.h).get_json()["sources"][0]["arrivals"][0]["id"]
    undo = {"kind": "reversal", "reverses": first, "reason": "录错"}
    assert client.post(f"{base}/{fid}/arrivals", json=undo, headers=kit.h).status_code == 201
    revised = {"planned_before_fen": 500_000, "planned_fen": 400_000, "reason": "调减"}
    assert client.patch(f"{base}/{fid}", json=revised, headers=kit.h).status_code == 200
    # The household's own co-funding, which its home page shows beside the project's sources.
    from tests.test_projects import campaign, pledge

    pj = SimpleNamespace(client=client, h=kit.h, c1=kit.compound)
    cid = campaign(pj, total=300_000)
    assert client.post(base, json={"source": "residents", "campaign_id": cid}, headers=kit.h).status_code == 201
    pledge(pj, cid, unit, 300_000)
    return SimpleNamespace(staff=world.users["committee"], resident=make.resident(unit))


def reversal_refused(page):
    page.locator("#pd-projects button[data-reverse]").first.click()  # no reason written: the refusal beside it
    page.locator(".error").wait_for()


FUNDING_PAGES = [
    (
        "projects-desk-funding",
        "/m/committee/projects",
        "staff",
        "#pd-projects .funding .revisions",
        [PHONE, DESK],
        reversal_refused,
    ),
    (
        "home-project-money",
        "/m/home",
        "resident",
        "#projects-card .project-money li:has-text('已认捐 ¥3,000.00')",
        PHONE,
        None,
    ),
]


# --- every page above, in one table: (scene fixture, its pages) --------------------------------------------------
# A page row: (name, path or a function of the scene giving it, who is signed in, a selector that shows the data
# has loaded, one viewport or a list of them, the steps to a later state also checked). "stranger" is a resident
# bound to nothing; residents keep their tokens in localStorage, staff (committee, contractor) in sessionStorage.
SCENES = {
    "scene": [(n, p, w, r, PHONE, None) for n, p, w, r in RESIDENT_PAGES]
    + [(n, p, w, r, [PHONE, DESK], None) for n, p, w, r in COMMITTEE_PAGES]
    + STATES,
    "survey_scene": SURVEY_PAGES,
    "money_scene": MONEY_PAGES,
    "management_scene": MANAGEMENT_PAGES,
    "fees_scene": FEE_PAGES,
    "projects_scene": PROJECT_PAGES,
    "official_scene": OFFICIAL_PAGES,
    "problems_scene": PROBLEM_PAGES,
    "department_scene": DEPARTMENT_PAGES,
    "funding_scene": FUNDING_PAGES,
}
RESIDENTS = {"resident", "stranger"}


def page_cases():
    for scene, pages in SCENES.items():
        for name, path, who, ready, viewports, then in pages:
            several = isinstance(viewports, list)
            for viewport in viewports if several else [viewports]:
                label = f"{name}-{'phone' if viewport == PHONE else 'desk'}" if several else name
                yield pytest.param(scene, path, who, ready, viewport, then, id=label)


@pytest.mark.parametrize("scene_name, path, who, ready, viewport, then", list(page_cases()))
def test_page_has_no_axe_violations(request, make, browser, live_server, scene_name, path, who, ready, viewport, then):
    scene = request.getfixturevalue(scene_name)
    user = make.resident(name="未绑定居民") if who == "stranger" else getattr(scene, who) if who else None
    open_and_check(
        browser,
        live_server,
        viewport,
        path(scene) if callable(path) else path,
        ready,
        resident=user if who in RESIDENTS else None,
        staff=None if who in RESIDENTS else user,
        then=then,
    )
