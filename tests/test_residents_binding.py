"""Household binding (invite code, roster match, committee request), proxies, privacy records and retention."""

import io
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from backend.errors import Forbidden
from backend.extensions import db
from backend.jurisdiction import voting_binding
from backend.privacy import PersonalDataAccess
from backend.roster.models import HouseholdBinding, Resident
from backend.types import utcnow
from residents.models import InviteCode, ProxyAuthorisation, SmsCode
from residents.privacy import purge
from residents.services import CODE_ALPHABET, code_hash, new_invite_code
from tests.factories import bearer
from tests.test_residents_auth import dev_sign_in


def _jpeg():
    out = io.BytesIO()
    Image.new("RGB", (16, 12), (90, 120, 200)).save(out, "JPEG")
    return out.getvalue()


JPEG = _jpeg()  # a real photo: the 委托书 is checked by its content and re-encoded


@pytest.fixture
def estate(clock, make, world, client):
    """幸福里小区 with a flat owned by 张秀英 (phone on the roster), a co-owned flat, and a signed-in resident."""
    c1 = world.compounds["c1"]
    zhang = make.owner(c1, names=("张秀英",), phone="13912345678")
    flat = make.unit(c1, "3", "2", "501", "86.50", owner=zhang)
    couple = make.owner(c1, names=("王建国", "李桂兰"), phone="13700001111")
    shared = make.unit(c1, "3", "2", "502", "86.50", owner=couple)
    other = make.unit(world.compounds["c2"], "1", "1", "101")
    tokens = dev_sign_in(client, "daughter")
    return world, c1, flat, shared, other, bearer(tokens["access_token"]), tokens["resident"]["id"]


def issue_code(unit, status="active", created_at=None):
    code = new_invite_code()
    db.session.add(
        InviteCode(unit_id=unit.id, code_hash=code_hash(code), status=status, created_at=created_at or utcnow())
    )
    db.session.commit()
    return code


def address(compound, unit, **extra):
    return {
        "compound_id": compound.id,
        "building": unit.building,
        "entrance": unit.entrance,
        "room": unit.room,
        **extra,
    }


# --- invite codes -------------------------------------------------------------------------------------


def test_code_alphabet_is_unambiguous():
    code = new_invite_code()
    assert len(code) >= 8 and set(code) <= set(CODE_ALPHABET)
    assert not set("0O1IL2Z5S8B") & set(CODE_ALPHABET)


def test_bind_by_invite_code(client, estate):
    _world, c1, flat, *_, h, rid = estate
    code = issue_code(flat)
    typed = f" {code[:5].lower()} {code[5:]} "  # as an elderly hand types it: spaces, lower case
    r = client.post("/api/v1/my/bindings/invite", json={"code": typed, "owner_name": "张 秀英 "}, headers=h)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["unit"]["label"] == "3号楼2单元501室" and body["relation"] == "owner" and body["may_vote"]
    assert body["unit"]["compound"] == {"id": c1.id, "name": "幸福里小区"}
    invite = db.session.scalar(select(InviteCode))
    assert invite.status == "used" and invite.used_by_id == rid
    assert voting_binding(db.session.get(Resident, rid), flat.id).method == "invite"


def test_invite_code_reused(client, estate):
    *_, h, _rid = estate
    code = issue_code(estate[2])
    assert (
        client.post("/api/v1/my/bindings/invite", json={"code": code, "owner_name": "张秀英"}, headers=h).status_code
        == 201
    )
    other = bearer(dev_sign_in(client, "someone-else")["access_token"])
    r = client.post("/api/v1/my/bindings/invite", json={"code": code}, headers=other)
    assert r.status_code == 409 and r.get_json()["code"] == "invite_used"


@pytest.mark.parametrize("status", ["revoked", None])
def test_invite_code_wrong_or_revoked(client, estate, status):
    *_, h, _ = estate
    code = issue_code(estate[2], status) if status else "ACDEFGHJKM"
    r = client.post("/api/v1/my/bindings/invite", json={"code": code}, headers=h)
    assert r.status_code == 422 and r.get_json()["code"] == "invite_invalid"
    assert "邀请码不正确或已作废" in r.get_json()["message"]


