"""Building blocks for declared outputs: a response is a nested schema, so the OpenAPI document states every key
the API sends, and which of them are always there."""

from decimal import ROUND_HALF_UP, Decimal

from marshmallow import Schema, fields

from .types import local_iso


class Out(Schema):
    """An output schema whose every field is always sent (``required`` in the OpenAPI document), except those
    named in ``OPTIONAL`` (keys some views or some states leave out)."""

    OPTIONAL = ()

    def on_bind_field(self, field_name, field_obj):
        field_obj.required = field_name not in self.OPTIONAL


class Named(fields.String):
    """The display name of a code, e.g. ``Named(status_name, attribute="status")``: one table, many outputs."""

    def __init__(self, name_of, **kwargs):
        super().__init__(dump_only=True, **kwargs)  # it shares its attribute with the code's own field
        self.name_of = name_of

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else self.name_of(value)


def Shown(render, type_="string", **metadata):  # a field, named like one
    """A value rendered from the whole object by ``render``, typed in the OpenAPI document."""
    return fields.Function(render, metadata={"type": type_, **metadata})


def When(attribute):  # a field, named like one
    """A moment as the API writes it (ISO 8601 in the compound's zone), or null."""
    return Shown(lambda obj: local_iso(getattr(obj, attribute)), nullable=True)


FOUR_PLACES = Decimal("0.0001")


def shown_ratio(value):
    """An exact ratio (a Fraction) as the API shows it: a number rounded half up to 4 places (display only)."""
    return float((Decimal(value.numerator) / Decimal(value.denominator)).quantize(FOUR_PLACES, ROUND_HALF_UP))


class Ratio(fields.Float):
    """An exact ``Fraction`` rounded to 4 places for display; every decision was taken on the exact value."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else shown_ratio(value)
