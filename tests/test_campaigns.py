"""Co-funding campaigns through HTTP (API.md "Co-funding", DOMAIN.md §3): shares to the fen, pledges, payments,
reversals, the live figures, refusals, exports, the audit chain and the money notice."""

import csv
import io
import random
from decimal import Decimal
from fractions import Fraction
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from backend import audit
from backend.extensions import db
from backend.roster.models import Unit
from backend.roster.order import floor_of
from funds.campaigns import sharing
from funds.campaigns.models import PaymentEntry
from tests.test_declared_outputs import Documented
from tests.test_votes_kit import assert_error

ELEVATOR = {"1": "0", "2": "0", "3": "0.7", "4": "0.8", "5": "0.9", "6": "1.0"}


def spec(**over):
    data = {"title": "1号楼1单元加装电梯", "total_cost_fen": 60_000_000, "rule": "area"}
    data.update(over)
    return data


def create(client, h, compound, status=201, **over):
    r = client.post(f"/api/v1/compounds/{compound.id}/campaigns", json=spec(**over), headers=h)
    assert r.status_code == status, r.get_json()
    return r.get_json()


def publish(client, h, campaign, **body):
    r = client.post(f"/api/v1/campaigns/{campaign['id']}/publish", json=body or None, headers=h)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def shares(client, h, campaign, **args):
    r = client.get(f"/api/v1/campaigns/{campaign['id']}/shares", query_string=args, headers=h)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def detail(client, h, campaign):
    return client.get(f"/api/v1/campaigns/{campaign['id']}", headers=h).get_json()


def pay(client, h, campaign, unit, amount, reference=None, method="cash", paid_on="2025-03-14"):
    body = {"unit_id": unit.id, "amount_fen": amount, "paid_on": paid_on, "method": method, "reference": reference}
    return client.post(f"/api/v1/campaigns/{campaign['id']}/payments", json=body, headers=h)


@pytest.fixture
def elevator(client, world, make):
    """DOMAIN.md §3: six floors × two units × 60 m² in building 1 entrance 1 (and a neighbour outside scope)."""
    c1, h = world.compounds["c1"], world.h["committee"]
    units = make.units(c1, 12, area="60.00")
    outside = make.unit(c1, "2", "1", "301", "75.00")
    campaign = create(
        client,
        h,
        c1,
        total_cost_fen=80_000_000,
        subsidies=[{"source": "city", "amount_fen": 15_000_000}, {"source": "district", "amount_fen": 5_000_000}],
        rule="floor_area",
        floor_coefficients=ELEVATOR,
        scope={"building": "1", "entrance": "1"},
    )
    return SimpleNamespace(c1=c1, h=h, units=units, outside=outside, campaign=campaign)


@pytest.fixture
def opened(client, elevator):
    publish(client, elevator.h, elevator.campaign)
    return elevator


# --- shares to the fen --------------------------------------------------------------------------------------


def test_elevator_example_to_the_fen(client, elevator):
    h, campaign = elevator.h, elevator.campaign
    assert campaign["status"] == "draft" and campaign["residents_part_fen"] == 60_000_000
    assert campaign["subsidies_fen"] == 20_000_000
    assert [s["source_name"] for s in campaign["subsidies"]] == ["市级补助", "区级补助"]
    draft = shares(client, h, campaign)
    expected = {1: 0, 2: 0, 3: 6_176_471, 4: 7_058_824, 5: 7_941_176, 6: 8_823_529}
    assert [(s["floor"], s["share_fen"]) for s in draft] == [(f, expected[f]) for f in range(1, 7) for _ in (0, 1)]
    assert sum(s["share_fen"] for s in draft) == 60_000_000
    assert draft[4]["coefficient"] == "0.70" and draft[4]["area"] == "60.00" and "系数 0.70" in draft[4]["how"]
    assert campaign["households"] == 8 and campaign["gap_fen"] == 60_000_000

    opened = publish(client, h, campaign)
    assert opened["status"] == "open" and opened["status_name"] == "认捐中"
    frozen = shares(client, h, campaign)
    assert [s["share_fen"] for s in frozen] == [s["share_fen"] for s in draft]
    # Frozen: a roster edit after publish moves nothing.
    unit = db.session.get(Unit, elevator.units[11].id)
    unit.area = Decimal("99.00")
    db.session.commit()
    assert [s["share_fen"] for s in shares(client, h, campaign)] == [s["share_fen"] for s in draft]


def test_hundred_thousand_yuan_equally_over_three_units(client, world, make):
    c1, h = world.compounds["c1"], world.h["committee"]
    make.units(c1, 3, building="5")
    campaign = create(client, h, c1, total_cost_fen=10_000_000, rule="equal", scope={"building": "5"})
    assert [s["share_fen"] for s in shares(client, h, campaign)] == [3_333_334, 3_333_333, 3_333_333]
    publish(client, h, campaign)
    assert [s["share_fen"] for s in shares(client, h, campaign)] == [3_333_334, 3_333_333, 3_333_333]