def test_invite_code_guessing_rate_limited(client, estate):
    *_, h, _ = estate
    codes = [
        client.post("/api/v1/my/bindings/invite", json={"code": "ACDEFGHJ" + f"{n:02d}"}, headers=h).status_code
        for n in range(11)
    ]
    assert codes[:10] == [422] * 10 and codes[10] == 429
    # The limit covers a real code too, so an attacker cannot tell a hit from the limit.
    r = client.post("/api/v1/my/bindings/invite", json={"code": issue_code(estate[2])}, headers=h)
    assert r.status_code == 429 and "一小时后再试" in r.get_json()["message"]


def bind_code(client, h, code, **extra):
    return client.post("/api/v1/my/bindings/invite", json={"code": code, **extra}, headers=h)


@pytest.mark.parametrize("typed", ["王建国", "李桂兰", " 李 桂兰 ", "李\u3000桂兰"])
def test_owner_by_code_names_any_co_owner(client, estate, typed):
    _world, _c1, _flat, shared, *_, h, rid = estate
    r = bind_code(client, h, issue_code(shared), relation="owner", owner_name=typed)
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["relation"] == "owner" and r.get_json()["may_vote"]
    assert voting_binding(db.session.get(Resident, rid), shared.id).method == "invite"


@pytest.mark.parametrize(
    "typed,code",
    [
        ("王建", "owner_name_mismatch"),
        ("张秀英", "owner_name_mismatch"),
        ("", "owner_name_required"),
        (None, "owner_name_required"),
    ],
)
def test_letter_holder_cannot_claim_ownership_without_the_owners_name(client, estate, typed, code):
    """The letter reaches whoever empties the letterbox — a tenant too. The code alone does not make an owner."""
    _world, _c1, _flat, shared, *_, h, rid = estate
    invite = issue_code(shared)
    extra = {} if typed is None else {"owner_name": typed}
    r = bind_code(client, h, invite, **extra)  # relation defaults to owner
    assert r.status_code == 422 and r.get_json()["code"] == code
    assert "owner_name" in r.get_json()["errors"]["json"]
    assert "王建国" not in r.get_data(as_text=True) and "李桂兰" not in r.get_data(as_text=True)
    assert db.session.scalar(select(HouseholdBinding)) is None
    assert db.session.scalar(select(InviteCode.status)) == "active"
    # The same person may still bind as what they are: a tenant, without a name, who cannot vote.
    r = bind_code(client, h, invite, relation="tenant")
    assert r.status_code == 201 and r.get_json()["relation"] == "tenant" and not r.get_json()["may_vote"]
    with pytest.raises(Forbidden):
        voting_binding(db.session.get(Resident, rid), shared.id)


def test_expired_invite_code_refused(client, estate, app, clock):
    _world, _c1, flat, shared, *_, h, _rid = estate
    days = app.config["INVITE_CODE_DAYS"]
    assert days == 90
    old = issue_code(flat)
    clock.advance(seconds=1)
    recent = issue_code(shared)
    clock.advance(days=days)  # the first code is a second past its last moment, the second on it
    r = bind_code(client, h, old, relation="tenant")
    assert r.status_code == 422 and r.get_json() == {
        "code": "invite_expired",
        "message": "邀请码已过期，请向居委会索取新的入户信",
    }
    assert db.session.scalar(select(HouseholdBinding)) is None
    assert bind_code(client, h, recent, relation="tenant").status_code == 201


def test_tenant_binds_without_vote(client, estate):
    _world, _c1, flat, *_, h, rid = estate
    r = client.post("/api/v1/my/bindings/invite", json={"code": issue_code(flat), "relation": "tenant"}, headers=h)
    assert r.status_code == 201 and r.get_json()["relation_name"] == "租户" and not r.get_json()["may_vote"]
    with pytest.raises(Forbidden):
        voting_binding(db.session.get(Resident, rid), flat.id)


def test_binding_needs_consent(client, estate, make):
    resident = make.resident()  # created behind the API: never agreed
    r = client.post("/api/v1/my/bindings/invite", json={"code": issue_code(estate[2])}, headers=make.headers(resident))
    assert r.status_code == 403 and r.get_json()["code"] == "consent_required"


def test_binding_validation_and_auth(client, estate):
    *_, h, _ = estate
    r = client.post("/api/v1/my/bindings/invite", json={"code": "short"}, headers=h)
    assert r.status_code == 422 and "code" in r.get_json()["errors"]["json"]
    assert client.post("/api/v1/my/bindings/invite", json={"code": "ACDEFGHJKM"}).status_code == 401
    world = estate[0]
    r = client.post("/api/v1/my/bindings/invite", json={"code": "ACDEFGHJKM"}, headers=world.h["committee"])
    assert r.status_code == 403


