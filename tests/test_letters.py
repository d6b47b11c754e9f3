"""Household letters: a background job with progress, one page per unit, codes that bind and are revoked on reprint."""

import io
import os
import re
import subprocess
import threading
import time
from datetime import datetime

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from backend.extensions import db
from backend.privacy import PersonalDataAccess
from backend.types import CHINA_TZ
from residents import letters
from residents.models import InviteCode, LetterJob
from tests.contexts import own_app_context
from tests.factories import bearer
from tests.programs import require_program
from tests.test_residents_auth import dev_sign_in

CODE = re.compile(r"邀请码：\s*([A-Z0-9]{5}) ([A-Z0-9]{5})")


@pytest.fixture
def app_config(tmp_path):
    return {"LETTERS_DIR": str(tmp_path / "letters")}


def wait_for(client, headers, job_id, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/v1/letter-jobs/{job_id}", headers=headers).get_json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"letters job {job_id} did not finish: {job}")


def print_letters(client, world, compound, **scope):
    r = client.post(f"/api/v1/compounds/{compound.id}/letters", json=scope, headers=world.h["committee"])
    assert r.status_code == 202, r.get_json()
    job = r.get_json()
    assert job["status"] == "queued" and job["download_url"] is None
    done = wait_for(client, world.h["committee"], job["id"])
    assert done["status"] == "done" and done["done"] == done["total"], done
    pdf = client.get(done["download_url"], headers=world.h["committee"])
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    return done, pdf.data


def page_texts(data):
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_letters_for_one_entrance(client, world, make):
    c1 = world.compounds["c1"]
    make.units(c1, 4, building="3", entrance="2")
    make.units(c1, 2, building="3", entrance="1")
    job, data = print_letters(client, world, c1, building="3", entrance="2")
    assert job["total"] == 4
    texts = page_texts(data)
    assert len(texts) == 4
    assert "幸福里小区 3号楼2单元101室 住户" in texts[0].replace("\n", " ") or "3号楼2单元101室" in texts[0]
    codes = [("".join(CODE.search(t).groups())) for t in texts]
    assert len(set(codes)) == 4
    stored = db.session.scalars(select(InviteCode.code_hash)).all()
    assert len(stored) == 4 and not set(codes) & set(stored)  # only hashes are kept
    assert "居民委员会" in texts[0] and "纸质表决票" in texts[0]
    assert db.session.scalar(select(PersonalDataAccess.action)) == "export"


def test_letter_code_binds_and_qr_points_to_binding_page(client, world, make, tmp_path):
    c1 = world.compounds["c1"]
    make.units(c1, 1, building="5", entrance="1")
    _, data = print_letters(client, world, c1)
    code = "".join(CODE.search(page_texts(data)[0]).groups())
    require_program("pdftoppm")
    pdf = tmp_path / "letters.pdf"
    pdf.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "100", "-png", "-singlefile", str(pdf), str(tmp_path / "p1")], check=True)
    decoded = zxingcpp.read_barcodes(Image.open(tmp_path / "p1.png"))
    assert decoded and decoded[0].text == f"http://testserver/m/bind#code={code}"
    h = bearer(dev_sign_in(client, "owner")["access_token"])
    r = client.post("/api/v1/my/bindings/invite", json={"code": code, "owner_name": "业主510"}, headers=h)
    assert r.status_code == 201 and r.get_json()["unit"]["label"] == "5号楼1单元101室"


def test_reprint_revokes_old_codes(client, world, make):
    c1 = world.compounds["c1"]
    make.units(c1, 2)
    _, first = print_letters(client, world, c1)
    _, second = print_letters(client, world, c1)
    old = "".join(CODE.search(page_texts(first)[0]).groups())
    new = "".join(CODE.search(page_texts(second)[0]).groups())
    statuses = sorted(db.session.scalars(select(InviteCode.status)).all())
    assert statuses == ["active", "active", "revoked", "revoked"]
    h = bearer(dev_sign_in(client, "owner")["access_token"])
    r = client.post("/api/v1/my/bindings/invite", json={"code": old}, headers=h)
    assert r.status_code == 422 and r.get_json()["code"] == "invite_invalid"
    r = client.post("/api/v1/my/bindings/invite", json={"code": new, "owner_name": "业主110"}, headers=h)
    assert r.status_code == 201


