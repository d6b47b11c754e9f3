"""Resident sign-in, household binding and proxies; the committee's review and household letters."""

from flask import current_app, request, send_file
from flask.views import MethodView
from flask_jwt_extended import current_user
from flask_smorest import Blueprint
from sqlalchemy import select

from backend.auth.decorators import MANAGERS, roles_required
from backend.jurisdiction import require_compound
from backend.pagination import PageArgs, paginate
from backend.privacy import commit_access
from backend.ratelimit import client_address

from . import letters, services, signin
from .models import BindingRequest, LetterJob, ProxyAuthorisation
from .privacy import CONSENT_TITLE, consent_lines
from .schemas import (
    BindingOut,
    DecisionIn,
    DevIn,
    HouseholdOut,
    InviteIn,
    LetterJobOut,
    LettersIn,
    ProvidersOut,
    ProxyFile,
    ProxyIn,
    ProxyOut,
    RequestIn,
    RequestOut,
    ResidentTokensOut,
    ReviewArgs,
    RosterMatchIn,
    SmsSendIn,
    SmsSendOut,
    SmsVerifyIn,
    WechatIn,
)

blp = Blueprint("residents", __name__, url_prefix="/api/v1", description="Residents: sign-in, binding, proxies")
resident_only = roles_required("resident")
managers = roles_required(*MANAGERS)


# --- sign-in --------------------------------------------------------------------------------------------


@blp.route("/residents/auth/providers")
class Providers(MethodView):
    @blp.response(200, ProvidersOut)
    @blp.doc(security=[])
    def get(self):
        """The sign-in methods open on this server, and the consent text shown before sign-in."""
        return {
            "providers": signin.enabled_providers(),
            "consent_version": current_app.config["CONSENT_VERSION"],
            "consent": [CONSENT_TITLE, *consent_lines()],
        }


@blp.route("/residents/auth/sms/send")
class SmsSend(MethodView):
    @blp.arguments(SmsSendIn)
    @blp.response(202, SmsSendOut)
    @blp.doc(security=[])
    def post(self, data):
        """Send a six-digit sign-in code (rate-limited per phone and per client address)."""
        return signin.send_sms_code(data["phone"], client_address())


@blp.route("/residents/auth/sms/verify")
class SmsVerify(MethodView):
    @blp.arguments(SmsVerifyIn)
    @blp.response(200, ResidentTokensOut)
    @blp.doc(security=[])
    def post(self, data):
        """Sign in with the phone and the code: codes expire, work once, and die after five wrong tries."""
        return signin.sign_in_sms(data["phone"], data["code"], data["consent"], client_address())


@blp.route("/residents/auth/wechat")
class Wechat(MethodView):
    @blp.arguments(WechatIn)
    @blp.response(200, ResidentTokensOut)
    @blp.doc(security=[])
    def post(self, data):
        """Finish the WeChat authorisation: exchange the code WeChat returned for the openid."""
        return signin.sign_in_wechat(data["code"], data["state"])


@blp.route("/residents/auth/dev")
class Dev(MethodView):
    @blp.arguments(DevIn)
    @blp.response(200, ResidentTokensOut)
    @blp.doc(security=[])
    def post(self, data):
        """One-click demo sign-in; refused (404) when not enabled, and always when APP_ENV=production."""
        return signin.sign_in_dev(data["subject"], data["consent"])


# --- the resident's own household -----------------------------------------------------------------------


@blp.route("/my/household")
class Household(MethodView):
    @resident_only
    @blp.response(200, HouseholdOut)
    def get(self):
        """My bound units, my binding requests and my proxy authorisations, with their status and reasons."""
        return services.household(current_user)


@blp.route("/my/bindings/invite")
class BindInvite(MethodView):
    @resident_only
    @blp.arguments(InviteIn)
    @blp.response(201, BindingOut)
    def post(self, data):
        """Bind with the one-time invite code from the household letter (as owner: with the owner's name)."""
        return services.bind_by_code(current_user, data["code"], data["relation"], data["owner_name"], client_address())


@blp.route("/my/bindings/roster")
class BindRoster(MethodView):
    @resident_only
    @blp.arguments(RosterMatchIn)
    @blp.response(201, BindingOut)
    def post(self, data):
        """Bind as owner by matching the roster: address, owner's name and the last four digits of the phone."""
        return services.bind_by_roster(current_user, data, client_address())


@blp.route("/my/bindings/<int:binding_id>")
class MyBinding(MethodView):
    @resident_only
    @blp.response(204)
    def delete(self, binding_id):
        """Unbind one of my units."""
        services.unbind(current_user, binding_id)


@blp.route("/my/binding-requests")
class MyRequests(MethodView):
    @resident_only
    @blp.arguments(RequestIn)
    @blp.response(201, RequestOut)
    def post(self, data):
        """Ask the committee to bind me (when neither the code nor the roster match works)."""
        return services.request_binding(current_user, data)


