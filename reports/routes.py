"""Reports for officials and committees: consent rates across the caller's region."""

from flask.views import MethodView
from flask_jwt_extended import current_user
from flask_smorest import Blueprint

from backend.auth.decorators import STAFF, roles_required
from backend.exports import table_response

from . import services
from .schemas import ConsentArgs, ConsentRow

blp = Blueprint("reports", __name__, url_prefix="/api/v1", description="Reports across a region")


@blp.route("/reports/consent-rates")
class ConsentRates(MethodView):
    @roles_required(*STAFF)
    @blp.arguments(ConsentArgs, location="query")
    @blp.response(200, ConsentRow(many=True))
    @blp.alt_response(200, content_type="text/csv", description="format=csv（UTF-8 BOM）或 format=xlsx")
    def get(self, args):
        """Participation and consent per vote item in the caller's region (JSON, CSV or XLSX)."""
        region = (current_user, args.get("org_id"), args.get("start"), args.get("end"))
        if args["format"] == "json":
            rows, total = services.consent_page(*region, page=args["page"], per_page=args["per_page"])
            return rows, {"X-Total-Count": str(total)}  # rows are vote items; the total counts them all
        rows = services.consent_rows(*region)
        return table_response(
            args["format"], "表决同意率统计", services.HEADER, (services.table_cells(r) for r in rows), "同意率"
        )
