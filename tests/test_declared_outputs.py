"""Declared outputs: real responses walked against the response schemas of ``/api/v1/openapi.json``.

Every key a response carries must be declared there (recursively: nested objects, list items, map values), every
key declared as always sent must be present, and values must have the declared type and be null only where that
is declared. A response built from a free-form ``fields.Dict`` fails here, as does a key dropped from a shape
``API.md`` promises.
"""

import pytest

from tests.test_roster import HEADER, csv_bytes, upload
from tests.test_votes_kit import at, item

JSON_TYPES = {
    "integer": (int,),
    "number": (int, float),
    "string": (str,),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}
FREE_FORM = (".errors",)  # an error's details: free-form by design (the error shape of API.md)


def resolve(spec, schema):
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def conforms(spec, schema, value, where="$"):
    """Assert that ``value`` is what ``schema`` declares; ``where`` names the place for the message."""
    schema = resolve(spec, schema)
    if "anyOf" in schema:  # how a nullable nested schema is written: {nullable object} or the schema
        failures = []
        for branch in schema["anyOf"]:
            try:
                return conforms(spec, branch, value, where)
            except AssertionError as e:
                failures.append(str(e))
        raise AssertionError("; ".join(failures))
    if value is None:
        assert schema.get("nullable"), f"{where} is null, but not declared nullable"
        return
    kind = schema.get("type")
    if kind:
        boolean_as_number = kind in ("integer", "number") and isinstance(value, bool)
        assert isinstance(value, JSON_TYPES[kind]) and not boolean_as_number, f"{where} = {value!r} is not {kind}"
    else:
        assert not isinstance(value, (dict, list)), f"{where} is a {type(value).__name__} of undeclared type"
    if "enum" in schema:
        assert value in schema["enum"], f"{where} = {value!r} not in {schema['enum']}"
    if isinstance(value, list):
        assert "items" in schema, f"{where}: items undeclared"
        for n, element in enumerate(value):
            conforms(spec, schema["items"], element, f"{where}[{n}]")
    if isinstance(value, dict):
        declared, values = schema.get("properties"), schema.get("additionalProperties")
        if not declared and not values:
            assert where.endswith(FREE_FORM), f"{where}: an object whose keys are not declared"
            return
        missing = set(schema.get("required", [])) - set(value)
        assert not missing, f"{where}: declared keys missing {sorted(missing)}"
        for key, element in value.items():
            if declared and key in declared:
                conforms(spec, declared[key], element, f"{where}.{key}")
            else:
                assert values, f"{where}.{key} is not declared"
                conforms(spec, values, element, f"{where}.{key}")


class Documented:
    """The test client, checking each response against the schema the document gives its route and status."""

    def __init__(self, client):
        self.client = client
        self.spec = client.get("/api/v1/openapi.json").get_json()
        self.walked = set()

    def __call__(self, method, template, status=200, **kwargs):
        path = {k: kwargs.pop(k) for k in list(kwargs) if "{" + k + "}" in template}
        r = self.client.open(template.format(**path), method=method, **kwargs)
        body = r.get_json()
        assert r.status_code == status, (template, r.status_code, body)
        operation = self.spec["paths"][template][method.lower()]
        schema = operation["responses"][str(status)]["content"]["application/json"]["schema"]
        conforms(self.spec, schema, body, f"{method} {template}")
        self.walked.add((method, template))
        return body


@pytest.fixture
def api(client):
    return Documented(client)


