"""Property fees over HTTP: collection by month, payments and reversals, imports, the arrears list for visits,
each household's account, and the provider accounts a committee lets in.

Reading takes staff whose jurisdiction holds the compound, and a provider account granted the compound; writing
takes its committee or that provider (``can_manage_compound``). A resident reads only their own units.
"""

from flask.views import MethodView
from flask_jwt_extended import current_user
from flask_smorest import Blueprint

from backend import pagination
from backend.auth.decorators import MANAGERS, STAFF, roles_required, url_gate
from backend.errors import Invalid
from backend.exports import Column
from backend.names import period_name
from backend.pagination import list_or_table, paginate

from . import services
from .schemas import (
    FeeAccountOut,
    FeeAccountsArgs,
    FeeArrearsArgs,
    FeeArrearsOut,
    FeeEntryArgs,
    FeeEntryIn,
    FeeEntryOut,
    FeeImportFile,
    FeeImportOut,
    FeeSummaryArgs,
    FeeSummaryOut,
    ProviderGrantIn,
    ProviderGrantOut,
)

blp = Blueprint("management_fees", __name__, url_prefix="/api/v1", description="Property fees 物业费收缴")

gate = url_gate(None, None)
READERS = (*STAFF, "provider")
WRITERS = (*MANAGERS, "provider")


@blp.route("/compounds/<int:compound_id>/management/fees")
class FeeSummary(MethodView):
    @roles_required(*READERS)
    @gate()
    @blp.arguments(FeeSummaryArgs, location="query")
    @blp.response(200, FeeSummaryOut)
    def get(self, args, compound):
        """The fee now and each month's collection (units charged, paid, part paid; due and paid; the rate)."""
        return services.summary(compound, args["since"], args["through"])


@blp.route("/compounds/<int:compound_id>/management/fees/entries")
class FeeEntries(MethodView):
    @roles_required(*READERS)
    @gate()
    @blp.arguments(FeeEntryArgs, location="query")
    @blp.response(200, FeeEntryOut(many=True))
    def get(self, args, compound):
        """Payments and reversals, newest first (``unit_id``, ``period`` narrow them)."""
        return paginate(services.entries(compound, args["unit_id"], args["period"]), args["page"], args["per_page"])

    @roles_required(*WRITERS)
    @gate(manage=True)
    @blp.arguments(FeeEntryIn)
    @blp.response(201, FeeEntryOut)
    def post(self, data, compound):
        """Record a month's payment (at most that month's fee; a receipt number once per compound), or reverse
        one with a reason — never an edit."""
        return services.record_entry(current_user, compound, data)


@blp.route("/compounds/<int:compound_id>/management/fees/imports")
class FeeImports(MethodView):
    @roles_required(*WRITERS)
    @gate(manage=True)
    @blp.arguments(FeeImportFile, location="files")
    @blp.response(200, FeeImportOut)
    def post(self, files, compound):
        """Import payments from a receipt book or bank statement (CSV or XLSX with 楼栋, 房号, 月份, 金额, 日期,
        流水号/收据号); all or nothing, every bad cell named by its row."""
        upload = files["file"]
        content = upload.read()
        if not content:
            raise Invalid("import_empty", "上传的文件是空的")
        lines = services.check_import(compound, upload.filename or "import", content)
        return services.book_import(current_user, compound, lines)


@blp.route("/compounds/<int:compound_id>/management/fees/accounts")
class FeeAccounts(MethodView):
    @roles_required(*READERS)
    @gate()
    @blp.arguments(FeeAccountsArgs, location="query")
    @blp.response(200, FeeArrearsOut(many=True))
    def get(self, args, compound):
        """Every unit's fee account through ``through``, in door order: what it owes and for which months."""
        found = services.accounts(compound, args["through"])
        return pagination.whole(found)


ARREARS_COLUMNS = [
    Column("楼栋"),
    Column("单元"),
    Column("房号"),
    Column("建筑面积", "area"),
    Column("欠缴月数", "int"),
    Column("最早欠缴月份"),
    Column("欠缴金额", "yuan"),
]


@blp.route("/compounds/<int:compound_id>/management/fees/arrears")
class FeeArrears(MethodView):
    @roles_required(*READERS)
    @gate()
    @blp.arguments(FeeArrearsArgs, location="query")
    @blp.response(200, FeeArrearsOut(many=True))
    @blp.alt_response(200, content_type="text/csv", description="format=csv（UTF-8 BOM）或 format=xlsx：欠缴名单")
    def get(self, args, compound):
        """The units owing for any month through ``through``, in door order, for door-to-door visits
        (``format=csv|xlsx`` downloads the list to print)."""
        owing = services.arrears(compound, args["through"])
        name = f"{compound.name}-物业费欠缴名单"
        return list_or_table(args["format"], owing, name, ARREARS_COLUMNS, _arrears_cells, "欠缴名单")


def _arrears_cells(a):
    return [
        a.unit.building,
        a.unit.entrance,
        a.unit.room,
        a.unit.area,
        a.months_owed,
        period_name(a.first_owed),
        a.owed_fen,
    ]


@blp.route("/compounds/<int:compound_id>/management/providers")
class ProviderGrants(MethodView):
    @roles_required(*STAFF)
    @gate()
    @blp.response(200, ProviderGrantOut(many=True))
    def get(self, compound):
        """The property-service company accounts that may record fees here."""
        return services.grants(compound)

    @roles_required(*MANAGERS)
    @gate(manage=True)
    @blp.arguments(ProviderGrantIn)
    @blp.response(201, ProviderGrantOut)
    def post(self, data, compound):
        """Let a provider account (role ``provider``, its region holding the compound) record fees here."""
        return services.grant(current_user, compound, data["username"])


@blp.route("/compounds/<int:compound_id>/management/providers/<int:user_id>")
class ProviderGrant(MethodView):
    @roles_required(*MANAGERS)
    @gate(manage=True)
    @blp.response(204)
    def delete(self, compound, user_id):
        """Take the compound away from a provider account (a contract ended)."""
        services.revoke(current_user, compound, user_id)


@blp.route("/my/management/fees")
class MyFees(MethodView):
    @roles_required("resident")
    @blp.response(200, FeeAccountOut(many=True))
    def get(self):
        """The fee account of each unit the resident is bound to: the fee, what is owed, recent months, payments."""
        return services.my_fees(current_user)
