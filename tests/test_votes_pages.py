"""The committee's vote desk pages (/m/committee/votes…): each shell renders in Chinese with no outside resources
and no community's data, and every API call a page makes answers its committee and refuses another community's."""

import re

import pytest

from tests.test_votes_kit import item

PAGES = [
    "/m/committee/votes",
    "/m/committee/votes/new",
    "/m/committee/votes/{vid}",
    "/m/committee/votes/{vid}/paper",
    "/m/committee/votes/{vid}/chasing",
]


@pytest.fixture
def vote(kit, make, world):
    make.units(world.compounds["c1"], 4, building="3", entrance="2")
    return kit.vote([item("rebuild", "加装电梯")], scope={"building": "3", "entrance": "2"}, title="三号楼加装电梯")


@pytest.mark.parametrize("path", PAGES)
def test_page_renders_shell_without_data_or_outside_resources(client, vote, path):
    r = client.get(path.format(vid=vote["id"]))
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert r.headers["Cache-Control"] == "no-store" and "Set-Cookie" not in r.headers
    html = r.get_data(as_text=True)
    assert 'lang="zh-CN"' in html and "http://" not in html and "https://" not in html
    assert 'id="staff-login"' in html and "/m/static/m.js" in html and "/m/static/desk.js" in html
    assert "三号楼加装电梯" not in html and "幸福里" not in html  # the figures come only through the API


def test_create_page_offers_the_ten_matters_in_chinese(client):
    html = client.get("/m/committee/votes/new").get_data(as_text=True)
    matters = re.findall(r'<option value="([a-z_]+)" data-rule="([^"]+)">([^<]+)</option>', html)
    assert [m[0] for m in matters][:3] == ["rules_of_procedure", "management_statute", "committee_election"]
    assert len(matters) == 10 and all(re.search(r"[\u4e00-\u9fff]", name) for _, _, name in matters)
    rules = {code: rule for code, rule, _ in matters}
    assert "四分之三" in rules["rebuild"] and "过半数" in rules["fund_use"] and "不作决定" in rules["consultation"]


def test_desk_script_and_styles_served(client):
    js = client.get("/m/static/desk.js")
    assert js.status_code == 200 and "paper-ballots/bulk" in js.get_data(as_text=True)
    assert client.get("/m/static/m.css").status_code == 200


def page_calls(c1, vid):
    """The API calls the desk's pages make (residents/static/desk.js), read-only ones first."""
    return {
        "list": [("GET", f"/api/v1/compounds/{c1}/votes", None)],
        "new": [("GET", f"/api/v1/compounds/{c1}", None), ("GET", f"/api/v1/compounds/{c1}/buildings", None)],
        "vote": [("GET", f"/api/v1/votes/{vid}", None), ("GET", f"/api/v1/votes/{vid}/tally", None)],
        "chasing": [("GET", f"/api/v1/votes/{vid}/progress", None)],
        "paper": [
            (
                "POST",
                f"/api/v1/votes/{vid}/paper-ballots/bulk",
                {"sheets": [{"building": "3", "entrance": "2", "room": "101"}]},
            )
        ],
    }


@pytest.mark.parametrize("name", ["list", "new", "vote", "chasing", "paper"])
def test_page_api_answers_committee_and_refuses_another_community(client, world, vote, name):
    c1 = world.compounds["c1"].id
    for method, path, body in page_calls(c1, vote["id"])[name]:
        other = client.open(path, method=method, json=body, headers=world.h["committee2"])
        assert other.status_code in (403, 404), (path, other.status_code)
        assert "三号楼" not in other.get_data(as_text=True)
        mine = client.open(path, method=method, json=body, headers=world.h["committee"])
        assert mine.status_code == 200, (path, mine.get_json())


def test_list_page_compounds_are_the_committees_own(client, world):
    names = [c["name"] for c in client.get("/api/v1/compounds?per_page=500", headers=world.h["committee2"]).get_json()]
    assert names == ["和平小区"]


def test_vote_page_actions_refuse_another_community(client, world, vote, kit):
    """Create, publish, close, announce and the downloads: another community's committee gets nothing."""
    other = world.h["committee2"]
    c1 = world.compounds["c1"].id
    r = client.post(
        f"/api/v1/compounds/{c1}/votes",
        headers=other,
        json={
            "title": "x",
            "opens_at": "2030-01-01T08:00:00+08:00",
            "closes_at": "2030-01-10T08:00:00+08:00",
            "items": [item("rebuild")],
        },
    )
    assert r.status_code in (403, 404)
    draft = kit.create([item("rebuild")]).get_json()
    assert client.post(f"/api/v1/votes/{draft['id']}/publish", headers=other).status_code in (403, 404)
    vid = vote["id"]
    assert client.post(f"/api/v1/votes/{vid}/close", headers=other).status_code in (403, 404)
    assert kit.post(vote, "close").status_code == 200
    assert client.post(f"/api/v1/votes/{vid}/announce", headers=other).status_code in (403, 404)
    assert kit.post(vote, "announce").status_code == 200
    for suffix in ("result.pdf", "evidence.xlsx"):
        assert client.get(f"/api/v1/votes/{vid}/{suffix}", headers=other).status_code in (403, 404)
        assert client.get(f"/api/v1/votes/{vid}/{suffix}", headers=world.h["committee"]).status_code == 200


def test_desk_api_needs_the_staff_sign_in(client, world):
    """Without a staff token the API behind every page is closed (401), so the shell shows only its sign-in."""
    c1 = world.compounds["c1"].id
    assert client.get(f"/api/v1/compounds/{c1}/votes").status_code == 401
    r = client.post("/api/v1/auth/login", json={"username": "committee", "password": "secret-pass-1"})
    assert r.status_code == 200 and {"access_token", "refresh_token"} <= set(r.get_json())
