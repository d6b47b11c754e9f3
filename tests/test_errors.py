"""Errors: database constraints answer their named 409 on both databases, and every error body has the one
documented shape the OpenAPI document states (``ErrorOut``)."""

import pytest
from sqlalchemy.exc import IntegrityError

from backend.auth.models import User
from backend.errors import CONSTRAINT_ERRORS, conflict_for, constraint_name
from backend.extensions import db
from backend.roster.models import Resident
from backend.types import utcnow
from residents.models import BindingRequest, ResidentIdentity
from tests.test_roster import upload
from votes.models import Ballot

pytestmark = pytest.mark.own_app  # duplicate_route adds a route to its app


def binding_request(resident_id, compound_id, status="pending"):
    return BindingRequest(
        resident_id=resident_id,
        compound_id=compound_id,
        building="3",
        entrance="2",
        room="501",
        relation="owner",
        name="张小红",
        status=status,
    )


def resident_with_identity():
    resident = Resident(display_name="居民")
    db.session.add(resident)
    db.session.flush()
    return ResidentIdentity(resident_id=resident.id, provider="dev", subject="same")


DUPLICATES = {
    "users": lambda world: User(username="committee", role="committee", password_hash="x"),
    "binding_requests": lambda world: binding_request(world.resident_id, world.compounds["c1"].id),
    "resident_identities": lambda world: resident_with_identity(),  # listed nowhere: the generic 409
}


@pytest.fixture
def duplicate_route(app, world):
    """A route that stores one row twice; what the handler answers is what a lost race would get."""
    resident = Resident(display_name="居民")
    db.session.add(resident)
    db.session.add(resident_with_identity())
    db.session.commit()
    world.resident_id = resident.id
    db.session.add(binding_request(resident.id, world.compounds["c1"].id))
    db.session.commit()

    @app.post("/api/v1/_duplicate/<table>")
    def duplicate(table):
        db.session.add(DUPLICATES[table](world))
        db.session.commit()
        return {}, 201

    return app.test_client()


@pytest.mark.parametrize(
    "table,code",
    [("users", "username_taken"), ("binding_requests", "request_pending"), ("resident_identities", "conflict")],
)
def test_constraint_violation_answers_its_named_409(duplicate_route, table, code):
    r = duplicate_route.post(f"/api/v1/_duplicate/{table}")
    assert r.status_code == 409 and r.get_json()["code"] == code
    assert r.get_json()["message"] == dict(CONSTRAINT_ERRORS.values()).get(code, "数据冲突，请刷新后重试")


def test_pending_request_index_leaves_decided_ones_alone(app, world):
    resident = Resident(display_name="居民")
    db.session.add(resident)
    db.session.flush()
    cid = world.compounds["c1"].id
    db.session.add_all(
        [
            binding_request(resident.id, cid, "rejected"),
            binding_request(resident.id, cid, "approved"),
            binding_request(resident.id, cid),
            binding_request(resident.id, world.compounds["c2"].id),
        ]
    )
    db.session.commit()  # decided requests and another compound's stand beside the pending one
    db.session.add(binding_request(resident.id, cid))
    with pytest.raises(IntegrityError) as caught:
        db.session.commit()
    db.session.rollback()
    assert constraint_name(caught.value) == "uq_binding_requests_pending"


def test_partial_ballot_index_is_named_on_both_databases(kit, make):
    units = make.units(kit.compound, 1)
    vote = kit.vote()

    def ballot(receipt, superseded=None):
        return Ballot(
            vote_id=vote["id"],
            unit_id=units[0].id,
            owner_id=units[0].owner_id,
            channel="paper",
            receipt=receipt,
            entered_by="t",
            superseded_at=superseded,
            sheet_no=receipt,
        )

    db.session.add_all([ballot("AAAAAAAAA1", utcnow()), ballot("AAAAAAAAA2")])
    db.session.commit()
    db.session.add(ballot("AAAAAAAAA3"))
    with pytest.raises(IntegrityError) as caught:
        db.session.commit()
    db.session.rollback()
    conflict = conflict_for(caught.value)
    assert (conflict.status, conflict.code) == (409, "ballot_exists")


# --- one documented shape ---------------------------------------------------------------------------------


