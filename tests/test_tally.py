"""DOMAIN.md §2 counting rules, each through HTTP, at their boundaries, on both databases."""

from tests.test_votes_kit import item


def owner_units(make, compound, n, area, name, building="1", entrance="1", start=0, **kw):
    owner = make.owner(compound, names=(name,), ids=(f"ID-{name}",), **kw)
    return [make.unit(compound, building, entrance, f"{start + k + 1:03d}", area, owner=owner) for k in range(n)]


def singles(make, compound, areas, building="1", entrance="1", start=0):
    return [make.unit(compound, building, entrance, f"{start + k + 1:04d}", a) for k, a in enumerate(areas)]


def test_worked_example_of_domain_md(kit, make):
    """120 units, 9,600.00 m²; a developer with 5 units (600 m²) and owner A with 3 units (270 m²): 114 owners.
    80 owners with 6,900 m² take part; 62 with 5,100 m² agree: fund raising fails by area, property manager passes."""
    c = kit.compound
    developer = owner_units(make, c, 5, "120.00", "开发商", building="9", owner_type="organisation")
    owner_a = owner_units(make, c, 3, "90.00", "业主甲", building="8")
    agree = singles(make, c, ["79.00"] * 60 + ["90.00"], building="1")  # 61 owners, 4,830 m²
    others = singles(make, c, ["100.00"] * 18, building="2")  # 18 owners, 1,800 m²
    absent = singles(make, c, ["63.00"] * 32 + ["84.00"], building="3")  # 33 owners, 2,100 m²
    assert len(developer + owner_a + agree + others + absent) == 120
    vote = kit.vote([item("fund_raising", "补建维修资金"), item("property_manager", "选聘物业服务企业")])
    assert vote["electorate"] == {"units": 120, "owners": 114, "area": "9600.00"}
    kit.cast(vote, agree + owner_a, "agree")
    kit.cast(vote, others[:10], "disagree")
    kit.cast(vote, others[10:], "abstain")

    fund, manager = kit.tally(vote)["items"]
    assert fund["participation"] == {
        "owners": 80,
        "area": "6900.00",
        "owners_ratio": 0.7018,
        "area_ratio": 0.7188,
        "met": True,
    }
    assert fund["options"]["agree"] == {
        "owners": 62,
        "area": "5100.00",
        "owners_ratio": 0.775,
        "area_ratio": 0.7391,
        "label": "同意",
    }
    assert fund["options"]["disagree"]["owners"] == 10 and fund["options"]["abstain"]["area"] == "800.00"
    assert fund["rule"] == {"participation": "2/3", "consent": "3/4"}
    assert fund["passed"] is False and fund["winner"] is None
    assert "按人数达到四分之三以上" in fund["explanation"] and "按面积未达到四分之三以上" in fund["explanation"]
    assert "5100.00平方米" in fund["explanation"] and "未通过" in fund["explanation"]
    assert manager["rule"]["consent"] == ">1/2"
    assert manager["passed"] is True and manager["winner"] == "agree"
    assert "本事项表决通过" in manager["explanation"]


def test_participation_exactly_two_thirds_is_met(kit, make):
    units = singles(make, kit.compound, ["80.00"] * 3)
    vote = kit.vote()
    kit.cast(vote, units[:2], "agree")
    t = kit.item_tally(vote)
    assert t["participation"]["met"] is True and t["passed"] is True


def test_participation_short_by_one_hundredth_of_a_square_metre_fails(kit, make):
    units = singles(make, kit.compound, ["100.00", "100.00", "100.01"])
    vote = kit.vote()
    kit.cast(vote, units[:2], "agree")  # 2 of 3 owners, but 200.00 of 300.01 m²: 60000 < 60002
    t = kit.item_tally(vote)
    assert t["participation"]["met"] is False and t["passed"] is False and t["winner"] is None
    assert "面积未达到三分之二" in t["explanation"]


def test_participation_below_two_thirds_fails_whatever_the_votes(kit, make):
    units = singles(make, kit.compound, ["80.00"] * 4)
    vote = kit.vote()
    kit.cast(vote, units[:2], "agree")  # unanimous, but 2 of 4
    t = kit.item_tally(vote)
    assert t["options"]["agree"]["owners_ratio"] == 1.0
    assert t["participation"]["met"] is False and t["passed"] is False


def test_exactly_three_quarters_passes(kit, make):
    units = singles(make, kit.compound, ["80.00"] * 4)
    vote = kit.vote([item("rebuild", "加装电梯")])
    kit.cast(vote, units[:3], "agree")
    kit.cast(vote, units[3:], "disagree")
    t = kit.item_tally(vote)
    assert t["passed"] is True and t["winner"] == "agree"


