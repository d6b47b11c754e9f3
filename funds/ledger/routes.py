"""The maintenance-fund ledger over HTTP (API.md "Maintenance fund"): thin views over ``services`` and ``accounts``.

Reading takes any staff member whose jurisdiction holds the compound (an official reads, only its committee
writes); a resident reads only the units they are bound to, through ``/my/fund``.
"""

from flask.views import MethodView
from flask_jwt_extended import current_user
from flask_smorest import Blueprint

from backend.auth.decorators import MANAGERS, STAFF, roles_required, url_gate
from backend.errors import Invalid
from backend.exports import Column
from backend.names import fund_account_status_name
from backend.pagination import list_or_table, paginate

from . import services, statement
from .accounts import compound_accounts, summarise
from .schemas import (
    FundAccountArgs,
    FundAccountOut,
    FundEntryArgs,
    FundEntryIn,
    FundEntryOut,
    FundImportFile,
    FundImportOut,
    FundMyAccountOut,
    FundRateCreatedOut,
    FundRateIn,
    FundRateOut,
    FundSpendingIn,
    FundSpendingOut,
    FundStatementArgs,
    FundSummaryOut,
)

blp = Blueprint("fund_ledger", __name__, url_prefix="/api/v1", description="Maintenance fund 维修资金: the ledger")


gate = url_gate(None, None)


@blp.route("/compounds/<int:compound_id>/fund/rates")
class Rates(MethodView):
    @roles_required(*STAFF)
    @gate()
    @blp.response(200, FundRateOut(many=True))
    def get(self, compound):
        """The compound's rates, newest effective date first."""
        return services.rates(compound)

    @roles_required(*MANAGERS)
    @gate(manage=True)
    @blp.arguments(FundRateIn)
    @blp.response(201, FundRateCreatedOut)
    def post(self, data, compound):
        """Set a rate per m² from a date, for the compound or one building, with its basis (the owners'
        approved fund_raising item, or the regulation); optionally post the fund call as a notice."""
        title, body = data.pop("notice_title"), data.pop("notice_body")
        spec = {"title": title, "body": body} if data.pop("notice") else None
        rate = services.add_rate(current_user, compound, data, spec)
        if rate.notice is not None:
            from notices.services import public_url

            rate.notice.url = public_url(rate.notice)
        return rate


@blp.route("/compounds/<int:compound_id>/fund/entries")
class Entries(MethodView):
    @roles_required(*STAFF)
    @gate()
    @blp.arguments(FundEntryArgs, location="query")
    @blp.response(200, FundEntryOut(many=True))
    def get(self, args, compound):
        """The ledger's entries, newest first (``unit_id`` for one account)."""
        return paginate(services.entries(compound, args.get("unit_id")), args["page"], args["per_page"])

    @roles_required(*MANAGERS)
    @gate(manage=True)
    @blp.arguments(FundEntryIn)
    @blp.response(201, FundEntryOut)
    def post(self, data, compound):
        """Record a deposit, or reverse one (never an edit); a reference used before in the compound is refused."""
        return services.record_entry(current_user, compound, data)


@blp.route("/compounds/<int:compound_id>/fund/spending")
class Spending(MethodView):
    @roles_required(*STAFF)
    @gate()
    @blp.response(200, FundSpendingOut(many=True))
    def get(self, compound):
        """The fund's spending items, with how each was shared."""
        return services.spendings(compound)

    @roles_required(*MANAGERS)
    @gate(manage=True)
    @blp.arguments(FundSpendingIn)
    @blp.response(201, FundSpendingOut)
    def post(self, data, compound):
        """Spend from the fund: one use entry per unit in scope, shared by area to the fen."""
        return services.spend(current_user, compound, data)


ACCOUNT_COLUMNS = [
    Column("楼栋"),
    Column("单元"),
    Column("房号"),
    Column("建筑面积", "area"),
    Column("应缴", "yuan"),
    Column("已缴", "yuan"),
    Column("欠缴", "yuan"),
    Column("已使用", "yuan"),
    Column("余额", "yuan"),
    Column("状态"),
    Column("需续筹"),
]


def account_row(a):
    return [
        a.building,
        a.entrance,
        a.room,
        a.area,
        a.due_fen,
        a.paid_fen,
        a.outstanding_fen,
        a.used_fen,
        a.balance_fen,
        fund_account_status_name(a.status),
        "是" if a.top_up else "",
    ]


@blp.route("/compounds/<int:compound_id>/fund/accounts")
class Accounts(MethodView):
    @roles_required(*STAFF)
    @gate()
    @blp.arguments(FundAccountArgs, location="query")
    @blp.response(200, FundAccountOut(many=True))
    @blp.alt_response(200, content_type="text/csv", description="format=csv（UTF-8 BOM）或 format=xlsx：分户账")
    def get(self, args, compound):
        """Every unit's account in unit order (``status`` filters; ``format=csv|xlsx`` downloads the same rows)."""
        accounts = compound_accounts(compound.id)
        if args.get("status"):
            accounts = [a for a in accounts if a.status == args["status"]]
        name = f"{compound.name}-维修资金分户账"
        return list_or_table(args.get("format"), accounts, name, ACCOUNT_COLUMNS, account_row, "分户账")


@blp.route("/compounds/<int:compound_id>/fund")
class Summary(MethodView):
    @roles_required(*STAFF)
    @gate()
    @blp.response(200, FundSummaryOut)
    def get(self, compound):
        """The compound's totals: sums and counts over its accounts."""
        return summarise(compound.id, compound_accounts(compound.id))


@blp.route("/compounds/<int:compound_id>/fund/imports")
class Imports(MethodView):
    @roles_required(*MANAGERS)
    @gate(manage=True)
    @blp.arguments(FundImportFile, location="files")
    @blp.response(200, FundImportOut)
    def post(self, files, compound):
        """Import a bank or fund-centre statement (CSV or XLSX) as deposits; all or nothing."""
        upload = files["file"]
        content = upload.read()
        if not content:
            raise Invalid("import_empty", "上传的文件是空的")
        lines = services.check_import(compound, upload.filename or "import", content)
        return services.book_import(current_user, compound, lines)


@blp.route("/compounds/<int:compound_id>/fund/statement")
class Statement(MethodView):
    @roles_required(*STAFF)
    @gate()
    @blp.arguments(FundStatementArgs, location="query")
    @blp.response(200, content_type="application/pdf")
    @blp.alt_response(
        200, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", description="format=xlsx"
    )
    def get(self, args, compound):
        """The yearly fund statement to publish: totals, spending and its sharing, every unit's account (PDF or
        XLSX)."""
        return statement.response(compound, args["year"], args["format"])


@blp.route("/my/fund")
class MyFund(MethodView):
    @roles_required("resident")
    @blp.response(200, FundMyAccountOut(many=True))
    def get(self):
        """The fund accounts of the units the resident is bound to, with their entries."""
        return services.my_accounts(current_user)
