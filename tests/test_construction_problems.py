"""Construction-problem reports (issue 13 §6) through HTTP, on SQLite and PostgreSQL: a resident of a project's
compound files one with a photo whose EXIF (GPS location and all) is gone once stored; photos are checked by content,
size and number; the committee answers and closes it (two closes at once: one wins); another compound's resident is
refused, and so is anyone else asking for the photo; the officials count the open reports per compound."""

import io
import os
from types import SimpleNamespace

import pytest
from PIL import Image

from tests.test_declared_outputs import Documented
from tests.test_projects import create
from tests.test_votes_concurrency import race
from tests.test_votes_kit import assert_error

MAX = 300_000  # a small limit, so "too large" needs no 8 MB upload


@pytest.fixture
def app_config(tmp_path):
    return {"PHOTO_DIR": str(tmp_path / "photos"), "PROBLEM_PHOTO_MAX_BYTES": MAX}


def gps_jpeg(size=(64, 48)):
    """A phone's photo: EXIF with the camera, a rotation and a GPS location (34°15′30″N 108°56′10″E)."""
    exif = Image.Exif()
    exif[0x010F] = "TestCam"
    exif[0x0112] = 6  # rotated: stored upright as 48×64
    exif.get_ifd(0x8825).update({1: "N", 2: (34.0, 15.0, 30.0), 3: "E", 4: (108.0, 56.0, 10.0)})
    out = io.BytesIO()
    Image.new("RGB", size, (200, 100, 50)).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def png():
    out = io.BytesIO()
    Image.new("RGBA", (20, 10), (0, 128, 0, 255)).save(out, "PNG")
    return out.getvalue()


def file(t, project, headers, photos=(), status=201, **over):
    data = {"text": "夜里十一点还在切割钢筋，噪音很大", "building": "3", "category": "noise", **over}
    data["photos"] = [(io.BytesIO(content), name) for name, content in photos]
    r = t.client.post(
        f"/api/v1/my/projects/{project['id']}/problems", data=data, headers=headers, content_type="multipart/form-data"
    )
    assert r.status_code == status, r.get_json()
    return r.get_json()


@pytest.fixture
def pr(kit, make, client, world):
    """Community 1's compound with four flats and a project; a resident of its first flat."""
    units = make.units(kit.compound, 4, area="100.00")
    t = SimpleNamespace(kit=kit, client=client, world=world, make=make, units=units, h=kit.h, c1=kit.compound)
    t.project = create(t)
    t.resident = make.resident(units[0])
    t.rh = make.headers(t.resident)
    return t