def test_a_vote_from_creation_to_result(api, kit, make, world):
    """Every vote response, in every state it passes through, for staff and for a resident."""
    units = make.units(kit.compound, 6)
    h, cid = kit.h, kit.compound.id
    spec = {
        "title": "测试表决",
        "opens_at": at(minutes=-1),
        "closes_at": at(days=1),
        "scope": {"building": "1"},
        "items": [
            item("rebuild", "加装电梯"),
            item("property_manager", "管理模式", ["professional", {"code": "quasi", "label": "社区准物业"}]),
            item("consultation", "井道位置", [{"code": "north", "label": "楼北侧"}, "south"]),
        ],
    }
    draft = api("POST", "/api/v1/compounds/{compound_id}/votes", 201, compound_id=cid, json=spec, headers=h)
    assert draft["electorate"] is None and draft["participation"] is None
    vote = api("POST", "/api/v1/votes/{vote_id}/publish", vote_id=draft["id"], headers=h)
    vid = vote["id"]
    rebuild, manager, where = (str(i["id"]) for i in vote["items"])

    resident = make.resident(units[0])
    rh = make.headers(resident)
    api("GET", "/api/v1/my/votes", headers=rh)
    api("GET", "/api/v1/votes/{vote_id}", vote_id=vid, headers=rh)
    api(
        "POST",
        "/api/v1/votes/{vote_id}/ballots",
        201,
        vote_id=vid,
        headers=rh,
        json={"unit_id": units[0].id, "choices": {rebuild: "agree", manager: "quasi", where: "north"}},
    )
    api(
        "POST",
        "/api/v1/votes/{vote_id}/paper-ballots",
        201,
        vote_id=vid,
        headers=h,
        json={"unit_id": units[1].id, "sheet_no": "0001", "choices": {rebuild: "agree", manager: "professional"}},
    )
    bulk = api(
        "POST",
        "/api/v1/votes/{vote_id}/paper-ballots/bulk",
        vote_id=vid,
        headers=h,
        json={
            "sheets": [
                {"building": "1", "room": units[2].room, "choices": {rebuild: "disagree", manager: "quasi"}},
                {"building": "9", "room": "101"},
                {"building": "1", "room": units[3].room, "choices": {rebuild: "maybe"}},
            ]
        },
    )
    assert [r.get("code") for r in bulk["results"]] == [None, "unit_not_in_electorate", "choices_invalid"]
    api("POST", "/api/v1/votes/{vote_id}/sheets", vote_id=vid, headers=h, json={"sheet_nos": ["0001", "0002"]})
    api("GET", "/api/v1/votes/{vote_id}/sheets", vote_id=vid, headers=h)
    api("GET", "/api/v1/votes/{vote_id}/ballots", vote_id=vid, headers=h)
    api("GET", "/api/v1/votes/{vote_id}/progress", vote_id=vid, headers=h)
    api("GET", "/api/v1/votes/{vote_id}/tally", vote_id=vid, headers=h)
    api("GET", "/api/v1/votes/{vote_id}", vote_id=vid, headers=h)
    api("GET", "/api/v1/votes", headers=world.h["official"])
    api("GET", "/api/v1/compounds/{compound_id}/votes", compound_id=cid, headers=h, query_string={"status": "open"})

    api("POST", "/api/v1/votes/{vote_id}/close", vote_id=vid, headers=h)
    tally = api("GET", "/api/v1/votes/{vote_id}/tally", vote_id=vid, headers=h)
    assert tally["items"][1]["runoff"] == ["quasi", "professional"]
    api(
        "POST",
        "/api/v1/votes/{vote_id}/items/{item_id}/runoff",
        201,
        vote_id=vid,
        item_id=int(manager),
        headers=h,
        json={"opens_at": at(days=1), "closes_at": at(days=3)},
    )
    api("POST", "/api/v1/votes/{vote_id}/announce", vote_id=vid, headers=h)
    api("GET", "/api/v1/votes/{vote_id}/result", vote_id=vid, headers=h)
    api("GET", "/api/v1/votes/{vote_id}/result", vote_id=vid, headers=rh)
    api("GET", "/api/v1/reports/consent-rates", headers=world.h["official"])


def test_roster_outputs(api, world):
    cid, h = world.compounds["c1"].id, world.h["committee"]
    content = csv_bytes(
        [
            HEADER,
            ["1", "1", "101", "1", "60.00", "王五", "ID-1", "13912345678", "个人"],
            ["1", "1", "102", "1", "70.00", "王伍", "ID-1", "", "个人"],
        ]
    )
    r = upload(api.client, cid, h, "r.csv", content)
    assert r.status_code == 200
    schema = api.spec["paths"]["/api/v1/compounds/{compound_id}/roster"]["post"]["responses"]["200"]["content"]
    conforms(api.spec, schema["application/json"]["schema"], r.get_json())
    assert r.get_json()["warnings"][0]["rows"] == [2, 3]
    api("GET", "/api/v1/compounds/{compound_id}/units", compound_id=cid, headers=h)
    api("GET", "/api/v1/compounds/{compound_id}/buildings", compound_id=cid, headers=h)


def test_tally_schema_states_the_shape_of_api_md(api):
    """The document lists what API.md promises, and marks it as always sent."""
    schemas = api.spec["components"]["schemas"]

    def required(name):
        return set(schemas[name]["required"])

    assert set(schemas["ElectorateOut"]["properties"]) == {"units", "owners", "area"} == required("ElectorateOut")
    assert {"vote_id", "status", "electorate", "warnings", "items"} <= required("TallyOut")
    assert {
        "item_id",
        "matter",
        "rule",
        "participation",
        "options",
        "passed",
        "winner",
        "explanation",
        "checks",
    } <= required("ItemTallyOut")
    assert required("RuleOut") == {"participation", "consent"}
    assert {"owners", "area", "owners_ratio", "area_ratio", "met"} <= required("ParticipationOut")
    options = schemas["ItemTallyOut"]["properties"]["options"]["additionalProperties"]
    assert {"owners", "area", "owners_ratio", "area_ratio", "label"} <= required(options["$ref"].rsplit("/", 1)[1])
    assert {"key", "label", "rule", "value", "met"} <= required("CheckOut")
    for name in ("VoteOut", "TallyOut", "ResultOut", "ProgressOut"):
        assert {"status_name", "scope_text"} <= required(name), name
    for name, schema in schemas.items():  # no response left as an undeclared map
        for key, prop in schema.get("properties", {}).items():
            prop = prop.get("items", prop)
            if prop.get("type") == "object" and "properties" not in prop:
                assert "additionalProperties" in prop or key == "errors", f"{name}.{key}"


def test_the_walk_refuses_undeclared_missing_and_mistyped_keys(api):
    electorate = {"$ref": "#/components/schemas/ElectorateOut"}
    conforms(api.spec, electorate, {"units": 3, "owners": 2, "area": "150.00"})
    for bad in (
        {"units": 3, "owners": 2, "area": "150.00", "extra": 1},
        {"units": 3, "owners": 2},
        {"units": "3", "owners": 2, "area": "150.00"},
        {"units": 3, "owners": None, "area": "150.00"},
    ):
        with pytest.raises(AssertionError):
            conforms(api.spec, electorate, bad)
    with pytest.raises(AssertionError, match="not declared"):
        conforms(api.spec, {"type": "object"}, {"free": "form"}, "$.options")
