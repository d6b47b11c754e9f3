"""Officials' roll-ups along the tree (issue 12): JSON with SVG charts, CSV, XLSX with a native chart; the
compounds behind any figure."""

import io

from flask.views import MethodView
from flask_jwt_extended import current_user
from flask_smorest import Blueprint

from backend import pagination
from backend.auth.decorators import STAFF, roles_required
from backend.exports import XLSX_MIME, file_response, table_response, write_table

from . import rollup
from .rollup_schemas import RollupArgs, RollupCompoundArgs, RollupOut, RollupRow

blp = Blueprint("reports_rollup", __name__, url_prefix="/api/v1", description="Roll-ups along the region's tree")


def _filters(args):
    return rollup.Filters(args.get("start"), args.get("end"), args.get("matter"), args.get("status"))


def _xlsx(result, name):
    """The table, and a summary sheet with participation and consent per row and a native bar chart of them."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference

    wb = Workbook(write_only=True)
    write_table(wb, "汇总表", rollup.HEADER, rollup.export_rows(result))
    summary = [
        [r["name"], r["participation_owners_rate"], r["consent_owners_rate"], r["consent_area_rate"]]
        for r in result["rows"]
    ]
    ws = write_table(wb, "图表", rollup.SUMMARY_HEADER, summary)
    if summary:
        chart = BarChart()
        chart.type, chart.title = "bar", "参与与同意比例"
        chart.y_axis.number_format, chart.y_axis.scaling.min, chart.y_axis.scaling.max = "0%", 0, 1
        chart.add_data(Reference(ws, min_col=2, max_col=4, min_row=1, max_row=len(summary) + 1), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=len(summary) + 1))
        chart.height, chart.width = max(7, 1.2 * len(summary) + 3), 18
        ws.add_chart(chart, "F2")
    out = io.BytesIO()
    wb.save(out)
    return file_response(out.getvalue(), XLSX_MIME, name + ".xlsx")


@blp.route("/reports/rollup")
class Rollup(MethodView):
    @roles_required(*STAFF)
    @blp.arguments(RollupArgs, location="query")
    @blp.response(200, RollupOut)
    @blp.alt_response(200, content_type="text/csv", description="format=csv（UTF-8 BOM）或 format=xlsx")
    def get(self, args):
        """The org's total and its children's figures (a community's: its compounds), summed exactly up the tree."""
        result = rollup.rollup(current_user, args.get("org_id"), _filters(args))
        name = f"汇总统计-{result['org']['name'] if result['org'] else '全部'}"
        if args["format"] == "xlsx":
            return _xlsx(result, name)
        if args["format"] == "csv":
            return table_response("csv", name, rollup.HEADER, rollup.export_rows(result))
        return {**result, "charts": rollup.charts(result)}


@blp.route("/reports/rollup/compounds")
class RollupCompounds(MethodView):
    @roles_required(*STAFF)
    @blp.arguments(RollupCompoundArgs, location="query")
    @blp.response(200, RollupRow(many=True))
    def get(self, args):
        """The compounds behind a figure: those under the org whose value of ``figure`` is above zero."""
        rows = rollup.compounds_behind(current_user, args.get("org_id"), args["figure"], _filters(args))
        return pagination.page_of(rows, args["page"], args["per_page"])
