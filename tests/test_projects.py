"""Renovation projects (DOMAIN.md §5, §8) through HTTP, on SQLite and PostgreSQL: a project walked through the whole
pipeline with its evidence (a closed survey, an announced and passed vote item, a published campaign, document
numbers), funding arithmetic to the fen, the readiness rule at its threshold and the reserve pool's order, each
department seeing and completing only its steps, overdue counts per department, and the refusals."""

from datetime import datetime
from types import SimpleNamespace

import pytest

from backend.extensions import db
from backend.types import CHINA_TZ
from tests.test_declared_outputs import Documented
from tests.test_votes_concurrency import race
from tests.test_votes_kit import assert_error, at, item

ITEMS = [
    {"tier": "enhancement", "code": "elderly_care", "planned_fen": 30_000_000},
    {"tier": "improvement", "code": "elevator", "planned_fen": 120_000_000, "title": "1号楼加装电梯"},
    {"tier": "basic", "code": "roof_facade_stairs", "planned_fen": 50_000_000},
    {"tier": "basic", "code": "water", "planned_fen": 80_000_000, "underground": True},
    {"tier": "improvement", "code": "charging", "planned_fen": 5_000_000, "underground": True},
]


def beijing(day, hour=10):
    return datetime.fromisoformat(f"{day}T{hour:02d}:00:00").replace(tzinfo=CHINA_TZ)


def department_user(make, name, department, org):
    user = make.user(name, "department", org)
    user.department = department
    db.session.commit()
    return SimpleNamespace(user=user, h=make.headers(user))


@pytest.fixture
def pj(kit, make, client, world):
    """Community 1's compound with four 100 m² flats, driven by its committee."""
    units = make.units(kit.compound, 4, area="100.00")
    return SimpleNamespace(kit=kit, client=client, world=world, make=make, units=units, h=kit.h, c1=kit.compound)


def create(pj, compounds=None, headers=None, status=201, **over):
    body = {"title": "幸福里小区综合改造", "compound_ids": [c.id for c in (compounds or [pj.c1])], "items": ITEMS}
    r = pj.client.post("/api/v1/projects", json={**body, **over}, headers=headers or pj.h)
    assert r.status_code == status, r.get_json()
    return r.get_json()


def complete(pj, project, step, headers=None, **body):
    return pj.client.post(f"/api/v1/projects/{project['id']}/steps/{step}/complete", json=body, headers=headers or pj.h)


def done(pj, project, step, headers=None, **body):
    r = complete(pj, project, step, headers, **body)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def survey(pj, compound=None, headers=None, close=True):
    compound = compound or pj.c1
    body = {
        "title": "改造需求调查",
        "opens_at": at(minutes=-1),
        "closes_at": at(days=7),
        "questions": [{"key": "q", "type": "text", "title": "您的意见"}],
    }
    h = headers or pj.h
    r = pj.client.post(f"/api/v1/compounds/{compound.id}/surveys", json=body, headers=h)
    assert r.status_code == 201, r.get_json()
    sid = r.get_json()["id"]
    assert pj.client.post(f"/api/v1/surveys/{sid}/publish", headers=h).status_code == 200
    if close:
        assert pj.client.post(f"/api/v1/surveys/{sid}/close", headers=h).status_code == 200
    return sid


def passed_item(pj, choice="agree", announce=True):
    kit = pj.kit
    vote = kit.vote(items=[item("rebuild", "实施改造方案")])
    kit.cast(vote, pj.units, choice)
    kit.end_window(vote)
    assert kit.post(vote, "close").status_code == 200
    if announce:
        assert kit.post(vote, "announce").status_code == 200
    return vote["items"][0]["id"]


def campaign(pj, total=1_000_000, compound=None, headers=None, publish=True):
    compound = compound or pj.c1
    h = headers or pj.h
    body = {"title": "改造居民出资", "total_cost_fen": total, "rule": "area"}
    r = pj.client.post(f"/api/v1/compounds/{compound.id}/campaigns", json=body, headers=h)
    assert r.status_code == 201, r.get_json()
    cid = r.get_json()["id"]
    if publish:
        assert pj.client.post(f"/api/v1/campaigns/{cid}/publish", headers=h).status_code == 200
    return cid


def pledge(pj, campaign_id, unit, amount, headers=None):
    r = pj.client.post(
        f"/api/v1/campaigns/{campaign_id}/pledges",
        json={"unit_id": unit.id, "amount_fen": amount},
        headers=headers or pj.h,
    )
    assert r.status_code == 201, r.get_json()


