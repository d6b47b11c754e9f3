"""Surveys 问卷 through HTTP (API.md "Surveys"), on SQLite and PostgreSQL: question types, every validation error,
the one-per-household and one-per-resident rules, templates, results arithmetic recounted independently,
anonymity proven on the migrated schema, exports read back, and every response against the OpenAPI document."""

import csv
import io
from fractions import Fraction

import pytest
from openpyxl import load_workbook
from sqlalchemy import inspect

from backend.extensions import db
from tests.test_declared_outputs import Documented
from tests.test_votes_kit import at

CHOICES = [{"code": "a", "label": "甲"}, {"code": "b", "label": "乙"}, {"code": "c", "label": "丙"}]
EVERY_TYPE = [
    {"key": "q1", "type": "single", "title": "单选", "options": CHOICES, "required": True, "allow_other": True,
     "section": "第一部分"},
    {"key": "q2", "type": "multiple", "title": "多选", "options": CHOICES, "max_choices": 2, "allow_other": True,
     "section": "第一部分"},
    {"key": "q3", "type": "ranking", "title": "排序", "options": ["x", "y", "z"], "section": "第二部分"},
    {"key": "q4", "type": "scale", "title": "打分", "required": True},
    {"key": "q5", "type": "text", "title": "简答"},
    {"key": "q6", "type": "single", "title": "选了甲才问", "options": ["yes", "no"], "required": True,
     "show_if": {"question": "q1", "equals": "a"}},
]  # fmt: skip
FULL = {"q1": "a", "q2": ["a", "c"], "q3": ["x", "z", "y"], "q4": 4, "q5": "楼道灯坏了", "q6": "yes"}


class Surveys:
    """Drive surveys as community 1's committee would."""

    def __init__(self, client, make, world):
        self.client, self.make, self.world = client, make, world
        self.h = world.h["committee"]
        self.compound = world.compounds["c1"]

    def create(self, questions=None, headers=None, status=201, **extra):
        body = {
            "title": extra.pop("title", "测试问卷"),
            "opens_at": extra.pop("opens_at", at(minutes=-1)),
            "closes_at": extra.pop("closes_at", at(days=7)),
            **({"questions": questions or EVERY_TYPE} if "template" not in extra else {}),
            **extra,
        }
        r = self.client.post(f"/api/v1/compounds/{self.compound.id}/surveys", json=body, headers=headers or self.h)
        assert r.status_code == status, r.get_json()
        return r.get_json()

    def open(self, questions=None, **extra):
        survey = self.create(questions, **extra)
        r = self.client.post(f"/api/v1/surveys/{survey['id']}/publish", headers=self.h)
        assert r.status_code == 200, r.get_json()
        return self.get(survey)

    def get(self, survey, headers=None):
        return self.client.get(f"/api/v1/surveys/{survey['id']}", headers=headers or self.h).get_json()

    def answer(self, survey, unit, answers, headers):
        return self.client.post(
            f"/api/v1/surveys/{survey['id']}/responses", json={"unit_id": unit.id, "answers": answers}, headers=headers
        )

    def paper(self, survey, unit, answers, headers=None):
        return self.client.post(
            f"/api/v1/surveys/{survey['id']}/paper-responses",
            json={"unit_id": unit.id, "answers": answers},
            headers=headers or self.h,
        )

    def results(self, survey, headers=None):
        r = self.client.get(f"/api/v1/surveys/{survey['id']}/results", headers=headers or self.h)
        assert r.status_code == 200, r.get_json()
        return r.get_json()

    def resident(self, unit, relation="owner"):
        return self.make.headers(self.make.resident(unit, relation=relation))


@pytest.fixture
def sv(clock, client, make, world):
    return Surveys(client, make, world)


@pytest.fixture
def units(sv, make):
    """Building 1 entrance 1 (4 flats), building 1 entrance 2 (2 flats), building 2 entrance 1 (2 flats)."""
    return (
        make.units(sv.compound, 4, building="1", entrance="1")
        + make.units(sv.compound, 2, building="1", entrance="2")
        + make.units(sv.compound, 2, building="2", entrance="1")
    )


def errors_of(r, status=422):
    assert r.status_code == status, r.get_json()
    return r.get_json()["errors"]["json"]["answers"]


# --- creating, editing, publishing ------------------------------------------------------------------------


def test_a_survey_with_every_question_type_round_trips(sv, units):
    survey = sv.create()
    assert survey["status"] == "draft" and survey["audience"] == "household" and survey["anonymous"] is False
    q = {x["key"]: x for x in survey["questions"]}
    assert [x["type"] for x in survey["questions"]] == ["single", "multiple", "ranking", "scale", "text", "single"]
    assert q["q3"]["options"] == [{"code": c, "label": c} for c in "xyz"]
    assert q["q2"]["max_choices"] == 2 and q["q1"]["allow_other"] and q["q3"]["max_choices"] is None
    assert q["q1"]["section"] == "第一部分" and q["q4"]["options"] is None and q["q5"]["required"] is False
    assert q["q6"]["show_if"] == {"question": "q1", "equals": "a"}
    assert q["q4"]["type_name"] == "打分（1至5分）"


