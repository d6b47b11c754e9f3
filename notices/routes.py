"""Notices: the committee publishes; anyone with the QR reads the public view."""

from flask import jsonify
from flask.views import MethodView
from flask_jwt_extended import current_user
from flask_smorest import Blueprint

from backend.auth.decorators import MANAGERS, STAFF, roles_required
from backend.exports import file_response
from backend.jurisdiction import is_resident
from backend.pagination import PageArgs, paginate

from . import render, scans, services
from .schemas import NoticeIn, NoticeOut, NoticePatch, PublicNoticeOut, ResidentNoticeOut

blp = Blueprint("notices", __name__, url_prefix="/api/v1", description="Notices, their QR codes and posters")


@blp.route("/compounds/<int:compound_id>/notices")
class CompoundNotices(MethodView):
    @roles_required(*STAFF, "resident")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, NoticeOut(many=True))
    def get(self, args, compound_id):
        """The compound's notices, newest first, with scan counts.

        Residents (owners, family, tenants) get only the notices that are up or have expired, in the public
        form (``ResidentNoticeOut``): no scheduled or withdrawn text, no scan counts, no staff names.
        """
        stmt = services.notices_query(current_user, compound_id)
        rows, headers = paginate(stmt, args["page"], args["per_page"])
        if is_resident(current_user):
            return jsonify(ResidentNoticeOut(many=True).dump(rows)), 200, headers
        return scans.settle(rows), headers

    @roles_required(*MANAGERS)
    @blp.arguments(NoticeIn)
    @blp.response(201, NoticeOut)
    def post(self, data, compound_id):
        """Publish a notice (now, or at ``publish_at``), linked to the vote or survey it announces."""
        return services.create_notice(current_user, compound_id, data)


@blp.route("/notices/<int:notice_id>")
class NoticeDetail(MethodView):
    @roles_required(*STAFF)
    @blp.response(200, NoticeOut)
    def get(self, notice_id):
        """One notice, with its public URL and scan count."""
        return services.get_notice(current_user, notice_id)

    @roles_required(*MANAGERS)
    @blp.arguments(NoticePatch)
    @blp.response(200, NoticeOut)
    def patch(self, data, notice_id):
        """Correct a notice's text or times (its token and QR stay the same)."""
        return services.update_notice(current_user, notice_id, data)


@blp.route("/notices/<int:notice_id>/withdraw")
class NoticeWithdraw(MethodView):
    @roles_required(*MANAGERS)
    @blp.response(200, NoticeOut)
    def post(self, notice_id):
        """Take a notice down: its QR then leads to a "not found" page."""
        return services.withdraw(current_user, notice_id)


@blp.route("/notices/<int:notice_id>/qr.png")
class NoticeQrPng(MethodView):
    @roles_required(*STAFF)
    @blp.response(200, content_type="image/png")
    def get(self, notice_id):
        """The QR code (PNG) carrying the notice's public URL."""
        notice = services.get_notice(current_user, notice_id)
        return file_response(render.qr_png(services.public_url(notice)), "image/png", f"notice-{notice.id}.png")


@blp.route("/notices/<int:notice_id>/qr.svg")
class NoticeQrSvg(MethodView):
    @roles_required(*STAFF)
    @blp.response(200, content_type="image/svg+xml")
    def get(self, notice_id):
        """The QR code (SVG, for print shops) carrying the notice's public URL."""
        notice = services.get_notice(current_user, notice_id)
        return file_response(render.qr_svg(services.public_url(notice)), "image/svg+xml", f"notice-{notice.id}.svg")


@blp.route("/notices/<int:notice_id>/poster.pdf")
class NoticePoster(MethodView):
    @roles_required(*STAFF)
    @blp.response(200, content_type="application/pdf")
    def get(self, notice_id):
        """An A4 poster for the notice board: title, text, QR, compound and dates."""
        notice = services.get_notice(current_user, notice_id)
        return file_response(
            render.poster_pdf(notice, services.public_url(notice)), "application/pdf", f"notice-{notice.id}.pdf"
        )


@blp.route("/public/notices/<token>")
class PublicNotice(MethodView):
    @blp.response(200, PublicNoticeOut)
    @blp.doc(security=[])
    def get(self, token):
        """A published notice by its public token (no sign-in needed; not counted as a scan)."""
        return services.by_token(token)