def pay(pj, campaign_id, unit, amount, reference, paid_on="2025-03-14"):
    body = {"unit_id": unit.id, "amount_fen": amount, "paid_on": paid_on, "method": "bank", "reference": reference}
    r = pj.client.post(f"/api/v1/campaigns/{campaign_id}/payments", json=body, headers=pj.h)
    assert r.status_code == 201, r.get_json()


def ready_to_apply(pj, project, pledged=600_000):
    """Needs surveyed on a closed survey, the plan passed, a campaign of 10,000 yuan pledged to ``pledged``."""
    sid = survey(pj)
    item_id = passed_item(pj)
    cid = campaign(pj)
    pledge(pj, cid, pj.units[0], pledged)
    done(pj, project, "needs_surveyed", completed_on="2025-03-14", survey_id=sid)
    done(pj, project, "plan_voted", completed_on="2025-03-15", vote_item_id=item_id)
    done(pj, project, "cofunding_pledged", completed_on="2025-03-15", campaign_id=cid)
    return SimpleNamespace(survey_id=sid, item_id=item_id, campaign_id=cid)


# --- the pipeline -------------------------------------------------------------------------------------------


def test_a_project_walks_the_whole_pipeline_with_its_evidence(pj, clock):
    api = Documented(pj.client)
    h = pj.h
    project = api("POST", "/api/v1/projects", 201, json={"title": "幸福里小区综合改造", "compound_ids": [pj.c1.id],
                                                         "items": ITEMS}, headers=h)  # fmt: skip
    # Underground first, then basic, improvement, enhancement; the names are the needs survey's own.
    assert [(i["code"], i["underground"]) for i in project["items"]] == [
        ("water", True),
        ("charging", True),
        ("roof_facade_stairs", False),
        ("elevator", False),
        ("elderly_care", False),
    ]
    assert project["items"][0]["code_name"] == "供水、排水管网" and project["items"][0]["tier_name"] == "基础类"
    assert project["planned_investment_fen"] == 285_000_000 and project["org"]["id"] == pj.world.c1.id
    assert [s["step"] for s in project["steps"]] == [
        "needs_surveyed", "plan_voted", "cofunding_pledged", "applied", "in_plan", "started", "completed", "accepted",
    ]  # fmt: skip
    assert [s["department"] for s in project["steps"]][3:5] == ["ndrc", "ndrc"]
    assert project["current_step"] == "needs_surveyed"

    # Out of order: a clear 409 naming the step to do first.
    r = complete(pj, project, "plan_voted", completed_on="2025-03-14", vote_item_id=1)
    assert_error(r, 409, "step_out_of_order")
    assert "需求调查" in r.get_json()["message"]
    # Evidence: an open survey, another compound's survey, none at all.
    open_survey = survey(pj, close=False)
    assert_error(complete(pj, project, "needs_surveyed", completed_on="2025-03-14", survey_id=open_survey), 422,
                 "survey_not_closed")  # fmt: skip
    pj.make.unit(pj.world.compounds["c2"])
    other = survey(pj, pj.world.compounds["c2"], headers=pj.world.h["committee2"])
    assert_error(complete(pj, project, "needs_surveyed", completed_on="2025-03-14", survey_id=other), 422,
                 "survey_invalid")  # fmt: skip
    assert_error(complete(pj, project, "needs_surveyed", completed_on="2025-03-14"), 422, "evidence_required")
    assert_error(complete(pj, project, "needs_surveyed", completed_on="2025-03-15", survey_id=survey(pj)), 422,
                 "date_in_future")  # fmt: skip

    sid = survey(pj)
    step = api("POST", "/api/v1/projects/{project_id}/steps/{step}/complete", project_id=project["id"],
               step="needs_surveyed", json={"completed_on": "2025-03-14", "survey_id": sid}, headers=h)  # fmt: skip
    assert (step["evidence_kind"], step["evidence_id"], step["completed_on"]) == ("survey", sid, "2025-03-14")
    assert_error(complete(pj, project, "needs_surveyed", completed_on="2025-03-14", survey_id=sid), 409,
                 "step_already_completed")  # fmt: skip

    # A vote not yet announced is no evidence; announced and passed is.
    failed = passed_item(pj, choice="disagree")
    assert_error(complete(pj, project, "plan_voted", completed_on="2025-03-15", vote_item_id=failed), 422,
                 "vote_item_not_approved")  # fmt: skip
    item_id = passed_item(pj)
    assert_error(complete(pj, project, "plan_voted", completed_on="2025-03-13", vote_item_id=item_id), 422,
                 "date_before_previous")  # fmt: skip
    done(pj, project, "plan_voted", completed_on="2025-03-15", vote_item_id=item_id)

    draft = campaign(pj, publish=False)
    assert_error(complete(pj, project, "cofunding_pledged", completed_on="2025-03-15", campaign_id=draft), 422,
                 "campaign_not_published")  # fmt: skip
    cid = campaign(pj)
    done(pj, project, "cofunding_pledged", completed_on="2025-03-15", campaign_id=cid)
    funding = api("GET", "/api/v1/projects/{project_id}/funding", project_id=project["id"], headers=h)
    assert [(s["source"], s["campaign_id"], s["planned_fen"]) for s in funding["sources"]] == [
        ("residents", cid, 1_000_000)
    ]

    clock.set(beijing("2025-12-20"))
    done(pj, project, "applied", completed_on="2025-04-01", document_no="雁住建〔2025〕12号")
    assert_error(complete(pj, project, "in_plan", completed_on="2025-06-01", document_no="陕建发〔2025〕3号"), 422,
                 "evidence_required")  # fmt: skip
    step = done(pj, project, "in_plan", completed_on="2025-06-01", document_no="陕建发〔2025〕3号",
                plan_level="central_provincial", plan_year=2025)  # fmt: skip
    assert step["plan_level_name"] == "中省计划" and step["plan_year"] == 2025
    done(pj, project, "started", completed_on="2025-07-01", document_no="开工令 2025-07")
    done(pj, project, "completed", completed_on="2025-11-30", document_no="完工报告 2025-11")
    done(pj, project, "accepted", completed_on="2025-12-18", document_no="竣工验收 2025-12")
    final = api("GET", "/api/v1/projects/{project_id}", project_id=project["id"], headers=pj.world.h["official"])
    assert final["current_step"] is None and all(s["completed_on"] for s in final["steps"])
    assert [s["evidence_kind"] for s in final["steps"]] == ["survey", "vote_item", "campaign"] + ["document"] * 5
    listed = pj.client.get("/api/v1/projects", headers=h)
    assert listed.headers["X-Total-Count"] == "1" and listed.get_json()[0]["current_step"] is None
    api("GET", "/api/v1/projects", headers=h)


