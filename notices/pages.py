"""The notice landing page behind each QR code, and the committee's page for the notice board and letters."""

from types import SimpleNamespace

from flask import Blueprint, current_app, render_template

from backend.errors import NotFound

from . import scans, services
from .models import KIND_NAMES

bp = Blueprint(
    "notices_pages", __name__, template_folder="templates", static_folder="static", static_url_path="/m/notices-static"
)

PAGES_KEPT = 512  # rendered landing pages kept per worker: one per notice and version, a few kB each


@bp.get("/n/<token>")
def landing(token):
    try:
        shown = services.landing(token)
    except NotFound as e:
        return render_template("residents/message.html", page="message", title="找不到通知", message=e.message), 404
    scans.record(shown.id)
    return _page(shown)


def _page(shown):
    """The rendered page, kept while the notice's row (and compound name, and state) are what it was made from:
    a scan renders it only the first time, and any change to the notice makes a new key."""
    kept = current_app.extensions.setdefault("notice_pages", {})
    page = kept.get(shown)
    if page is None:
        if len(kept) >= PAGES_KEPT:
            kept.clear()
        notice = SimpleNamespace(
            **{**shown._asdict(), "state": lambda: shown.state},
            kind_name=KIND_NAMES[shown.kind],
            compound=SimpleNamespace(name=shown.compound_name),
        )
        page = kept[shown] = render_template("notices/landing.html", page="landing", notice=notice)
    return page


@bp.get("/m/committee")
def committee():
    return render_template("notices/committee.html", page="committee", kinds=KIND_NAMES)