def test_reprint_of_one_building_keeps_the_others(client, world, make):
    c1 = world.compounds["c1"]
    make.units(c1, 2, building="1")
    make.units(c1, 2, building="2")
    print_letters(client, world, c1)
    print_letters(client, world, c1, building="2")
    rows = db.session.execute(select(InviteCode.status, InviteCode.letter_job_id)).all()
    assert sorted(rows) == [("active", 1), ("active", 1), ("active", 2), ("active", 2), ("revoked", 1), ("revoked", 1)]


def test_purge_deletes_old_letters_and_the_job_says_so(client, world, make, app, runner, clock):
    """A letters PDF holds every code of its units in clear: it goes LETTERS_KEEP_DAYS after the job."""
    c1 = world.compounds["c1"]
    make.units(c1, 2, building="1")
    make.units(c1, 1, building="2")
    assert app.config["LETTERS_KEEP_DAYS"] == 30
    old, _ = print_letters(client, world, c1, building="1")
    clock.advance(days=30)
    recent, _ = print_letters(client, world, c1, building="2")
    old_path = os.path.join(app.config["LETTERS_DIR"], db.session.get(LetterJob, old["id"]).file_name)
    recent_path = os.path.join(app.config["LETTERS_DIR"], db.session.get(LetterJob, recent["id"]).file_name)
    assert "letter_files 0" in runner.invoke(args=["residents", "purge"]).output  # thirty days: kept
    clock.advance(seconds=1)

    result = runner.invoke(args=["residents", "purge"])
    assert result.exit_code == 0 and "letter_files 1" in result.output, result.output
    assert not os.path.exists(old_path) and os.path.exists(recent_path)
    job = client.get(f"/api/v1/letter-jobs/{old['id']}", headers=world.h["committee"]).get_json()
    assert job["status"] == "done" and job["purged"] is True
    r = client.get(job["download_url"], headers=world.h["committee"])
    assert r.status_code == 404 and r.get_json()["code"] == "file_purged" and "保存期限" in r.get_json()["message"]
    assert client.get(f"/api/v1/letter-jobs/{recent['id']}", headers=world.h["committee"]).get_json()["purged"] is False
    assert client.get(recent["download_url"], headers=world.h["committee"]).status_code == 200
    # The codes printed in the deleted file still work until they expire (INVITE_CODE_DAYS).
    assert sorted(db.session.scalars(select(InviteCode.status)).all()) == ["active"] * 3
    assert "letter_files 0" in runner.invoke(args=["residents", "purge"]).output


def test_letter_states_how_long_the_code_works(client, world, make, clock):
    """Printed on 2025-03-14 (Beijing), a code dies 90 days later at that time of day: the letter says the 89th."""
    clock.set(datetime(2025, 3, 14, 23, 59, 30, tzinfo=CHINA_TZ))  # late in the day: a date taken twice would drift
    make.units(world.compounds["c1"], 1)
    _, data = print_letters(client, world, world.compounds["c1"])
    text = page_texts(data)[0].replace("\n", "")
    assert "邀请码有效期至2025年6月11日" in text and "业主姓名" in text and "2025年3月14日" in text


def test_letters_refusals(client, world, make):
    c1 = world.compounds["c1"]
    url = f"/api/v1/compounds/{c1.id}/letters"
    assert client.post(url, json={}).status_code == 401
    assert client.post(url, json={}, headers=world.h["official"]).status_code == 403
    assert client.post(url, json={}, headers=world.h["committee2"]).status_code == 403
    assert client.post("/api/v1/compounds/999/letters", json={}, headers=world.h["committee"]).status_code == 404
    r = client.post(url, json={}, headers=world.h["committee"])
    assert r.status_code == 422 and r.get_json()["code"] == "no_units"
    make.units(c1, 1)
    r = client.post(url, json={"entrance": "1"}, headers=world.h["committee"])
    assert r.status_code == 422 and r.get_json()["code"] == "building_required"
    assert client.get("/api/v1/letter-jobs/999", headers=world.h["committee"]).status_code == 404


