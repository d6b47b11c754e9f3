"""Votes and ballots through HTTP: lifecycle, every channel, the refusals, corrections, access per role."""

import re
from datetime import timedelta

import pytest

from backend.extensions import db
from backend.roster.models import HouseholdBinding, Unit
from tests.test_votes_kit import assert_error, at, item
from votes.models import Ballot


@pytest.fixture
def units(make, world):
    return make.units(world.compounds["c1"], 6)


# --- creating and publishing ------------------------------------------------------------------------------


def test_create_returns_draft_with_items(kit, units):
    r = kit.create(
        [item("rebuild", "加装电梯"), item("property_manager", "管理模式", ["professional", "quasi"])],
        scope={"building": "1", "entrance": "1"},
    )
    assert r.status_code == 201
    body = r.get_json()
    assert body["status"] == "draft" and body["scope"] == {"building": "1", "entrance": "1"}
    assert [i["options"] for i in body["items"]] == [
        ["agree", "disagree", "abstain"],
        ["professional", "quasi", "abstain"],
    ]
    assert all(isinstance(i["id"], int) for i in body["items"]) and body["electorate"] is None


@pytest.mark.parametrize(
    "change,field",
    [
        ({"items": []}, "items"),
        ({"items": [{"title": "x", "matter": "nonsense"}]}, "items"),
        ({"closes_at": timedelta(minutes=-30)}, "closes_at"),
        ({"opens_at": timedelta(days=2), "closes_at": timedelta(days=1)}, "closes_at"),
        ({"opens_at": "2026-12-01T09:00:00"}, "opens_at"),  # a time without its zone
        ({"scope": {"entrance": "2"}}, "scope"),
        ({"items": [{"title": "x", "matter": "rebuild", "options": ["abstain", "disagree"]}]}, "items"),
    ],
)
def test_create_validation_422(kit, units, change, field):
    # Times in the table are offsets from the server's clock, read when the test runs, not at collection.
    change = {k: at(seconds=v.total_seconds()) if isinstance(v, timedelta) else v for k, v in change.items()}
    r = kit.create(**change)
    assert_error(r, 422, "validation_error")
    assert field in r.get_json()["errors"]["json"]


def test_publish_freezes_electorate_and_opens(kit, units):
    vote = kit.vote()
    assert vote["status"] == "open" and vote["electorate"] == {"units": 6, "owners": 6, "area": "480.00"}
    assert_error(kit.post(vote, "publish"), 409, "vote_not_draft")


def test_publish_future_vote_is_scheduled_and_early_ballot_refused(kit, units):
    vote = kit.vote(opens_at=at(days=20), closes_at=at(days=30))
    assert vote["status"] == "scheduled" and vote["warnings"] == []
    assert_error(kit.paper(vote, units[0], "agree"), 409, "vote_not_open")


def test_short_notice_lead_is_a_warning_not_a_refusal(kit, units):
    vote = kit.vote(opens_at=at(days=3), closes_at=at(days=10))
    assert vote["status"] == "scheduled"
    [warning] = vote["warnings"]
    assert "不足15日" in warning and "撤销" in warning


def test_publish_with_empty_scope_refused(kit, units):
    r = kit.create(scope={"building": "99"})
    assert_error(kit.post(r.get_json(), "publish"), 409, "electorate_empty")


def test_roster_edits_after_publish_do_not_move_the_electorate(kit, units, make):
    vote = kit.vote()
    units[0].area = 500
    make.unit(kit.compound, "1", "1", "999", "100.00")
    db.session.commit()
    assert kit.tally(vote)["electorate"] == {"units": 6, "owners": 6, "area": "480.00"}


# --- ballots: refusals ------------------------------------------------------------------------------------


def test_paper_ballot_returns_receipt(kit, units):
    vote = kit.vote()
    r = kit.paper(vote, units[0], "agree", sheet_no="0173")
    assert r.status_code == 201
    assert re.fullmatch(r"[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{10}", r.get_json()["receipt"])


def test_second_ballot_for_a_unit_refused_whatever_the_channel(kit, units, make):
    vote = kit.vote()
    assert kit.paper(vote, units[0], "agree").status_code == 201
    assert_error(kit.paper(vote, units[0], "agree"), 409, "ballot_exists")
    owner = make.resident(units[0])
    assert_error(kit.resident_ballot(vote, owner, units[0], "agree"), 409, "ballot_exists")
    assert db.session.query(Ballot).filter_by(unit_id=units[0].id).count() == 1


