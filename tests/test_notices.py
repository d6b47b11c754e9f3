"""Notices: publishing, the public landing page and scan counts, QR codes (decoded) and the A4 poster."""

import io
import subprocess
from datetime import timedelta

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from backend.extensions import db
from backend.types import utcnow
from notices.models import Notice
from tests.programs import require_program
from votes.models import Vote

TITLE = "关于3号楼加装电梯的表决通知"


def publish(client, world, compound=None, **extra):
    compound = compound or world.compounds["c1"]
    data = {"kind": "announcement", "title": TITLE, "body": "各位业主：\n请于12月1日前扫码投票。", **extra}
    r = client.post(f"/api/v1/compounds/{compound.id}/notices", json=data, headers=world.h["committee"])
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def make_vote(compound, status="open"):
    """A vote row of the votes feature, as far as a notice cares: its compound and whether it is a draft."""
    now = utcnow()
    vote = Vote(
        compound_id=compound.id,
        title="加装电梯",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=15),
        status=status,
    )
    db.session.add(vote)
    db.session.commit()
    return vote.id


def decode_qr(image):
    results = zxingcpp.read_barcodes(image)
    assert results, "no QR code found in the image"
    return results[0].text


def test_publish_notice(client, world):
    vote_id = make_vote(world.compounds["c1"])
    n = publish(client, world, kind="vote_notice", vote_id=vote_id)
    assert n["title"] == TITLE and n["kind_name"] == "表决通知" and n["vote_id"] == vote_id
    assert n["state"] == "published"
    assert n["url"] == f"http://testserver/n/{n['token']}" and len(n["token"]) >= 20
    assert n["compound"] == {"id": world.compounds["c1"].id, "name": "幸福里小区"} and n["scan_count"] == 0
    assert n["publish_at"].endswith("+08:00")
    listed = client.get(f"/api/v1/compounds/{world.compounds['c1'].id}/notices", headers=world.h["official"])
    assert listed.status_code == 200 and listed.headers["X-Total-Count"] == "1"


def test_tokens_are_unguessable_and_distinct(client, world):
    tokens = {publish(client, world)["token"] for _ in range(5)}
    assert len(tokens) == 5


@pytest.mark.parametrize(
    "data,code",
    [
        ({"title": ""}, "validation_error"),
        ({"kind": "vote_notice"}, "vote_required"),
        ({"kind": "survey_invite"}, "survey_required"),
        ({"kind": "poster"}, "validation_error"),
        (
            {"publish_at": "2030-01-02T09:00:00+08:00", "expires_at": "2030-01-01T09:00:00+08:00"},
            "expiry_before_publish",
        ),
        ({"expires_at": "2030-01-01T09:00:00"}, "validation_error"),  # no offset: ambiguous
    ],
)
def test_publish_validation(client, world, data, code):
    r = client.post(
        f"/api/v1/compounds/{world.compounds['c1'].id}/notices",
        json={"title": "t", **data},
        headers=world.h["committee"],
    )
    assert r.status_code == 422 and r.get_json()["code"] == code


@pytest.mark.parametrize(
    "case,code", [("missing", "vote_not_found"), ("other_compound", "vote_not_found"), ("draft", "vote_not_published")]
)
@pytest.mark.parametrize("kind", ["vote_notice", "result_notice"])
def test_notice_links_only_a_published_vote_of_its_compound(client, world, case, code, kind):
    c1, c2 = world.compounds["c1"], world.compounds["c2"]
    vote_id = {
        "missing": lambda: 999_999,
        "other_compound": lambda: make_vote(c2),
        "draft": lambda: make_vote(c1, status="draft"),
    }[case]()
    r = client.post(
        f"/api/v1/compounds/{c1.id}/notices",
        headers=world.h["committee"],
        json={"kind": kind, "title": TITLE, "vote_id": vote_id},
    )
    assert r.status_code == 422 and r.get_json()["code"] == code
    assert r.get_json()["message"] in (
        "找不到该表决，请从本小区的表决中选择",
        "该表决还是草稿，请先发布表决，再发表决通知",
    )
    assert "vote_id" in r.get_json()["errors"]["json"]
    assert db.session.query(Notice).count() == 0
    # Closed and announced votes may still be announced (a result notice comes after the vote).
    for status in ("closed", "announced"):
        assert publish(client, world, kind=kind, vote_id=make_vote(c1, status=status))["vote_id"]


def test_publish_permissions(client, world):
    url = f"/api/v1/compounds/{world.compounds['c1'].id}/notices"
    assert client.post(url, json={"title": "t"}).status_code == 401
    r = client.post(url, json={"title": "t"}, headers=world.h["official"])
    assert r.status_code == 403 and r.get_json()["code"] == "role_forbidden"
    r = client.post(url, json={"title": "t"}, headers=world.h["committee2"])
    assert r.status_code == 403 and r.get_json()["code"] == "outside_jurisdiction"
    assert (
        client.post("/api/v1/compounds/999/notices", json={"title": "t"}, headers=world.h["committee"]).status_code
        == 404
    )
    n = publish(client, world)
    assert client.get(f"/api/v1/notices/{n['id']}", headers=world.h["committee3"]).status_code == 403
    assert client.get("/api/v1/notices/999", headers=world.h["committee"]).status_code == 404


