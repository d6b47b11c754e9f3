"""Correcting a project's money (issue 13 §2), through HTTP on SQLite and PostgreSQL: an arrival booked wrongly is
reversed with a reason — never edited, once only, also by the department that books that source — and a source's
planned amount is revised with a reason, its history kept; the refusals by role and jurisdiction; two people
reversing (or revising) at once, one wins."""

import pytest

from backend.audit import AuditEntry
from backend.extensions import db
from tests import test_projects
from tests.test_declared_outputs import Documented
from tests.test_projects import campaign, create, department_user
from tests.test_votes_concurrency import race
from tests.test_votes_kit import assert_error

FUNDING = "/api/v1/projects/{project_id}/funding"
ARRIVALS = FUNDING + "/{funding_id}/arrivals"
REVISE = FUNDING + "/{funding_id}"
pj = test_projects.pj  # the fixture: community 1's compound with four flats, driven by its committee


def central_source(pj, planned=1_000_000):
    project = create(pj)
    r = pj.client.post(FUNDING.format(project_id=project["id"]), json={"source": "central_provincial",
                       "planned_fen": planned}, headers=pj.h)  # fmt: skip
    assert r.status_code == 201, r.get_json()
    return project["id"], r.get_json()["sources"][0]["id"]


def post(pj, pid, fid, body, headers=None):
    return pj.client.post(ARRIVALS.format(project_id=pid, funding_id=fid), json=body, headers=headers or pj.h)


def arrive(pj, pid, fid, amount, headers=None):
    r = post(pj, pid, fid, {"amount_fen": amount, "arrived_on": "2025-03-10", "document_no": "到账"}, headers)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["sources"][0]["arrivals"][-1]["id"]


def undo(entry_id, reason="金额录错", **more):
    return {"kind": "reversal", "reverses": entry_id, "reason": reason, **more}


def test_a_wrong_arrival_is_reversed_with_its_reason_and_counts_no_more(pj, world):
    api = Documented(pj.client)
    pid, fid = central_source(pj)
    wrong = arrive(pj, pid, fid, 300_000)
    arrive(pj, pid, fid, 250_001)
    body = api("POST", ARRIVALS, 201, project_id=pid, funding_id=fid, json=undo(wrong), headers=pj.h)
    row = body["sources"][0]
    assert (row["arrived_fen"], row["gap_fen"], row["arrived_share"]) == (250_001, 749_999, 0.25)
    assert body["arrived_fen"] == 250_001 and body["gap_fen"] == 749_999
    first, second, reversal = row["arrivals"]
    # What the desk prints and offers, decided here: the reversal counts negative, only the untouched arrival reverses.
    assert [(e["signed_fen"], e["reversible"]) for e in row["arrivals"]] == [
        (300_000, False), (250_001, True), (-300_000, False)
    ]  # fmt: skip
    assert (first["kind"], first["reversed"], second["reversed"]) == ("arrival", True, False)
    assert {k: reversal[k] for k in ("kind", "kind_name", "amount_fen", "reverses_id", "reason", "arrived_on")} == {
        "kind": "reversal", "kind_name": "冲正", "amount_fen": 300_000, "reverses_id": wrong, "reason": "金额录错",
        "arrived_on": "2025-03-14",  # the day it was made: the clock's today
    }  # fmt: skip
    # The arrival itself is untouched, and the reversal is in the project's audit chain.
    assert first["amount_fen"] == 300_000 and first["arrived_on"] == "2025-03-10"
    logged = db.session.query(AuditEntry).filter_by(chain=f"project:{pid}", action="project_arrival_reversed").all()
    assert [e.data["reverses_id"] for e in logged] == [wrong]
    # Once only; a reversal is not reversed; nothing of another source; a reason and no amount.
    assert_error(post(pj, pid, fid, undo(wrong)), 409, "entry_already_reversed")
    assert_error(post(pj, pid, fid, undo(reversal["id"])), 422, "entry_not_reversible")
    assert_error(post(pj, pid, fid, undo(999_999)), 404, "entry_not_found")
    assert_error(post(pj, pid, fid, {"kind": "reversal", "reverses": second["id"]}), 422, "validation_error")
    assert_error(post(pj, pid, fid, undo(second["id"], amount_fen=5)), 422, "validation_error")
    assert_error(post(pj, pid, fid, undo(second["id"], arrived_on="2025-03-15")), 422, "date_in_future")
    other = pj.client.post(FUNDING.format(project_id=pid), json={"source": "city_fiscal", "planned_fen": 5},
                           headers=pj.h).get_json()["sources"][1]["id"]  # fmt: skip
    assert_error(post(pj, pid, other, undo(second["id"])), 404, "entry_not_found")
    # Officials reading the project see what is left.
    figures = pj.client.get(f"/api/v1/projects/{pid}/funding", headers=world.h["official"]).get_json()
    assert figures["arrived_fen"] == 250_001


