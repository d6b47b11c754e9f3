"""Property management (DOMAIN.md §7): the record and its history, and the owners' choice walked end to end —
a vote among the models with the proposed fees, an announced winner setting the model, no winner changing nothing."""

import pytest

from tests.test_votes_kit import assert_error, at

PROPOSALS = [
    {"model": "professional", "fee_fen_per_m2_month": 120},
    {"model": "quasi", "fee_fen_per_m2_month": 50},
    {"model": "self_managed", "fee_fen_per_m2_month": 30},
]


def url(kit, suffix="", compound=None):
    return f"/api/v1/compounds/{(compound or kit.compound).id}/management{suffix}"


def record(kit, version=0, headers=None, **fields):
    body = {"version": version, "model": "none", "basis": "街道摸底登记", **fields}
    return kit.client.put(url(kit), json=body, headers=headers or kit.h)


def choose(kit, **extra):
    body = {"title": "物业管理模式选择", "opens_at": at(minutes=-1), "closes_at": at(days=1), "proposals": PROPOSALS}
    r = kit.client.post(url(kit, "/choices"), json={**body, **extra}, headers=kit.h)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def publish(kit, vote_id):
    r = kit.client.post(f"/api/v1/votes/{vote_id}/publish", headers=kit.h)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def close_and_announce(kit, vote):
    kit.end_window(vote)
    assert kit.post(vote, "close").status_code == 200
    r = kit.post(vote, "announce")
    assert r.status_code == 200, r.get_json()


def test_a_compound_never_recorded_is_unmanaged(kit):
    r = kit.client.get(url(kit), headers=kit.h)
    assert r.status_code == 200
    body = r.get_json()
    assert body["model"] == "none" and body["model_name"] == "尚未选择"
    assert body["unmanaged"] is True and body["version"] == 0 and body["responsible_party"] is None


def test_record_keeps_history_and_refuses_a_stale_version(kit, world):
    r = record(kit, rights_holder="enterprise_bankrupt", basis="原产权单位破产，无人管理")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["unmanaged"] and r.get_json()["rights_holder_name"] == "破产企业"
    r = record(
        kit,
        version=1,
        model="quasi",
        rights_holder="enterprise_bankrupt",
        responsible_party="幸福里社区居委会",
        fee_fen_per_m2_month=50,
        basis="街道安排社区准物业",
        effective_from="2025-03-01",
    )
    body = r.get_json()
    assert r.status_code == 200 and body["version"] == 2 and not body["unmanaged"]
    assert body["model_name"] == "社区准物业" and body["fee_fen_per_m2_month"] == 50
    assert_error(record(kit, version=1, model="professional"), 409, "management_changed")
    history = kit.client.get(url(kit, "/history"), headers=world.h["official"]).get_json()
    assert [(h["version"], h["model"], h["basis"]) for h in history] == [
        (2, "quasi", "街道安排社区准物业"),
        (1, "none", "原产权单位破产，无人管理"),
    ]
    assert history[0]["changed_by"].startswith("committee:") and history[0]["effective_from"] == "2025-03-01"


def test_record_validation_and_refusals(kit, world):
    assert_error(record(kit, model="shared"), 422, "validation_error")
    assert_error(record(kit, model="quasi", fee_fen_per_m2_month=-1), 422, "validation_error")
    assert_error(
        record(kit, model="quasi", contract_start="2026-01-01", contract_end="2025-01-01"), 422, "contract_period"
    )
    assert_error(record(kit, headers=world.h["committee2"]), 403, "outside_jurisdiction")
    assert_error(record(kit, headers=world.h["official"]), 403, "role_forbidden")
    assert_error(kit.client.get(url(kit), headers=world.h["official_other"]), 403, "outside_jurisdiction")
    assert_error(kit.client.put(url(kit), json={"model": "none"}, headers=kit.h), 422, "validation_error")


