"""From an elevator-willingness survey to its entrance's co-funding campaign (issue 10, item 6): a draft shared by
floor coefficient × area, the typical table filled for the entrance's floors, linked back to the survey."""

from tests.test_surveys import TEMPLATE_ANSWERS, Surveys
from tests.test_votes_kit import assert_error


def test_a_closed_elevator_survey_drafts_its_entrances_campaign(clock, client, make, world):
    sv = Surveys(client, make, world)
    units = [make.unit(sv.compound, building="3", entrance="1", room=room) for room in ("201", "301", "501", "601")]
    make.unit(sv.compound, building="3", entrance="2", room="701")  # another entrance: not in the campaign
    survey = sv.open(template="elevator_willingness", scope={"building": "3", "entrance": "1"})
    for unit, willing in zip(units[:3], ("yes", "yes", "no"), strict=True):
        answers = {**TEMPLATE_ANSWERS["elevator_willingness"], "willing": willing}
        if willing == "no":
            answers.pop("pay")
        assert sv.paper(survey, unit, answers).status_code == 201
    url = f"/api/v1/surveys/{survey['id']}/draft-campaign"
    body = {"total_cost_fen": 1_000_000}
    assert_error(client.post(url, json=body, headers=sv.h), 409, "survey_not_closed")
    client.post(f"/api/v1/surveys/{survey['id']}/close", headers=sv.h)
    assert_error(client.post(url, json=body, headers=world.h["committee2"]), 403, "outside_jurisdiction")
    assert_error(client.post(url, json={"total_cost_fen": 0}, headers=sv.h), 422, "validation_error")
    r = client.post(url, json=body, headers=sv.h)
    assert r.status_code == 201, r.get_json()
    out = r.get_json()
    assert out["floor_coefficients"] == {"2": "0", "3": "0.7", "5": "0.9", "6": "1.0"}
    campaign = client.get(f"/api/v1/campaigns/{out['campaign_id']}", headers=sv.h).get_json()
    assert campaign["status"] == "draft" and campaign["rule"] == "floor_area"
    assert campaign["scope"] == {"building": "3", "entrance": "1"}
    assert f"问卷编号{survey['id']}" in campaign["description"] and "3户作答，2户同意加装" in campaign["description"]
    shares = client.get(f"/api/v1/campaigns/{out['campaign_id']}/shares", headers=sv.h).get_json()
    # weights 0, 0.7·80, 0.9·80, 1.0·80 over ¥10,000: floors, then the two largest remainders get a fen each
    assert [(s["room"], s["share_fen"]) for s in shares] == [
        ("201", 0),
        ("301", 269_231),
        ("501", 346_154),
        ("601", 384_615),
    ]
    assert sv.get(survey)["draft_campaign_id"] == out["campaign_id"]
    assert_error(client.post(url, json=body, headers=sv.h), 409, "draft_campaign_exists")
    needs = sv.open(template="renovation_needs")
    client.post(f"/api/v1/surveys/{needs['id']}/close", headers=sv.h)
    r = client.post(f"/api/v1/surveys/{needs['id']}/draft-campaign", json=body, headers=sv.h)
    assert_error(r, 409, "not_elevator_willingness")