@pytest.mark.parametrize(
    "question, field",
    [
        ({"key": "q", "type": "single", "title": "t"}, "options"),
        ({"key": "q", "type": "scale", "title": "t", "options": ["a", "b"]}, "options"),
        ({"key": "q", "type": "single", "title": "t", "options": ["a", "b"], "max_choices": 1}, "max_choices"),
        ({"key": "q", "type": "multiple", "title": "t", "options": ["a", "b"], "max_choices": 3}, "max_choices"),
        ({"key": "q", "type": "ranking", "title": "t", "options": ["a", "b"], "allow_other": True}, "allow_other"),
        ({"key": "q", "type": "single", "title": "t", "options": ["a", "a"]}, "options"),
        ({"key": "q", "type": "vote", "title": "t"}, "type"),
        ({"key": "1q", "type": "text", "title": "t"}, "key"),
        ({"key": "q", "type": "text", "title": "t", "show_if": {"question": "later", "equals": "a"}}, "show_if"),
    ],
)
def test_bad_questions_are_refused_by_question(sv, question, field):
    body = sv.create([question], status=422)
    assert field in body["errors"]["json"]["questions"]["0"], body


def test_show_if_must_name_a_value_the_question_takes(sv):
    qs = [EVERY_TYPE[0], {"key": "q9", "type": "text", "title": "t", "show_if": {"question": "q1", "equals": "zz"}}]
    assert "show_if" in sv.create(qs, status=422)["errors"]["json"]["questions"]["1"]
    qs = [EVERY_TYPE[0], {**EVERY_TYPE[0]}]
    assert "key" in sv.create(qs, status=422)["errors"]["json"]["questions"]["1"]


def test_unknown_template_is_refused(sv):
    assert sv.create(template="parking_lottery", status=422)["code"] == "template_unknown"


def test_drafts_are_edited_and_publishing_freezes_them(sv, units, client):
    survey = sv.create()
    url = f"/api/v1/surveys/{survey['id']}"
    r = client.patch(url, json={"title": "改过的问卷", "questions": EVERY_TYPE[:2], "anonymous": True}, headers=sv.h)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["title"] == "改过的问卷" and len(r.get_json()["questions"]) == 2 and r.get_json()["anonymous"]
    r = client.post(f"{url}/publish", headers=sv.h)
    assert r.status_code == 200 and r.get_json()["status"] == "open"
    r = client.patch(url, json={"title": "再改"}, headers=sv.h)
    assert r.status_code == 409 and r.get_json()["code"] == "survey_published"
    assert client.post(f"{url}/publish", headers=sv.h).get_json()["code"] == "survey_published"
    assert sv.get(survey)["title"] == "改过的问卷"


def test_a_future_opening_schedules_and_the_clock_opens_and_closes(sv, units, clock, client):
    survey = sv.create(opens_at=at(days=1), closes_at=at(days=3))
    assert client.post(f"/api/v1/surveys/{survey['id']}/publish", headers=sv.h).get_json()["status"] == "scheduled"
    h = sv.resident(units[0])
    r = sv.answer(survey, units[0], FULL, h)
    assert r.status_code == 409 and r.get_json()["code"] == "survey_not_open"
    clock.advance(days=1, minutes=1)
    assert sv.get(survey)["status"] == "open"
    assert sv.answer(survey, units[0], FULL, h).status_code == 201
    clock.advance(days=2)
    assert sv.get(survey)["status"] == "closed"
    r = sv.answer(survey, units[1], FULL, sv.resident(units[1]))
    assert r.status_code == 409 and r.get_json()["code"] == "survey_closed"


def test_the_committee_closes_early(sv, units, client):
    survey = sv.open()
    url = f"/api/v1/surveys/{survey['id']}"
    r = client.post(f"{url}/close", headers=sv.h)
    assert r.status_code == 200 and r.get_json()["status"] == "closed" and r.get_json()["status_name"] == "已结束"
    assert client.post(f"{url}/close", headers=sv.h).get_json()["code"] == "survey_closed"
    r = sv.paper(survey, units[0], FULL)
    assert r.status_code == 409 and r.get_json()["code"] == "survey_closed"
    draft = sv.create()
    assert (
        client.post(f"/api/v1/surveys/{draft['id']}/close", headers=sv.h).get_json()["code"] == "survey_not_published"
    )


def test_publishing_an_empty_scope_is_refused(sv, units, client):
    survey = sv.create(scope={"building": "9"})
    r = client.post(f"/api/v1/surveys/{survey['id']}/publish", headers=sv.h)
    assert r.status_code == 409 and r.get_json()["code"] == "scope_empty"


# --- answering ----------------------------------------------------------------------------------------------