def error_schema(spec):
    ref = spec["components"]["responses"]["DEFAULT_ERROR"]["content"]["application/json"]["schema"]["$ref"]
    return spec["components"]["schemas"][ref.rsplit("/", 1)[1]]


def assert_documented_shape(body, schema):
    """The body fits ErrorOut: code and message, and errors (if any) of the fields or of the rows kind."""
    assert set(body) <= set(schema["properties"]) and set(schema["required"]) <= set(body)
    assert isinstance(body["code"], str) and isinstance(body["message"], str) and body["message"]
    errors = body.get("errors")
    if isinstance(errors, dict):  # fields: location → field → messages (or a nested mapping of them)
        assert errors and set(errors) <= {"json", "query", "form", "files", "headers", "cookies"}, errors
        assert all(isinstance(fields, dict) and fields for fields in errors.values()), errors
    elif errors is not None:  # rows
        row = schema["properties"]["errors"]["oneOf"][1]["items"]["properties"]
        assert errors and all(set(e) == set(row) and isinstance(e["message"], str) for e in errors), errors


def test_openapi_states_the_error_body(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    schema = error_schema(spec)
    assert set(schema["properties"]) == {"code", "message", "errors"} and set(schema["required"]) == {"code", "message"}
    assert [kind.get("type") for kind in schema["properties"]["errors"]["oneOf"]] == ["object", "array"]
    assert (
        spec["components"]["responses"]["UNPROCESSABLE_ENTITY"]["content"]["application/json"]["schema"]
        == spec["components"]["responses"]["DEFAULT_ERROR"]["content"]["application/json"]["schema"]
    )
    operations = [op for path in spec["paths"].values() for op in path.values() if isinstance(op, dict)]
    assert operations and all("default" in op["responses"] for op in operations)


def test_every_kind_of_error_has_the_documented_shape(client, world, make):
    schema = error_schema(client.get("/api/v1/openapi.json").get_json())
    cid = world.compounds["c1"].id
    answers = [
        client.post("/api/v1/auth/login", json={"username": 3}),  # webargs validation
        client.post("/api/v1/residents/auth/sms/send", json={"phone": "12345"}),  # a service's field error
        upload(client, cid, world.h["committee"], "roster_bad.csv"),  # rows
        client.post(
            "/api/v1/compounds", json={"name": "x", "org_id": world.c1.id, "address": "y"}, headers=world.h["official"]
        ),  # 403
        client.get(f"/api/v1/compounds/{cid}/units"),  # 401
        client.get("/api/v1/units/999999", headers=world.h["committee"]),  # 404
        client.post("/api/v1/auth/login", data="{not json", content_type="application/json"),  # 400
    ]
    assert [r.status_code for r in answers] == [422, 422, 422, 403, 401, 404, 400]
    for r in answers:
        assert_documented_shape(r.get_json(), schema)
    assert answers[1].get_json()["errors"] == {"json": {"phone": ["请输入11位手机号码"]}}
    assert isinstance(answers[2].get_json()["errors"], list)


class _Deadlock(Exception):
    sqlstate = "40P01"  # what psycopg reports for a deadlock (a statement failed; the server is up)


class _ConnectFailed(Exception):
    sqlstate = None  # psycopg's "connection failed": no SQLSTATE, the server was never reached


@pytest.fixture
def failing_route(app):
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    @app.get("/api/v1/_fails/<kind>")
    def fails(kind):
        if kind == "missing-table":  # a real statement error on the test's own database
            db.session.execute(text("SELECT * FROM no_such_table"))
        orig = {"deadlock": _Deadlock, "unreachable": _ConnectFailed}[kind]("driver message")
        raise OperationalError("SELECT 1", {}, orig)

    return app.test_client()


@pytest.mark.parametrize(
    "kind,status,code",
    [
        ("unreachable", 503, "database_unavailable"),
        ("deadlock", 409, "retry_conflict"),
        ("missing-table", 500, "internal_error"),
    ],
)
def test_only_an_unreachable_database_is_an_outage(failing_route, kind, status, code):
    """A deadlock is a 409 to retry and a broken statement a 500 (a bug to fix), not "the database is down"."""
    r = failing_route.get(f"/api/v1/_fails/{kind}")
    assert (r.status_code, r.get_json()["code"]) == (status, code)
