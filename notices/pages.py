"""The notice landing page behind each QR code, and the committee's page for the notice board and letters."""

from flask import Blueprint, render_template

from backend.errors import NotFound

from . import services
from .models import KIND_NAMES

bp = Blueprint(
    "notices_pages", __name__, template_folder="templates", static_folder="static", static_url_path="/m/notices-static"
)


@bp.get("/n/<token>")
def landing(token):
    try:
        notice = services.by_token(token, count_scan=True)
    except NotFound as e:
        return render_template("residents/message.html", page="message", title="找不到通知", message=e.message), 404
    return render_template("notices/landing.html", page="landing", notice=notice)


@bp.get("/m/committee")
def committee():
    return render_template("notices/committee.html", page="committee", kinds=KIND_NAMES)