def test_who_may_reverse_an_arrival(pj, world):
    pid, fid = central_source(pj)
    finance = department_user(pj.make, "finance", "finance", world.street)
    housing = department_user(pj.make, "housing", "housing", world.street)
    booked = arrive(pj, pid, fid, 100, headers=finance.h)
    assert_error(post(pj, pid, fid, undo(booked), headers=housing.h), 403, "funding_not_yours")
    assert_error(post(pj, pid, fid, undo(booked), headers=world.h["committee2"]), 403, "outside_jurisdiction")
    assert_error(post(pj, pid, fid, undo(booked), headers=world.h["official_other"]), 403, "outside_jurisdiction")
    resident = pj.make.headers(pj.make.resident(pj.units[0]))
    assert_error(post(pj, pid, fid, undo(booked), headers=resident), 403, "role_forbidden")
    assert post(pj, pid, fid, undo(booked), headers=finance.h).status_code == 201  # the department booking 中省
    # Residents' co-funding arrives (and is corrected) in its campaign.
    cid = campaign(pj)
    rows = pj.client.post(FUNDING.format(project_id=pid), json={"source": "residents", "campaign_id": cid},
                          headers=pj.h).get_json()["sources"]  # fmt: skip
    assert_error(post(pj, pid, rows[-1]["id"], undo(booked)), 409, "residents_arrive_by_campaign")


def test_a_planned_amount_is_revised_with_its_reason_and_history(pj, world):
    api = Documented(pj.client)
    pid, fid = central_source(pj, planned=1_000_000)
    arrive(pj, pid, fid, 600_000)
    body = api("PATCH", REVISE, 200, project_id=pid, funding_id=fid, headers=pj.h,
               json={"planned_before_fen": 1_000_000, "planned_fen": 800_001, "reason": "中省补助下达文件调减"})  # fmt: skip
    row = body["sources"][0]
    assert (row["planned_fen"], row["arrived_fen"], row["gap_fen"]) == (800_001, 600_000, 200_001)
    assert body["planned_fen"] == 800_001
    body = api("PATCH", REVISE, 200, project_id=pid, funding_id=fid, headers=world.h["official"],
               json={"planned_before_fen": 800_001, "planned_fen": 500_000, "reason": "再次调减"})  # fmt: skip
    row = body["sources"][0]
    assert (row["planned_fen"], row["gap_fen"]) == (500_000, 0)  # arrived beyond the plan: no gap
    assert [(r["planned_before_fen"], r["planned_fen"], r["reason"]) for r in row["revisions"]] == [
        (1_000_000, 800_001, "中省补助下达文件调减"),
        (800_001, 500_000, "再次调减"),
    ]
    logged = db.session.query(AuditEntry).filter_by(chain=f"project:{pid}", action="project_funding_revised").count()
    assert logged == 2

    def revise(body, headers=None):
        return pj.client.patch(REVISE.format(project_id=pid, funding_id=fid), json=body, headers=headers or pj.h)

    stale = {"planned_before_fen": 800_001, "planned_fen": 1, "reason": "看的是旧数"}
    assert_error(revise(stale), 409, "planned_changed")
    assert_error(revise({"planned_before_fen": 500_000, "planned_fen": 500_000, "reason": "同"}), 422,
                 "planned_unchanged")  # fmt: skip
    assert_error(revise({"planned_before_fen": 500_000, "planned_fen": 1}), 422, "validation_error")  # no reason
    assert_error(revise({"planned_before_fen": 500_000, "planned_fen": -1, "reason": "负"}), 422, "validation_error")
    # Only the project's managers: not a department (it books arrivals, not the plan), not another region.
    fresh = {"planned_before_fen": 500_000, "planned_fen": 1, "reason": "试"}
    finance = department_user(pj.make, "finance", "finance", world.street)
    assert_error(revise(fresh, finance.h), 403, "role_forbidden")
    assert_error(revise(fresh, world.h["committee2"]), 403, "outside_jurisdiction")
    assert_error(revise(fresh, world.h["official_other"]), 403, "outside_jurisdiction")
    assert_error(revise(fresh, pj.make.headers(pj.make.resident(pj.units[0]))), 403, "role_forbidden")
    cid = campaign(pj)
    rows = pj.client.post(FUNDING.format(project_id=pid), json={"source": "residents", "campaign_id": cid},
                          headers=pj.h).get_json()["sources"]  # fmt: skip
    r = pj.client.patch(REVISE.format(project_id=pid, funding_id=rows[-1]["id"]), json=fresh, headers=pj.h)
    assert_error(r, 409, "residents_planned_by_campaign")
    assert_error(pj.client.patch(REVISE.format(project_id=pid, funding_id=999_999), json=fresh, headers=pj.h), 404,
                 "funding_not_found")  # fmt: skip