def test_ballot_exists_wins_over_closed_and_inconsistent(kit, make):
    owner = make.owner(kit.compound, names=("李四",), ids=("ID-LS",))
    a, b = (make.unit(kit.compound, "1", "1", room, owner=owner) for room in ("101", "102"))
    vote = kit.vote()
    kit.cast(vote, [a], "agree")
    kit.post(vote, "close")
    assert_error(kit.paper(vote, a, "disagree"), 409, "ballot_exists")
    assert_error(kit.paper(vote, b, "agree"), 409, "vote_closed")


def test_sheet_number_unique_within_vote(kit, units):
    vote = kit.vote()
    assert kit.paper(vote, units[0], "agree", sheet_no="0001").status_code == 201
    assert_error(kit.paper(vote, units[1], "agree", sheet_no="0001"), 409, "sheet_exists")


def test_owner_ballots_must_agree(kit, make):
    owner = make.owner(kit.compound, names=("王五",), ids=("ID-WW",))
    a, b, c = (make.unit(kit.compound, "1", "1", room, owner=owner) for room in ("101", "102", "103"))
    make.units(kit.compound, 2, building="2")
    vote = kit.vote()
    assert vote["electorate"]["owners"] == 3
    kit.cast(vote, [a], "agree")
    assert_error(kit.paper(vote, b, "disagree"), 409, "owner_inconsistent")
    kit.cast(vote, [b], "agree")
    t = kit.item_tally(vote)
    assert t["participation"]["owners"] == 1 and t["participation"]["area"] == "160.00"  # only voting units' area
    assert c  # the third unit has not voted: its area is not counted


def test_late_ballot_refused_on_the_server_clock(kit, units):
    vote = kit.vote()
    kit.end_window(vote)
    assert_error(kit.paper(vote, units[0], "agree"), 409, "vote_closed")
    assert kit.client.get(f"/api/v1/votes/{vote['id']}", headers=kit.h).get_json()["status"] == "closed"


def test_close_early_then_ballots_refused(kit, units):
    vote = kit.vote()
    r = kit.post(vote, "close")
    assert r.status_code == 200 and r.get_json()["status"] == "closed"
    assert_error(kit.paper(vote, units[0], "agree"), 409, "vote_closed")
    assert_error(kit.post(vote, "close"), 409, "vote_closed")
    from backend.audit import entries

    closed = [e for e in entries(f"vote:{vote['id']}") if e.action == "vote_closed"]
    assert closed[0].data["early"] is True


def test_ballot_choice_validation(kit, units):
    vote = kit.vote()
    iid = str(vote["items"][0]["id"])
    r = kit.paper(vote, units[0], choices={iid: "maybe"})
    assert_error(r, 422, "choices_invalid")
    assert iid in r.get_json()["errors"]["json"]["choices"]
    assert_error(kit.paper(vote, units[0], choices={"99999": "agree"}), 422, "choices_invalid")
    r = kit.client.post(f"/api/v1/votes/{vote['id']}/paper-ballots", json={"choices": {}}, headers=kit.h)
    assert_error(r, 422, "validation_error")
    r = kit.paper(vote, units[0], "agree", proxy_name="赵六")  # a proxy needs its written authorisation
    assert_error(r, 422, "validation_error")


# --- residents --------------------------------------------------------------------------------------------