def test_the_choice_walk_sets_the_model_from_the_announced_winner(kit, make, world):
    units = make.units(kit.compound, 6)
    choice = choose(kit)
    vote = publish(kit, choice["vote_id"])
    labels = [vote["items"][0]["option_labels"][code] for code in vote["items"][0]["options"]]
    assert labels[:3] == [
        "专业物业公司（每月每平方米¥1.20）",
        "社区准物业（每月每平方米¥0.50）",
        "业主自治（每月每平方米¥0.30）",
    ]
    kit.cast(vote, units[:5], "quasi")
    kit.cast(vote, units[5:], "professional")
    close_and_announce(kit, vote)
    body = kit.client.get(url(kit), headers=kit.h).get_json()
    assert body["model"] == "quasi" and body["fee_fen_per_m2_month"] == 50
    assert body["vote_item_id"] == choice["vote_item_id"] and body["effective_from"] == "2025-03-15"
    assert body["responsible_party"] == "幸福里社区（社区准物业）" and not body["unmanaged"]
    assert "社区准物业胜出" in body["basis"]
    choices = kit.client.get(url(kit, "/choices"), headers=kit.h).get_json()
    assert choices[0]["applied"] is True and choices[0]["proposals"][1]["model_name"] == "社区准物业"
    history = kit.client.get(url(kit, "/history"), headers=kit.h).get_json()
    assert len(history) == 1 and history[0]["vote_item_id"] == choice["vote_item_id"]


def test_no_winner_leaves_the_model_unchanged(kit, make):
    units = make.units(kit.compound, 6)
    assert record(kit, model="self_managed", responsible_party="业主委员会").status_code == 200
    vote = publish(kit, choose(kit)["vote_id"])
    kit.cast(vote, units[:3], "quasi")  # participation below two thirds: nothing is decided
    close_and_announce(kit, vote)
    body = kit.client.get(url(kit), headers=kit.h).get_json()
    assert body["model"] == "self_managed" and body["version"] == 1
    assert kit.client.get(url(kit, "/choices"), headers=kit.h).get_json()[0]["applied"] is False


def test_a_residents_view(kit, make, world):
    units = make.units(kit.compound, 2)
    tenant = make.resident(units[0], relation="tenant")
    record(
        kit,
        model="professional",
        provider_name="安居物业",
        provider_contact="029-88886666",
        responsible_party="安居物业",
        fee_fen_per_m2_month=120,
    )
    r = kit.client.get("/api/v1/my/management", headers=make.headers(tenant))
    assert r.status_code == 200
    [mine] = r.get_json()
    assert mine["compound"]["name"] == "幸福里小区" and mine["provider_contact"] == "029-88886666"
    assert "updated_by" not in mine
    stranger = make.resident()
    assert kit.client.get("/api/v1/my/management", headers=make.headers(stranger)).get_json() == []


def test_choice_needs_two_distinct_models(kit, world):
    body = {"title": "t", "opens_at": at(minutes=-1), "closes_at": at(days=1)}
    for proposals in ([PROPOSALS[0]], [PROPOSALS[0], PROPOSALS[0]], [PROPOSALS[0], {"model": "none"}]):
        r = kit.client.post(url(kit, "/choices"), json={**body, "proposals": proposals}, headers=kit.h)
        assert_error(r, 422, "validation_error")
    r = kit.client.post(url(kit, "/choices"), json={**body, "proposals": PROPOSALS}, headers=world.h["committee2"])
    assert_error(r, 403, "outside_jurisdiction")


@pytest.mark.postgres_only
@pytest.mark.parametrize("first", [True, False])
def test_clerks_recording_at_once_one_wins(app, kit, first):
    from tests.test_votes_concurrency import race

    version = 0 if first else 1
    if not first:
        assert record(kit, model="quasi", responsible_party="居委会").status_code == 200
    body = {"version": version, "model": "self_managed", "responsible_party": "业主委员会"}
    path = url(kit)  # read before the race: the threads share no session with the test
    requests = [lambda c, n=n: c.put(path, json={**body, "basis": f"第{n}位"}, headers=kit.h) for n in range(4)]
    results = race(app, requests)
    assert sorted(status for status, _ in results) == [200, 409, 409, 409], results
    assert {b["code"] for status, b in results if status == 409} == {"management_changed"}
    history = kit.client.get(path + "/history", headers=kit.h).get_json()
    assert [h["version"] for h in history] == list(range(version + 1, 0, -1))


def test_outputs_are_declared(client, kit, make, world):
    from tests.test_declared_outputs import Documented

    api, cid, h = Documented(client), kit.compound.id, kit.h
    resident = make.resident(make.unit(kit.compound))
    api("GET", "/api/v1/compounds/{compound_id}/management", compound_id=cid, headers=h)
    body = {"version": 0, "model": "quasi", "responsible_party": "居委会", "basis": "登记", "fee_fen_per_m2_month": 50}
    api("PUT", "/api/v1/compounds/{compound_id}/management", compound_id=cid, headers=h, json=body)
    api("GET", "/api/v1/compounds/{compound_id}/management/history", compound_id=cid, headers=h)
    choice = {"title": "选择", "opens_at": at(minutes=-1), "closes_at": at(days=1), "proposals": PROPOSALS}
    api("POST", "/api/v1/compounds/{compound_id}/management/choices", 201, compound_id=cid, headers=h, json=choice)
    api("GET", "/api/v1/compounds/{compound_id}/management/choices", compound_id=cid, headers=h)
    api("GET", "/api/v1/my/management", headers=make.headers(resident))