def reference_shares(total, weights):
    """The rule written out the slow way: exact fractions, floor, then the largest remainders in order."""
    whole = sum(weights)
    exact = [Fraction(total) * w / whole for w in weights]
    floors = [int(e) for e in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[: total - sum(floors)]:
        floors[i] += 1
    return floors


def random_units(rng, count):
    units = [
        SimpleNamespace(
            id=n,
            building="1",
            entrance="1",
            room=f"{n // 2 + 1}0{n % 2 + 1}",
            floor=None,
            area=Decimal(rng.randint(1000, 20000)) / 100,
            label=f"unit {n}",
        )
        for n in range(count)
    ]
    return units


def test_thousand_random_draws_match_a_fraction_reference():
    """Area and equal rules with awkward remainders: the shares always sum exactly and equal the reference."""
    rng = random.Random(20261203)
    for _ in range(1000):
        units = random_units(rng, rng.randint(1, 25))
        rule = rng.choice(["area", "equal", "floor_area"])
        table = {floor: Decimal(rng.randint(0, 150)) / 100 for floor in range(1, 14)}
        table[1] = Decimal("1.00")  # never all zero
        campaign = SimpleNamespace(rule=rule, coefficients=table)
        total = rng.randint(1, 99_999_999)
        got = sharing.allocate(total, [(u.id, w) for u, _, _, w in sharing.weights(campaign, units)])
        if rule == "equal":
            weights = [1] * len(units)
        elif rule == "area":
            weights = [Fraction(u.area) for u in units]
        else:
            weights = [Fraction(table.get(floor_of(u), 0)) * Fraction(u.area) for u in units]
        assert sum(got.values()) == total
        assert [got[u.id] for u in units] == reference_shares(total, weights)


def test_random_areas_through_http_match_the_reference(client, world, make):
    rng = random.Random(7)
    c1, h = world.compounds["c1"], world.h["committee"]
    units = make.units(c1, 9, building="8")
    for draw in range(15):
        for unit in units:
            db.session.get(Unit, unit.id).area = Decimal(rng.randint(1000, 20000)) / 100
        db.session.commit()
        total, rule = rng.randint(1, 99_999_999), rng.choice(["area", "equal"])
        campaign = create(client, h, c1, title=f"第{draw}次", total_cost_fen=total, rule=rule, scope={"building": "8"})
        areas = [Fraction(db.session.get(Unit, u.id).area) for u in units]
        weights = areas if rule == "area" else [1] * len(units)
        assert [s["share_fen"] for s in shares(client, h, campaign)] == reference_shares(total, weights)


def test_area_is_the_default_rule(client, world, make):
    """Issue 9 §2: sharing by area (Civil Code art. 283) is the default when no rule is given."""
    c1, h = world.compounds["c1"], world.h["committee"]
    make.unit(c1, "4", "1", "101", "60.00")
    make.unit(c1, "4", "1", "102", "90.00")
    body = {"title": "4号楼屋面", "total_cost_fen": 100_001, "scope": {"building": "4"}}
    r = client.post(f"/api/v1/compounds/{c1.id}/campaigns", json=body, headers=h)
    assert r.status_code == 201 and r.get_json()["rule"] == "area"
    assert [s["share_fen"] for s in shares(client, h, r.get_json())] == [40_000, 60_001]  # 40,000.4 and 60,000.6


def test_floor_unknown_lists_the_units(client, world, make):
    c1, h = world.compounds["c1"], world.h["committee"]
    make.unit(c1, "3", "1", "301", "60.00")
    a = make.unit(c1, "3", "1", "A", "60.00")
    twelve = make.unit(c1, "3", "1", "12", "60.00")
    r = client.post(
        f"/api/v1/compounds/{c1.id}/campaigns",
        json=spec(rule="floor_area", floor_coefficients={"3": "1"}, scope={"building": "3"}),
        headers=h,
    )
    assert_error(r, 422, "floor_unknown")
    assert sorted((e["unit_id"], e["room"]) for e in r.get_json()["errors"]) == sorted([(a.id, "A"), (twelve.id, "12")])


def test_weights_and_subsidies_and_coefficients_refused(client, world, make):
    c1, h = world.compounds["c1"], world.h["committee"]
    make.units(c1, 4)
    zero = client.post(
        f"/api/v1/compounds/{c1.id}/campaigns", json=spec(rule="floor_area", floor_coefficients={"1": "0"}), headers=h
    )
    assert_error(zero, 422, "weights_zero")
    empty = client.post(f"/api/v1/compounds/{c1.id}/campaigns", json=spec(scope={"building": "99"}), headers=h)
    assert_error(empty, 422, "weights_zero")
    over = client.post(
        f"/api/v1/compounds/{c1.id}/campaigns",
        json=spec(
            total_cost_fen=100, subsidies=[{"source": "city", "amount_fen": 60}, {"source": "other", "amount_fen": 41}]
        ),
        headers=h,
    )
    assert_error(over, 422, "subsidies_exceed_cost")
    for bad in ({"3": 0.7}, {"3": "0.755"}, {"3": "-1"}, {"三": "1"}, {"3": "1e2"}):
        r = client.post(
            f"/api/v1/compounds/{c1.id}/campaigns", json=spec(rule="floor_area", floor_coefficients=bad), headers=h
        )
        assert_error(r, 422, "validation_error")
    missing = client.post(f"/api/v1/compounds/{c1.id}/campaigns", json=spec(rule="floor_area"), headers=h)
    assert "floor_coefficients" in missing.get_json()["errors"]["json"]
    bad_source = client.post(
        f"/api/v1/compounds/{c1.id}/campaigns", json=spec(subsidies=[{"source": "bank", "amount_fen": 1}]), headers=h
    )
    assert_error(bad_source, 422, "validation_error")
    # Subsidies equal to the cost: the residents pay nothing, and nothing is there to share.
    free = create(client, h, c1, total_cost_fen=100, subsidies=[{"source": "provident_fund", "amount_fen": 100}])
    assert free["residents_part_fen"] == 0 and free["households"] == 0


def test_vote_item_must_belong_to_the_compound(client, kit, world, make):
    make.units(kit.compound, 2)
    make.units(world.compounds["c2"], 2)
    vote = kit.create().get_json()
    item_id = vote["items"][0]["id"]
    ok = create(client, kit.h, kit.compound, vote_item_id=item_id)
    assert ok["vote_item_id"] == item_id
    r = client.post(
        f"/api/v1/compounds/{world.compounds['c2'].id}/campaigns",
        json=spec(vote_item_id=item_id),
        headers=world.h["committee2"],
    )
    assert_error(r, 422, "vote_item_not_found")


# --- pledges, payments, figures -----------------------------------------------------------------------------


def test_pledge_partial_payment_paid_and_the_gap(client, opened):
    h, campaign, units = opened.h, opened.campaign, opened.units
    top = units[11]  # floor 6: 8,823,529 fen
    r = client.post(f"/api/v1/campaigns/{campaign['id']}/pledges", json={"unit_id": top.id}, headers=h)
    assert r.status_code == 201 and r.get_json()["amount_fen"] == 8_823_529
    row = next(s for s in shares(client, h, campaign) if s["unit_id"] == top.id)
    assert (row["status"], row["status_name"]) == ("pledged", "已认捐未缴")

    assert pay(client, h, campaign, top, 3_000_000, "R-1").status_code == 201
    row = next(s for s in shares(client, h, campaign, status="part_paid"))
    assert row["unit_id"] == top.id and row["paid_fen"] == 3_000_000 and row["status_name"] == "部分缴纳"
    assert row["outstanding_fen"] == 8_823_529 - 3_000_000  # the desk's "还差" for door-to-door visits
    figures = detail(client, h, campaign)
    assert figures["pledged_fen"] == 8_823_529 and figures["paid_fen"] == 3_000_000
    assert figures["unpledged_fen"] == 60_000_000 - 8_823_529 and figures["gap_fen"] == 57_000_000
    assert (figures["households"], figures["households_pledged"], figures["households_paid"]) == (8, 1, 0)

    assert pay(client, h, campaign, top, 5_823_529, "R-2", method="wechat").status_code == 201
    # A payment with no pledge: the unit first gets a pledge of its share.
    third = units[4]
    assert pay(client, h, campaign, third, 6_176_471, "R-3", method="bank").status_code == 201
    figures = detail(client, h, campaign)
    assert figures["pledged_fen"] == 8_823_529 + 6_176_471 == figures["paid_fen"]
    assert figures["gap_fen"] == 60_000_000 - figures["paid_fen"]
    assert (figures["households_pledged"], figures["households_paid"]) == (2, 2)
    assert [s["unit_id"] for s in shares(client, h, campaign, status="paid")] == [third.id, top.id]
    assert len(shares(client, h, campaign, status="none")) == 10
    listed = client.get(f"/api/v1/campaigns/{campaign['id']}/payments", headers=h).get_json()
    assert [p["method_name"] for p in listed] == ["现金", "微信", "银行转账"]
    assert listed[0]["unit_label"] == "1号楼1单元602室"
    # Overpaying a share still reads paid, and the gap never goes below zero.
    listing = client.get(f"/api/v1/compounds/{opened.c1.id}/campaigns", headers=h)
    assert listing.headers["X-Total-Count"] == "1" and listing.get_json()[0]["paid_fen"] == figures["paid_fen"]


def test_reversal_once_and_never_of_a_reversal(client, opened):
    h, campaign, unit = opened.h, opened.campaign, opened.units[10]
    payment = pay(client, h, campaign, unit, 500_000, "R-9").get_json()
    url = f"/api/v1/campaigns/{campaign['id']}/payments/{payment['id']}/reverse"
    assert_error(client.post(url, json={}, headers=h), 422, "validation_error")
    r = client.post(url, json={"reason": "金额录错"}, headers=h)
    assert r.status_code == 201, r.get_json()
    reversal = r.get_json()
    assert (reversal["kind"], reversal["kind_name"], reversal["amount_fen"]) == ("reversal", "冲正", 500_000)
    assert reversal["reverses_id"] == payment["id"] and reversal["reason"] == "金额录错"
    assert_error(client.post(url, json={"reason": "再冲一次"}, headers=h), 409, "payment_reversed")
    again = f"/api/v1/campaigns/{campaign['id']}/payments/{reversal['id']}/reverse"
    assert_error(client.post(again, json={"reason": "冲正的冲正"}, headers=h), 409, "payment_is_reversal")
    missing = f"/api/v1/campaigns/{campaign['id']}/payments/999999/reverse"
    assert_error(client.post(missing, json={"reason": "x"}, headers=h), 404, "payment_not_found")
    row = next(s for s in shares(client, h, campaign) if s["unit_id"] == unit.id)
    assert (row["paid_fen"], row["status"]) == (0, "pledged")
    assert detail(client, h, campaign)["paid_fen"] == 0
    listed = client.get(f"/api/v1/campaigns/{campaign['id']}/payments", headers=h).get_json()
    assert [(p["kind"], p["reversed"]) for p in listed] == [("payment", True), ("reversal", False)]
    # The reference stays used: a reversed payment's receipt number is not reissued.
    assert_error(pay(client, h, campaign, unit, 500_000, "R-9"), 409, "payment_duplicate")
    # Nothing edited: the original row is as it was.
    assert db.session.get(PaymentEntry, payment["id"]).amount_fen == 500_000


def test_duplicate_pledge_and_duplicate_reference(client, opened):
    h, campaign, unit = opened.h, opened.campaign, opened.units[8]
    url = f"/api/v1/campaigns/{campaign['id']}/pledges"
    assert client.post(url, json={"unit_id": unit.id, "amount_fen": 100_00}, headers=h).status_code == 201
    assert_error(client.post(url, json={"unit_id": unit.id}, headers=h), 409, "pledge_exists")
    assert pay(client, h, campaign, unit, 100, "BANK-001").status_code == 201
    assert_error(pay(client, h, campaign, opened.units[9], 100, "BANK-001"), 409, "payment_duplicate")
    assert pay(client, h, campaign, unit, 100, None).status_code == 201  # cash with no receipt number
    assert pay(client, h, campaign, unit, 100, "").status_code == 201


def test_zero_share_needs_an_amount(client, opened):
    h, campaign, ground = opened.h, opened.campaign, opened.units[0]  # floor 1 pays 0
    url = f"/api/v1/campaigns/{campaign['id']}/pledges"
    assert_error(client.post(url, json={"unit_id": ground.id}, headers=h), 422, "amount_required")
    r = client.post(url, json={"unit_id": ground.id, "amount_fen": 200_000}, headers=h)
    assert r.status_code == 201
    figures = detail(client, h, campaign)
    assert figures["pledged_fen"] == 200_000 and figures["households_pledged"] == 0  # not a sharing household


@pytest.mark.parametrize("amount", [0, -100, 1.5, 100.0, "100", "1.00", True, None, 2_000_000_001])
def test_amounts_are_positive_integers_of_fen(client, opened, amount):
    h, campaign, unit = opened.h, opened.campaign, opened.units[6]
    r = pay(client, h, campaign, unit, amount, "X")
    assert_error(r, 422, "validation_error")
    assert "amount_fen" in r.get_json()["errors"]["json"]
    if amount is not None:
        pledge = client.post(
            f"/api/v1/campaigns/{campaign['id']}/pledges", json={"unit_id": unit.id, "amount_fen": amount}, headers=h
        )
        assert_error(pledge, 422, "validation_error")
        made = client.post(f"/api/v1/compounds/{opened.c1.id}/campaigns", json=spec(total_cost_fen=amount), headers=h)
        assert_error(made, 422, "validation_error")
    assert detail(client, h, campaign)["pledged_fen"] == 0


def test_payment_fields_are_checked(client, opened):
    h, campaign, unit = opened.h, opened.campaign, opened.units[6]
    assert_error(pay(client, h, campaign, unit, 100, "a", method="cheque"), 422, "validation_error")
    assert_error(pay(client, h, campaign, unit, 100, "a", paid_on="2025-02-30"), 422, "validation_error")
    assert_error(pay(client, h, campaign, opened.outside, 100, "a"), 422, "unit_not_in_scope")


def test_a_draft_is_replaced_until_published(client, elevator):
    h, campaign = elevator.h, elevator.campaign
    url = f"/api/v1/campaigns/{campaign['id']}"
    r = client.put(
        url, json=spec(title="改为按户均摊", total_cost_fen=1_200, rule="equal", scope={"building": "1"}), headers=h
    )
    assert r.status_code == 200, r.get_json()
    assert (r.get_json()["rule"], r.get_json()["subsidies"], r.get_json()["floor_coefficients"]) == ("equal", [], {})
    assert [s["share_fen"] for s in shares(client, h, campaign)] == [100] * 12
    bad = client.put(url, json=spec(rule="floor_area", floor_coefficients={"9": "1"}), headers=h)
    assert_error(bad, 422, "weights_zero")
    assert detail(client, h, campaign)["rule"] == "equal"  # a refused change leaves the draft as it was
    publish(client, h, campaign)
    assert_error(client.put(url, json=spec(), headers=h), 409, "campaign_not_draft")
    assert [e.action for e in audit.entries(f"campaign:{campaign['id']}")][:2] == [
        "campaign_created",
        "campaign_updated",
    ]


def test_payment_date_not_in_the_future(client, clock, opened):
    assert_error(
        pay(client, opened.h, opened.campaign, opened.units[6], 100, "F", paid_on="2025-03-15"), 422, "paid_on_future"
    )
    assert pay(client, opened.h, opened.campaign, opened.units[6], 100, "F", paid_on="2025-03-14").status_code == 201


def test_draft_takes_no_money_and_publishes_once(client, elevator):
    h, campaign, unit = elevator.h, elevator.campaign, elevator.units[6]
    url = f"/api/v1/campaigns/{campaign['id']}/pledges"
    assert_error(client.post(url, json={"unit_id": unit.id}, headers=h), 409, "campaign_not_open")
    assert_error(pay(client, h, campaign, unit, 100, "a"), 409, "campaign_not_open")
    publish(client, h, campaign)
    r = client.post(f"/api/v1/campaigns/{campaign['id']}/publish", headers=h)
    assert_error(r, 409, "campaign_not_draft")


# --- who may ------------------------------------------------------------------------------------------------


def resident_pledge(client, headers, campaign, unit, amount=None):
    body = {"campaign_id": campaign["id"], "unit_id": unit.id}
    if amount is not None:
        body["amount_fen"] = amount
    return client.post("/api/v1/my/pledges", json=body, headers=headers)


def test_resident_pledges_for_their_own_household_only(client, make, opened):
    campaign, units = opened.campaign, opened.units
    owner = make.headers(make.resident(units[7]))
    tenant = make.headers(make.resident(units[9], relation="tenant"))
    outsider = make.headers(make.resident(opened.outside))
    r = resident_pledge(client, owner, campaign, units[7])
    assert r.status_code == 201 and r.get_json()["amount_fen"] == 7_058_824
    assert r.get_json()["channel"] == "online"
    assert_error(resident_pledge(client, owner, campaign, units[7]), 409, "pledge_exists")
    assert_error(resident_pledge(client, owner, campaign, units[8]), 403, "not_owner")  # another household
    assert_error(resident_pledge(client, tenant, campaign, units[9]), 403, "not_owner")
    assert_error(resident_pledge(client, outsider, campaign, opened.outside), 422, "unit_not_in_scope")
    assert_error(resident_pledge(client, owner, campaign, units[7], 0), 422, "validation_error")

    mine = client.get("/api/v1/my/pledges", headers=owner).get_json()
    assert [(m["campaign_id"], m["unit_id"], m["share_fen"], m["pledged_fen"], m["status"]) for m in mine] == [
        (campaign["id"], units[7].id, 7_058_824, 7_058_824, "pledged")
    ]
    seen = client.get(f"/api/v1/campaigns/{campaign['id']}", headers=owner).get_json()
    assert [m["unit_id"] for m in seen["mine"]] == [units[7].id] and seen["mine"][0]["how"]
    assert seen["mine"][0]["may_pledge"] is False  # already pledged
    as_tenant = client.get(f"/api/v1/campaigns/{campaign['id']}", headers=tenant).get_json()
    assert [(m["unit_id"], m["may_pledge"]) for m in as_tenant["mine"]] == [(units[9].id, False)]
    other_owner = make.headers(make.resident(units[6]))
    mine = client.get(f"/api/v1/campaigns/{campaign['id']}", headers=other_owner).get_json()["mine"]
    assert [(m["unit_id"], m["may_pledge"]) for m in mine] == [(units[6].id, True)]
    # A resident reads the campaign, never the whole list of shares.
    assert_error(client.get(f"/api/v1/campaigns/{campaign['id']}/shares", headers=owner), 403, "role_forbidden")
    assert client.get("/api/v1/my/pledges", headers=outsider).get_json() == []


def test_residents_do_not_see_drafts_or_other_compounds(client, world, make, elevator):
    mine = make.headers(make.resident(elevator.units[3]))
    assert_error(client.get(f"/api/v1/campaigns/{elevator.campaign['id']}", headers=mine), 404, "campaign_not_found")
    publish(client, elevator.h, elevator.campaign)
    elsewhere = make.headers(make.resident(make.unit(world.compounds["c2"], "1", "1", "101")))
    assert_error(
        client.get(f"/api/v1/campaigns/{elevator.campaign['id']}", headers=elsewhere), 404, "campaign_not_found"
    )
    r = resident_pledge(client, elsewhere, elevator.campaign, elevator.units[3])
    assert_error(r, 404, "campaign_not_found")


def test_committee2_is_refused_compound_1(client, world, elevator):
    h2, campaign, unit = world.h["committee2"], elevator.campaign, elevator.units[6]
    base = f"/api/v1/campaigns/{campaign['id']}"
    refusals = [
        client.post(f"/api/v1/compounds/{elevator.c1.id}/campaigns", json=spec(), headers=h2),
        client.get(f"/api/v1/compounds/{elevator.c1.id}/campaigns", headers=h2),
        client.get(base, headers=h2),
        client.get(f"{base}/shares", headers=h2),
        client.post(f"{base}/publish", headers=h2),
    ]
    publish(client, elevator.h, campaign)
    payment = pay(client, elevator.h, campaign, unit, 100, "P").get_json()
    refusals += [
        client.post(f"{base}/pledges", json={"unit_id": unit.id}, headers=h2),
        pay(client, h2, campaign, unit, 100, "Q"),
        client.post(f"{base}/payments/{payment['id']}/reverse", json={"reason": "x"}, headers=h2),
        client.get(f"{base}/payments", headers=h2),
        client.get(f"{base}/letters.pdf", headers=h2),
    ]
    for r in refusals:
        assert_error(r, 403, "outside_jurisdiction")
    # An official of the street reads, and may not write.
    official = world.h["official"]
    assert client.get(f"{base}/shares", headers=official).status_code == 200
    assert_error(pay(client, official, campaign, unit, 100, "O"), 403, "role_forbidden")
    assert client.get(base).status_code == 401
    assert_error(client.get("/api/v1/campaigns/999999", headers=elevator.h), 404, "campaign_not_found")


# --- exports, audit, notice ---------------------------------------------------------------------------------


def test_shares_export_as_xlsx_and_csv(client, opened):
    h, campaign, top = opened.h, opened.campaign, opened.units[11]
    pay(client, h, campaign, top, 123_456, "E-1")
    url = f"/api/v1/campaigns/{campaign['id']}/shares"
    r = client.get(url, query_string={"format": "xlsx"}, headers=h)
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    ws = load_workbook(io.BytesIO(r.data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:7] == ("楼栋", "单元", "房号", "楼层", "建筑面积（㎡）", "楼层系数", "分摊金额（元）")
    last = rows[-1]
    assert last[:4] == ("1号楼", "1单元", top.room, 6)
    assert Decimal(str(last[4])) == Decimal("60.00") and Decimal(str(last[5])) == Decimal("1.00")
    assert Decimal(str(last[6])) == Decimal("88235.29") and Decimal(str(last[8])) == Decimal("1234.56")
    assert last[9] == "部分缴纳"
    assert ws.cell(row=13, column=7).number_format == '"¥"#,##0.00'
    total = sum(Decimal(str(row[6])) for row in rows[1:])
    assert total == Decimal("600000.00")

    r = client.get(url, query_string={"format": "csv", "status": "part_paid"}, headers=h)
    text = r.data.decode("utf-8")
    assert text.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(text[1:])))
    assert table[1] == ["1号楼", "1单元", top.room, "6", "60.00", "1.00", "88235.29", "88235.29", "1234.56", "部分缴纳"]
    assert len(table) == 2


