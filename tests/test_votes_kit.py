"""Shared helpers for the vote tests (no tests here): drive votes through HTTP as a committee would."""

from datetime import datetime, timedelta

from backend.types import CHINA_TZ, utcnow


def at(**delta):
    """A time ``delta`` from the app's clock, as a client in Beijing sends it (read it inside the test)."""
    return (utcnow() + timedelta(**delta)).astimezone(CHINA_TZ).isoformat()


def item(matter="property_manager", title=None, options=None):
    spec = {"title": title or f"事项-{matter}", "matter": matter}
    if options:
        spec["options"] = options
    return spec


class Kit:
    def __init__(self, client, make, world, clock):
        self.client, self.make, self.world, self.clock = client, make, world, clock
        self.h = world.h["committee"]
        self.compound = world.compounds["c1"]

    def create(self, items=None, scope=None, headers=None, compound=None, **extra):
        body = {
            "title": extra.pop("title", "测试表决"),
            "description": "",
            "scope": scope or {},
            "opens_at": extra.pop("opens_at", at(minutes=-1)),
            "closes_at": extra.pop("closes_at", at(days=1)),
            "items": [item()] if items is None else items,
            **extra,
        }
        return self.client.post(
            f"/api/v1/compounds/{(compound or self.compound).id}/votes", json=body, headers=headers or self.h
        )

    def vote(self, items=None, scope=None, **extra):
        """Create and publish; returns the published vote's staff detail."""
        r = self.create(items, scope, **extra)
        assert r.status_code == 201, r.get_json()
        r = self.client.post(f"/api/v1/votes/{r.get_json()['id']}/publish", headers=self.h)
        assert r.status_code == 200, r.get_json()
        return r.get_json()

    def paper(self, vote, unit, choice=None, choices=None, headers=None, **extra):
        """Key in a paper sheet: ``choice`` for every item, or ``choices`` by item index."""
        if choices is None:
            choices = {str(i["id"]): choice for i in vote["items"]} if choice else {}
        elif isinstance(choices, list):
            choices = {str(i["id"]): c for i, c in zip(vote["items"], choices, strict=False)}
        return self.client.post(
            f"/api/v1/votes/{vote['id']}/paper-ballots",
            json={"unit_id": unit.id, "choices": choices, **extra},
            headers=headers or self.h,
        )

    def cast(self, vote, units, choice):
        for unit in units:
            r = self.paper(vote, unit, choice)
            assert r.status_code == 201, r.get_json()

    def post(self, vote, action, headers=None):
        return self.client.post(f"/api/v1/votes/{vote['id']}/{action}", headers=headers or self.h)

    def tally(self, vote, headers=None):
        r = self.client.get(f"/api/v1/votes/{vote['id']}/tally", headers=headers or self.h)
        assert r.status_code == 200, r.get_json()
        return r.get_json()

    def item_tally(self, vote, index=0):
        return self.tally(vote)["items"][index]

    def resident_ballot(self, vote, resident, unit, choice, headers=None):
        choices = {str(i["id"]): choice for i in vote["items"]}
        return self.client.post(
            f"/api/v1/votes/{vote['id']}/ballots",
            json={"unit_id": unit.id, "choices": choices},
            headers=headers or self.make.headers(resident),
        )

    def end_window(self, vote):
        """Let the server's clock reach the vote's closing time."""
        self.clock.set(datetime.fromisoformat(vote["closes_at"]))


def assert_error(r, status, code):
    body = r.get_json()
    assert r.status_code == status, body
    assert body["code"] == code and isinstance(body["message"], str) and body["message"], body
