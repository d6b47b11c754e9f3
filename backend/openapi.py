"""What makes ``/api/v1/openapi.json`` describe the API as it behaves, for every blueprint at once:

- ``<int:…>`` in a URL is an id of a 32-bit column: beyond it the route does not match (404), and the document
  says ``maximum`` (a number past 64 bits used to reach the database and answer 500);
- a schema that refuses unknown keys (marshmallow's ``RAISE``, the default) says ``additionalProperties: false``;
  a response schema says it too, since a dump sends declared fields only;
- a download (``content_type=`` without a schema: PDF, XLSX, CSV, PNG, SVG) is documented as that content type
  with a binary body, instead of being left out (which made it read as JSON); an operation whose ``format``
  argument offers csv, xlsx or pdf documents each of them as a 200 of its own content type;
- a JSON body is documented as required only when an empty one is refused (an absent body reads as ``{}``).
"""

from copy import copy

from apispec.ext.marshmallow import MarshmallowPlugin, OpenAPIConverter
from flask_smorest import Api
from marshmallow import RAISE, Schema, fields
from werkzeug.routing import IntegerConverter

from .exports import XLSX_MIME
from .inputs import MAX_ID

BINARY = {"type": "string", "format": "binary"}
FORMATS = {"csv": "text/csv", "xlsx": XLSX_MIME, "pdf": "application/pdf"}


class IdConverter(IntegerConverter):
    """``<int:…>`` bounded to the id columns' range; flask-smorest documents min and max from it."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class _Converter(OpenAPIConverter):
    def schema2jsonschema(self, schema):
        jsonschema = super().schema2jsonschema(schema)
        if getattr(schema, "unknown", None) == RAISE:
            jsonschema["additionalProperties"] = False
        return jsonschema


def decimal_as_string(self, field, **kwargs):
    """``Decimal(as_string=True)`` (areas, "80.00") is sent as a string, not the number apispec assumes."""
    if isinstance(field, fields.Decimal) and field.as_string:
        return {"type": "string", "format": "decimal"}
    return {}


class _Plugin(MarshmallowPlugin):
    Converter = _Converter

    def init_spec(self, spec):
        super().init_spec(spec)
        self.converter.add_attribute_function(decimal_as_string)


def _formats(doc):
    """The download formats an operation's ``format`` argument offers (its ``OneOf`` choices)."""
    for argument in doc.get("arguments", {}).get("parameters", []):
        schema = argument["schema"]
        field = (schema() if isinstance(schema, type) else schema).fields.get("format")
        for validator in getattr(field, "validators", ()):
            yield from (c for c in getattr(validator, "choices", ()) if c in FORMATS)


def _one_multipart_body(doc):
    """Form fields and files of one upload are one multipart body: flask-smorest documents each location as the
    request body, so the second hid the first (a client following the document left the form fields out)."""
    parameters = doc.get("arguments", {}).get("parameters", [])
    parts = [p for p in parameters if p["in"] in ("form", "files")]
    if len(parts) < 2:
        return
    schemas = [p["schema"]() if isinstance(p["schema"], type) else p["schema"] for p in parts]
    merged = {name: copy(field) for schema in schemas for name, field in schema.declared_fields.items()}
    for field in merged.values():
        field.allow_none = False  # a form has no null: an absent field is how it says none ("null" is text)
    body = Schema.from_dict(merged, name=type(schemas[0]).__name__.removesuffix("In") + "Upload")
    rest = [p for p in parameters if p not in parts]
    parameters[:] = [*rest, {**parts[-1], "in": "files", "schema": body}]


def _body_required_as_enforced(doc):
    """An absent JSON body is read as ``{}`` (webargs): the document calls it required when ``{}`` is refused."""
    for argument in doc.get("arguments", {}).get("parameters", []):
        if argument["in"] == "json" and argument.get("required"):
            schema = argument["schema"]() if isinstance(argument["schema"], type) else argument["schema"]
            try:
                schema.load({})
            except Exception:  # refused, or a validator that needs a request: the body stays required
                continue
            argument["required"] = False


def _document_downloads(doc):
    responses = doc.get("response", {}).get("responses", {})
    for response in (r for rs in responses.values() for r in rs if isinstance(r, dict)):
        if response.get("content_type") and "schema" not in response:
            response["schema"] = BINARY
    ok = responses.get(200) or responses.get("200")
    if ok is not None:
        declared = {r.get("content_type") for r in ok if isinstance(r, dict)}
        for fmt in dict.fromkeys(_formats(doc)):
            if FORMATS[fmt] not in declared:
                ok.append({"schema": BINARY, "description": f"format={fmt}", "content_type": FORMATS[fmt]})


class GongjianApi(Api):
    def register_blueprint(self, blp, **options):
        for methods in blp._docs.values():  # documented responses, before flask-smorest turns them into the spec
            for method, doc in methods.items():
                if method != "parameters":  # the route's own parameters, not a method
                    _one_multipart_body(doc)
                    _body_required_as_enforced(doc)
                    _document_downloads(doc)
        return super().register_blueprint(blp, **options)


def init_app(app, api):
    app.url_map.converters["int"] = IdConverter  # before any route is added
    api.init_app(app, spec_kwargs={"marshmallow_plugin": _Plugin()})