@pytest.mark.postgres_only
def test_two_reverse_one_arrival_at_once_one_wins(app, pj):
    pid, fid = central_source(pj)
    booked = arrive(pj, pid, fid, 300_000)
    url, h = ARRIVALS.format(project_id=pid, funding_id=fid), pj.h
    results = race(app, [lambda c, k=k: c.post(url, json=undo(booked, f"录错{k}"), headers=h) for k in range(4)])
    assert sorted(s for s, _ in results) == [201, 409, 409, 409], results
    assert {b["code"] for s, b in results if s == 409} == {"entry_already_reversed"}
    final = pj.client.get(FUNDING.format(project_id=pid), headers=h).get_json()
    assert final["arrived_fen"] == 0 and len(final["sources"][0]["arrivals"]) == 2
    # Two revisions of the same figure at once: one wins, the other was looking at a figure now gone.
    url = REVISE.format(project_id=pid, funding_id=fid)
    bodies = [{"planned_before_fen": 1_000_000, "planned_fen": p, "reason": "调整"} for p in (900_000, 800_000)]
    results = race(app, [lambda c, b=b: c.patch(url, json=b, headers=h) for b in bodies])
    assert sorted(s for s, _ in results) == [200, 409], results
    final = pj.client.get(FUNDING.format(project_id=pid), headers=h).get_json()
    assert len(final["sources"][0]["revisions"]) == 1


def test_a_fraction_of_a_fen_or_a_blank_reason_is_refused_not_cut(pj):
    """Money is exact: 1234.56 fen is a mistake to show, not 1234 to store; a reason of spaces is no reason."""
    pid, fid = central_source(pj)
    revise = REVISE.format(project_id=pid, funding_id=fid)
    body = {"planned_before_fen": 1_000_000, "planned_fen": 1234.56, "reason": "调减"}
    r = pj.client.patch(revise, json=body, headers=pj.h)
    assert_error(r, 422, "validation_error")
    assert "planned_fen" in r.get_json()["errors"]["json"]
    r = post(pj, pid, fid, {"amount_fen": 99.9, "arrived_on": "2025-03-10"})
    assert_error(r, 422, "validation_error")
    wrong = arrive(pj, pid, fid, 300_000)
    for blank in ("   ", "\u3000"):
        r = post(pj, pid, fid, undo(wrong, reason=blank))
        assert_error(r, 422, "validation_error")
        assert r.get_json()["errors"]["json"]["reason"] == ["请填写（不超过255个字）"]
        r = pj.client.patch(revise, json={**body, "planned_fen": 900_000, "reason": blank}, headers=pj.h)
        assert_error(r, 422, "validation_error")
    assert (
        post(pj, pid, fid, undo(wrong, reason="  录错  ")).get_json()["sources"][0]["arrivals"][-1]["reason"] == "录错"
    )