@pytest.mark.parametrize("relation", ["owner", "tenant"])
def test_residents_list_only_what_the_board_shows(client, world, make, relation, clock):
    c1 = world.compounds["c1"]
    resident = make.resident(make.unit(c1), relation=relation)
    publish(client, world, title="已过期的通知", expires_at=(utcnow() + timedelta(days=2)).isoformat())
    clock.advance(days=3)
    up = publish(client, world, title="停水通知")
    scheduled = publish(
        client,
        world,
        title="尚未发布的通知",
        body="草拟中的内容",
        publish_at=(utcnow() + timedelta(days=2)).isoformat(),
    )
    withdrawn = publish(client, world, title="已撤下的通知", body="撤下的内容")
    client.post(f"/api/v1/notices/{withdrawn['id']}/withdraw", headers=world.h["committee"])

    r = client.get(f"/api/v1/compounds/{c1.id}/notices", headers=make.headers(resident))
    assert r.status_code == 200 and r.headers["X-Total-Count"] == "2"
    listed = r.get_json()
    assert [(n["title"], n["state"]) for n in listed] == [("停水通知", "published"), ("已过期的通知", "expired")]
    assert listed[0]["id"] == up["id"] and listed[0]["url"] == up["url"]
    for n in listed:
        assert not {"token", "created_by", "scan_count", "last_scan_at", "withdrawn_at"} & set(n)
    text = r.get_data(as_text=True)
    for hidden in (scheduled, withdrawn):
        assert hidden["token"] not in text and hidden["body"] not in text and hidden["title"] not in text
    # Staff still see every notice, with what they need to manage it.
    staff = client.get(f"/api/v1/compounds/{c1.id}/notices", headers=world.h["committee"])
    assert staff.headers["X-Total-Count"] == "4" and all("created_by" in n for n in staff.get_json())
    # A resident of another compound sees nothing of this one.
    stranger = make.resident(make.unit(world.compounds["c2"]))
    r = client.get(f"/api/v1/compounds/{c1.id}/notices", headers=make.headers(stranger))
    assert r.status_code == 403


def test_landing_page_counts_scans(client, world):
    vote_id = make_vote(world.compounds["c1"])
    n = publish(client, world, kind="vote_notice", vote_id=vote_id)
    for _ in range(3):
        r = client.get(f"/n/{n['token']}")
        assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert TITLE in html and "幸福里小区" in html and "请于12月1日前扫码投票。" in html
    c1 = world.compounds["c1"]  # the vote link carries the compound, for binding on the way
    assert f'href="/m/vote/{vote_id}?compound={c1.id}"' in html and "没有智能手机" in html
    assert r.headers["Cache-Control"] == "no-store" and "Set-Cookie" not in r.headers
    assert 'src="http' not in html and "<link" in html and "//" not in html.split("<link")[1].split(">")[0]
    detail = client.get(f"/api/v1/notices/{n['id']}", headers=world.h["committee"]).get_json()
    assert detail["scan_count"] == 3 and detail["last_scan_at"]
    # The public JSON view carries no counter and no personal data.
    public = client.get(f"/api/v1/public/notices/{n['token']}").get_json()
    assert public["title"] == TITLE and "scan_count" not in public and "created_by" not in public


def test_landing_unknown_scheduled_withdrawn_expired(client, world, clock):
    assert client.get("/n/not-a-token").status_code == 404
    later = publish(client, world, publish_at=(utcnow() + timedelta(days=1)).isoformat())
    r = client.get(f"/n/{later['token']}")
    assert r.status_code == 404 and "找不到该通知" in r.get_data(as_text=True)
    gone = publish(client, world)
    assert client.post(f"/api/v1/notices/{gone['id']}/withdraw", headers=world.h["committee"]).status_code == 200
    assert client.get(f"/n/{gone['token']}").status_code == 404
    old = publish(client, world, expires_at=(utcnow() + timedelta(days=2)).isoformat())
    clock.advance(days=2, seconds=-1)
    r = client.get(f"/n/{old['token']}")
    assert r.status_code == 200 and "此通知已过截止时间" not in r.get_data(as_text=True)
    clock.advance(seconds=1)  # the deadline itself
    r = client.get(f"/n/{old['token']}")
    assert r.status_code == 200 and "此通知已过截止时间" in r.get_data(as_text=True)
    assert client.get(f"/n/{later['token']}").status_code == 200  # its day came


