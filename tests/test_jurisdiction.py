"""Every role against compounds inside and outside its jurisdiction: reads and writes, allowed and refused."""

import io

import pytest

ROSTER = "楼栋,房号,建筑面积,业主\n1,101,60.00,张三\n".encode()

# (user, compound) → can read?, can manage?
MATRIX = {
    ("admin", "c1"): (True, True),
    ("admin", "c3"): (True, True),
    ("official", "c1"): (True, False),
    ("official", "c2"): (True, False),
    ("official", "c3"): (False, False),
    ("official_city", "c3"): (True, False),
    ("official_other", "c1"): (False, False),
    ("official_other", "c3"): (True, False),
    ("committee", "c1"): (True, True),
    ("committee", "c2"): (False, False),
    ("committee", "c3"): (False, False),
    ("committee2", "c1"): (False, False),
    ("committee2", "c2"): (True, True),
}


@pytest.mark.parametrize("user,compound", sorted(MATRIX))
def test_read_matrix(client, world, user, compound):
    can_read, _ = MATRIX[(user, compound)]
    cid = world.compounds[compound].id
    for path in (
        f"/api/v1/compounds/{cid}",
        f"/api/v1/compounds/{cid}/units",
        f"/api/v1/compounds/{cid}/owners",
        f"/api/v1/compounds/{cid}/roster/export",
    ):
        r = client.get(path, headers=world.h[user])
        if can_read:
            assert r.status_code == 200, (path, r.get_json())
        else:
            assert r.status_code == 403, path
            assert r.get_json()["code"] == "outside_jurisdiction"
    listed = {c["id"] for c in client.get("/api/v1/compounds", headers=world.h[user]).get_json()}
    assert (cid in listed) == can_read


@pytest.mark.parametrize("user,compound", sorted(MATRIX))
def test_write_matrix(client, world, user, compound):
    _, can_manage = MATRIX[(user, compound)]
    cid = world.compounds[compound].id
    r = client.post(
        f"/api/v1/compounds/{cid}/roster",
        headers=world.h[user],
        data={"file": (io.BytesIO(ROSTER), "r.csv")},
        content_type="multipart/form-data",
    )
    patch = client.patch(f"/api/v1/compounds/{cid}", headers=world.h[user], json={"notice_lead_days": 20})
    if can_manage:
        assert r.status_code == 200 and patch.status_code == 200
    else:
        assert r.status_code == 403 and patch.status_code == 403
        # Officials fail at the role gate; committees at the jurisdiction check.
        assert r.get_json()["code"] in ("role_forbidden", "outside_jurisdiction")


def test_compound_creation_only_in_own_community(client, world):
    body = {"name": "新小区", "org_id": world.c2.id, "address": "新路1号"}
    r = client.post("/api/v1/compounds", headers=world.h["committee"], json=body)
    assert r.status_code == 403
    r = client.post("/api/v1/compounds", headers=world.h["official"], json=body)
    assert r.status_code == 403 and r.get_json()["code"] == "role_forbidden"
    r = client.post("/api/v1/compounds", headers=world.h["committee2"], json=body)
    assert r.status_code == 201 and r.get_json()["org_id"] == world.c2.id
    r = client.post("/api/v1/compounds", headers=world.h["admin"], json={**body, "org_id": world.street.id})
    assert r.status_code == 422 and r.get_json()["code"] == "org_level"
    r = client.post("/api/v1/compounds", headers=world.h["committee2"], json={"org_id": world.c2.id})
    assert r.status_code == 422 and "name" in r.get_json()["errors"]["json"]


def test_unknown_compound_404(client, world):
    r = client.get("/api/v1/compounds/999999/units", headers=world.h["admin"])
    assert r.status_code == 404 and r.get_json()["code"] == "compound_not_found"


def test_role_gate_before_validation(client, world):
    """401, then 403, then 422: an official posting garbage is refused for the role, not the body."""
    cid = world.compounds["c1"].id
    assert client.patch(f"/api/v1/compounds/{cid}", json={"notice_lead_days": "x"}).status_code == 401
    r = client.patch(f"/api/v1/compounds/{cid}", headers=world.h["official"], json={"notice_lead_days": "x"})
    assert r.status_code == 403
    r = client.patch(f"/api/v1/compounds/{cid}", headers=world.h["committee"], json={"notice_lead_days": "x"})
    assert r.status_code == 422


def test_resident_sees_only_their_compound_and_no_staff_lists(client, world, make):
    unit = make.unit(world.compounds["c1"])
    headers = make.headers(make.resident(unit))
    listed = client.get("/api/v1/compounds", headers=headers).get_json()
    assert [c["id"] for c in listed] == [world.compounds["c1"].id]
    assert client.get(f"/api/v1/compounds/{world.compounds['c2'].id}", headers=headers).status_code == 403
    r = client.get(f"/api/v1/compounds/{world.compounds['c1'].id}/units", headers=headers)
    assert r.status_code == 403 and r.get_json()["code"] == "role_forbidden"


def test_orgs_tree_by_region(client, world):
    names = [o["name"] for o in client.get("/api/v1/orgs", headers=world.h["official"]).get_json()]
    assert names == ["小寨路街道", "幸福里社区", "和平路社区"]
    assert len(client.get("/api/v1/orgs", headers=world.h["admin"]).get_json()) == 8
    r = client.post(
        "/api/v1/orgs",
        headers=world.h["admin"],
        json={"name": "新社区", "level": "community", "parent_id": world.street.id},
    )
    assert r.status_code == 201
    r = client.post(
        "/api/v1/orgs", headers=world.h["admin"], json={"name": "错", "level": "street", "parent_id": world.street.id}
    )
    assert r.status_code == 422 and r.get_json()["code"] == "org_level"
    assert (
        client.post("/api/v1/orgs", headers=world.h["official"], json={"name": "x", "level": "city"}).status_code == 403
    )