def test_just_under_three_quarters_by_area_fails(kit, make):
    units = singles(make, kit.compound, ["80.00", "80.00", "80.00", "80.01"])
    vote = kit.vote([item("common_use_change", "绿地改停车位")])
    kit.cast(vote, units[:3], "agree")  # 3 of 4 by head; 240.00 of 320.01 m²
    kit.cast(vote, units[3:], "disagree")
    assert kit.item_tally(vote)["passed"] is False


def test_exactly_half_fails_a_majority_matter(kit, make):
    units = singles(make, kit.compound, ["80.00"] * 4)
    vote = kit.vote([item("fund_use", "使用维修资金")])
    kit.cast(vote, units[:2], "agree")
    kit.cast(vote, units[2:], "disagree")
    t = kit.item_tally(vote)
    assert t["options"]["agree"]["owners_ratio"] == 0.5 and t["passed"] is False and t["winner"] is None


def test_headcount_passes_area_fails(kit, make):
    small, big = singles(make, kit.compound, ["50.00"] * 3), singles(make, kit.compound, ["200.00"] * 2, start=10)
    vote = kit.vote()
    kit.cast(vote, small, "agree")  # 3 of 5 owners, 150 of 550 m²
    kit.cast(vote, big, "disagree")
    t = kit.item_tally(vote)
    assert t["options"]["agree"]["owners"] == 3 and t["passed"] is False
    assert "按人数达到过半数" in t["explanation"] and "按面积未达到过半数" in t["explanation"]


def test_abstain_participates_but_does_not_consent(kit, make):
    units = singles(make, kit.compound, ["80.00"] * 3)
    vote = kit.vote()
    kit.cast(vote, units[:1], "agree")
    kit.cast(vote, units[1:], "abstain")
    t = kit.item_tally(vote)
    assert t["participation"]["owners"] == 3 and t["participation"]["met"] is True
    assert t["options"]["abstain"]["owners"] == 2 and t["passed"] is False


def test_blank_and_spoiled_paper_items_count_as_abstain(kit, make):
    units = singles(make, kit.compound, ["80.00"] * 3)
    vote = kit.vote([item("property_manager"), item("other_major")])
    assert kit.paper(vote, units[0], choices=[None, "agree"]).status_code == 201  # first item blank
    assert kit.paper(vote, units[1], choices={str(vote["items"][1]["id"]): "agree"}).status_code == 201  # left out
    assert kit.paper(vote, units[2], spoiled=True).status_code == 201
    first, second = kit.tally(vote)["items"]
    assert first["options"]["abstain"]["owners"] == 3
    assert second["options"]["agree"]["owners"] == 2 and second["options"]["abstain"]["owners"] == 1


def test_organisation_owning_many_units_counts_once(kit, make):
    org_units = owner_units(make, kit.compound, 10, "100.00", "原产权单位", owner_type="organisation")
    people = singles(make, kit.compound, ["60.00"] * 5, start=50)
    vote = kit.vote()
    assert vote["electorate"] == {"units": 15, "owners": 6, "area": "1300.00"}
    kit.cast(vote, org_units, "agree")
    t = kit.item_tally(vote)
    # 1,000 of 1,300 m², but one owner of six: participation is not met.
    assert t["participation"]["owners"] == 1 and t["participation"]["area"] == "1000.00"
    assert t["participation"]["met"] is False
    kit.cast(vote, people[:3], "disagree")
    t = kit.item_tally(vote)
    assert t["participation"]["owners"] == 4 and t["participation"]["met"] is True
    assert t["options"]["agree"]["owners"] == 1 and t["passed"] is False  # 1 of 4 by head, area 1000 of 1180


def test_owner_with_units_in_and_out_of_scope(kit, make):
    owner = make.owner(kit.compound, names=("张三",), ids=("ID-ZS",))
    inside = make.unit(kit.compound, "1", "1", "101", "70.00", owner=owner)
    outside = make.unit(kit.compound, "2", "1", "101", "90.00", owner=owner)
    neighbours = singles(make, kit.compound, ["70.00"] * 2, start=200)
    vote = kit.vote(scope={"building": "1"})
    assert vote["electorate"] == {"units": 3, "owners": 3, "area": "210.00"}
    r = kit.paper(vote, outside, "agree")
    assert r.status_code == 422 and r.get_json()["code"] == "unit_not_in_electorate"
    kit.cast(vote, [inside, *neighbours[:1]], "agree")
    t = kit.item_tally(vote)
    assert t["participation"]["area"] == "140.00" and t["passed"] is True