# --- roster match -------------------------------------------------------------------------------------


def test_bind_by_roster(client, estate):
    _world, c1, flat, *_, h, _rid = estate
    r = client.post(
        "/api/v1/my/bindings/roster", headers=h, json=address(c1, flat, owner_name=" 张秀英 ", phone_last4="5678")
    )
    assert r.status_code == 201 and r.get_json()["relation"] == "owner" and r.get_json()["method"] == "roster"


@pytest.mark.parametrize(
    "change", [{"owner_name": "张秀"}, {"phone_last4": "5679"}, {"room": "503"}, {"building": "4"}]
)
def test_roster_mismatch(client, estate, change):
    _world, c1, flat, *_, h, _rid = estate
    data = {**address(c1, flat, owner_name="张秀英", phone_last4="5678"), **change}
    r = client.post("/api/v1/my/bindings/roster", json=data, headers=h)
    assert r.status_code == 422 and r.get_json()["code"] == "roster_mismatch"
    assert r.get_json()["message"] == "与业主名册不一致，无法自动绑定。请核对后重试，或提交申请由居委会审核"
    assert db.session.scalar(select(HouseholdBinding)) is None


def test_co_owners_each_bind(client, estate):
    _world, c1, _, shared, *_ = estate
    ids = []
    for name in ("王建国", "李桂兰"):
        h = bearer(dev_sign_in(client, name)["access_token"])
        r = client.post(
            "/api/v1/my/bindings/roster", json=address(c1, shared, owner_name=name, phone_last4="1111"), headers=h
        )
        assert r.status_code == 201
        ids.append(r.get_json()["id"])
    bindings = db.session.scalars(select(HouseholdBinding).where(HouseholdBinding.unit_id == shared.id)).all()
    assert len(bindings) == 2 and {b.relation for b in bindings} == {"owner"}


def test_resident_holds_several_units(client, estate):
    _world, _c1, flat, shared, _, h, _rid = estate
    client.post("/api/v1/my/bindings/invite", json={"code": issue_code(flat), "owner_name": "张秀英"}, headers=h)
    client.post("/api/v1/my/bindings/invite", json={"code": issue_code(shared), "relation": "family"}, headers=h)
    units = [b["unit"]["label"] for b in client.get("/api/v1/my/household", headers=h).get_json()["bindings"]]
    assert units == ["3号楼2单元501室", "3号楼2单元502室"]


# --- requests the committee decides -------------------------------------------------------------------


def test_request_approved(client, estate):
    world, c1, flat, *_, h, _rid = estate
    r = client.post(
        "/api/v1/my/binding-requests", headers=h, json=address(c1, flat, name="张小红", relation="family", note="女儿")
    )
    assert (
        r.status_code == 201 and r.get_json()["status"] == "pending" and r.get_json()["status_name"] == "待居委会审核"
    )
    rid_ = r.get_json()["id"]
    again = client.post("/api/v1/my/binding-requests", headers=h, json=address(c1, flat, name="张小红"))
    assert again.status_code == 409 and again.get_json()["code"] == "request_pending"
    listed = client.get(f"/api/v1/compounds/{c1.id}/binding-requests", headers=world.h["committee"])
    assert listed.status_code == 200 and [x["name"] for x in listed.get_json()] == ["张小红"]
    assert db.session.scalar(select(PersonalDataAccess.subject)) == f"compound:{c1.id} binding_requests"
    r = client.post(f"/api/v1/binding-requests/{rid_}/decision", json={"approve": True}, headers=world.h["committee"])
    assert r.status_code == 200 and r.get_json()["status"] == "approved"
    household = client.get("/api/v1/my/household", headers=h).get_json()
    assert household["bindings"][0]["relation"] == "family" and household["bindings"][0]["method"] == "request"
    r = client.post(f"/api/v1/binding-requests/{rid_}/decision", json={"approve": True}, headers=world.h["committee"])
    assert r.status_code == 409 and r.get_json()["code"] == "already_decided"