def test_each_question_type_is_answered_and_stored(sv, units):
    survey = sv.open()
    h = sv.resident(units[0])
    r = sv.answer(survey, units[0], FULL, h)
    assert r.status_code == 201 and r.get_json()["label"] == "1号楼1单元101室" and r.get_json()["channel"] == "online"
    mine = sv.get(survey, h)["mine"]
    assert mine == [{"unit_id": units[0].id, "label": "1号楼1单元101室", "answered": True}]
    res = sv.results(survey)
    q = {x["key"]: x for x in res["questions"]}
    assert q["q1"]["options"]["a"] == {"label": "甲", "count": 1, "share": 1.0}
    assert q["q2"]["options"]["c"]["count"] == 1 and q["q2"]["options"]["b"]["count"] == 0
    assert q["q3"]["ranking"]["x"] == {"label": "x", "borda": 2, "ranked": 1, "mean_rank": 1.0}
    assert q["q3"]["ranking"]["y"]["borda"] == 0 and q["q3"]["ranking"]["y"]["mean_rank"] == 3.0
    assert q["q4"]["mean"] == 4.0 and q["q5"]["texts"] == ["楼道灯坏了"] and q["q6"]["options"]["yes"]["count"] == 1


def test_other_answers_and_partial_rankings(sv, units):
    survey = sv.open()
    answers = {"q1": {"other": "自己写的"}, "q2": ["b", {"other": "再写一个"}], "q3": ["z"], "q4": 1}
    assert sv.answer(survey, units[0], answers, sv.resident(units[0])).status_code == 201
    q = {x["key"]: x for x in sv.results(survey)["questions"]}
    assert q["q1"]["other"] == ["自己写的"] and q["q1"]["answered"] == 1 and q["q1"]["options"]["a"]["count"] == 0
    assert q["q2"]["other"] == ["再写一个"] and q["q2"]["options"]["b"]["share"] == 1.0
    assert q["q3"]["ranking"]["z"]["borda"] == 2 and q["q3"]["ranking"]["x"]["ranked"] == 0
    assert q["q6"]["answered"] == 0  # hidden: q1 was not 甲


@pytest.mark.parametrize(
    "answers, key, message",
    [
        ({"q4": 3}, "q1", "请回答这道题"),  # missing required
        ({**FULL, "q2": ["a", "b", "c"]}, "q2", "最多选2项"),  # too many choices
        ({**FULL, "q2": ["a", {"other": "x"}, "b"]}, "q2", "最多选2项"),  # "other" counts as a choice
        ({**FULL, "q1": "d"}, "q1", "没有这个选项"),  # unknown option
        ({**FULL, "q3": ["x", "w"]}, "q3", "没有这个选项"),
        ({**FULL, "q1": "b"}, "q6", "按您前面的回答，这道题不需要回答"),  # hidden question answered
        ({**FULL, "q4": 6}, "q4", "请打1至5分"),  # scale out of range
        ({**FULL, "q4": 0}, "q4", "请打1至5分"),
        ({**FULL, "q4": True}, "q4", "请打1至5分"),
        ({**FULL, "q4": "4"}, "q4", "请打1至5分"),
        ({**FULL, "q1": {"other": " "}}, "q1", "请注明“其他”的内容"),
        ({**FULL, "q3": ["x", "x"]}, "q3", "同一选项不能选两次"),
        ({**FULL, "q2": "a"}, "q2", "请以列表给出所选的选项"),
        ({**FULL, "q5": 12}, "q5", "请填写文字"),
        ({**FULL, "q9": "?"}, "q9", "问卷中没有这道题"),
        ({"q1": "a", "q4": 2}, "q6", "请回答这道题"),  # shown by q1 = 甲, and required
    ],
)
def test_every_validation_error_is_keyed_by_question(sv, units, answers, key, message):
    survey = sv.open()
    errors = errors_of(sv.answer(survey, units[0], answers, sv.resident(units[0])))
    assert errors[key] == [message], errors
    assert sv.results(survey)["responses"] == 0


def test_a_hidden_required_question_is_not_required(sv, units):
    survey = sv.open()
    assert sv.answer(survey, units[0], {"q1": "b", "q4": 5}, sv.resident(units[0])).status_code == 201


def test_allow_other_is_refused_where_not_allowed(sv, units):
    survey = sv.open([{"key": "q1", "type": "single", "title": "t", "options": ["a", "b"]}])
    errors = errors_of(sv.answer(survey, units[0], {"q1": {"other": "x"}}, sv.resident(units[0])))
    assert errors["q1"] == ["本题没有“其他”选项"]


def test_one_response_per_household_by_any_channel_and_tenants_answer(sv, units):
    survey = sv.open()
    tenant = sv.resident(units[0], relation="tenant")
    owner = sv.resident(units[0])
    assert sv.answer(survey, units[0], FULL, tenant).status_code == 201
    r = sv.answer(survey, units[0], FULL, owner)
    assert r.status_code == 409 and r.get_json()["code"] == "response_exists"
    r = sv.paper(survey, units[0], FULL)
    assert r.status_code == 409 and r.get_json()["code"] == "response_exists"
    assert sv.paper(survey, units[1], FULL).status_code == 201
    r = sv.answer(survey, units[1], FULL, sv.resident(units[1], relation="family"))
    assert r.status_code == 409 and r.get_json()["code"] == "response_exists"
    assert sv.results(survey)["responses"] == 2