@blp.route("/my/proxies")
class MyProxies(MethodView):
    @resident_only
    @blp.arguments(ProxyIn, location="form")
    @blp.arguments(ProxyFile, location="files")
    @blp.response(201, ProxyOut)
    def post(self, data, files):
        """Vote for an owner as their proxy: upload a photo of the signed 委托书 for the committee to check."""
        return services.submit_proxy(current_user, data, request.files.get("photo"))


# --- the committee --------------------------------------------------------------------------------------


def _review_list(model, compound_id, args, filters):
    require_compound(current_user, compound_id, manage=True)
    stmt = select(model).where(*filters).order_by(model.id.desc())
    if args["status"] != "all":
        stmt = stmt.where(model.status == args["status"])
    commit_access(current_user, "view", f"compound:{compound_id} {model.__tablename__}", client_address())
    return paginate(stmt, args["page"], args["per_page"])


class ReviewArgsPaged(ReviewArgs, PageArgs):
    pass


@blp.route("/compounds/<int:compound_id>/binding-requests")
class CompoundRequests(MethodView):
    @managers
    @blp.arguments(ReviewArgsPaged, location="query")
    @blp.response(200, RequestOut(many=True))
    def get(self, args, compound_id):
        """Binding requests to review (default: pending)."""
        return _review_list(BindingRequest, compound_id, args, [BindingRequest.compound_id == compound_id])


@blp.route("/binding-requests/<int:request_id>/decision")
class RequestDecision(MethodView):
    @managers
    @blp.arguments(DecisionIn)
    @blp.response(200, RequestOut)
    def post(self, data, request_id):
        """Approve (binding the resident) or reject with a reason the resident will see."""
        return services.decide_request(current_user, request_id, data["approve"], data["reason"], data["relation"])


@blp.route("/compounds/<int:compound_id>/proxies")
class CompoundProxies(MethodView):
    @managers
    @blp.arguments(ReviewArgsPaged, location="query")
    @blp.response(200, ProxyOut(many=True))
    def get(self, args, compound_id):
        """Proxy authorisations (委托书) to check (default: pending)."""
        from backend.roster.models import Unit

        units = select(Unit.id).where(Unit.compound_id == compound_id)
        return _review_list(ProxyAuthorisation, compound_id, args, [ProxyAuthorisation.unit_id.in_(units)])


@blp.route("/proxies/<int:proxy_id>/photo")
class ProxyPhoto(MethodView):
    @managers
    @blp.response(200, content_type="image/*")
    def get(self, proxy_id):
        """The photo of the signed authorisation (each view is recorded)."""
        auth = services.proxy_photo(current_user, proxy_id)
        commit_access(current_user, "view", f"proxy:{auth.id} photo", client_address())
        resp = current_app.response_class(auth.photo, mimetype=auth.photo_type)
        resp.headers["Cache-Control"] = "no-store"
        return resp


@blp.route("/proxies/<int:proxy_id>/decision")
class ProxyDecision(MethodView):
    @managers
    @blp.arguments(DecisionIn)
    @blp.response(200, ProxyOut)
    def post(self, data, proxy_id):
        """Approve (the resident becomes the unit's proxy, with this authorisation as evidence) or reject."""
        return services.decide_proxy(current_user, proxy_id, data["approve"], data["reason"])


@blp.route("/compounds/<int:compound_id>/letters")
class Letters(MethodView):
    @managers
    @blp.arguments(LettersIn)
    @blp.response(202, LetterJobOut)
    def post(self, data, compound_id):
        """Start printing household letters (whole compound, one building or one entrance); old codes end."""
        return letters.start(current_user, compound_id, data["building"], data["entrance"], client_address())

    @managers
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, LetterJobOut(many=True))
    def get(self, args, compound_id):
        """Letter jobs of this compound, newest first."""
        require_compound(current_user, compound_id, manage=True)
        stmt = select(LetterJob).where(LetterJob.compound_id == compound_id).order_by(LetterJob.id.desc())
        return paginate(stmt, args["page"], args["per_page"])


@blp.route("/letter-jobs/<int:job_id>")
class LetterJobDetail(MethodView):
    @managers
    @blp.response(200, LetterJobOut)
    def get(self, job_id):
        """Progress of a letters job (poll it)."""
        job = letters.job_for(current_user, job_id)
        return job


@blp.route("/letter-jobs/<int:job_id>/pdf")
class LetterJobPdf(MethodView):
    @managers
    @blp.response(200, content_type="application/pdf")
    def get(self, job_id):
        """The letters PDF, once the job is done."""
        job, path = letters.job_file(current_user, job_id)
        commit_access(current_user, "export", f"letters job:{job.id}", client_address())
        return send_file(
            path,
            mimetype="application/pdf",
            as_attachment=True,
            download_name=f"letters-{job.compound_id}-{job.id}.pdf",
            max_age=0,
        )