def test_resident_online_ballot_and_my_votes(kit, units, make, client):
    vote = kit.vote([item("rebuild"), item("fund_use")])
    draft = kit.create().get_json()
    resident = make.resident(units[0], units[1], name="业主本人")
    h = make.headers(resident)
    mine = client.get("/api/v1/my/votes", headers=h)
    assert mine.status_code == 200 and mine.headers["X-Total-Count"] == "1"
    [v] = mine.get_json()
    assert set(v) == {
        "id",
        "title",
        "description",
        "status",
        "status_name",
        "opens_at",
        "closes_at",
        "compound",
        "scope",
        "scope_text",
        "items",
        "units",
    }  # no staff figures (electorate, counts, warnings)
    assert v["compound"] == {"id": kit.compound.id, "name": "幸福里小区"} and v["status"] == "open"
    assert v["status_name"] == "投票中" and v["scope_text"] == "全体业主"
    assert set(v["items"][0]) == {"id", "title", "matter", "matter_name", "options", "option_labels"}
    assert v["units"] == [
        {"unit_id": units[0].id, "label": "1号楼1单元101室", "voted": False, "receipt": None},
        {"unit_id": units[1].id, "label": "1号楼1单元102室", "voted": False, "receipt": None},
    ]
    partial = {str(vote["items"][0]["id"]): "agree"}
    r = client.post(f"/api/v1/votes/{vote['id']}/ballots", json={"unit_id": units[0].id, "choices": partial}, headers=h)
    assert_error(r, 422, "choices_invalid")  # online ballots answer every item
    r = kit.resident_ballot(vote, resident, units[0], "agree")
    assert r.status_code == 201
    receipt = r.get_json()["receipt"]
    detail = client.get(f"/api/v1/votes/{vote['id']}", headers=h).get_json()
    assert detail["units"][0] == {"unit_id": units[0].id, "label": "1号楼1单元101室", "voted": True, "receipt": receipt}
    assert "electorate" not in detail and "warnings" not in detail
    assert_error(client.get(f"/api/v1/votes/{draft['id']}", headers=h), 404, "vote_not_found")
    stored = db.session.query(Ballot).filter_by(unit_id=units[0].id).one()
    assert stored.channel == "online" and stored.resident_id == resident.id


def test_co_owners_share_one_ballot(kit, units, make):
    vote = kit.vote()
    first, second = make.resident(units[0], name="甲"), make.resident(units[0], name="乙")
    assert kit.resident_ballot(vote, first, units[0], "agree").status_code == 201
    assert_error(kit.resident_ballot(vote, second, units[0], "disagree"), 409, "ballot_exists")
    seen = kit.client.get("/api/v1/my/votes", headers=kit.make.headers(second)).get_json()[0]["units"][0]
    assert seen["voted"] is True


def test_tenant_and_stranger_cannot_vote(kit, units, make):
    vote = kit.vote()
    tenant = make.resident(units[0], relation="tenant")
    # A tenant votes for no unit, so to them the vote is not there at all (as in /my/votes).
    assert_error(kit.resident_ballot(vote, tenant, units[0], "agree"), 404, "vote_not_found")
    owner = make.resident(units[1])
    assert_error(kit.resident_ballot(vote, owner, units[0], "agree"), 403, "unit_not_bound")


def test_proxy_ballot_online_records_name_and_evidence(kit, units, make):
    vote = kit.vote()
    proxy = make.resident(units[0], relation="proxy", name="委托人赵六")
    binding = db.session.query(HouseholdBinding).filter_by(resident_id=proxy.id).one()
    binding.proxy_evidence = "委托书2026-017"
    db.session.commit()
    assert kit.resident_ballot(vote, proxy, units[0], "agree").status_code == 201
    ballot = db.session.query(Ballot).filter_by(unit_id=units[0].id).one()
    assert (ballot.channel, ballot.proxy_name, ballot.evidence) == ("proxy", "委托人赵六", "委托书2026-017")


def test_paper_proxy_ballot(kit, units):
    vote = kit.vote()
    r = kit.paper(vote, units[0], "agree", proxy_name="孙七", evidence="授权委托书第3号", sheet_no="0002")
    assert r.status_code == 201
    ballot = db.session.query(Ballot).filter_by(unit_id=units[0].id).one()
    assert (ballot.channel, ballot.proxy_name, ballot.sheet_no) == ("proxy", "孙七", "0002")


def test_unit_sold_mid_vote(kit, units, make):
    vote = kit.vote()
    seller = make.resident(units[0], name="原业主")
    assert kit.resident_ballot(vote, seller, units[0], "agree").status_code == 201
    # Both units change hands after publishing: the new owners are bound now, the frozen electorate stays.
    new_owner = make.owner(kit.compound, names=("新业主",), ids=("ID-NEW",))
    for u in units[:2]:
        db.session.get(Unit, u.id).owner_id = new_owner.id
    db.session.commit()
    buyer = make.resident(units[0], units[1], name="新业主")
    assert_error(kit.resident_ballot(vote, buyer, units[0], "disagree"), 409, "ballot_exists")  # cast before: stands
    assert kit.resident_ballot(vote, buyer, units[1], "disagree").status_code == 201  # not yet cast: theirs
    t = kit.tally(vote)
    assert t["electorate"] == {"units": 6, "owners": 6, "area": "480.00"}
    assert t["items"][0]["participation"]["owners"] == 2  # frozen owners: two, not the buyer once


# --- confirmation and corrections -------------------------------------------------------------------------