def test_one_response_per_resident_and_paper_counts_each(sv, units, make):
    survey = sv.open(audience="resident")
    a = make.resident(units[0], units[1])
    b = make.resident(units[0], relation="tenant")
    ha, hb = make.headers(a), make.headers(b)
    assert sv.answer(survey, units[0], FULL, ha).status_code == 201
    r = sv.answer(survey, units[1], FULL, ha)  # another flat, the same person
    assert r.status_code == 409 and r.get_json()["code"] == "response_exists"
    assert sv.answer(survey, units[0], FULL, hb).status_code == 201  # another person in the same flat
    assert sv.paper(survey, units[0], FULL).status_code == 201
    assert sv.paper(survey, units[0], FULL).status_code == 201
    res = sv.results(survey)
    assert res["responses"] == 4 and res["households"] == 8 and res["response_rate"] == 0.5
    assert [m["answered"] for m in sv.get(survey, ha)["mine"]] == [True, True]


def test_scope_and_binding_decide_who_answers(sv, units, client, make):
    survey = sv.open(scope={"building": "1", "entrance": "2"})
    inside, outside = units[4], units[0]
    h_out = sv.resident(outside)
    assert client.get(f"/api/v1/surveys/{survey['id']}", headers=h_out).status_code == 404
    assert client.get("/api/v1/my/surveys", headers=h_out).get_json() == []
    h_in = sv.resident(inside)
    assert [s["id"] for s in client.get("/api/v1/my/surveys", headers=h_in).get_json()] == [survey["id"]]
    r = sv.answer(survey, outside, FULL, h_in)  # not their flat
    assert r.status_code == 403 and r.get_json()["code"] == "unit_not_bound"
    r = sv.paper(survey, outside, FULL)
    assert r.status_code == 422 and r.get_json()["code"] == "unit_not_in_scope"
    draft = sv.create()
    assert client.get(f"/api/v1/surveys/{draft['id']}", headers=h_in).status_code == 404
    assert sv.results(survey)["households"] == 2


def test_other_committees_and_residents_are_refused(sv, units, client, world):
    survey = sv.open()
    other = world.h["committee2"]
    cid = sv.compound.id
    r = client.post(f"/api/v1/compounds/{cid}/surveys", json={"title": "x"}, headers=other)
    assert r.status_code == 403 and r.get_json()["code"] == "outside_jurisdiction"
    for method, path, body in [
        ("get", f"/api/v1/surveys/{survey['id']}", None),
        ("patch", f"/api/v1/surveys/{survey['id']}", {"title": "x"}),
        ("post", f"/api/v1/surveys/{survey['id']}/close", None),
        ("post", f"/api/v1/surveys/{survey['id']}/paper-responses", {"unit_id": units[0].id, "answers": FULL}),
        ("get", f"/api/v1/surveys/{survey['id']}/results", None),
        ("get", f"/api/v1/surveys/{survey['id']}/pending", None),
        ("get", f"/api/v1/surveys/{survey['id']}/export?format=csv", None),
    ]:
        r = client.open(path, method=method.upper(), json=body, headers=other)
        assert r.status_code == 403, (path, r.get_json())
    official = world.h["official"]
    assert client.get(f"/api/v1/surveys/{survey['id']}/results", headers=official).status_code == 200
    r = client.post(f"/api/v1/surveys/{survey['id']}/close", headers=official)
    assert r.status_code == 403
    resident = sv.resident(units[0])
    assert client.get(f"/api/v1/surveys/{survey['id']}/results", headers=resident).status_code == 403
    assert sv.paper(survey, units[1], FULL, headers=resident).status_code == 403
    assert client.get(f"/api/v1/surveys/{survey['id']}/results").status_code == 401


# --- templates ----------------------------------------------------------------------------------------------

TEMPLATE_ANSWERS = {
    "renovation_needs": {
        "basic": ["water", "gas", {"other": "下水道返味"}],
        "improvement": ["elevator", "parking"],
        "enhancement": ["canteen"],
        "priority": ["elevator", "water", "parking"],
        "parking": "car_no_space",
        "cofund": "yes",
        "cofund_amount": "20_50",
        "comments": "先修管网",
    },
    "elevator_willingness": {
        "floor": "5",
        "willing": "yes",
        "pay": "20k_40k",
        "concerns": ["cost"],
        "comments": "尽快",
    },
    "property_management": {"satisfaction": 2, "model": "quasi", "fee": "0_3_0_6", "services": ["cleaning"]},
    "satisfaction_after_works": dict.fromkeys(("works", "cleaning", "security", "repairs", "green", "parking"), 4)
    | {"attitude": 5, "comments": "不错"},
    "provider_rating": dict.fromkeys(("cleaning", "security", "repairs", "green", "parking"), 3)
    | {"attitude": 4, "comments": "保洁要加强"},
}


def test_templates_are_listed(sv, client):
    listed = client.get("/api/v1/survey-templates", headers=sv.h).get_json()
    assert sorted(t["code"] for t in listed) == sorted(TEMPLATE_ANSWERS)
    assert all(t["title"] and t["description"] and t["question_count"] >= 4 for t in listed)