def test_items_are_checked_against_their_tier(pj):
    r = pj.client.post(
        "/api/v1/projects",
        json={
            "title": "x",
            "compound_ids": [pj.c1.id],
            "items": [{"tier": "basic", "code": "elevator", "planned_fen": 1}],
        },
        headers=pj.h,
    )
    assert_error(r, 422, "item_code_unknown")
    assert "items" in r.get_json()["errors"]["json"]
    bad = [{"tier": "basic", "code": "water", "planned_fen": -1}]
    assert_error(pj.client.post("/api/v1/projects", json={"title": "x", "compound_ids": [pj.c1.id], "items": bad},
                                headers=pj.h), 422, "validation_error")  # fmt: skip
    project = create(pj, items=[{"tier": "enhancement", "code": "canteen", "planned_fen": 10}])
    r = pj.client.post(f"/api/v1/projects/{project['id']}/items", json={"items": [
        {"tier": "basic", "code": "gas", "planned_fen": 5, "underground": True}]}, headers=pj.h)  # fmt: skip
    assert r.status_code == 201 and [i["code"] for i in r.get_json()["items"]] == ["gas", "canteen"]
    assert r.get_json()["planned_investment_fen"] == 15


def test_the_template_codes_are_the_items_codes():
    import json
    from pathlib import Path

    from backend.names import RENOVATION_CONTENT_NAMES

    spec = json.loads((Path(__file__).parent.parent / "surveys/templates/renovation_needs.json").read_text("utf-8"))
    for question in spec["questions"][:3]:
        assert {o["code"]: o["label"] for o in question["options"]} == RENOVATION_CONTENT_NAMES[question["key"]]


# --- funding ------------------------------------------------------------------------------------------------


