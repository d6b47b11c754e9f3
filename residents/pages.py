"""The residents' mobile pages: server-rendered shells in Chinese; ``static/m.js`` fills them from the JSON API.

No cookies are set: the resident's tokens live in the page's localStorage, which WeChat's in-app browser keeps
(third-party cookies and pop-ups are never needed). No-store, no-referrer and the CSP come from
``backend/security.py``, for every page alike.
"""

from flask import Blueprint, current_app, redirect, render_template, request

from backend.errors import ServiceError
from backend.types import local_text

from . import signin
from .privacy import CONSENT_TITLE, consent_lines

bp = Blueprint(
    "residents_pages", __name__, template_folder="templates", static_folder="static", static_url_path="/m/static"
)


def page(name, **context):
    return render_template(f"residents/{name}.html", page=name, **context)


@bp.get("/m/")
@bp.get("/m/home")
def home():
    return page("home")


@bp.get("/m/signin")
def signin_page():
    return page(
        "signin",
        providers=signin.enabled_providers(),
        next=signin.safe_next(request.args.get("next")),
        consent_title=CONSENT_TITLE,
        consent=consent_lines(),
        consent_version=current_app.config["CONSENT_VERSION"],
    )


@bp.get("/m/wechat/start")
def wechat_start():
    try:
        url = signin.wechat_authorize_url(
            request.args.get("next"), request.args.get("nonce", ""), request.args.get("consent") == "1"
        )
    except ServiceError as e:
        return page("message", title="无法登录", message=e.message), e.status
    return redirect(url)


@bp.get("/m/wechat/callback")
def wechat_callback():
    return page("wechat_callback")


@bp.get("/m/bind")
def bind_page():
    return page(
        "bind", compound_id=request.args.get("compound", type=int), next=signin.safe_next(request.args.get("next"))
    )


@bp.get("/m/proxy")
def proxy_page():
    return page("proxy", compound_id=request.args.get("compound", type=int))


@bp.get("/m/vote/<int:vote_id>")
def vote_page(vote_id):
    # The compound travels with the link (a notice's 参与投票 carries it), so a resident not yet bound is sent
    # to that compound's binding form rather than told to scan the board again.
    return page("vote", vote_id=vote_id, compound_id=request.args.get("compound", type=int))


@bp.get("/m/results/<int:vote_id>")
def results_page(vote_id):
    return page("results", vote_id=vote_id)


@bp.get("/m/privacy")
def privacy_page():
    return page(
        "privacy",
        consent_title=CONSENT_TITLE,
        consent=consent_lines(),
        retention_days=current_app.config["RETENTION_DAYS"],
    )


@bp.app_template_filter("china_time")
def china_time(value):
    return local_text(value)