def test_filed_with_a_photo_stripped_of_its_location_answered_and_closed(app, pr, world):
    api = Documented(pr.client)
    problem = file(pr, pr.project, pr.rh, photos=[("IMG_0001.jpg", gps_jpeg()), ("shot.png", png())])
    assert (problem["status"], problem["status_name"], problem["category_name"]) == ("open", "待答复", "噪音")
    assert problem["compound"]["id"] == pr.c1.id and problem["unit"]["id"] == pr.units[0].id
    assert [p["mime"] for p in problem["photos"]] == ["image/jpeg", "image/png"]
    # Upright as the phone showed it; no EXIF at all on disk, so no GPS location; a random name, not the upload's.
    first = problem["photos"][0]
    assert (first["width"], first["height"]) == (48, 64)
    stored = os.listdir(app.config["PHOTO_DIR"])
    assert len(stored) == 2 and not any("IMG" in n or "shot" in n for n in stored)
    for name in stored:
        with open(os.path.join(app.config["PHOTO_DIR"], name), "rb") as f:
            raw = f.read()
        image = Image.open(io.BytesIO(raw))
        assert not image.getexif() and "exif" not in image.info and b"TestCam" not in raw
    served = pr.client.get(first["url"], headers=pr.rh)
    assert (
        served.status_code == 200 and served.mimetype == "image/jpeg" and "no-store" in served.headers["Cache-Control"]
    )
    assert not Image.open(io.BytesIO(served.data)).getexif()

    # The committee (and the street official) see it; the committee answers, then closes it.
    listed = api("GET", "/api/v1/compounds/{compound_id}/problems", compound_id=pr.c1.id, headers=pr.h)
    assert [p["id"] for p in listed] == [problem["id"]]
    assert pr.client.get(first["url"], headers=pr.h).status_code == 200
    assert pr.client.get(first["url"], headers=world.h["official"]).status_code == 200
    pid = problem["id"]
    assert_error(pr.client.post(f"/api/v1/problems/{pid}/close", json={}, headers=pr.h), 422, "reply_required")
    answered = api("POST", "/api/v1/problems/{problem_id}/reply", problem_id=pid, json={"reply": "已要求施工方22点后停工"},
                   headers=pr.h)  # fmt: skip
    assert (answered["status"], answered["reply"]) == ("answered", "已要求施工方22点后停工")
    counts = api("GET", "/api/v1/reports/open-problems", headers=world.h["official"])
    assert [(c["compound"]["id"], c["open"], c["answered"], c["unclosed"]) for c in counts["compounds"]] == [
        (pr.c1.id, 0, 1, 1)
    ]
    closed = api("POST", "/api/v1/problems/{problem_id}/close", problem_id=pid, json={}, headers=pr.h)
    assert closed["status"] == "closed" and closed["closed_at"]
    assert_error(pr.client.post(f"/api/v1/problems/{pid}/close", json={}, headers=pr.h), 409, "problem_already_closed")
    assert_error(pr.client.post(f"/api/v1/problems/{pid}/reply", json={"reply": "再答"}, headers=pr.h), 409,
                 "problem_closed")  # fmt: skip
    mine = api("GET", "/api/v1/my/problems", headers=pr.rh)
    assert [(p["id"], p["status"], p["reply"]) for p in mine] == [(pid, "closed", "已要求施工方22点后停工")]
    assert api("GET", "/api/v1/reports/open-problems", headers=world.h["official"])["compounds"] == []


def test_photos_are_checked_by_content_size_and_number(app, pr):
    r = file(pr, pr.project, pr.rh, photos=[("photo.jpg", b"%PDF-1.4 not a photo at all")], status=422)
    assert r["code"] == "photo_type" and "第1张" in r["message"]
    gif = io.BytesIO()
    Image.new("RGB", (4, 4)).save(gif, "GIF")
    assert file(pr, pr.project, pr.rh, photos=[("a.jpg", gif.getvalue())], status=422)["code"] == "photo_type"
    big = b"\xff\xd8\xff" + b"\0" * MAX
    r = file(pr, pr.project, pr.rh, photos=[("a.jpg", gps_jpeg()), ("b.jpg", big)], status=422)
    assert r["code"] == "photo_too_large" and "第2张" in r["message"] and "MB" in r["message"]
    r = file(pr, pr.project, pr.rh, photos=[(f"{k}.jpg", gps_jpeg()) for k in range(4)], status=422)
    assert r["code"] == "too_many_photos"
    assert file(pr, pr.project, pr.rh, text="x" * 1001, status=422)["code"]
    assert file(pr, pr.project, pr.rh, category="smell", status=422)["code"]
    assert not os.path.exists(app.config["PHOTO_DIR"]) or os.listdir(app.config["PHOTO_DIR"]) == []
    # Without photos is fine too.
    assert file(pr, pr.project, pr.rh, category="safety")["photos"] == []


