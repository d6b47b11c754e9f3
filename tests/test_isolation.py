"""The test harness itself: each request and CLI command has a session of its own, as in production."""

import click
import pytest
from flask import g

from backend.extensions import db
from backend.roster.models import Resident


def residents():
    return sorted(db.session.scalars(db.select(Resident.display_name)))


@pytest.mark.own_app  # it adds a route or a command to its app
def test_a_request_that_forgets_to_commit_stores_nothing(app, client):
    @app.post("/test-only/forget")
    def forget():
        db.session.add(Resident(display_name="未提交"))
        db.session.flush()  # written inside the request's transaction, never committed
        return {"seen": residents()}

    @app.post("/test-only/commit")
    def commit():
        db.session.add(Resident(display_name="已提交"))
        db.session.commit()
        return {}

    assert client.post("/test-only/forget").get_json() == {"seen": ["未提交"]}
    assert residents() == []
    client.post("/test-only/commit")
    assert residents() == ["已提交"]


@pytest.mark.own_app  # it adds a route or a command to its app
def test_a_request_sees_what_the_test_built_and_the_test_sees_what_it_wrote(app, client):
    @app.post("/test-only/rename")
    def rename():
        for resident in db.session.scalars(db.select(Resident)):
            resident.display_name += "（改）"
        db.session.commit()
        return {"session": id(db.session()), "g": getattr(g, "mark", None)}

    resident = Resident(display_name="居民")
    db.session.add(resident)  # not committed by the test: the client does it before the request
    g.mark = "the test's g"
    r = client.post("/test-only/rename").get_json()
    assert r == {"session": r["session"], "g": None} and r["session"] != id(db.session())
    assert resident.display_name == "居民（改）"  # expired after the request, so read afresh


@pytest.mark.own_app  # it adds a route or a command to its app
def test_a_command_that_forgets_to_commit_stores_nothing(app, runner):
    @app.cli.command("test-only-forget")
    def forget():
        db.session.add(Resident(display_name="未提交"))
        db.session.flush()
        click.echo(",".join(residents()))

    result = runner.invoke(args=["test-only-forget"])
    assert result.exit_code == 0 and result.output.strip() == "未提交", result.output
    assert residents() == []