def test_second_person_confirmation(kit, units, make, world):
    vote = kit.vote(require_confirmation=True)
    r = kit.paper(vote, units[0], "agree")
    ballot_id = r.get_json()["ballot_id"]
    pending = kit.client.get(f"/api/v1/votes/{vote['id']}/ballots?pending=true", headers=kit.h)
    assert [b["id"] for b in pending.get_json()] == [ballot_id]
    confirm = f"/api/v1/votes/{vote['id']}/ballots/{ballot_id}/confirm"
    assert_error(kit.client.post(confirm, headers=kit.h), 409, "confirm_by_other")
    kit.post(vote, "close")
    assert_error(kit.post(vote, "announce"), 409, "ballots_unconfirmed")
    other = make.headers(make.user("committee_b", "committee", world.c1))
    r = kit.client.post(confirm, headers=other)
    assert r.status_code == 200 and r.get_json()["confirmed"] is True
    assert kit.item_tally(vote)["participation"]["owners"] == 1
    assert_error(kit.client.post(confirm, headers=other), 409, "ballot_not_pending")


def test_correction_keeps_old_ballot_with_reason_and_audit(kit, make):
    owner = make.owner(kit.compound, names=("周八",), ids=("ID-ZB",))
    a, b = (make.unit(kit.compound, "1", "1", room, owner=owner) for room in ("101", "102"))
    vote = kit.vote()
    kit.cast(vote, [a, b], "disagree")
    first = db.session.query(Ballot).filter_by(unit_id=a.id).one()
    url = f"/api/v1/votes/{vote['id']}/ballots/{first.id}/correct"
    choices = {str(vote["items"][0]["id"]): "agree"}
    assert_error(kit.client.post(url, json={"choices": choices}, headers=kit.h), 422, "validation_error")
    r = kit.client.post(url, json={"choices": choices, "reason": "录入时勾选错误，按原始选票更正"}, headers=kit.h)
    assert r.status_code == 201
    rows = db.session.query(Ballot).filter_by(vote_id=vote["id"]).order_by(Ballot.id).all()
    assert len(rows) == 4 and sum(r.superseded_at is None for r in rows) == 2  # both of the owner's units corrected
    assert kit.item_tally(vote)["options"]["agree"]["owners"] == 1
    from backend.audit import entries

    corrected = [e.data for e in entries(f"vote:{vote['id']}") if e.action == "ballot_corrected"]
    assert len(corrected) == 2 and corrected[0]["old_choices"] == {choices and next(iter(choices)): "disagree"}
    assert_error(
        kit.client.post(url, json={"choices": choices, "reason": "再次更正"}, headers=kit.h), 409, "ballot_superseded"
    )


# --- chasing participation and paper stacks ---------------------------------------------------------------


def test_progress_shows_units_not_voted_and_still_needed(kit, make):
    singles = make.units(kit.compound, 4, area="60.00", building="1")
    others = make.units(kit.compound, 2, area="90.00", building="2")
    vote = kit.vote()  # 6 owners, 420.00 m²: 2/3 is 4 owners and 280.00 m²
    kit.cast(vote, singles[:2] + others[:1], "agree")
    r = kit.client.get(f"/api/v1/votes/{vote['id']}/progress", headers=kit.h)
    assert r.status_code == 200
    body = r.get_json()
    assert body["still_needed"] == {"owners": 1, "area": "70.00", "message": "还差 1 户、70.00 平方米"}
    b1, b2 = body["buildings"]
    assert (b1["building"], b1["units"], b1["voted"]) == ("1", 4, 2)
    assert [u["label"] for u in b1["not_voted"]] == ["1号楼1单元201室", "1号楼1单元202室"]
    assert [u["room"] for u in b2["not_voted"]] == ["102"]
    kit.cast(vote, others[1:], "agree")
    body = kit.client.get(f"/api/v1/votes/{vote['id']}/progress", headers=kit.h).get_json()
    assert body["still_needed"]["owners"] == 0 and body["still_needed"]["area"] == "0.00"