def test_funding_arithmetic_to_the_fen(pj, world):
    api = Documented(pj.client)
    project = create(pj)
    pid = project["id"]
    url = "/api/v1/projects/{project_id}/funding"

    def add(**body):
        return api("POST", url, 201, project_id=pid, json=body, headers=pj.h)

    add(source="central_provincial", planned_fen=1_000_001)
    add(source="utilities", party="国网供电公司", planned_fen=200_000)
    add(source="utilities", party="燃气公司", planned_fen=100_000)
    cid = campaign(pj, total=999_999)
    body = add(source="residents", campaign_id=cid)
    assert_error(pj.client.post(f"/api/v1/projects/{pid}/funding", json={"source": "residents", "campaign_id": cid},
                                headers=pj.h), 409, "campaign_already_linked")  # fmt: skip
    central, power, _gas, residents = body["sources"]

    def arrive(funding, amount, on="2025-03-10", headers=None, status=201):
        return api("POST", url + "/{funding_id}/arrivals", status, project_id=pid, funding_id=funding["id"],
                   json={"amount_fen": amount, "arrived_on": on, "document_no": "到账"}, headers=headers or pj.h)  # fmt: skip

    arrive(central, 333_334)
    body = arrive(central, 333_333, "2025-03-12")
    central = body["sources"][0]
    assert central["arrived_fen"] == 666_667 and central["gap_fen"] == 333_334
    assert central["arrived_share"] == 0.6667  # 666667/1000001, rounded for display only
    assert [a["arrived_on"] for a in central["arrivals"]] == ["2025-03-10", "2025-03-12"]
    body = arrive(power, 250_000)  # more than planned: no gap, and it hides none of the others'
    # Residents: planned = the campaign's residents' part, arrived = its paid money.
    pledge(pj, cid, pj.units[0], 300_000)
    pay(pj, cid, pj.units[0], 123_457, "R-1")
    pay(pj, cid, pj.units[1], 1, "R-2")
    body = api("GET", url, project_id=pid, headers=world.h["official"])
    by = {s["source"]: s for s in body["by_source"]}
    assert by["utilities"] == {
        "source": "utilities", "source_name": "管线单位", "planned_fen": 300_000, "arrived_fen": 250_000,
        "arrived_share": 0.8333, "gap_fen": 50_000,
    }  # fmt: skip
    row = body["sources"][3]
    assert (row["planned_fen"], row["arrived_fen"], row["gap_fen"]) == (999_999, 123_458, 876_541)
    figures = pj.client.get(f"/api/v1/campaigns/{cid}", headers=pj.h).get_json()
    assert row["pledged_fen"] == figures["pledged_fen"] and row["arrived_fen"] == figures["paid_fen"]
    assert body["planned_fen"] == 1_000_001 + 300_000 + 999_999
    assert body["arrived_fen"] == 666_667 + 250_000 + 123_458
    assert body["gap_fen"] == 333_334 + 50_000 + 876_541  # per source, never below zero
    assert [s["source"] for s in body["by_source"]] == ["central_provincial", "residents", "utilities"]
    # Arrivals: append-only, positive, not in the future, never into the residents' row.
    r = pj.client.post(f"/api/v1/projects/{pid}/funding/{residents['id']}/arrivals",
                       json={"amount_fen": 5, "arrived_on": "2025-03-10"}, headers=pj.h)  # fmt: skip
    assert_error(r, 409, "residents_arrive_by_campaign")
    r = pj.client.post(f"/api/v1/projects/{pid}/funding/{central['id']}/arrivals",
                       json={"amount_fen": 0, "arrived_on": "2025-03-10"}, headers=pj.h)  # fmt: skip
    assert_error(r, 422, "validation_error")
    r = pj.client.post(f"/api/v1/projects/{pid}/funding/{central['id']}/arrivals",
                       json={"amount_fen": 5, "arrived_on": "2025-03-15"}, headers=pj.h)  # fmt: skip
    assert_error(r, 422, "date_in_future")
    # The finance department books 中省 arrivals in its region; housing may not; an official of another district
    # reaches nothing.
    finance = department_user(pj.make, "finance", "finance", world.street)
    housing = department_user(pj.make, "housing", "housing", world.street)
    arrive(central, 1, headers=finance.h)
    r = pj.client.post(f"/api/v1/projects/{pid}/funding/{central['id']}/arrivals",
                       json={"amount_fen": 5, "arrived_on": "2025-03-10"}, headers=housing.h)  # fmt: skip
    assert_error(r, 403, "funding_not_yours")
    assert_error(pj.client.get(f"/api/v1/projects/{pid}/funding", headers=world.h["official_other"]), 403,
                 "outside_jurisdiction")  # fmt: skip


# --- readiness and the reserve pool ---------------------------------------------------------------------------