def test_request_rejected_with_reason_shown(client, estate):
    world, c1, flat, *_, h, _rid = estate
    req = client.post("/api/v1/my/binding-requests", headers=h, json=address(c1, flat, name="赵某")).get_json()
    r = client.post(
        f"/api/v1/binding-requests/{req['id']}/decision", json={"approve": False}, headers=world.h["committee"]
    )
    assert r.status_code == 422 and r.get_json()["code"] == "reason_required"
    reason = "房产证上没有您的名字，请业主本人来居委会办理"
    r = client.post(
        f"/api/v1/binding-requests/{req['id']}/decision",
        json={"approve": False, "reason": reason},
        headers=world.h["committee"],
    )
    assert r.status_code == 200
    mine = client.get("/api/v1/my/household", headers=h).get_json()["requests"][0]
    assert mine["status_name"] == "未通过" and mine["reason"] == reason


def test_request_for_unknown_room_needs_roster_first(client, estate):
    world, c1, *_, h, _rid = estate
    req = client.post(
        "/api/v1/my/binding-requests",
        headers=h,
        json={"compound_id": c1.id, "building": "9", "entrance": "1", "room": "909", "name": "新业主"},
    )
    assert req.status_code == 201 and req.get_json()["unit_id"] is None
    r = client.post(
        f"/api/v1/binding-requests/{req.get_json()['id']}/decision",
        json={"approve": True},
        headers=world.h["committee"],
    )
    assert r.status_code == 422 and r.get_json()["code"] == "unit_not_found"


def test_request_review_jurisdiction(client, estate):
    world, c1, flat, *_, h, _rid = estate
    req = client.post("/api/v1/my/binding-requests", headers=h, json=address(c1, flat, name="赵某")).get_json()
    r = client.post(
        f"/api/v1/binding-requests/{req['id']}/decision", json={"approve": True}, headers=world.h["committee2"]
    )
    assert r.status_code == 403 and r.get_json()["code"] == "outside_jurisdiction"
    r = client.get(f"/api/v1/compounds/{c1.id}/binding-requests", headers=world.h["committee2"])
    assert r.status_code == 403
    r = client.get(f"/api/v1/compounds/{c1.id}/binding-requests", headers=world.h["official"])
    assert r.status_code == 403 and r.get_json()["code"] == "role_forbidden"
    assert (
        client.post(
            "/api/v1/binding-requests/999/decision", json={"approve": True}, headers=world.h["committee"]
        ).status_code
        == 404
    )
    r = client.post(
        f"/api/v1/binding-requests/{req['id']}/decision", json={"approve": "maybe"}, headers=world.h["committee"]
    )
    assert r.status_code == 422


def test_resident_cannot_read_another_household(client, estate):
    _world, c1, flat, shared, _, h, _rid = estate
    mine = client.post(
        "/api/v1/my/bindings/invite", json={"code": issue_code(flat), "owner_name": "张秀英"}, headers=h
    ).get_json()
    client.post("/api/v1/my/binding-requests", headers=h, json=address(c1, shared, name="张小红"))
    stranger = bearer(dev_sign_in(client, "stranger")["access_token"])
    theirs = client.get("/api/v1/my/household", headers=stranger).get_json()
    assert theirs["bindings"] == [] and theirs["requests"] == [] and theirs["proxies"] == []
    assert client.delete(f"/api/v1/my/bindings/{mine['id']}", headers=stranger).status_code == 404
    # Nor the compound's roster, nor the committee's review lists.
    assert client.get(f"/api/v1/compounds/{c1.id}/units", headers=stranger).status_code == 403
    assert client.get(f"/api/v1/compounds/{c1.id}/binding-requests", headers=stranger).status_code == 403
    assert client.get("/api/v1/proxies/1/photo", headers=stranger).status_code == 403


def test_unbind(client, estate):
    *_, h, _rid = estate
    mine = client.post(
        "/api/v1/my/bindings/invite", json={"code": issue_code(estate[2]), "owner_name": "张秀英"}, headers=h
    ).get_json()
    assert client.delete(f"/api/v1/my/bindings/{mine['id']}", headers=h).status_code == 204
    assert client.get("/api/v1/my/household", headers=h).get_json()["bindings"] == []
    binding = db.session.get(HouseholdBinding, mine["id"])
    assert binding.status == "revoked" and binding.revoked_at is not None


# --- proxies (委托书) ----------------------------------------------------------------------------------