def test_job_not_done_and_other_committee(client, world, make):
    c1 = world.compounds["c1"]
    job = LetterJob(compound_id=c1.id, total=1, created_by="test")
    db.session.add(job)
    db.session.commit()
    r = client.get(f"/api/v1/letter-jobs/{job.id}/pdf", headers=world.h["committee"])
    assert r.status_code == 409 and r.get_json()["code"] == "job_not_done"
    assert client.get(f"/api/v1/letter-jobs/{job.id}", headers=world.h["committee2"]).status_code == 403
    make.units(c1, 1)
    r = client.post(f"/api/v1/compounds/{c1.id}/letters", json={}, headers=world.h["committee"])
    assert r.status_code == 409 and r.get_json()["code"] == "letters_running"


@pytest.mark.sqlite_only
def test_large_compound_runs_in_background(client, world, make, app, monkeypatch):
    """600 units: the request returns before the job starts; progress moves; every page is there (3,000 took 13 s
    here)."""
    c1 = world.compounds["c1"]
    make.units(c1, 600)
    gate, build = threading.Event(), letters.build

    def build_when_let(job):  # the job cannot finish before the test has its answer: no timing involved
        assert gate.wait(60), "the job was never let start"
        build(job)

    monkeypatch.setattr(letters, "build", build_when_let)
    r = client.post(f"/api/v1/compounds/{c1.id}/letters", json={}, headers=world.h["committee"])
    assert r.status_code == 202 and r.get_json()["status"] == "queued"
    job = client.get(f"/api/v1/letter-jobs/{r.get_json()['id']}", headers=world.h["committee"]).get_json()
    assert job["status"] == "queued" and job["done"] == 0
    gate.set()
    seen = set()
    deadline = time.monotonic() + 120
    while True:
        job = client.get(f"/api/v1/letter-jobs/{r.get_json()['id']}", headers=world.h["committee"]).get_json()
        seen.add(job["done"])
        if job["status"] == "done" or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert job["status"] == "done" and len(seen) > 2  # intermediate progress was visible
    listed = client.get(f"/api/v1/compounds/{c1.id}/letters", headers=world.h["committee"]).get_json()
    assert listed[0]["id"] == job["id"]
    path = os.path.join(app.config["LETTERS_DIR"], db.session.get(LetterJob, job["id"]).file_name)
    assert len(PdfReader(path).pages) == 600


@pytest.mark.sqlite_only
def test_letters_on_rq(client, world, make, app, monkeypatch):
    """With REDIS_URL set the job goes to RQ; a worker (here in-process, in burst mode) builds it."""
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL not set: the RQ path needs Redis")
    import uuid

    import redis
    from rq import Queue, SimpleWorker

    # A queue of this run's own: another suite sharing the Redis database must not take (or empty) this job.
    queue = f"{letters.QUEUE}-test-{uuid.uuid4().hex[:12]}"
    monkeypatch.setattr(letters, "QUEUE", queue)
    connection = redis.Redis.from_url(url)
    app.config["REDIS_URL"] = url
    c1 = world.compounds["c1"]
    make.units(c1, 3)
    r = client.post(f"/api/v1/compounds/{c1.id}/letters", json={}, headers=world.h["committee"])
    assert r.status_code == 202
    assert (
        client.get(f"/api/v1/letter-jobs/{r.get_json()['id']}", headers=world.h["committee"]).get_json()["status"]
        == "queued"
    )
    with own_app_context(app):  # the worker is a process of its own in production
        SimpleWorker([queue], connection=connection).work(burst=True)
    Queue(queue, connection=connection).delete()
    job = client.get(f"/api/v1/letter-jobs/{r.get_json()['id']}", headers=world.h["committee"]).get_json()
    assert job["status"] == "done" and job["done"] == 3
