"""Faults a resident or a clerk can cause: a ballot sent again after a timeout, and a crash in the middle of a roster
import or a letters job (injected through a monkeypatch). A retried ballot gets its first receipt back and nothing
is stored twice; a crash leaves nothing half-stored, and doing the same thing again finishes the job."""

import os

import pytest
from sqlalchemy import func, select

from backend.audit import AuditEntry
from backend.extensions import db
from backend.roster import services as roster_services
from backend.roster.models import Owner, Unit
from residents import letters
from residents.models import InviteCode, LetterJob
from tests.contexts import own_app_context
from tests.test_letters import wait_for
from tests.test_roster import upload
from tests.test_votes_concurrency import race
from tests.test_votes_kit import assert_error
from votes.models import Ballot


class Crash(Exception):
    """The injected fault."""


class Killed(BaseException):
    """A worker killed mid-job (not an Exception: nothing in the app catches it)."""


def fail_on_call(n, error=Crash):
    """A wrapper for ``fn`` that raises ``error`` on its ``n``-th call."""

    def wrap(fn):
        calls = [0]

        def wrapper(*args, **kwargs):
            calls[0] += 1
            if calls[0] == n:
                raise error(f"injected at call {n}")
            return fn(*args, **kwargs)

        return wrapper

    return wrap


# ---- a ballot sent again -----------------------------------------------------------------------------------------


@pytest.fixture
def ballot(kit, make):
    """An open vote, an owner bound to one unit, and the request that casts their ballot (choice as given)."""
    unit = make.units(kit.compound, 1)[0]
    vote = kit.vote()
    headers = make.headers(make.resident(unit))
    url, item, unit_id = f"/api/v1/votes/{vote['id']}/ballots", str(vote["items"][0]["id"]), unit.id
    return vote, lambda c, choice="agree": c.post(
        url, json={"unit_id": unit_id, "choices": {item: choice}}, headers=headers
    )


def test_a_ballot_sent_again_gets_its_receipt_back_and_is_stored_once(client, ballot):
    vote, cast = ballot
    first, again = cast(client), cast(client)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()  # the same receipt and ballot id
    assert db.session.scalar(select(func.count(Ballot.id)).where(Ballot.vote_id == vote["id"])) == 1
    cast_entries = select(func.count(AuditEntry.id)).where(AuditEntry.action == "ballot_cast")
    assert db.session.scalar(cast_entries) == 1
    # Another choice is not a retry: one ballot per household, as before.
    assert_error(cast(client, "disagree"), 409, "ballot_exists")


@pytest.mark.postgres_only
def test_a_ballot_sent_again_while_the_first_is_in_flight_is_stored_once(app, ballot):
    vote, cast = ballot
    results = race(app, [cast] * 4)
    assert [status for status, _ in results] == [201] * 4, results
    assert len({body["receipt"] for _, body in results}) == 1
    assert db.session.scalar(select(func.count(Ballot.id)).where(Ballot.vote_id == vote["id"])) == 1


# ---- a roster import that crashes ----------------------------------------------------------------------------------


def roster_state():
    return (
        db.session.scalar(select(func.count(Unit.id))),
        db.session.scalar(select(func.count(Owner.id))),
        db.session.scalar(select(func.count(AuditEntry.id))),
    )


def test_a_roster_import_that_crashes_midway_stores_nothing_and_can_be_run_again(client, world, monkeypatch):
    cid, h = world.compounds["c1"].id, world.h["committee"]
    assert upload(client, cid, h, "roster_xingfuli_gb18030.csv").status_code == 200
    before = roster_state()
    # The 100th of 180 rows: units and owners of the first 99 are already flushed when it fails.
    monkeypatch.setattr(roster_services, "_owner_for", fail_on_call(100)(roster_services._owner_for))
    assert_error(upload(client, cid, h, "roster_xingfuli.csv"), 500, "internal_error")
    assert roster_state() == before
    monkeypatch.undo()
    r = upload(client, cid, h, "roster_xingfuli.csv")
    assert r.status_code == 200 and r.get_json()["units"] == 180, r.get_json()


# ---- a letters job that crashes ------------------------------------------------------------------------------------


@pytest.fixture
def app_config(tmp_path):
    return {"LETTERS_DIR": str(tmp_path / "letters")}


def active_codes():
    return set(db.session.scalars(select(InviteCode.code_hash).where(InviteCode.status == "active")))


def start_letters(client, world, compound):
    r = client.post(f"/api/v1/compounds/{compound.id}/letters", json={}, headers=world.h["committee"])
    assert r.status_code == 202, r.get_json()
    return r.get_json()["id"]


def test_a_letters_job_that_fails_midway_keeps_the_old_letters_and_can_be_run_again(
    app, client, world, make, monkeypatch
):
    c1, h = world.compounds["c1"], world.h["committee"]
    make.units(c1, 5)
    assert wait_for(client, h, start_letters(client, world, c1))["status"] == "done"
    old, files = active_codes(), set(os.listdir(app.config["LETTERS_DIR"]))
    monkeypatch.setattr(letters, "draw_letter", fail_on_call(3)(letters.draw_letter))
    failed = wait_for(client, h, start_letters(client, world, c1))
    assert failed["status"] == "failed" and failed["download_url"] is None
    assert active_codes() == old  # the old letters still bind
    assert set(os.listdir(app.config["LETTERS_DIR"])) == files  # no half-written PDF with dead codes in it
    monkeypatch.undo()
    done = wait_for(client, h, start_letters(client, world, c1))  # at once: the failed job blocks nothing
    assert done["status"] == "done" and done["done"] == 5
    assert len(active_codes()) == 5 and not active_codes() & old


def test_a_letters_worker_killed_midway_leaves_nothing_and_the_job_runs_again(app, client, world, make, monkeypatch):
    c1, h = world.compounds["c1"], world.h["committee"]
    make.units(c1, 4)
    monkeypatch.setattr(letters, "dispatch", lambda job_id: None)  # queued for a worker (RQ), run here by hand
    job_id = start_letters(client, world, c1)
    monkeypatch.setattr(letters, "draw_letter", fail_on_call(2, Killed)(letters.draw_letter))
    with pytest.raises(Killed), own_app_context(app):
        letters.run_job(job_id)
    assert db.session.get(LetterJob, job_id).status == "running" and not active_codes()
    assert os.listdir(app.config["LETTERS_DIR"]) == []
    monkeypatch.undo()
    with own_app_context(app):  # RQ's requeue of the job from its failed registry
        letters.run_job(job_id)
    job = client.get(f"/api/v1/letter-jobs/{job_id}", headers=h).get_json()
    assert job["status"] == "done" and job["done"] == 4 and len(active_codes()) == 4
