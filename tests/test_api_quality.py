"""The API's outer shell: error shape everywhere, OpenAPI, docs, health, production guards, demo."""

import pytest

from backend import create_app
from backend.config import ConfigError


def assert_error(r, status, code):
    assert r.status_code == status
    assert r.content_type.startswith("application/json")
    body = r.get_json()
    assert body["code"] == code and isinstance(body["message"], str) and body["message"]


def test_malformed_json_400(client, world):
    r = client.post("/api/v1/auth/login", data="{not json", content_type="application/json")
    assert_error(r, 400, "bad_request")


def test_unknown_route_404_and_wrong_method_405(client):
    assert_error(client.get("/api/v1/nothing-here"), 404, "not_found")
    wrong = client.delete("/api/v1/auth/login")
    assert_error(wrong, 405, "method_not_allowed")
    assert "POST" in wrong.headers["Allow"]  # RFC 9110: a 405 names the methods the resource has


@pytest.mark.own_app  # it adds a route
def test_500_is_json_without_exception_text(app, client):
    @app.get("/api/v1/_boom")
    def boom():
        raise RuntimeError("secret internals")

    r = client.get("/api/v1/_boom")
    assert_error(r, 500, "internal_error")
    assert "secret internals" not in r.get_data(as_text=True)


def test_openapi_documents_endpoints_with_schemas(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    for path in (
        "/api/v1/auth/login",
        "/api/v1/compounds",
        "/api/v1/compounds/{compound_id}/roster",
        "/api/v1/compounds/{compound_id}/units",
        "/api/v1/compounds/{compound_id}/owners/merge",
    ):
        assert path in paths, path
    login = paths["/api/v1/auth/login"]["post"]
    assert "requestBody" in login and "200" in login["responses"]
    assert "bearerAuth" in spec["components"]["securitySchemes"]
    assert "UnitOut" in spec["components"]["schemas"]


def test_docs_page_served_from_local_files(client):
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/api/docs/static/swagger-ui-bundle.js" in html and "http" not in html.split("<body>")[1].replace(
        "/api/v1/openapi.json", ""
    )
    js = client.get("/api/docs/static/swagger-ui-bundle.js")
    assert js.status_code == 200 and len(js.data) > 100_000


def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.get_json() == {"status": "ok"}