def test_readiness_at_its_threshold_and_the_reserve_pool(pj, world):
    api = Documented(pj.client)
    project = create(pj)
    evidence = ready_to_apply(pj, project, pledged=599_900)  # 59.99% of 10,000 yuan
    r = api("GET", "/api/v1/projects/{project_id}/readiness", project_id=project["id"], headers=pj.h)
    assert r["ready"] is False and r["missing"] == [f"pledged:{pj.c1.id}"]
    assert r["compounds"][0]["pledged_share"] == 0.5999 and r["compounds"][0]["threshold"] == 0.6
    pool = api("GET", "/api/v1/projects/reserve-pool", headers=world.h["official"])
    assert pool == []
    pledge(pj, evidence.campaign_id, pj.units[1], 100)  # exactly 60%
    r = api("GET", "/api/v1/projects/{project_id}/readiness", project_id=project["id"], headers=pj.h)
    assert r["ready"] is True and r["missing"] == [] and r["pledged_share"] == 0.6

    # A second, smaller project pledged higher ranks first; a third pledged as high but larger ranks above it.
    small = create(pj, title="小区道路", items=[{"tier": "basic", "code": "roads", "planned_fen": 1_000}])
    large = create(
        pj, title="管网", items=[{"tier": "basic", "code": "water", "planned_fen": 9_000, "underground": True}]
    )
    for p in (small, large):
        done(pj, p, "needs_surveyed", completed_on="2025-03-14", survey_id=evidence.survey_id)
        done(pj, p, "plan_voted", completed_on="2025-03-15", vote_item_id=evidence.item_id)
        cid = campaign(pj, total=1_000)
        pledge(pj, cid, pj.units[0], 700)
        done(pj, p, "cofunding_pledged", completed_on="2025-03-15", campaign_id=cid)
    pool = api("GET", "/api/v1/projects/reserve-pool", query_string={"org_id": world.street.id},
               headers=world.h["official"])  # fmt: skip
    assert [(p["rank"], p["id"]) for p in pool] == [(1, large["id"]), (2, small["id"]), (3, project["id"])]
    assert pool[0]["pledged_share"] == 0.7 and pool[0]["planned_investment_fen"] == 9_000

    # The threshold is the compound's own: at 65% the first project drops out.
    r = pj.client.put(f"/api/v1/compounds/{pj.c1.id}/project-settings", json={"pledge_threshold_bp": 6500},
                      headers=pj.h)  # fmt: skip
    assert r.status_code == 200 and r.get_json()["pledge_threshold_bp"] == 6500
    pool = pj.client.get("/api/v1/projects/reserve-pool", headers=world.h["official_city"])
    assert pool.headers["X-Total-Count"] == "2" and [p["id"] for p in pool.get_json()] == [large["id"], small["id"]]
    # Applied projects leave the pool.
    done(pj, large, "applied", completed_on="2025-03-15", document_no="申报 1")
    assert [p["id"] for p in pj.client.get("/api/v1/projects/reserve-pool", headers=world.h["official"]).get_json()] \
        == [small["id"]]  # fmt: skip
    # For officials: a committee is refused; another district sees none and may not ask for this one.
    assert_error(pj.client.get("/api/v1/projects/reserve-pool", headers=pj.h), 403, "role_forbidden")
    ndrc = department_user(pj.make, "ndrc", "ndrc", world.district)
    housing = department_user(pj.make, "housing", "housing", world.district)
    assert [p["id"] for p in pj.client.get("/api/v1/projects/reserve-pool", headers=ndrc.h).get_json()] == [small["id"]]
    assert_error(pj.client.get("/api/v1/projects/reserve-pool", headers=housing.h), 403, "pool_for_ndrc")
    assert pj.client.get("/api/v1/projects/reserve-pool", headers=world.h["official_other"]).get_json() == []
    r = pj.client.get("/api/v1/projects/reserve-pool", query_string={"org_id": world.street.id},
                      headers=world.h["official_other"])  # fmt: skip
    assert_error(r, 403, "outside_jurisdiction")
    assert_error(pj.client.put(f"/api/v1/compounds/{pj.c1.id}/project-settings", json={"pledge_threshold_bp": 0},
                               headers=pj.h), 422, "validation_error")  # fmt: skip
    assert_error(pj.client.put(f"/api/v1/compounds/{pj.c1.id}/project-settings", json={"pledge_threshold_bp": 5000},
                               headers=world.h["committee2"]), 403, "outside_jurisdiction")  # fmt: skip


def test_settings_items_and_steps_match_the_document(pj, world):
    api = Documented(pj.client)
    cid = pj.c1.id
    body = api("GET", "/api/v1/compounds/{compound_id}/project-settings", compound_id=cid, headers=world.h["official"])
    assert body["pledge_threshold_bp"] == 6000
    body = api("PUT", "/api/v1/compounds/{compound_id}/project-settings", compound_id=cid,
               json={"pledge_threshold_bp": 5999}, headers=pj.h)  # fmt: skip
    assert body["pledge_threshold_bp"] == 5999
    project = create(pj)
    r = api("GET", "/api/v1/projects/{project_id}/readiness", project_id=project["id"], headers=pj.h)
    assert r["ready"] is False and r["missing"] == ["needs_surveyed", "plan_voted", f"pledged:{cid}"]
    assert r["compounds"][0]["threshold"] == 0.5999 and r["pledged_share"] is None
    body = api("POST", "/api/v1/projects/{project_id}/items", 201, project_id=project["id"],
               json={"items": [{"tier": "improvement", "code": "parking", "planned_fen": 1}]}, headers=pj.h)  # fmt: skip
    assert [i["code"] for i in body["items"]][2:4] == ["roof_facade_stairs", "elevator"] and len(body["items"]) == 6
    step = api("PATCH", "/api/v1/projects/{project_id}/steps/{step}", project_id=project["id"], step="started",
               json={"due_on": "2025-09-30", "department": "urban_management"}, headers=pj.h)  # fmt: skip
    assert (step["due_on"], step["department_name"], step["overdue"]) == ("2025-09-30", "城管执法", False)
    assert_error(pj.client.patch(f"/api/v1/projects/{project['id']}/steps/started", json={"department": "police"},
                                 headers=pj.h), 422, "validation_error")  # fmt: skip
    assert_error(pj.client.post(f"/api/v1/projects/{project['id']}/items", json={"items": []}, headers=pj.h), 422,
                 "validation_error")  # fmt: skip