@pytest.mark.parametrize("code", sorted(TEMPLATE_ANSWERS))
def test_each_template_makes_a_complete_survey(sv, units, code):
    scope = {"building": "1", "entrance": "1"} if code == "elevator_willingness" else {}
    survey = sv.open(template=code, scope=scope)
    assert survey["template"] == code and survey["title"] and survey["questions"]
    answers = TEMPLATE_ANSWERS[code]
    assert {q["key"] for q in survey["questions"]} >= set(answers)
    assert sv.answer(survey, units[0], answers, sv.resident(units[0])).status_code == 201
    res = sv.results(survey)
    assert res["responses"] == 1
    assert all(q["answered"] == (q["key"] in answers) for q in res["questions"])


def test_template_contents_follow_the_domain(sv, units):
    needs = {q["key"]: q for q in sv.create(template="renovation_needs")["questions"]}
    assert [needs[k]["type"] for k in ("basic", "improvement", "enhancement")] == ["multiple"] * 3
    assert needs["priority"]["type"] == "ranking" and needs["cofund_amount"]["show_if"]["question"] == "cofund"
    pm = {q["key"]: q for q in sv.create(template="property_management")["questions"]}
    assert pm["model"]["options"] == [
        {"code": "professional", "label": "专业物业公司"},
        {"code": "quasi", "label": "社区准物业"},
        {"code": "self_managed", "label": "业主自治"},
    ]
    assert pm["satisfaction"]["type"] == "scale"
    body = sv.create(template="elevator_willingness", status=422)
    assert body["code"] == "scope_entrance_required"
    assert sv.create(template="satisfaction_after_works")["anonymous"] is True


# --- results arithmetic -------------------------------------------------------------------------------------

KNOWN = [  # (unit index, answers): 5 households of 8
    (0, {"q1": "a", "q2": ["a", "b"], "q3": ["x", "y", "z"], "q4": 5, "q5": "一", "q6": "yes"}),
    (1, {"q1": "a", "q2": ["b"], "q3": ["y", "x"], "q4": 4, "q6": "no"}),
    (2, {"q1": "b", "q2": ["b", {"other": "其他一"}], "q3": ["z"], "q4": 4}),
    (4, {"q1": {"other": "其他二"}, "q4": 2, "q5": "二"}),
    (6, {"q1": "c", "q2": ["c"], "q3": ["x", "z", "y"], "q4": 3}),
]


def recount(question, answers):
    """The figures the slow way, independently of surveys/results.py."""
    key = question["key"]
    given = [a[key] for a in answers if key in a]
    n = len(given)
    out = {"answered": n}
    codes = [o["code"] if isinstance(o, dict) else o for o in question.get("options") or []]
    if question["type"] in ("single", "multiple"):
        flat = [v for g in given for v in (g if isinstance(g, list) else [g])]
        out["options"] = {c: (flat.count(c), Fraction(flat.count(c), n)) for c in codes}
        out["other"] = [v["other"] for v in flat if isinstance(v, dict)]
    if question["type"] == "ranking":
        k = len(codes)
        out["ranking"] = {
            c: (sum(k - 1 - g.index(c) for g in given if c in g), [g.index(c) + 1 for g in given if c in g])
            for c in codes
        }
    if question["type"] == "scale":
        out["mean"] = Fraction(sum(given), n)
    return out


def shown(fraction):
    return round(float(fraction), 4)


def test_results_arithmetic_on_a_known_answer_set(sv, units):
    survey = sv.open()
    for n, answers in KNOWN:
        channel = (
            sv.paper(survey, units[n], answers)
            if n % 2
            else sv.answer(survey, units[n], answers, sv.resident(units[n]))
        )
        assert channel.status_code == 201, channel.get_json()
    res = sv.results(survey)
    answer_sets = [a for _, a in KNOWN]
    assert res["responses"] == 5 and res["households"] == 8 and res["response_rate"] == 0.625
    for q, got in zip(EVERY_TYPE, res["questions"], strict=True):
        want = recount(q, answer_sets)
        assert got["answered"] == want["answered"], q["key"]
        for code, (count, share) in want.get("options", {}).items():
            assert got["options"][code]["count"] == count and got["options"][code]["share"] == shown(share)
        if "other" in want:
            assert got["other"] == want["other"]
        for code, (borda, positions) in want.get("ranking", {}).items():
            assert got["ranking"][code]["borda"] == borda
            assert got["ranking"][code]["mean_rank"] == (
                shown(Fraction(sum(positions), len(positions))) if positions else None
            )
        if "mean" in want:
            assert got["mean"] == shown(want["mean"])
    q = {x["key"]: x for x in res["questions"]}
    assert q["q2"]["options"]["b"]["share"] == 0.75  # 3 of the 4 who answered q2
    assert q["q3"]["ranking"]["x"]["borda"] == 2 + 1 + 2 and q["q3"]["ranking"]["x"]["mean_rank"] == 1.3333
    assert q["q4"]["mean"] == 3.6 and sorted(q["q5"]["texts"]) == ["一", "二"]
    assert q["q5"]["options"] is None and q["q1"]["ranking"] is None and q["q1"]["mean"] is None
    assert res["by_entrance"] == [
        {"building": "1", "entrance": "1", "label": "1号楼1单元", "households": 4, "responses": 3},
        {"building": "1", "entrance": "2", "label": "1号楼2单元", "households": 2, "responses": 1},
        {"building": "2", "entrance": "1", "label": "2号楼1单元", "households": 2, "responses": 1},
    ]
    pending = sv.client.get(f"/api/v1/surveys/{survey['id']}/pending", headers=sv.h).get_json()
    assert [(g["label"], g["answered"], [u["room"] for u in g["not_answered"]]) for g in pending["entrances"]] == [
        ("1号楼1单元", 3, ["202"]),
        ("1号楼2单元", 1, ["102"]),
        ("2号楼1单元", 1, ["102"]),
    ]


