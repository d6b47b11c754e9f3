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


# Entries that take money back out of a ledger: a reversal (of a payment, deposit or arrival) and a fund's use.
OUTGOING_KINDS = ("reversal", "use")
# Entries a clerk may reverse, until they have been.
REVERSIBLE_KINDS = ("payment", "deposit", "arrival")


def Signed():  # a field, named like one
    """An entry's amount as it moves its total (negative for a reversal or a use): pages print it as it is."""
    return Shown(
        lambda e: -e.amount_fen if e.kind in OUTGOING_KINDS else e.amount_fen,
        "integer",
        description="计入合计的金额（分）：冲正、使用为负数",
    )


def Reversible():  # a field, named like one
    """Whether the entry may still be reversed (a payment, deposit or arrival not yet reversed)."""
    return Shown(
        lambda e: e.kind in REVERSIBLE_KINDS and not getattr(e, "reversed", False),
        "boolean",
        description="可以冲正（尚未冲正的缴款、缴存或到位记录）",
    )
