"""The fund ledger's pages: the committee's desk (/m/committee/fund) and the household's account (/m/fund).

Chinese shells only: ``desk.js`` (committee) and ``m.js`` (residents) fill them from the JSON API, which checks
who may see what. The shells hold no data, so they render for anyone.
"""

from flask import Blueprint, render_template, request

from backend.names import FUND_ACCOUNT_STATUS_NAMES

bp = Blueprint("fund_ledger_pages", __name__, template_folder="templates")


@bp.get("/m/committee/fund")
def fund_desk():
    return render_template("funds/desk.html", page="fund_desk", statuses=FUND_ACCOUNT_STATUS_NAMES)


@bp.get("/m/fund")
def my_fund():
    # ?compound= comes from the yearly statement's QR: a household not yet bound is sent to bind in that compound.
    return render_template("funds/my_fund.html", page="fund_my", compound_id=request.args.get("compound", type=int))