def test_every_money_write_is_on_the_audit_chain(client, runner, make, opened):
    h, campaign, units = opened.h, opened.campaign, opened.units
    owner = make.headers(make.resident(units[5]))
    resident_pledge(client, owner, campaign, units[5])
    payment = pay(client, h, campaign, units[6], 1_000, "A-1").get_json()
    client.post(
        f"/api/v1/campaigns/{campaign['id']}/payments/{payment['id']}/reverse", json={"reason": "退款"}, headers=h
    )
    actions = [e.action for e in audit.entries(f"campaign:{campaign['id']}")]
    assert actions == [
        "campaign_created",
        "campaign_published",
        "pledge_recorded",
        "pledge_recorded",
        "payment_recorded",
        "payment_reversed",
    ]
    assert audit.entries(f"campaign:{campaign['id']}")[2].actor.startswith("resident:")
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


def test_publishing_posts_a_money_notice_whose_landing_leads_to_the_campaign(client, world, elevator):
    h, campaign = elevator.h, elevator.campaign
    opened = publish(client, h, campaign, notice=True)
    notice = opened["notice"]
    assert notice["url"].endswith(f"/n/{notice['token']}")
    page = client.get(f"/n/{notice['token']}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and f'href="/m/campaign/{campaign["id"]}"' in html
    assert "出资通知" in html and "¥600,000.00" in html
    public = client.get(f"/api/v1/public/notices/{notice['token']}").get_json()
    assert public["kind"] == "money_notice" and public["campaign_id"] == campaign["id"]
    # Through the notices API too; a money notice must name a published campaign of its compound.
    url = f"/api/v1/compounds/{elevator.c1.id}/notices"
    assert_error(
        client.post(url, json={"kind": "money_notice", "title": "缴款提醒"}, headers=h), 422, "campaign_required"
    )
    r = client.post(url, json={"kind": "money_notice", "title": "缴款提醒", "campaign_id": campaign["id"]}, headers=h)
    assert r.status_code == 201
    patched = client.patch(f"/api/v1/notices/{r.get_json()['id']}", json={"title": "缴款提醒（二）"}, headers=h)
    assert patched.status_code == 200
    other = client.post(
        f"/api/v1/compounds/{world.compounds['c2'].id}/notices",
        json={"kind": "money_notice", "title": "x", "campaign_id": campaign["id"]},
        headers=world.h["committee2"],
    )
    assert_error(other, 422, "campaign_not_found")


def test_declared_outputs(client, make, elevator):
    api = Documented(client)
    h, cid = elevator.h, elevator.c1.id
    draft = api(
        "POST",
        "/api/v1/compounds/{compound_id}/campaigns",
        201,
        compound_id=cid,
        headers=h,
        json=spec(title="外墙保温", rule="equal", subsidies=[{"source": "other", "amount_fen": 1}]),
    )
    api("GET", "/api/v1/campaigns/{campaign_id}/shares", campaign_id=draft["id"], headers=h)
    api("PUT", "/api/v1/campaigns/{campaign_id}", campaign_id=draft["id"], headers=h, json=spec(rule="area"))
    opened = api(
        "POST",
        "/api/v1/campaigns/{campaign_id}/publish",
        campaign_id=elevator.campaign["id"],
        headers=h,
        json={"notice": True},
    )
    cid_ = opened["id"]
    unit = elevator.units[10]
    owner = make.headers(make.resident(unit))
    api("POST", "/api/v1/my/pledges", 201, headers=owner, json={"campaign_id": cid_, "unit_id": unit.id})
    api("GET", "/api/v1/my/pledges", headers=owner)
    api("GET", "/api/v1/campaigns/{campaign_id}", campaign_id=cid_, headers=owner)
    api(
        "POST",
        "/api/v1/campaigns/{campaign_id}/pledges",
        201,
        campaign_id=cid_,
        headers=h,
        json={"unit_id": elevator.units[9].id, "amount_fen": 100},
    )
    payment = api(
        "POST",
        "/api/v1/campaigns/{campaign_id}/payments",
        201,
        campaign_id=cid_,
        headers=h,
        json={"unit_id": unit.id, "amount_fen": 100, "paid_on": "2025-03-01", "method": "alipay", "reference": "Z"},
    )
    api(
        "POST",
        "/api/v1/campaigns/{campaign_id}/payments/{payment_id}/reverse",
        201,
        campaign_id=cid_,
        payment_id=payment["id"],
        headers=h,
        json={"reason": "重复"},
    )
    api("GET", "/api/v1/campaigns/{campaign_id}/payments", campaign_id=cid_, headers=h)
    api("GET", "/api/v1/campaigns/{campaign_id}/shares", campaign_id=cid_, headers=h)
    api("GET", "/api/v1/campaigns/{campaign_id}", campaign_id=cid_, headers=h)
    api("GET", "/api/v1/compounds/{compound_id}/campaigns", compound_id=cid, headers=h)
    keys = set(api("GET", "/api/v1/campaigns/{campaign_id}", campaign_id=cid_, headers=h))
    assert {
        "id", "title", "status", "rule", "scope", "total_cost_fen", "subsidies_fen", "residents_part_fen",
        "pledged_fen", "paid_fen", "unpledged_fen", "gap_fen", "households", "households_pledged", "households_paid",
    } <= keys  # fmt: skip


def test_units_stay_in_unit_order(client, world, make):
    c1, h = world.compounds["c1"], world.h["committee"]
    for building, room in [("10", "101"), ("2", "1001"), ("2", "201"), ("B", "101"), ("2", "A1")]:
        make.unit(c1, building, "1", room, "50.00")
    campaign = create(client, h, c1, total_cost_fen=5, rule="equal")
    rows = shares(client, h, campaign)
    assert [(r["building"], r["room"]) for r in rows] == [
        ("2", "201"),
        ("2", "1001"),
        ("2", "A1"),
        ("10", "101"),
        ("B", "101"),
    ]
    assert [r["share_fen"] for r in rows] == [1, 1, 1, 1, 1]


def test_unit_shares_with_an_unbound_unit_are_not_listed(client, make, opened):
    """A resident bound to two units sees both; the one outside scope does not show."""
    resident = make.resident(opened.units[2], opened.outside)
    mine = client.get("/api/v1/my/pledges", headers=make.headers(resident)).get_json()
    assert [m["unit_id"] for m in mine] == [opened.units[2].id]
    assert db.session.scalar(select(Unit.id).where(Unit.id == opened.outside.id))


def test_a_household_reads_its_own_payments_and_reversals(client, make, opened):
    """Issue 9 §5: "my payments" on 我的小区 — each entry of the household's own unit, never another's."""
    h, campaign, unit, other = opened.h, opened.campaign, opened.units[10], opened.units[9]
    first = pay(client, h, campaign, unit, 300_000, "H-1", method="wechat").get_json()
    pay(client, h, campaign, unit, 200_000, "H-2", paid_on="2025-03-10")
    pay(client, h, campaign, other, 100, "H-3")
    url = f"/api/v1/campaigns/{campaign['id']}/payments/{first['id']}/reverse"
    assert client.post(url, json={"reason": "金额录错"}, headers=h).status_code == 201
    mine = client.get("/api/v1/my/pledges", headers=make.headers(make.resident(unit))).get_json()
    assert [m["unit_id"] for m in mine] == [unit.id] and mine[0]["paid_fen"] == 200_000
    entries = [(p["kind_name"], p["amount_fen"], p["method_name"], p["reference"]) for p in mine[0]["payments"]]
    assert entries == [
        ("缴款", 300_000, "微信", "H-1"),
        ("缴款", 200_000, "现金", "H-2"),
        ("冲正", 300_000, None, None),
    ]
    assert mine[0]["payments"][1]["paid_on_text"] == "2025年3月10日" and mine[0]["payments"][2]["reason"] == "金额录错"
    assert "created_by" not in mine[0]["payments"][0]  # the household does not see who at the desk keyed it


def test_household_letters_carry_each_units_share(client, tmp_path, elevator):
    from tests.test_ballot_sheets import pages_text

    h, campaign = elevator.h, elevator.campaign
    url = f"/api/v1/campaigns/{campaign['id']}/letters.pdf"
    assert_error(client.get(url, headers=h), 409, "campaign_not_open")
    notice = publish(client, h, campaign, notice=True)["notice"]
    r = client.get(url, headers=h)
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    pages = pages_text(r.data, tmp_path)
    assert len(pages) == 12
    top = pages[11]
    assert "1号楼1单元602室" in top and "¥88,235.29" in top and "市级补助 ¥150,000.00" in top
    assert f"/n/{notice['token']}" in top
    assert "¥0.00" in pages[0]
    r = client.get(url, query_string={"status": "none"}, headers=elevator.h)
    assert len(pages_text(r.data, tmp_path)) == 12


def test_constraints_answer_named_conflicts_when_the_checks_are_passed(client, opened):
    """What a race would hit, forced: each unique constraint, under its savepoint, is the named 409 and leaves
    the rest of the transaction usable (SQLite and PostgreSQL alike)."""
    from datetime import date

    from backend.errors import Conflict
    from funds.campaigns import services
    from funds.campaigns.models import Pledge

    h, campaign, unit = opened.h, opened.campaign, opened.units[11]
    client.post(f"/api/v1/campaigns/{campaign['id']}/pledges", json={"unit_id": unit.id}, headers=h)
    payment = pay(client, h, campaign, unit, 100, "K-1").get_json()
    client.post(f"/api/v1/campaigns/{campaign['id']}/payments/{payment['id']}/reverse", json={"reason": "x"}, headers=h)
    common = {"campaign_id": campaign["id"], "unit_id": unit.id, "created_by": "test"}
    entry = {**common, "amount_fen": 1, "paid_on": date(2025, 3, 1)}
    for row, code in [
        (Pledge(**common, amount_fen=1, channel="paper"), "pledge_exists"),
        (PaymentEntry(**entry, kind="payment", method="cash", reference="K-1"), "payment_duplicate"),
        (PaymentEntry(**entry, kind="reversal", reverses_id=payment["id"], reason="y"), "payment_reversed"),
    ]:
        with pytest.raises(Conflict) as refused:
            services._insert(row)
        assert refused.value.code == code
    services._insert(PaymentEntry(**entry, kind="payment", method="cash", reference="K-2"))
    db.session.commit()
    assert db.session.scalar(select(PaymentEntry.id).where(PaymentEntry.reference == "K-2"))
