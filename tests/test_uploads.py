"""Hostile uploads on every upload endpoint (issue 14 §4): a 50 MB body, an XLSX zip bomb, a CSV 100,000 columns
wide, a table past the row limit, a photo that is not an image — each refused with its code, nothing stored.

The limits live in ``backend/uploads.py``; ``UPLOADS`` below names every route that takes a file, and
``test_every_upload_route_is_listed`` fails when a new one appears without its entry here.
"""

import functools
import io
import os
import re
import zipfile
from types import SimpleNamespace

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from backend import uploads
from backend.extensions import db
from backend.roster.models import HouseholdBinding
from tests.factories import bearer
from tests.test_projects import create
from tests.test_residents_auth import dev_sign_in
from tests.test_residents_binding import JPEG

MB = 1024 * 1024
CSV = "楼栋,单元,房号,建筑面积,业主,金额,日期,流水号,月份\n1,1,101,80,王,10,2025-01-02,A1,2025-01\n"


@pytest.fixture
def app_config(tmp_path):
    return {"PHOTO_DIR": str(tmp_path / "photos")}


@pytest.fixture
def site(clock, client, make, world):
    """Community 1's compound with a flat, a renovation project over it, and a signed-in resident bound to the flat
    (who has agreed to the privacy terms, as a proxy must)."""
    c1 = world.compounds["c1"]
    flat = make.unit(c1, "1", "1", "101")
    t = SimpleNamespace(client=client, c1=c1, h=world.h["committee"])
    project = create(t)
    tokens = dev_sign_in(client, "upload-tester")
    db.session.add(HouseholdBinding(resident_id=tokens["resident"]["id"], unit_id=flat.id, relation="owner"))
    db.session.commit()
    return SimpleNamespace(
        c1=c1, flat=flat, project=project, staff=world.h["committee"], resident=bearer(tokens["access_token"])
    )


# Every route that takes a file: how to send one there (the file's bytes and name → (url, form, headers)).
def _roster(s, content, name):
    return f"/api/v1/compounds/{s.c1.id}/roster", {"file": (io.BytesIO(content), name)}, s.staff


def _fund(s, content, name):
    return f"/api/v1/compounds/{s.c1.id}/fund/imports", {"file": (io.BytesIO(content), name)}, s.staff


def _fees(s, content, name):
    return f"/api/v1/compounds/{s.c1.id}/management/fees/imports", {"file": (io.BytesIO(content), name)}, s.staff


def _problem(s, content, name):
    form = {"text": "夜里施工噪音很大", "building": "1", "category": "noise", "photos": [(io.BytesIO(content), name)]}
    return f"/api/v1/my/projects/{s.project['id']}/problems", form, s.resident


def _proxy(s, content, name):
    form = {
        "compound_id": s.c1.id,
        "building": "1",
        "entrance": "1",
        "room": "101",
        "proxy_name": "张小红",
        "owner_name": "业主1-1-101",
        "photo": (io.BytesIO(content), name),
    }
    return "/api/v1/my/proxies", form, s.resident


TABLES = {"roster.Roster": _roster, "fund_ledger.Imports": _fund, "management_fees.FeeImports": _fees}
PHOTOS = {"project_problems.MyProjectProblems": _problem, "residents.MyProxies": _proxy}
UPLOADS = {**TABLES, **PHOTOS}


def test_every_upload_route_is_listed(app, client):
    """A view taking ``files`` is an upload route; each must be in ``UPLOADS`` so the hostile files reach it."""
    spec = client.get("/api/v1/openapi.json").get_json()
    takes_files = {
        (path, method)
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if isinstance(op, dict) and "multipart/form-data" in (op.get("requestBody") or {}).get("content", {})
    }
    routes = {
        (str(rule), method.lower()): rule.endpoint
        for rule in app.url_map.iter_rules()
        for method in rule.methods
        if method in ("POST", "PUT", "PATCH")
    }
    endpoints = {ep for (path, method), ep in routes.items() if (_openapi_path(path), method) in takes_files}
    assert endpoints == set(UPLOADS)


def _openapi_path(rule):
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)


def stored():
    """Rows in every table: a refused upload leaves each count as it was."""
    return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}


def send(client, site, route, content, name):
    url, form, headers = UPLOADS[route](site, content, name)
    before = stored()
    r = client.post(url, data=form, headers=headers, content_type="multipart/form-data")
    assert stored() == before
    return r


def refused(r, status, code):
    body = r.get_json()
    assert r.status_code == status and body["code"] == code, body
    assert body["message"] and not body["message"].isascii()  # a sentence for the clerk, in Chinese
    return body


@functools.cache
def zip_bomb():
    """A real workbook whose sheet inflates to 80 MB of whitespace (valid XML) from a few hundred kilobytes."""
    out = io.BytesIO()
    wb = Workbook()
    wb.active.append(["楼栋", "房号"])
    wb.save(out)
    bomb = io.BytesIO()
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(info, data)
                continue
            head, tail = data.split(b"<sheetData>", 1)
            with dst.open(info.filename, "w", force_zip64=True) as f:
                f.write(head + b"<sheetData>")
                chunk = b" " * MB
                for _ in range(80):
                    f.write(chunk)
                f.write(tail)
    content = bomb.getvalue()
    assert len(content) < MB
    return content


def wide_xlsx():
    """A workbook whose one row reaches column XFD (16,384 cells once read)."""
    out = io.BytesIO()
    wb = Workbook()
    wb.active["A1"], wb.active["XFD1"] = "楼栋", "x"
    wb.save(out)
    return out.getvalue()


@pytest.mark.parametrize("route", sorted(UPLOADS))
def test_fifty_megabytes_is_refused_before_it_is_read(client, site, route):
    r = send(client, site, route, b"\0" * (50 * MB), "big.jpg" if route in PHOTOS else "big.csv")
    body = refused(r, 413, "too_large")
    assert "MB" in body["message"]


@pytest.mark.parametrize("route", sorted(TABLES))
@pytest.mark.parametrize(
    "name,content,code",
    [
        ("bomb.xlsx", zip_bomb, "xlsx_too_large"),
        ("wide.csv", lambda: ("楼栋," + "," * 100_000 + "\n").encode(), "table_too_many_columns"),
        ("wide.xlsx", wide_xlsx, "table_too_many_columns"),
        ("long.csv", lambda: CSV.encode() + b"\n" * uploads.MAX_ROWS, "table_too_many_rows"),
    ],
)
def test_hostile_tables_are_refused(client, site, route, name, content, code):
    refused(send(client, site, route, content(), name), 422, code)


@pytest.mark.parametrize("route", sorted(PHOTOS))
@pytest.mark.parametrize(
    "content",
    [b"%PDF-1.4 not a photo", b"\xff\xd8\xff\xe0" + os.urandom(4096), b"\x89PNG\r\n\x1a\n" + b"\0" * 64],
    ids=["pdf", "jpeg-magic", "png-magic"],
)
def test_a_photo_that_is_not_an_image_is_refused(app, client, site, route, content):
    refused(send(client, site, route, content, "photo.jpg"), 422, "photo_type")
    photos = app.config["PHOTO_DIR"]
    assert not os.path.exists(photos) or os.listdir(photos) == []


@pytest.mark.parametrize("route", sorted(PHOTOS))
def test_a_real_photo_still_passes(client, site, route):
    url, form, headers = UPLOADS[route](site, JPEG, "photo.jpg")
    r = client.post(url, data=form, headers=headers, content_type="multipart/form-data")
    assert r.status_code == 201, r.get_json()