def management_survey(kit, units, answers):
    """Step (a): the property_management template, answered on paper by ``answers`` (model, fee band) per unit."""
    r = kit.client.post(
        f"/api/v1/compounds/{kit.compound.id}/surveys",
        json={
            "template": "property_management",
            "title": "物业方式调查",
            "opens_at": at(minutes=-5),
            "closes_at": at(days=3),
        },
        headers=kit.h,
    )
    assert r.status_code == 201, r.get_json()
    sid = r.get_json()["id"]
    assert kit.client.post(f"/api/v1/surveys/{sid}/publish", headers=kit.h).status_code == 200
    for unit, (model, fee) in zip(units, answers, strict=False):
        body = {"unit_id": unit.id, "answers": {"satisfaction": 2, "model": model, "fee": fee}}
        r = kit.client.post(f"/api/v1/surveys/{sid}/paper-responses", json=body, headers=kit.h)
        assert r.status_code == 201, r.get_json()
    return sid


def test_survey_prefills_the_vote_and_the_winner_sets_the_model(kit, make, world):
    units = make.units(kit.compound, 9)
    answers = [
        ("quasi", "0_3_0_6"),
        ("quasi", "up_to_0_3"),
        ("quasi", "0_6_1_0"),
        ("quasi", "0_3_0_6"),
        ("professional", "over_1_0"),
        ("professional", "0_6_1_0"),
        ("self_managed", "up_to_0_3"),
    ]
    sid = management_survey(kit, units, answers)
    r = kit.client.get(url(kit, "/proposal"), query_string={"survey_id": sid}, headers=kit.h)
    assert r.status_code == 200, r.get_json()
    proposal = r.get_json()
    assert proposal["responses"] == 7
    # quasi: bands 60, 30, 100, 60 → the 2nd highest of 4 (half accept it or more) is 60 fen;
    # professional: 100, 100 → 100; self_managed: 30.
    assert [(m["model"], m["count"], m["share"], m["fee_fen_per_m2_month"]) for m in proposal["models"]] == [
        ("quasi", 4, 0.5714, 60),
        ("professional", 2, 0.2857, 100),
        ("self_managed", 1, 0.1429, 30),
    ]
    picked = [{"model": m["model"], "fee_fen_per_m2_month": m["fee_fen_per_m2_month"]} for m in proposal["models"]]
    choice = choose(kit, survey_id=sid, proposals=picked)
    assert choice["survey_id"] == sid
    vote = publish(kit, choice["vote_id"])
    kit.cast(vote, units[:7], "quasi")
    close_and_announce(kit, vote)
    body = kit.client.get(url(kit), headers=kit.h).get_json()
    assert (body["model"], body["fee_fen_per_m2_month"], body["vote_item_id"]) == ("quasi", 60, choice["vote_item_id"])


def test_the_proposal_needs_a_management_survey_of_the_compound(kit, make, world):
    r = kit.client.post(
        f"/api/v1/compounds/{kit.compound.id}/surveys",
        json={"template": "renovation_needs", "opens_at": at(minutes=-5), "closes_at": at(days=3)},
        headers=kit.h,
    )
    sid = r.get_json()["id"]
    assert_error(
        kit.client.get(url(kit, "/proposal"), query_string={"survey_id": sid}, headers=kit.h),
        422,
        "survey_not_management",
    )
    assert_error(choose_raw(kit, survey_id=sid), 422, "survey_not_management")
    other = management_survey(kit, make.units(kit.compound, 2), [])
    assert_error(
        kit.client.get(url(kit, "/proposal"), query_string={"survey_id": other}, headers=world.h["committee2"]),
        403,
        "outside_jurisdiction",
    )


def choose_raw(kit, **extra):
    body = {"title": "物业管理模式选择", "opens_at": at(minutes=-1), "closes_at": at(days=1), "proposals": PROPOSALS}
    return kit.client.post(url(kit, "/choices"), json={**body, **extra}, headers=kit.h)