# --- departments ----------------------------------------------------------------------------------------------


def test_a_department_sees_and_completes_only_its_steps_and_overdue_counts(pj, world, clock):
    api = Documented(pj.client)
    due = {"applied": "2025-03-20", "in_plan": "2025-03-13", "started": "2025-03-13", "completed": "2025-03-14"}
    steps = [{"step": s, "due_on": d} for s, d in due.items()]
    steps.append({"step": "needs_surveyed", "due_on": "2025-03-01", "department": "planning"})
    project = create(pj, steps=steps)
    c3 = world.compounds["c3"]
    other = create(
        pj, compounds=[c3], headers=world.h["committee3"], steps=[{"step": "applied", "due_on": "2025-01-01"}]
    )
    housing = department_user(pj.make, "housing", "housing", world.street)
    ndrc = department_user(pj.make, "ndrc", "ndrc", world.street)
    ndrc_other = department_user(pj.make, "ndrc_other", "ndrc", world.c3)

    # Housing sees its steps of projects in its region only, overdue first by due date.
    rows = api("GET", "/api/v1/departments/steps", headers=housing.h)
    assert {r["project"]["id"] for r in rows} == {project["id"]}
    assert [r["step"] for r in rows][:2] == ["started", "completed"] and all(r["department"] == "housing" for r in rows)
    overdue = api("GET", "/api/v1/departments/steps", query_string={"overdue": 1}, headers=housing.h)
    assert [r["step"] for r in overdue] == ["started"]  # due on the 13th; completed is due today, not overdue
    ndrc_rows = api("GET", "/api/v1/departments/steps", query_string={"overdue": 1}, headers=ndrc.h)
    assert [r["step"] for r in ndrc_rows] == ["in_plan"]
    assert [r["project"]["id"] for r in pj.client.get("/api/v1/departments/steps", query_string={"overdue": 1},
                                                      headers=ndrc_other.h).get_json()] == [other["id"]]  # fmt: skip
    # The project as a department sees it: its own steps only.
    seen = api("GET", "/api/v1/projects/{project_id}", project_id=project["id"], headers=ndrc.h)
    assert [s["step"] for s in seen["steps"]] == ["applied", "in_plan"]
    assert_error(pj.client.get(f"/api/v1/projects/{project['id']}", headers=ndrc_other.h), 403, "outside_jurisdiction")

    counts = api("GET", "/api/v1/reports/overdue-steps", headers=world.h["official"])
    by = {d["department"]: (d["open"], d["overdue"]) for d in counts["departments"]}
    assert by["planning"] == (1, 1) and by["ndrc"] == (2, 1) and by["housing"] == (5, 1) and by["water"] == (0, 0)
    assert counts["overdue"] == 3 and counts["today"] == "2025-03-14"
    city = api("GET", "/api/v1/reports/overdue-steps", query_string={"org_id": world.city.id},
               headers=world.h["official_city"])  # fmt: skip
    assert city["overdue"] == 4 and {d["department"]: d["overdue"] for d in city["departments"]}["ndrc"] == 2
    assert_error(pj.client.get("/api/v1/reports/overdue-steps", query_string={"org_id": world.street.id},
                               headers=world.h["official_other"]), 403, "outside_jurisdiction")  # fmt: skip
    assert_error(pj.client.get("/api/v1/reports/overdue-steps", headers=pj.h), 403, "role_forbidden")

    # Completing: ndrc may not do housing's steps, nor (for now) its own out of order.
    ready_to_apply(pj, project)
    r = complete(pj, project, "started", headers=ndrc.h, completed_on="2025-03-15", document_no="开工")
    assert_error(r, 403, "step_not_yours")
    assert "住建" in r.get_json()["message"]
    r = complete(pj, project, "in_plan", headers=ndrc.h, completed_on="2025-03-15", document_no="计划",
                 plan_level="city", plan_year=2025)  # fmt: skip
    assert_error(r, 409, "step_out_of_order")
    done(pj, project, "applied", headers=ndrc.h, completed_on="2025-03-15", document_no="申报")
    step = done(pj, project, "in_plan", headers=ndrc.h, completed_on="2025-03-15", document_no="计划",
                plan_level="city", plan_year=2025)  # fmt: skip
    assert step["completed_by"].startswith("department:")
    assert_error(complete(pj, other, "needs_surveyed", headers=ndrc.h, completed_on="2025-03-15"), 403,
                 "outside_jurisdiction")  # fmt: skip
    # A day later the completed step is due no more, and housing's 'completed' (due the 14th) is now overdue.
    clock.set(beijing("2025-03-15", 0))
    counts = pj.client.get("/api/v1/reports/overdue-steps", headers=world.h["official"]).get_json()
    by = {d["department"]: (d["open"], d["overdue"]) for d in counts["departments"]}
    assert by["ndrc"] == (0, 0) and by["housing"] == (3, 2) and by["planning"] == (0, 0)

    # Moving a step to another department: a manager's act.
    r = pj.client.patch(f"/api/v1/projects/{project['id']}/steps/started", json={"department": "water"},
                        headers=pj.h)  # fmt: skip
    assert r.status_code == 200 and r.get_json()["department_name"] == "水务"
    assert_error(pj.client.patch(f"/api/v1/projects/{project['id']}/steps/started", json={"department": "power"},
                                 headers=world.h["official_other"]), 403, "outside_jurisdiction")  # fmt: skip