def test_scope_by_building_and_by_entrance(kit, make):
    c = kit.compound
    singles(make, c, ["60.00"] * 4, building="3", entrance="1")
    singles(make, c, ["70.00"] * 2, building="3", entrance="2", start=10)
    singles(make, c, ["80.00"] * 5, building="4", start=20)
    assert kit.vote(scope={"building": "3"})["electorate"] == {"units": 6, "owners": 6, "area": "380.00"}
    assert kit.vote(scope={"building": "3", "entrance": "2"})["electorate"] == {
        "units": 2,
        "owners": 2,
        "area": "140.00",
    }
    assert kit.vote()["electorate"] == {"units": 11, "owners": 11, "area": "780.00"}


MODELS = ["professional", "quasi", "self_managed"]


def test_three_options_with_a_winner(kit, make):
    units = singles(make, kit.compound, ["80.00"] * 6)
    vote = kit.vote([item("property_manager", "管理模式", MODELS)])
    assert vote["items"][0]["options"] == [*MODELS, "abstain"]
    kit.cast(vote, units[:4], "quasi")
    kit.cast(vote, units[4:5], "professional")
    kit.cast(vote, units[5:], "self_managed")
    t = kit.item_tally(vote)
    assert set(t["options"]) == {*MODELS, "abstain"}  # the ballot order is the item's "options" list
    assert t["passed"] is True and t["winner"] == "quasi" and t["runoff"] is None
    assert "社区准物业" in t["explanation"]


def test_three_options_without_a_winner_then_runoff(kit, make):
    units = singles(make, kit.compound, ["80.00"] * 7)
    vote = kit.vote([item("property_manager", "管理模式", MODELS)])
    kit.cast(vote, units[:3], "professional")
    kit.cast(vote, units[3:6], "quasi")  # tie by head and area: ballot order decides the ranking
    kit.cast(vote, units[6:], "self_managed")
    t = kit.item_tally(vote)
    assert t["participation"]["met"] is True and t["passed"] is False and t["winner"] is None
    assert t["runoff"] == ["professional", "quasi"] and "决选" in t["explanation"]
    r = kit.client.post(
        f"/api/v1/votes/{vote['id']}/items/{t['item_id']}/runoff",
        json={"opens_at": vote["opens_at"], "closes_at": vote["closes_at"]},
        headers=kit.h,
    )
    assert r.status_code == 409 and r.get_json()["code"] == "vote_not_closed"
    assert kit.post(vote, "close").status_code == 200
    from tests.test_votes_kit import at

    r = kit.client.post(
        f"/api/v1/votes/{vote['id']}/items/{t['item_id']}/runoff",
        json={"opens_at": at(minutes=-1), "closes_at": at(days=3)},
        headers=kit.h,
    )
    assert r.status_code == 201, r.get_json()
    runoff = r.get_json()
    assert runoff["status"] == "draft" and runoff["runoff_of_item_id"] == t["item_id"]
    assert runoff["items"][0]["options"] == ["professional", "quasi", "abstain"]
    assert kit.post(runoff, "publish").status_code == 200
    kit.cast(runoff, units[:5], "quasi")
    kit.cast(runoff, units[5:], "professional")
    assert kit.item_tally(runoff)["winner"] == "quasi"


def test_runoff_refused_for_a_decided_item(kit, make):
    units = singles(make, kit.compound, ["80.00"] * 3)
    vote = kit.vote()
    kit.cast(vote, units, "agree")
    kit.post(vote, "close")
    from tests.test_votes_kit import at

    r = kit.client.post(
        f"/api/v1/votes/{vote['id']}/items/{vote['items'][0]['id']}/runoff",
        json={"opens_at": at(days=1), "closes_at": at(days=3)},
        headers=kit.h,
    )
    assert r.status_code == 409 and r.get_json()["code"] == "runoff_not_applicable"


def test_consultation_reports_shares_only(kit, make):
    units = singles(make, kit.compound, ["80.00"] * 4)
    vote = kit.vote([item("consultation", "外立面设计方案", ["plan_a", "plan_b"])])
    kit.cast(vote, units[:3], "plan_a")
    kit.cast(vote, units[3:], "plan_b")
    t = kit.item_tally(vote)
    assert t["rule"]["consent"] is None and t["passed"] is None and t["winner"] is None
    assert t["options"]["plan_a"]["owners_ratio"] == 0.75 and "意见征询" in t["explanation"]


def test_options_list_zeros_and_pending_paper_does_not_count(kit, make, world):
    units = singles(make, kit.compound, ["80.00"] * 3)
    vote = kit.vote(require_confirmation=True)
    assert kit.paper(vote, units[0], "agree").get_json()["confirmed"] is False
    t = kit.item_tally(vote)
    assert t["participation"]["owners"] == 0
    assert t["options"] == {
        o: {"owners": 0, "area": "0.00", "owners_ratio": 0.0, "area_ratio": 0.0, "label": label}
        for o, label in (("agree", "同意"), ("disagree", "反对"), ("abstain", "弃权"))
    }
