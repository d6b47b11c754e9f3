"""One survey response per household, held by the database under a race of real requests (PostgreSQL), and
drafts edited and published at once: exactly one outcome wins."""

import pytest

from backend.extensions import db
from surveys.models import AnonymousResponse, Participation, Response
from tests.test_surveys import FULL, Surveys
from tests.test_votes_concurrency import THREADS, race


@pytest.mark.postgres_only
@pytest.mark.parametrize("anonymous", [False, True])
def test_concurrent_answers_for_one_household_store_exactly_one(app, clock, client, make, world, anonymous):
    sv = Surveys(client, make, world)
    unit = make.units(sv.compound, 2)[0]
    survey = sv.open(anonymous=anonymous)
    url, unit_id = f"/api/v1/surveys/{survey['id']}", unit.id
    people = [make.headers(make.resident(unit, relation="tenant", name=f"租户{k}")) for k in range(THREADS // 2)]
    online = [
        lambda c, h=h: c.post(f"{url}/responses", json={"unit_id": unit_id, "answers": FULL}, headers=h) for h in people
    ]
    paper = [
        lambda c: c.post(f"{url}/paper-responses", json={"unit_id": unit_id, "answers": FULL}, headers=sv.h)
        for _ in range(THREADS // 2)
    ]
    results = race(app, online + paper)
    assert sorted(status for status, _ in results) == [201] + [409] * (THREADS - 1), results
    assert {body["code"] for status, body in results if status == 409} == {"response_exists"}
    assert db.session.query(Participation).filter_by(survey_id=survey["id"]).count() == 1
    stored = AnonymousResponse if anonymous else Response
    assert db.session.query(stored).filter_by(survey_id=survey["id"]).count() == 1


@pytest.mark.postgres_only
def test_an_edit_and_a_publish_at_once_never_change_a_published_survey(app, clock, client, make, world):
    sv = Surveys(client, make, world)
    make.units(sv.compound, 2)
    survey = sv.create()
    url = f"/api/v1/surveys/{survey['id']}"
    publishes = [lambda c: c.post(f"{url}/publish", headers=sv.h) for _ in range(THREADS // 2)]
    edits = [lambda c: c.patch(url, json={"title": "改后的标题"}, headers=sv.h) for _ in range(THREADS // 2)]
    results = race(app, publishes + edits)
    published = [s for s, _ in results[: THREADS // 2]]
    assert published.count(200) == 1 and published.count(409) == THREADS // 2 - 1, results
    edited_after = [body for s, body in results[THREADS // 2 :] if s == 409]
    assert all(b["code"] == "survey_published" for b in edited_after)
    final = sv.get(survey)
    # Every edit that succeeded happened before the publish: the published title is the last one applied.
    assert final["status"] == "open"
    assert final["title"] == ("改后的标题" if len(edited_after) < THREADS // 2 else "测试问卷")