def test_department_accounts_are_created_with_their_department(client, world):
    h = world.h["admin"]
    body = {"username": "zhujian", "password": "secret-pass-1", "role": "department", "org_id": world.district.id}
    assert_error(client.post("/api/v1/auth/users", json=body, headers=h), 422, "department_required")
    assert_error(client.post("/api/v1/auth/users", json={**body, "department": "police"}, headers=h), 422,
                 "department_unknown")  # fmt: skip
    assert_error(client.post("/api/v1/auth/users", json={**body, "role": "official", "department": "ndrc"},
                             headers=h), 422, "department_required")  # fmt: skip
    r = client.post("/api/v1/auth/users", json={**body, "department": "housing"}, headers=h)
    assert r.status_code == 201 and r.get_json()["department"] == "housing" and r.get_json()["role"] == "department"
    r = client.post("/api/v1/auth/login", json={"username": "zhujian", "password": "secret-pass-1"})
    token = r.get_json()["access_token"]
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.get_json()["department"] == "housing"
    # A department account reaches no compound data outside projects.
    r = client.get(f"/api/v1/compounds/{world.compounds['c1'].id}/management",
                   headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert_error(r, 403, "role_forbidden")


# --- access ---------------------------------------------------------------------------------------------------


def test_role_and_jurisdiction_refusals(pj, world):
    c1, c2, c3 = (world.compounds[k] for k in ("c1", "c2", "c3"))
    # A committee: its own community's compounds only.
    create(pj, compounds=[c1, c2], status=403)
    create(pj, compounds=[c2], status=403)
    project = create(pj)
    assert_error(pj.client.get(f"/api/v1/projects/{project['id']}", headers=world.h["committee2"]), 403,
                 "outside_jurisdiction")  # fmt: skip
    assert_error(pj.client.get(f"/api/v1/projects/{project['id']}", headers=world.h["official_other"]), 403,
                 "outside_jurisdiction")  # fmt: skip
    assert_error(complete(pj, project, "applied", headers=world.h["official_other"], completed_on="2025-03-14"), 403,
                 "outside_jurisdiction")  # fmt: skip
    assert_error(pj.client.get("/api/v1/projects/999999", headers=pj.h), 404, "project_not_found")
    # A street official: a 连片 project across two communities of the street, never beyond its region.
    joint = create(pj, compounds=[c1, c2], headers=world.h["official"], title="小寨路片区连片改造")
    assert joint["org"]["id"] == world.street.id and [c["id"] for c in joint["compounds"]] == [c1.id, c2.id]
    create(pj, compounds=[c1, c3], headers=world.h["official"], status=403)
    # Each community's committee reads it; neither works it; the official does.
    for name in ("committee", "committee2"):
        assert pj.client.get(f"/api/v1/projects/{joint['id']}", headers=world.h[name]).status_code == 200
    assert_error(complete(pj, joint, "needs_surveyed", completed_on="2025-03-14", survey_id=1), 403, "read_only")
    pj.make.unit(c2)
    sid = survey(pj, c2, headers=world.h["committee2"])
    done(pj, joint, "needs_surveyed", headers=world.h["official"], completed_on="2025-03-14", survey_id=sid)
    listed = pj.client.get("/api/v1/projects", headers=world.h["committee2"]).get_json()
    assert [p["id"] for p in listed] == [joint["id"]]
    assert pj.client.get("/api/v1/projects", headers=world.h["official_other"]).get_json() == []
    # Residents and unknown steps.
    resident = pj.make.headers(pj.make.resident(pj.units[0]))
    assert_error(pj.client.get("/api/v1/projects", headers=resident), 403, "role_forbidden")
    assert_error(complete(pj, project, "demolished", completed_on="2025-03-14"), 404, "step_not_found")


# --- residents ------------------------------------------------------------------------------------------------


def test_residents_follow_their_compounds_works(pj, world):
    api = Documented(pj.client)
    project = create(pj)
    create(pj, compounds=[world.compounds["c2"]], headers=world.h["committee2"], title="和平小区改造")
    done(pj, project, "needs_surveyed", completed_on="2025-03-14", survey_id=survey(pj))
    resident = pj.make.headers(pj.make.resident(pj.units[0], relation="tenant"))
    mine = api("GET", "/api/v1/my/projects", headers=resident)
    assert [p["id"] for p in mine] == [project["id"]]
    assert mine[0]["steps"][0] == {"step": "needs_surveyed", "step_name": "需求调查", "completed_on": "2025-03-14",
                                   "plan_level_name": None, "plan_year": None, "state": "done",
                                   "state_name": "已完成"}  # fmt: skip
    assert [s["state"] for s in mine[0]["steps"]] == ["done", "current"] + ["pending"] * 6
    assert mine[0]["current_step"] == "plan_voted" and "created_by" not in mine[0]
    assert api("GET", "/api/v1/my/projects", headers=pj.make.headers(pj.make.resident())) == []


def test_a_household_sees_what_its_money_went_to(pj, world):
    api = Documented(pj.client)
    project = create(pj)
    pid = project["id"]
    cid = campaign(pj, total=1_000_000)  # four 100 m² flats: 250,000 fen each
    for body in ({"source": "residents", "campaign_id": cid}, {"source": "city_fiscal", "planned_fen": 2_000_000}):
        r = pj.client.post(f"/api/v1/projects/{pid}/funding", json=body, headers=pj.h)
        assert r.status_code == 201, r.get_json()
    fiscal = r.get_json()["sources"][1]["id"]
    arrival = {"amount_fen": 700_000, "arrived_on": "2025-03-10"}
    assert (
        pj.client.post(f"/api/v1/projects/{pid}/funding/{fiscal}/arrivals", json=arrival, headers=pj.h).status_code
        == 201
    )
    pledge(pj, cid, pj.units[0], 250_000)
    pay(pj, cid, pj.units[0], 100_001, "R-1")
    mine = api("GET", "/api/v1/my/projects", headers=pj.make.headers(pj.make.resident(pj.units[0])))[0]
    share = mine["my_money"]
    assert [(m["campaign_id"], m["unit_id"], m["share_fen"], m["pledged_fen"], m["paid_fen"]) for m in share] == [
        (cid, pj.units[0].id, 250_000, 250_000, 100_001)
    ]
    assert [(f["source_name"], f["planned_fen"], f["arrived_fen"]) for f in mine["funding"]] == [
        ("财政专项补助", 2_000_000, 700_000), ("居民出资", 1_000_000, 100_001),
    ]  # fmt: skip
    assert sum(i["planned_fen"] for i in mine["items"]) == mine["planned_investment_fen"]  # what the money is for
    neighbour = api("GET", "/api/v1/my/projects", headers=pj.make.headers(pj.make.resident(pj.units[1])))[0]
    assert [(m["unit_id"], m["paid_fen"]) for m in neighbour["my_money"]] == [(pj.units[1].id, 0)]


# --- races ----------------------------------------------------------------------------------------------------


@pytest.mark.postgres_only
def test_two_completions_at_once_one_wins(app, pj):
    project = create(pj)
    ready_to_apply(pj, project)
    url = f"/api/v1/projects/{project['id']}/steps/applied/complete"
    h = pj.h
    results = race(
        app,
        [lambda c, k=k: c.post(url, json={"completed_on": "2025-03-15", "document_no": f"申报{k}"}, headers=h)
         for k in range(6)],
    )  # fmt: skip
    codes = sorted(status for status, _ in results)
    assert codes == [200] + [409] * 5, results
    assert all(body["code"] == "step_already_completed" for status, body in results if status == 409)
    final = pj.client.get(f"/api/v1/projects/{project['id']}", headers=h).get_json()
    assert final["steps"][3]["completed_on"] == "2025-03-15"