def test_bulk_paper_entry_and_sheet_reconciliation(kit, units):
    vote = kit.vote()
    iid = str(vote["items"][0]["id"])
    url = f"/api/v1/votes/{vote['id']}/sheets"
    r = kit.client.post(url, json={"sheet_nos": ["0001", "0002", "0003", "0004"]}, headers=kit.h)
    assert r.status_code == 200 and r.get_json()["issued"] == 4
    sheets = [
        {"building": "1", "entrance": "1", "room": "101", "sheet_no": "0001", "choices": {iid: "agree"}},
        {"building": "1", "room": "102", "sheet_no": "0002", "choices": {iid: "disagree"}},
        {"building": "1", "room": "101", "sheet_no": "0003", "choices": {iid: "agree"}},  # room entered twice
        {"building": "7", "room": "101", "sheet_no": "0004", "choices": {iid: "agree"}},  # not in scope
        {"building": "1", "room": "201", "sheet_no": "0099", "choices": {}},
    ]  # never issued
    r = kit.client.post(f"/api/v1/votes/{vote['id']}/paper-ballots/bulk", json={"sheets": sheets}, headers=kit.h)
    assert r.status_code == 200
    body = r.get_json()
    assert (body["entered"], body["refused"]) == (3, 2)
    assert [x.get("code") for x in body["results"]] == [None, None, "ballot_exists", "unit_not_in_electorate", None]
    assert kit.client.get(url, headers=kit.h).get_json() == {
        "issued": 4,
        "returned": 2,
        "void": 0,
        "voided": [],
        "outstanding": ["0003", "0004"],
        "not_issued": ["0099"],
    }
    assert_error(kit.client.post(url, json={"sheet_nos": ["0001"]}, headers=kit.h), 409, "sheet_already_issued")


# --- access per role --------------------------------------------------------------------------------------


def test_access_order_401_403_404_422(kit, units, client, world):
    vote = kit.vote()
    url = f"/api/v1/votes/{vote['id']}/paper-ballots"
    assert_error(client.post(url, json={}), 401, "unauthorized")
    assert_error(client.post(url, json={}, headers=world.h["committee2"]), 403, "outside_jurisdiction")
    assert_error(client.post(url, json={}, headers=world.h["official"]), 403, "role_forbidden")
    assert_error(client.post("/api/v1/votes/9999/paper-ballots", json={}, headers=kit.h), 404, "vote_not_found")
    assert_error(client.post(url, json={}, headers=kit.h), 422, "validation_error")
    r = kit.create(headers=world.h["committee2"], items=[])
    assert_error(r, 403, "outside_jurisdiction")  # jurisdiction is checked before the body


def test_official_reads_region_but_cannot_manage(kit, units, client, world):
    vote = kit.vote()
    assert client.get(f"/api/v1/votes/{vote['id']}/tally", headers=world.h["official"]).status_code == 200
    assert client.get(f"/api/v1/votes/{vote['id']}/tally", headers=world.h["official_other"]).status_code == 403
    listed = client.get("/api/v1/votes", headers=world.h["official"])
    assert listed.headers["X-Total-Count"] == "1" and listed.get_json()[0]["participation"]["owners"] == 0
    assert client.get("/api/v1/votes", headers=world.h["committee2"]).get_json() == []
    assert_error(client.post(f"/api/v1/votes/{vote['id']}/close", headers=world.h["official"]), 403, "role_forbidden")


def test_committee_lists_votes_with_live_participation(kit, units):
    vote = kit.vote()
    kit.create(title="草稿")
    kit.cast(vote, units[:3], "agree")
    r = kit.client.get(f"/api/v1/compounds/{kit.compound.id}/votes", headers=kit.h)
    assert r.headers["X-Total-Count"] == "2"
    listed = {v["title"]: v for v in r.get_json()}
    assert listed["测试表决"]["participation"]["owners"] == 3 and listed["测试表决"]["counts"]["ballots"] == 3
    assert listed["草稿"]["status"] == "draft" and listed["草稿"]["participation"] is None
    r = kit.client.get(f"/api/v1/compounds/{kit.compound.id}/votes?status=draft", headers=kit.h)
    assert [v["title"] for v in r.get_json()] == ["草稿"]


def test_vote_endpoints_documented(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in (
        "/api/v1/compounds/{compound_id}/votes",
        "/api/v1/votes/{vote_id}/publish",
        "/api/v1/votes/{vote_id}/paper-ballots",
        "/api/v1/votes/{vote_id}/ballots",
        "/api/v1/my/votes",
        "/api/v1/votes/{vote_id}/tally",
        "/api/v1/votes/{vote_id}/result",
        "/api/v1/reports/consent-rates",
    ):
        assert path in paths, path
    assert "requestBody" in paths["/api/v1/votes/{vote_id}/paper-ballots"]["post"]