def submit_proxy(client, h, compound, unit, photo=JPEG):
    data = {
        **address(compound, unit, owner_name="张秀英", proxy_name="张小红"),
        "photo": (io.BytesIO(photo), "wts.jpg"),
    }
    return client.post("/api/v1/my/proxies", data=data, headers=h, content_type="multipart/form-data")


def test_proxy_awaiting_approval_then_approved(client, estate):
    world, c1, flat, *_, h, rid = estate
    r = submit_proxy(client, h, c1, flat)
    assert r.status_code == 201, r.get_json()
    proxy = r.get_json()
    assert proxy["status"] == "pending" and proxy["reference"] == f"委托书#{proxy['id']}"
    # Awaiting approval: no ballot may be cast for the unit yet.
    with pytest.raises(Forbidden):
        voting_binding(db.session.get(Resident, rid), flat.id)
    household = client.get("/api/v1/my/household", headers=h).get_json()
    assert household["bindings"] == [] and household["proxies"][0]["status_name"] == "待居委会审核"
    listed = client.get(f"/api/v1/compounds/{c1.id}/proxies", headers=world.h["committee"]).get_json()
    assert [p["proxy_name"] for p in listed] == ["张小红"]
    photo = client.get(f"/api/v1/proxies/{proxy['id']}/photo", headers=world.h["committee"])
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert Image.open(io.BytesIO(photo.data)).size == (16, 12)  # re-encoded from its pixels, no metadata kept
    subjects = db.session.scalars(select(PersonalDataAccess.subject).order_by(PersonalDataAccess.id)).all()
    assert subjects == [f"compound:{c1.id} proxy_authorisations", f"proxy:{proxy['id']} photo"]
    r = client.post(f"/api/v1/proxies/{proxy['id']}/decision", json={"approve": True}, headers=world.h["committee"])
    assert r.status_code == 200 and r.get_json()["status"] == "approved"
    binding = voting_binding(db.session.get(Resident, rid), flat.id)
    assert binding.relation == "proxy" and binding.proxy_evidence == f"委托书#{proxy['id']}"


def test_proxy_upgrades_family_binding(client, estate):
    world, c1, flat, *_, h, _rid = estate
    client.post("/api/v1/my/bindings/invite", json={"code": issue_code(flat), "relation": "family"}, headers=h)
    proxy = submit_proxy(client, h, c1, flat).get_json()
    client.post(f"/api/v1/proxies/{proxy['id']}/decision", json={"approve": True}, headers=world.h["committee"])
    bindings = db.session.scalars(select(HouseholdBinding)).all()
    assert len(bindings) == 1 and bindings[0].relation == "proxy"


def test_proxy_rejected(client, estate):
    world, c1, flat, *_, h, _rid = estate
    proxy = submit_proxy(client, h, c1, flat).get_json()
    reason = "委托书没有业主签字"
    client.post(
        f"/api/v1/proxies/{proxy['id']}/decision",
        json={"approve": False, "reason": reason},
        headers=world.h["committee"],
    )
    mine = client.get("/api/v1/my/household", headers=h).get_json()["proxies"][0]
    assert mine["status"] == "rejected" and mine["reason"] == reason


@pytest.mark.parametrize(
    "photo,code",
    [
        (b"", "photo_required"),
        (b"%PDF-1.4 not an image", "photo_type"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 200, "photo_type"),  # a JPEG's first bytes, and no picture
    ],
)
def test_proxy_photo_checked(client, estate, photo, code):
    _world, c1, flat, *_, h, _rid = estate
    r = submit_proxy(client, h, c1, flat, photo)
    assert r.status_code == 422 and r.get_json()["code"] == code


def test_proxy_unknown_unit(client, estate):
    _world, c1, _flat, *_, h, _rid = estate
    data = {
        "compound_id": c1.id,
        "building": "99",
        "room": "1",
        "owner_name": "x",
        "proxy_name": "y",
        "photo": (io.BytesIO(JPEG), "a.jpg"),
    }
    r = client.post("/api/v1/my/proxies", data=data, headers=h, content_type="multipart/form-data")
    assert r.status_code == 404 and r.get_json()["code"] == "unit_not_found"


def test_proxy_photo_other_committee_refused(client, estate):
    world, c1, flat, *_, h, _rid = estate
    proxy = submit_proxy(client, h, c1, flat).get_json()
    assert client.get(f"/api/v1/proxies/{proxy['id']}/photo", headers=world.h["committee2"]).status_code == 403
    assert db.session.scalar(select(PersonalDataAccess)) is None