def test_patch_notice_keeps_token(client, world):
    n = publish(client, world)
    r = client.patch(f"/api/v1/notices/{n['id']}", json={"title": "更正：" + TITLE}, headers=world.h["committee"])
    assert r.status_code == 200 and r.get_json()["token"] == n["token"] and r.get_json()["title"].startswith("更正")


def test_qr_png_decodes_to_notice_url(client, world):
    n = publish(client, world)
    r = client.get(f"/api/v1/notices/{n['id']}/qr.png", headers=world.h["committee"])
    assert r.status_code == 200 and r.mimetype == "image/png"
    assert decode_qr(Image.open(io.BytesIO(r.data))) == f"http://testserver/n/{n['token']}"


def test_qr_svg(client, world):
    n = publish(client, world)
    r = client.get(f"/api/v1/notices/{n['id']}/qr.svg", headers=world.h["committee"])
    assert r.status_code == 200 and r.mimetype == "image/svg+xml"
    assert r.data.lstrip().startswith(b"<?xml") or b"<svg" in r.data[:200]
    assert b"<path" in r.data


def test_qr_and_poster_need_staff(client, world):
    n = publish(client, world)
    for suffix in ("qr.png", "qr.svg", "poster.pdf"):
        assert client.get(f"/api/v1/notices/{n['id']}/{suffix}").status_code == 401
        assert client.get(f"/api/v1/notices/{n['id']}/{suffix}", headers=world.h["committee2"]).status_code == 403


def test_poster_pdf(client, world, tmp_path):
    n = publish(client, world, expires_at=(utcnow() + timedelta(days=15)).isoformat(), body="长" * 2000)
    r = client.get(f"/api/v1/notices/{n['id']}/poster.pdf", headers=world.h["committee"])
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(r.data))
    assert len(reader.pages) == 1 and reader.metadata.title == TITLE
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4
    path = tmp_path / "poster.pdf"
    path.write_bytes(r.data)
    require_program("pdftotext")
    require_program("pdftoppm")
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    for expected in (TITLE, "幸福里小区", "微信扫一扫", "发布：", "截止：", "全文请扫码查看"):
        assert expected in text
    subprocess.run(["pdftoppm", "-r", "100", "-png", "-singlefile", str(path), str(tmp_path / "poster")], check=True)
    assert decode_qr(Image.open(tmp_path / "poster.png")) == n["url"]


@pytest.mark.parametrize(
    "path",
    [
        "/m/committee",
        "/m/signin",
        "/m/home",
        "/m/bind?compound=1",
        "/m/proxy",
        "/m/vote/1",
        "/m/results/1",
        "/m/privacy",
        "/m/wechat/callback",
    ],
)
def test_pages_render_without_outside_resources(client, path):
    r = client.get(path)
    assert r.status_code == 200 and r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    assert 'lang="zh-CN"' in html and "width=device-width" in html
    assert "http://" not in html and "https://" not in html  # no CDN, no external fonts
    assert "Set-Cookie" not in r.headers and r.headers["Cache-Control"] == "no-store"


def test_static_assets_served(client):
    for path in ("/m/static/m.js", "/m/static/m.css", "/m/notices-static/committee.js"):
        assert client.get(path).status_code == 200


class TestScansInRedis:
    """Production counts scans in Redis, with no write to the notice's row per scan; the counts are folded into
    the row when staff read the notice, so what they see is every scan. The Redis database may be shared: the
    test clears only its own notice's keys."""

    @pytest.fixture
    def app_config(self):
        import os

        url = os.environ.get("TEST_REDIS_URL")
        if not url:
            pytest.skip("set TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/15) to test scan counts in Redis")
        return {"REDIS_URL": url}

    def test_scans_buffered_in_redis_are_counted_where_shown(self, client, world, app):
        import redis

        from notices import scans

        n = publish(client, world, kind="vote_notice", vote_id=make_vote(world.compounds["c1"]))
        redis.Redis.from_url(app.config["REDIS_URL"]).delete(*scans._keys(n["id"]))
        for _ in range(3):
            assert client.get(f"/n/{n['token']}").status_code == 200
        assert db.session.get(Notice, n["id"]).scan_count == 0  # no write to the row per scan
        detail = client.get(f"/api/v1/notices/{n['id']}", headers=world.h["committee"]).get_json()
        assert detail["scan_count"] == 3 and detail["last_scan_at"]
        for _ in range(2):
            assert client.get(f"/n/{n['token']}").status_code == 200
        listed = client.get(f"/api/v1/compounds/{world.compounds['c1'].id}/notices", headers=world.h["committee"])
        assert [x["scan_count"] for x in listed.get_json() if x["id"] == n["id"]] == [5]
        db.session.expire_all()
        assert db.session.get(Notice, n["id"]).scan_count == 5  # folded into the row, once
        again = client.get(f"/api/v1/notices/{n['id']}", headers=world.h["committee"]).get_json()
        assert again["scan_count"] == 5