def test_by_entrance_lists_entrances_with_no_answer(sv, units):
    survey = sv.open()
    res = sv.results(survey)
    assert res["responses"] == 0 and res["response_rate"] == 0.0
    assert [e["responses"] for e in res["by_entrance"]] == [0, 0, 0]
    assert all(q["answered"] == 0 for q in res["questions"])
    assert res["questions"][0]["options"]["a"]["share"] is None and res["questions"][3]["mean"] is None


# --- anonymity ----------------------------------------------------------------------------------------------


def test_anonymous_answers_have_no_path_to_a_unit_or_person(sv, units, app):
    """On the migrated schema: the anonymous answers table has no column or foreign key that leads to a unit, a
    resident or a participation, no table points at it, its id is random text and it keeps no time."""
    insp = inspect(db.engine)
    table = "survey_anonymous_responses"
    columns = {c["name"]: c for c in insp.get_columns(table)}
    assert set(columns) == {"id", "survey_id", "answers_json"}
    assert [fk["referred_table"] for fk in insp.get_foreign_keys(table)] == ["surveys"]
    assert "CHAR" in str(columns["id"]["type"]).upper()  # a random text id, not a sequence
    for other in insp.get_table_names():
        for fk in insp.get_foreign_keys(other):
            assert fk["referred_table"] != table, f"{other} points at the anonymous answers"
    # Nothing reachable from it by foreign keys names a unit or a person: only the survey and its compound.
    reachable, todo = set(), [table]
    while todo:
        name = todo.pop()
        for fk in insp.get_foreign_keys(name):
            if fk["referred_table"] not in reachable:
                reachable.add(fk["referred_table"])
                todo.append(fk["referred_table"])
    assert not reachable & {"units", "residents", "owners", "household_bindings", "survey_participations"}
    # The participation table has no link to the answers.
    part = {c["name"] for c in insp.get_columns("survey_participations")}
    assert not {c for c in part if "response" in c or "answer" in c}

    survey = sv.open(anonymous=True)
    h = sv.resident(units[0])
    assert sv.answer(survey, units[0], FULL, h).status_code == 201
    r = sv.answer(survey, units[0], FULL, sv.resident(units[0], relation="tenant"))
    assert r.get_json()["code"] == "response_exists"  # the one-per rule still holds
    assert sv.paper(survey, units[1], {**FULL, "q5": "纸质"}).status_code == 201
    rows = db.session.execute(db.text(f"SELECT * FROM {table}")).mappings().all()
    assert len(rows) == 2 and all(set(r) == {"id", "survey_id", "answers_json"} for r in rows)
    assert db.session.execute(db.text("SELECT count(*) FROM survey_responses")).scalar() == 0
    res = sv.results(survey)
    assert res["responses"] == 2 and res["anonymous"] is True and res["by_entrance"][0]["responses"] == 2
    content = sv.client.get(f"/api/v1/surveys/{survey['id']}/export?format=csv", headers=sv.h).data.decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(content)))
    assert "房屋" not in header and "提交时间" not in header and "101" not in content


# --- exports ------------------------------------------------------------------------------------------------


def test_exports_read_back(sv, units, client):
    survey = sv.open()
    for n, answers in KNOWN[:3]:
        assert sv.paper(survey, units[n], answers).status_code == 201
    r = client.get(f"/api/v1/surveys/{survey['id']}/export?format=csv", headers=sv.h)
    assert r.status_code == 200 and r.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["序号", "房屋", "渠道", "提交时间"] and rows[0][4:] == [q["title"] for q in EVERY_TYPE]
    assert rows[1][1] == "1号楼1单元101室" and rows[1][2] == "纸质"
    assert rows[1][4:] == ["甲", "甲、乙", "1.x 2.y 3.z", "5", "一", "yes"]
    assert rows[3][5] == "乙、其他：其他一" and len(rows) == 4
    r = client.get(f"/api/v1/surveys/{survey['id']}/export?format=xlsx", headers=sv.h)
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.data))
    assert wb.sheetnames == ["回答", "汇总"]
    answers = list(wb["回答"].iter_rows(values_only=True))
    assert answers[1][1] == "1号楼1单元101室" and answers[1][7] == 5
    summary = list(wb["汇总"].iter_rows(values_only=True))
    assert summary[0] == ("题目", "选项", "人数", "占比")
    assert ("单选", "甲", 2, pytest.approx(2 / 3)) in summary
    assert ("排序", "x", 3, None) in summary  # Borda points: 2 (first) + 1 (second)
    assert ("回答数", None, 3, None) in summary or ("回答数", "", 3, None) in summary
    assert len(wb["汇总"]._charts) >= 4 and all(c.tagname == "barChart" for c in wb["汇总"]._charts)
    assert client.get(f"/api/v1/surveys/{survey['id']}/export?format=pdf", headers=sv.h).status_code == 422
    # API.md "Surveys": the results answer format=csv|xlsx with the same export.
    same = client.get(f"/api/v1/surveys/{survey['id']}/results?format=csv", headers=sv.h)
    assert (
        same.status_code == 200 and same.data == client.get(f"/api/v1/surveys/{survey['id']}/export", headers=sv.h).data
    )
    same = client.get(f"/api/v1/surveys/{survey['id']}/results?format=xlsx", headers=sv.h)
    assert load_workbook(io.BytesIO(same.data)).sheetnames == ["回答", "汇总"]
    assert client.get(f"/api/v1/surveys/{survey['id']}/results?format=pdf", headers=sv.h).status_code == 422


