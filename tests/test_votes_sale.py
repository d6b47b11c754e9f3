"""A unit sold while a vote is open (DOMAIN §2), and what the committee may not change in a resident's ballot."""

import csv
import io

from backend.extensions import db
from backend.roster.models import HouseholdBinding
from tests.test_votes_kit import assert_error

HEADER = ["楼栋", "单元", "房号", "楼层", "建筑面积", "业主", "证件号", "手机"]


def roster(client, compound, headers, rows):
    buf = io.StringIO()
    csv.writer(buf).writerows([HEADER, *rows])
    r = client.post(
        f"/api/v1/compounds/{compound.id}/roster",
        headers=headers,
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(buf.getvalue().encode("utf-8-sig")), "r.csv")},
    )
    assert r.status_code == 200, r.get_json()
    return r.get_json()


ZHANG = [
    ["1", "1", "101", "1", "60.00", "张三", "ID-ZS", "13900000001"],
    ["1", "1", "102", "1", "40.00", "张三", "ID-ZS", "13900000001"],
    ["1", "1", "201", "2", "50.00", "王五", "ID-WW", ""],
]
SOLD = [ZHANG[0], ["1", "1", "102", "1", "40.00", "李四", "ID-LS", "13900000002"], ZHANG[2]]


def unit_ids(client, compound, headers):
    listed = client.get(f"/api/v1/compounds/{compound.id}/units", headers=headers).get_json()
    return {u["room"]: u["id"] for u in listed}


def test_sale_ends_the_sellers_bindings_and_the_buyer_votes_freely(kit, make):
    h, compound = kit.h, kit.compound
    roster(kit.client, compound, h, ZHANG)
    ids = unit_ids(kit.client, compound, h)
    from backend.roster.models import Unit

    seller = make.resident(db.session.get(Unit, ids["101"]), db.session.get(Unit, ids["102"]), name="张三")
    vote = kit.vote()
    assert kit.tally(vote)["electorate"] == {"units": 3, "owners": 2, "area": "150.00"}
    assert kit.resident_ballot(vote, seller, db.session.get(Unit, ids["101"]), "agree").status_code == 201

    body = roster(kit.client, compound, h, SOLD)
    assert body["updated"] == 1 and any("过户" in w["message"] for w in body["warnings"])
    ended = db.session.query(HouseholdBinding).filter_by(resident_id=seller.id, unit_id=ids["102"]).one()
    assert (ended.status, ended.revoked_at is not None) == ("revoked", True)
    kept = db.session.query(HouseholdBinding).filter_by(resident_id=seller.id, unit_id=ids["101"]).one()
    assert kept.status == "active"

    # The seller can no longer speak for the flat they sold.
    assert_error(kit.resident_ballot(vote, seller, db.session.get(Unit, ids["102"]), "agree"), 403, "unit_not_bound")
    # The buyer is a different person: their ballot need not agree with the seller's other flat.
    buyer = make.resident(db.session.get(Unit, ids["102"]), name="李四")
    assert kit.resident_ballot(vote, buyer, db.session.get(Unit, ids["102"]), "disagree").status_code == 201
    item = kit.item_tally(vote)
    assert item["options"]["agree"]["owners"] == 1 and item["options"]["agree"]["area"] == "60.00"
    assert item["options"]["disagree"]["owners"] == 1 and item["options"]["disagree"]["area"] == "40.00"
    assert kit.tally(vote)["electorate"] == {"units": 3, "owners": 2, "area": "150.00"}  # frozen at publish


def test_correction_of_a_co_owner_is_not_a_sale(kit, make):
    roster(kit.client, kit.compound, kit.h, ZHANG)
    ids = unit_ids(kit.client, kit.compound, kit.h)
    from backend.roster.models import Unit

    resident = make.resident(db.session.get(Unit, ids["201"]), name="王五")
    fixed = [ZHANG[0], ZHANG[1], ["1", "1", "201", "2", "50.00", "王五、赵六", "ID-WW", ""]]
    body = roster(kit.client, kit.compound, kit.h, fixed)
    assert body["updated"] == 1 and not any("过户" in w["message"] for w in body["warnings"])
    assert db.session.query(HouseholdBinding).filter_by(resident_id=resident.id).one().status == "active"


def test_committee_cannot_rewrite_a_residents_online_ballot(kit, make):
    units = make.units(kit.compound, 2)
    vote = kit.vote()
    resident = make.resident(units[0])
    assert kit.resident_ballot(vote, resident, units[0], "agree").status_code == 201
    ballot = kit.client.get(f"/api/v1/votes/{vote['id']}/ballots", headers=kit.h).get_json()[0]
    item = str(vote["items"][0]["id"])
    r = kit.client.post(
        f"/api/v1/votes/{vote['id']}/ballots/{ballot['id']}/correct",
        headers=kit.h,
        json={"choices": {item: "disagree"}, "reason": "改一下"},
    )
    assert_error(r, 409, "ballot_not_correctable")
    assert kit.item_tally(vote)["options"]["agree"]["owners"] == 1
    # A paper sheet the committee mis-keyed is still theirs to correct.
    paper = kit.paper(vote, units[1], "agree").get_json()
    r = kit.client.post(
        f"/api/v1/votes/{vote['id']}/ballots/{paper['ballot_id']}/correct",
        headers=kit.h,
        json={"choices": {item: "disagree"}, "reason": "录入错误，原票为反对"},
    )
    assert r.status_code == 201, r.get_json()
    assert kit.item_tally(vote)["options"]["disagree"]["owners"] == 1