# --- retention ----------------------------------------------------------------------------------------


def test_purge_after_retention(client, estate, app, runner, clock):
    """What ended more than RETENTION_DAYS ago goes; what is still live stays, however old."""
    world, c1, flat, shared, _, h, rid = estate
    used = issue_code(flat)
    owned = bind_code(client, h, used, owner_name="张秀英").get_json()
    assert client.delete(f"/api/v1/my/bindings/{owned['id']}", headers=h).status_code == 204
    rejected = submit_proxy(client, h, c1, flat).get_json()
    approved = submit_proxy(client, h, c1, shared).get_json()
    for pid, ok in ((rejected["id"], False), (approved["id"], True)):
        client.post(
            f"/api/v1/proxies/{pid}/decision",
            json={"approve": ok, "reason": "" if ok else "无签字"},
            headers=world.h["committee"],
        )
    db.session.add(SmsCode(phone_hash="x", code_hash="y", expires_at=utcnow() + timedelta(minutes=5)))
    idle_id = dev_sign_in(client, "idle")["resident"]["id"]  # signs in once, binds nothing, never returns
    clock.advance(days=app.config["RETENTION_DAYS"], seconds=1)
    live = issue_code(shared)
    result = runner.invoke(args=["residents", "purge"])
    assert result.exit_code == 0, result.output
    assert "bindings 1" in result.output and "residents 1" in result.output and "sms_codes 1" in result.output
    # The used code is gone, the live one stays; the revoked binding is gone; the rejected authorisation is gone,
    # the approved one stays while its proxy binding is active (it is the evidence for proxy ballots).
    assert [c.code_hash for c in db.session.scalars(select(InviteCode))] == [code_hash(live)]
    assert [b.relation for b in db.session.scalars(select(HouseholdBinding))] == ["proxy"]
    assert [p.id for p in db.session.scalars(select(ProxyAuthorisation))] == [approved["id"]]
    assert db.session.get(Resident, idle_id) is None and db.session.get(Resident, rid) is not None
    assert purge() == {
        "sms_codes": 0,
        "invite_codes": 0,
        "bindings": 0,
        "binding_requests": 0,
        "proxy_authorisations": 0,
        "residents": 0,
        "letter_files": 0,
        "problem_photos": 0,
    }


# --- the binding limit per client address ---------------------------------------------------------------


class TestAddressLimit:
    """A committee's sign-up afternoon puts many residents behind the office's address: only failures count."""

    @pytest.fixture
    def app_config(self):
        return {"BINDING_RATE_PER_IP": "3 per hour"}

    def test_successes_are_free_failures_are_counted(self, client, estate, make):
        _, c1, flat, *_ = estate
        for k, unit in enumerate(make.units(c1, 5, building="8")):
            h = bearer(dev_sign_in(client, f"neighbour{k}")["access_token"])
            assert bind_code(client, h, issue_code(unit), relation="family").status_code == 201
        guesser = bearer(dev_sign_in(client, "guesser")["access_token"])
        assert [bind_code(client, guesser, f"ACDEFGHJ{n:02d}").status_code for n in range(3)] == [422] * 3
        late = bearer(dev_sign_in(client, "late")["access_token"])
        code = issue_code(flat)
        r = bind_code(client, late, code, relation="family")
        assert r.status_code == 429 and "一小时后再试" in r.get_json()["message"]
        elsewhere = client.post(
            "/api/v1/my/bindings/invite",
            json={"code": code, "relation": "family"},
            headers=late,
            environ_base={"REMOTE_ADDR": "198.51.100.4"},
        )
        assert elsewhere.status_code == 201

    def test_roster_mismatches_count_too(self, client, estate):
        _, c1, flat, *_, h, _ = estate
        wrong = address(c1, flat, owner_name="张秀英", phone_last4="0000")
        codes = [client.post("/api/v1/my/bindings/roster", json=wrong, headers=h).status_code for _ in range(4)]
        assert codes == [422, 422, 422, 429]


def test_personal_data_access_records_the_client_address(client, estate):
    world, c1, *_ = estate
    r = client.get(
        f"/api/v1/compounds/{c1.id}/binding-requests",
        headers=world.h["committee"],
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
    )
    assert r.status_code == 200
    assert db.session.scalar(select(PersonalDataAccess.address)) == "203.0.113.9"