# --- from survey to decision --------------------------------------------------------------------------------


def test_a_closed_needs_survey_starts_a_draft_vote(sv, units, client):
    survey = sv.open(template="renovation_needs")
    base = TEMPLATE_ANSWERS["renovation_needs"]
    for n, ranking in enumerate([["elevator", "water"], ["water", "elevator", "gas"], ["water", "parking"]]):
        assert sv.paper(survey, units[n], {**base, "priority": ranking}).status_code == 201
    url = f"/api/v1/surveys/{survey['id']}/draft-vote"
    window = {"opens_at": at(days=20), "closes_at": at(days=35), "items": 2}
    r = client.post(url, json=window, headers=sv.h)
    assert r.status_code == 409 and r.get_json()["code"] == "survey_not_closed"
    client.post(f"/api/v1/surveys/{survey['id']}/close", headers=sv.h)
    backwards = {**window, "closes_at": at(days=10)}
    r = client.post(url, json=backwards, headers=sv.h)
    assert r.status_code == 422 and "closes_at" in r.get_json()["errors"]["json"]
    r = client.post(url, json={**window, "matter": "parking_lottery"}, headers=sv.h)
    assert r.status_code == 422 and "matter" in r.get_json()["errors"]["json"]
    r = client.post(url, json=window, headers=sv.h)
    assert r.status_code == 201, r.get_json()
    out = r.get_json()
    assert out["items"] == ["供水、排水管网", "加装电梯"]  # Borda 7+6+7=20 and 7+6=13 (k = 8)
    vote = client.get(f"/api/v1/votes/{out['vote_id']}", headers=sv.h).get_json()
    assert vote["status"] == "draft" and [i["title"] for i in vote["items"]] == [
        "实施改造：供水、排水管网",
        "实施改造：加装电梯",
    ]
    assert f"问卷编号{survey['id']}" in vote["description"]
    assert sv.get(survey)["draft_vote_id"] == out["vote_id"]
    assert client.post(url, json=window, headers=sv.h).get_json()["code"] == "draft_vote_exists"
    other = sv.open()
    client.post(f"/api/v1/surveys/{other['id']}/close", headers=sv.h)
    r = client.post(f"/api/v1/surveys/{other['id']}/draft-vote", json=window, headers=sv.h)
    assert r.status_code == 409 and r.get_json()["code"] == "not_renovation_needs"


# --- declared outputs ---------------------------------------------------------------------------------------