def test_healthz_reports_database_down(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/x.db"})
    r = app.test_client().get("/healthz")
    assert_error(r, 503, "database_unavailable")


@pytest.mark.parametrize(
    "env",
    [{}, {"SECRET_KEY": "s" * 40}, {"JWT_SECRET_KEY": "j" * 40}, {"SECRET_KEY": "short", "JWT_SECRET_KEY": "j" * 40}],
)
def test_production_refuses_default_secrets(env):
    config = {"APP_ENV": "production", "TESTING": True}
    from backend.config import DEV_JWT_SECRET, DEV_SECRET

    config.update({"SECRET_KEY": DEV_SECRET, "JWT_SECRET_KEY": DEV_JWT_SECRET})
    config.update(env)
    with pytest.raises(ConfigError):
        create_app(config)


def test_production_refuses_demo_accounts(app, runner, database):
    assert runner.invoke(args=["demo"]).exit_code == 0
    config = {
        "APP_ENV": "production",
        "SECRET_KEY": "s" * 40,
        "JWT_SECRET_KEY": "j" * 40,
        "SQLALCHEMY_DATABASE_URI": database[1],
        "PUBLIC_BASE_URL": "https://gongjian.example.cn",
        "RESIDENT_AUTH_PROVIDERS": "wechat",
        "WECHAT_APP_ID": "wx-app",
        "WECHAT_APP_SECRET": "wx-secret",
    }
    with pytest.raises(ConfigError, match="demo accounts"):
        create_app(config)


def test_demo_refused_in_production(app, runner):
    app.config["APP_ENV"] = "production"
    r = runner.invoke(args=["demo"])
    assert r.exit_code != 0 and "production" in r.output


def test_demo_is_idempotent_and_logs_in(app, runner, client):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "committee2" in first.output and "demo1234" in first.output
    assert runner.invoke(args=["demo"]).exit_code == 0
    tokens = {}
    for user in ("admin", "official", "committee", "committee2"):
        r = client.post("/api/v1/auth/login", json={"username": user, "password": "demo1234"})
        assert r.status_code == 200, user
        tokens[user] = {"Authorization": f"Bearer {r.get_json()['access_token']}"}
    mine = client.get("/api/v1/compounds", headers=tokens["committee"]).get_json()
    assert [c["name"] for c in mine] == ["幸福里小区"]
    r = client.get(f"/api/v1/compounds/{mine[0]['id']}/units", headers=tokens["committee"])
    assert r.headers["X-Total-Count"] == "180"
    assert len(client.get("/api/v1/compounds", headers=tokens["official"]).get_json()) == 2
    other = client.get("/api/v1/compounds", headers=tokens["committee2"]).get_json()
    assert [c["name"] for c in other] == ["和平小区"]
    assert client.get(f"/api/v1/compounds/{mine[0]['id']}", headers=tokens["committee2"]).status_code == 403


def test_migrations_match_models(app, runner):
    """`flask db check`: the models and the Alembic history agree (run on both databases)."""
    r = runner.invoke(args=["db", "check"])
    assert r.exit_code == 0, r.output


def test_demo_has_an_open_vote_with_its_board_notice(app, runner, client):
    out = runner.invoke(args=["demo"]).output
    assert "demo vote: 3号楼2单元加装电梯表决" in out and "/n/" in out and "phone ending 4554" in out
    again = runner.invoke(args=["demo"]).output
    assert again.count("demo vote") == 1 and out.split("/n/")[1][:22] == again.split("/n/")[1][:22]
    token = out.split("/n/")[1].split()[0]
    assert client.get(f"/n/{token}").status_code == 200
    login = client.post("/api/v1/auth/login", json={"username": "committee", "password": "demo1234"}).get_json()
    headers = {"Authorization": f"Bearer {login['access_token']}"}
    votes = client.get("/api/v1/votes", headers=headers).get_json()
    assert len(votes) == 1
    tally = client.get(f"/api/v1/votes/{votes[0]['id']}/tally", headers=headers).get_json()
    assert tally["electorate"]["units"] == 12 and tally["items"][0]["participation"]["owners"] == 4


def test_security_headers(client, world):
    page = client.get("/m/")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    for r in (page, client.get("/healthz"), client.get("/api/v1/compounds"), client.get("/api/docs")):
        assert r.headers["X-Content-Type-Options"] == "nosniff" and r.headers["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" not in client.get("/api/docs").headers  # its one inline script
    for path in ("/m/", "/m/committee", "/m/committee/votes", "/n/no-such-token"):
        r = client.get(path)
        assert r.headers["Cache-Control"] == "no-store" and r.headers["Referrer-Policy"] == "no-referrer", path
        assert "Content-Security-Policy" in r.headers, path


def test_readyz_checks_the_database_and_redis(tmp_path):
    ok = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    assert ok.test_client().get("/readyz").get_json() == {"status": "ok", "database": "ok", "redis": "not_configured"}
    broken = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/x.db",
            "REDIS_URL": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    )
    r = broken.test_client().get("/readyz")
    assert_error(r, 503, "not_ready")
    assert r.get_json()["errors"] == {"database": "down", "redis": "down"}
    assert "数据库、Redis不可用" in r.get_json()["message"]


def test_every_response_carries_a_request_id(client):
    r = client.get("/healthz", headers={"X-Request-Id": "nginx-0123456789"})
    assert r.headers["X-Request-Id"] == "nginx-0123456789"
    fresh = client.get("/healthz", headers={"X-Request-Id": "bad id;"}).headers["X-Request-Id"]
    assert len(fresh) == 32 and fresh != "bad id;"  # an unsafe id from outside is replaced


def test_json_log_lines_carry_the_request_id(app):
    import json
    import logging

    from flask import g

    from backend.logs import JsonFormatter, RequestIdFilter

    with app.test_request_context("/api/v1/compounds"):
        g.request_id = "req-abcdefgh"
        record = logging.LogRecord("gongjian", logging.WARNING, __file__, 1, "投票 %s", ("已记录",), None)
        RequestIdFilter().filter(record)
        line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "req-abcdefgh" and line["message"] == "投票 已记录"
    assert line["path"] == "/api/v1/compounds" and line["level"] == "WARNING"


def test_numbers_past_their_columns_are_refused_not_500(client, world):
    """Ids are 32-bit columns: a path id past them names no resource (404), a query or body number past them is
    a 422 (past 64 bits the database driver used to fail: a 500)."""
    h, cid = world.h["committee"], world.compounds["c1"].id
    assert_error(client.post("/api/v1/votes/3535211574618841504358592413696/announce", headers=h), 404, "not_found")
    assert_error(client.get("/api/v1/votes/2147483648", headers=h), 404, "not_found")
    r = client.get("/api/v1/votes", query_string={"page": "118963168979525730304"}, headers=h)
    assert_error(r, 422, "validation_error")
    assert "page" in r.get_json()["errors"]["query"]
    notice = {"kind": "announcement", "title": "通知", "body": "", "vote_id": 2**70}
    r = client.post(f"/api/v1/compounds/{cid}/notices", json=notice, headers=h)
    assert_error(r, 422, "validation_error")
    assert "vote_id" in r.get_json()["errors"]["json"]


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_the_document_states_errors_downloads_unknown_fields_and_bounds(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    schemas, paths = spec["components"]["schemas"], spec["paths"]
    assert schemas["ErrorOut"]["properties"]["code"]["type"] == "string"
    error = spec["components"]["responses"]["DEFAULT_ERROR"]["content"]["application/json"]["schema"]
    assert error == {"$ref": "#/components/schemas/ErrorOut"}
    for path, operations in paths.items():
        for method, operation in operations.items():
            if method != "parameters":
                assert operation["responses"]["default"] == {"$ref": "#/components/responses/DEFAULT_ERROR"}, path

    def ok(path):
        return set(paths[path]["get"]["responses"]["200"]["content"])

    assert ok("/api/v1/reports/rollup") == {"application/json", "text/csv", XLSX}
    assert ok("/api/v1/compounds/{compound_id}/roster/export") == {"text/csv", XLSX}
    assert ok("/api/v1/reports/city-figures") == {"application/json", "text/csv", XLSX, "application/pdf"}
    assert ok("/api/v1/campaigns/{campaign_id}/letters.pdf") == {"application/pdf"}
    assert ok("/api/v1/votes/{vote_id}/evidence.xlsx") == {XLSX}
    assert ok("/api/v1/notices/{notice_id}/qr.png") == {"image/png"}
    assert ok("/api/v1/notices/{notice_id}/qr.svg") == {"image/svg+xml"}
    assert paths["/api/v1/votes/{vote_id}/result.pdf"]["get"]["responses"]["200"]["content"]["application/pdf"] == {
        "schema": {"type": "string", "format": "binary"}
    }

    assert schemas["BallotIn"]["additionalProperties"] is False  # unknown keys are refused (422), and it says so
    assert schemas["UnitOut"]["additionalProperties"] is False  # a response sends its declared keys only
    (vote_id,) = paths["/api/v1/votes/{vote_id}/announce"]["parameters"]
    assert vote_id["schema"] == {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}
    page = next(p for p in paths["/api/v1/votes"]["get"]["parameters"] if p["name"] == "page")
    assert page["schema"]["maximum"] == 2**31 - 1
    upload = paths["/api/v1/my/proxies"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    fields = schemas[upload["$ref"].rsplit("/", 1)[1]]["properties"]
    assert {"photo", "compound_id", "owner_name"} <= set(fields)  # the form and its file, one body
    # An absent JSON body reads as {}: required where {} is refused, optional where every field is.
    assert paths["/api/v1/votes/{vote_id}/ballots"]["post"]["requestBody"]["required"] is True
    assert paths["/api/v1/compounds/{compound_id}"]["patch"]["requestBody"]["required"] is False