def test_another_compound_and_strangers_are_refused(pr, world):
    problem = file(pr, pr.project, pr.rh, photos=[("a.jpg", gps_jpeg())])
    url = problem["photos"][0]["url"]
    other = pr.make.headers(pr.make.resident(pr.make.unit(world.compounds["c2"])))
    assert file(pr, pr.project, other, status=403)["code"] == "not_your_compound"
    neighbour = pr.make.headers(pr.make.resident(pr.units[1]))  # same compound, not the reporter
    for h in (world.h["committee2"], world.h["official_other"]):
        assert pr.client.get(url, headers=h).status_code == 403
        assert pr.client.get(f"/api/v1/problems/{problem['id']}", headers=h).status_code == 403
    for h in (other, neighbour):  # another resident is told nothing exists there
        assert_error(pr.client.get(url, headers=h), 404, "photo_not_found")
        assert_error(pr.client.get(f"/api/v1/problems/{problem['id']}", headers=h), 404, "problem_not_found")
    assert pr.client.get(url).status_code == 401
    assert_error(pr.client.post(f"/api/v1/problems/{problem['id']}/reply", json={"reply": "x"},
                                headers=world.h["official"]), 403, "role_forbidden")  # fmt: skip
    assert_error(pr.client.post(f"/api/v1/problems/{problem['id']}/reply", json={"reply": "x"},
                                headers=world.h["committee2"]), 403, "outside_jurisdiction")  # fmt: skip
    assert pr.client.get(f"/api/v1/compounds/{pr.c1.id}/problems", headers=world.h["committee2"]).status_code == 403
    assert (
        pr.client.get("/api/v1/reports/open-problems", headers=world.h["official_other"]).get_json()["compounds"] == []
    )


def test_photos_are_purged_retention_days_after_their_report_closed(app, pr, runner, clock):
    """PIPL retention (residents/privacy.py): a closed report's photos go RETENTION_DAYS after closing, files and
    rows; the report stays, saying when; open and answered reports keep theirs however old."""
    days, folder = app.config["RETENTION_DAYS"], app.config["PHOTO_DIR"]

    def answer(problem, close=True):
        pid = problem["id"]
        assert (
            pr.client.post(f"/api/v1/problems/{pid}/reply", json={"reply": "已处理"}, headers=pr.h).status_code == 200
        )
        if close:
            assert pr.client.post(f"/api/v1/problems/{pid}/close", json={}, headers=pr.h).status_code == 200

    old = file(pr, pr.project, pr.rh, photos=[("a.jpg", gps_jpeg()), ("b.png", png())])
    answer(old)
    answered = file(pr, pr.project, pr.rh, photos=[("c.jpg", gps_jpeg())])
    answer(answered, close=False)
    still_open = file(pr, pr.project, pr.rh, photos=[("d.jpg", gps_jpeg())])
    clock.advance(days=10)
    recent = file(pr, pr.project, pr.rh, photos=[("e.jpg", gps_jpeg())])
    answer(recent)
    assert len(os.listdir(folder)) == 5
    clock.advance(days=days - 10, seconds=1)  # the first report closed RETENTION_DAYS and a second ago
    result = runner.invoke(args=["residents", "purge"])
    assert result.exit_code == 0 and "problem_photos 2" in result.output, result.output
    assert len(os.listdir(folder)) == 3
    gone = pr.client.get(f"/api/v1/problems/{old['id']}", headers=pr.h).get_json()
    assert gone["photos"] == [] and gone["photos_purged_at"] and gone["text"] == old["text"]
    for photo in old["photos"]:
        assert_error(pr.client.get(photo["url"], headers=pr.h), 404, "photo_not_found")
    for kept in (answered, still_open, recent):
        body = pr.client.get(f"/api/v1/problems/{kept['id']}", headers=pr.h).get_json()
        assert body["photos_purged_at"] is None
        assert pr.client.get(body["photos"][0]["url"], headers=pr.h).status_code == 200
    clock.advance(days=10)  # now the recent one's time has come too
    assert "problem_photos 1" in runner.invoke(args=["residents", "purge"]).output
    assert len(os.listdir(folder)) == 2
    # A file gone while its row stayed (a purge whose commit failed): a clear 404, and the next run clears it.
    os.remove(os.path.join(folder, os.listdir(folder)[0]))
    served = [pr.client.get(k["photos"][0]["url"], headers=pr.h) for k in (answered, still_open)]
    assert sorted(r.status_code for r in served) == [200, 404]
    assert [r.get_json()["code"] for r in served if r.status_code == 404] == ["photo_purged"]


@pytest.mark.postgres_only
def test_two_closes_at_once_one_wins(app, pr):
    problem = file(pr, pr.project, pr.rh)
    pid, h = problem["id"], pr.h
    assert pr.client.post(f"/api/v1/problems/{pid}/reply", json={"reply": "已处理"}, headers=h).status_code == 200
    results = race(app, [lambda c: c.post(f"/api/v1/problems/{pid}/close", json={}, headers=h) for _ in range(6)])
    assert sorted(status for status, _ in results) == [200] + [409] * 5, results
    assert {body["code"] for status, body in results if status == 409} == {"problem_already_closed"}