def test_every_survey_response_matches_the_openapi_document(sv, units, client, make):
    api = Documented(client)
    h, cid = sv.h, sv.compound.id
    api("GET", "/api/v1/survey-templates", headers=h)
    spec = {"title": "问卷", "opens_at": at(minutes=-1), "closes_at": at(days=3), "questions": EVERY_TYPE}
    draft = api("POST", "/api/v1/compounds/{compound_id}/surveys", 201, compound_id=cid, json=spec, headers=h)
    sid = draft["id"]
    api("PATCH", "/api/v1/surveys/{survey_id}", survey_id=sid, json={"description": "说明"}, headers=h)
    api("POST", "/api/v1/surveys/{survey_id}/publish", survey_id=sid, headers=h)
    api("GET", "/api/v1/compounds/{compound_id}/surveys", compound_id=cid, headers=h)
    rh = sv.resident(units[0], relation="tenant")
    api("GET", "/api/v1/my/surveys", headers=rh)
    api("GET", "/api/v1/surveys/{survey_id}", survey_id=sid, headers=rh)
    body = {"unit_id": units[0].id, "answers": FULL}
    api("POST", "/api/v1/surveys/{survey_id}/responses", 201, survey_id=sid, json=body, headers=rh)
    body = {"unit_id": units[1].id, "answers": {"q1": {"other": "x"}, "q4": 1}}
    api("POST", "/api/v1/surveys/{survey_id}/paper-responses", 201, survey_id=sid, json=body, headers=h)
    api("GET", "/api/v1/surveys/{survey_id}", survey_id=sid, headers=h)
    api("GET", "/api/v1/surveys/{survey_id}/results", survey_id=sid, headers=h)
    charts = api("GET", "/api/v1/surveys/{survey_id}/charts", survey_id=sid, headers=h)
    assert [c["key"] for c in charts["charts"]] == ["q1", "q2", "q3", "q4", "q6"]
    assert all(c["svg"].startswith("<svg") and 'role="img"' in c["svg"] for c in charts["charts"])
    api("GET", "/api/v1/surveys/{survey_id}/pending", survey_id=sid, headers=h)
    api("POST", "/api/v1/surveys/{survey_id}/close", survey_id=sid, headers=h)
    needs = api(
        "POST",
        "/api/v1/compounds/{compound_id}/surveys",
        201,
        compound_id=cid,
        json={"template": "renovation_needs", "opens_at": at(minutes=-1), "closes_at": at(days=3)},
        headers=h,
    )
    api("POST", "/api/v1/surveys/{survey_id}/publish", survey_id=needs["id"], headers=h)
    body = {"unit_id": units[2].id, "answers": TEMPLATE_ANSWERS["renovation_needs"]}
    api("POST", "/api/v1/surveys/{survey_id}/paper-responses", 201, survey_id=needs["id"], json=body, headers=h)
    api("POST", "/api/v1/surveys/{survey_id}/close", survey_id=needs["id"], headers=h)
    window = {"opens_at": at(days=20), "closes_at": at(days=35)}
    api("POST", "/api/v1/surveys/{survey_id}/draft-vote", 201, survey_id=needs["id"], json=window, headers=h)


def test_the_charts_escape_what_people_typed(sv, units, client):
    survey = sv.open([{"key": "q1", "type": "single", "title": "<b>标题</b>", "options": ["<i>", "b"]}])
    svg = client.get(f"/api/v1/surveys/{survey['id']}/charts", headers=sv.h).get_json()["charts"][0]["svg"]
    assert "<b>" not in svg and "<i>" not in svg and "&lt;b&gt;标题" in svg


# --- distribution through the notices ---------------------------------------------------------------------


def test_a_survey_invitation_links_a_published_survey_of_its_compound(sv, units, client, world):
    draft = sv.create()
    url = f"/api/v1/compounds/{sv.compound.id}/notices"
    body = {"kind": "survey_invite", "title": "请填写改造需求问卷", "body": "每户一份。", "survey_id": draft["id"]}
    r = client.post(url, json=body, headers=sv.h)
    assert r.status_code == 422 and r.get_json()["code"] == "survey_not_published"
    client.post(f"/api/v1/surveys/{draft['id']}/publish", headers=sv.h)
    r = client.post(url, json={**body, "survey_id": 987654}, headers=sv.h)
    assert r.status_code == 422 and r.get_json()["code"] == "survey_not_found"
    r = client.post(url, json=body, headers=sv.h)
    assert r.status_code == 201, r.get_json()
    page = client.get(f"/n/{r.get_json()['token']}").data.decode()
    assert f'href="/m/survey/{draft["id"]}?compound={sv.compound.id}"' in page and "填写问卷" in page
    c2 = world.compounds["c2"]
    r = client.post(f"/api/v1/compounds/{c2.id}/notices", json=body, headers=world.h["committee2"])
    assert r.status_code == 422 and r.get_json()["code"] == "survey_not_found"  # another compound's survey


def test_the_demo_has_an_open_needs_survey_with_paper_answers(app, runner, client):
    out = runner.invoke(args=["demo"]).output
    assert "demo survey: 幸福里小区改造需求调查" in out
    assert runner.invoke(args=["demo"]).output.count("demo survey") == 1
    login = client.post("/api/v1/auth/login", json={"username": "committee", "password": "demo1234"}).get_json()
    headers = {"Authorization": f"Bearer {login['access_token']}"}
    sid = int(out.split("demo survey: 幸福里小区改造需求调查 (id ")[1].split(")")[0])
    res = client.get(f"/api/v1/surveys/{sid}/results", headers=headers).get_json()
    assert res["status"] == "open" and res["responses"] == 3 and res["households"] == 180


def test_unknown_surveys_and_bad_windows(sv, units, client):
    assert client.get("/api/v1/surveys/99999", headers=sv.h).get_json()["code"] == "survey_not_found"
    body = sv.create(closes_at=at(days=-1), opens_at=at(days=-2), status=422)
    assert "closes_at" in body["errors"]["json"]
    body = sv.create(opens_at=at(days=3), closes_at=at(days=2), status=422)
    assert "closes_at" in body["errors"]["json"]
    survey = sv.create(scope={"building": "1"})
    assert survey["scope_text"] == "1号楼" and sv.create()["scope_text"] == "全小区"
    r = client.patch(f"/api/v1/surveys/{survey['id']}", json={"closes_at": at(minutes=-30)}, headers=sv.h)
    assert r.status_code == 422
    r = client.patch(f"/api/v1/surveys/{survey['id']}", json={"questions": []}, headers=sv.h)
    assert r.status_code == 422 and "questions" in r.get_json()["errors"]["json"]
