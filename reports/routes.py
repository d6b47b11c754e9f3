"""Reports for officials and committees: consent rates across the caller's region."""
from flask.views import MethodView
from flask_jwt_extended import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from backend.auth.decorators import STAFF, roles_required
from backend.exports import table_response

from . import services

blp = Blueprint("reports", __name__, url_prefix="/api/v1", description="Reports across a region")


class ConsentArgs(Schema):
    org_id = fields.Integer()
    start = fields.Date(data_key="from")
    end = fields.Date(data_key="to")
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv", "xlsx"]))


class ConsentRow(Schema):
    vote_id = fields.Integer()
    item_id = fields.Integer()
    district = fields.String()
    street = fields.String()
    community = fields.String()
    compound = fields.String()
    vote = fields.String()
    item = fields.String()
    matter = fields.String()
    scope = fields.String()
    status = fields.String()
    electorate_owners = fields.Integer()
    electorate_area = fields.String()
    participation_owners_ratio = fields.Float()
    participation_area_ratio = fields.Float()
    consent_owners_ratio = fields.Float(allow_none=True)
    consent_area_ratio = fields.Float(allow_none=True)
    passed = fields.Boolean(allow_none=True)


@blp.route("/reports/consent-rates")
class ConsentRates(MethodView):
    @roles_required(*STAFF)
    @blp.arguments(ConsentArgs, location="query")
    @blp.response(200, ConsentRow(many=True))
    @blp.alt_response(200, content_type="text/csv", description="format=csv（UTF-8 BOM）或 format=xlsx")
    def get(self, args):
        """Participation and consent per vote item in the caller's region (JSON, CSV or XLSX)."""
        rows = services.consent_rows(current_user, args.get("org_id"), args.get("start"), args.get("end"))
        if args["format"] == "json":
            rows = list(rows)
            return rows, {"X-Total-Count": str(len(rows))}  # one row per vote item, as the body
        return table_response(args["format"], "表决同意率统计", services.HEADER,
                              (services.table_cells(r) for r in rows), "同意率")