def test_the_contractors_contact_sees_answers_and_closes(pr, world):
    api = Documented(pr.client)
    problem = file(pr, pr.project, pr.rh, photos=[("a.jpg", gps_jpeg())])
    builder = pr.make.user("builder", "provider")
    other = pr.make.user("other_builder", "provider")
    bh, oh = pr.make.headers(builder), pr.make.headers(other)
    url, pid = problem["photos"][0]["url"], problem["id"]
    # Before the committee names it, the company sees nothing.
    none = api("GET", "/api/v1/projects/{project_id}/contractor", project_id=pr.project["id"], headers=pr.h)
    assert none == {"project_id": pr.project["id"], "username": None, "contact": ""}
    assert_error(pr.client.get(f"/api/v1/projects/{pr.project['id']}/problems", headers=bh), 403, "not_your_project")
    assert pr.client.get(url, headers=bh).status_code == 403
    body = {"username": "builder", "contact": "王工 13800000000"}
    assert_error(pr.client.put(f"/api/v1/projects/{pr.project['id']}/contractor", json=body,
                               headers=world.h["committee2"]), 403, "outside_jurisdiction")  # fmt: skip
    assert_error(pr.client.put(f"/api/v1/projects/{pr.project['id']}/contractor", json={"username": "committee2"},
                               headers=pr.h), 422, "contractor_not_found")  # fmt: skip
    named = api("PUT", "/api/v1/projects/{project_id}/contractor", project_id=pr.project["id"], json=body, headers=pr.h)
    assert named == {"project_id": pr.project["id"], "username": "builder", "contact": "王工 13800000000"}
    assert api("GET", "/api/v1/projects/{project_id}/contractor", project_id=pr.project["id"], headers=pr.h) == named
    listed = api("GET", "/api/v1/projects/{project_id}/problems", project_id=pr.project["id"], headers=bh)
    assert [p["id"] for p in listed] == [pid]
    assert [p["id"] for p in api("GET", "/api/v1/contractor/problems", headers=bh)] == [pid]  # its desk's list
    assert api("GET", "/api/v1/contractor/problems", headers=oh) == []
    assert_error(pr.client.get("/api/v1/contractor/problems", headers=pr.h), 403, "role_forbidden")
    assert pr.client.get(url, headers=bh).status_code == 200
    for path in (url, f"/api/v1/problems/{pid}", f"/api/v1/projects/{pr.project['id']}/problems"):
        assert pr.client.get(path, headers=oh).status_code == 403
    assert_error(pr.client.post(f"/api/v1/problems/{pid}/reply", json={"reply": "x"}, headers=oh), 403,
                 "not_your_project")  # fmt: skip
    r = pr.client.post(f"/api/v1/problems/{pid}/reply", json={"reply": "已调整作业时间"}, headers=bh)
    assert r.status_code == 200 and r.get_json()["status"] == "answered"
    r = pr.client.post(f"/api/v1/problems/{pid}/close", json={}, headers=bh)
    assert r.status_code == 200 and r.get_json()["status"] == "closed"
    # The committee reads the project's reports of its own compounds.
    assert [p["id"] for p in api("GET", "/api/v1/projects/{project_id}/problems", project_id=pr.project["id"],
                                  headers=pr.h)] == [pid]  # fmt: skip


def test_three_full_photos_fit_in_one_request(app, pr):
    """The app's request cap (roster files) is below three photos at their limit: the report's route makes room."""
    app.config["MAX_CONTENT_LENGTH"] = 100_000
    noise = io.BytesIO()
    Image.frombytes("RGB", (200, 200), os.urandom(200 * 200 * 3)).save(noise, "PNG")
    content = noise.getvalue()
    assert 100_000 < len(content) < MAX
    problem = file(pr, pr.project, pr.rh, photos=[("a.png", content), ("b.png", content)])
    assert [p["mime"] for p in problem["photos"]] == ["image/png", "image/png"]
