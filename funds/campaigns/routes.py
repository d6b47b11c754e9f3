"""Co-funding over HTTP: thin views over ``services`` (API.md "Co-funding")."""

from flask.views import MethodView
from flask_jwt_extended import current_user
from flask_smorest import Blueprint

from backend.auth.decorators import ANYONE, MANAGERS, STAFF, roles_required, url_gate
from backend.exports import file_response
from backend.pagination import paginate

from . import exports, letters, services
from .schemas import (
    CampaignIn,
    CampaignListArgs,
    CampaignOut,
    LettersArgs,
    MyPledgeIn,
    MyPledgeOut,
    PaymentIn,
    PaymentOut,
    PledgeIn,
    PledgeOut,
    PublishIn,
    ReverseIn,
    ShareOut,
    SharesArgs,
)

blp = Blueprint("campaigns", __name__, url_prefix="/api/v1", description="Co-funding: shares, pledges, payments")


gate = url_gate("campaign", services.get_campaign)


@blp.route("/compounds/<int:compound_id>/campaigns")
class CompoundCampaigns(MethodView):
    @roles_required(*STAFF)
    @gate()
    @blp.arguments(CampaignListArgs, location="query")
    @blp.response(200, CampaignOut(many=True))
    def get(self, args, compound):
        """A compound's campaigns, newest first, with their live figures."""
        stmt = services.compound_campaigns(compound)
        if args.get("status"):
            stmt = stmt.where(services.Campaign.status == args["status"])
        rows, headers = paginate(stmt, args["page"], args["per_page"])
        return [services.view(current_user, c) for c in rows], headers

    @roles_required(*MANAGERS)
    @gate(manage=True)
    @blp.arguments(CampaignIn)
    @blp.response(201, CampaignOut)
    def post(self, data, compound):
        """Create a draft campaign: scope, total cost, subsidies by source and the sharing rule."""
        return services.view(current_user, services.create_campaign(current_user, compound, data))


@blp.route("/campaigns/<int:campaign_id>")
class CampaignDetail(MethodView):
    @roles_required(*ANYONE)
    @gate()
    @blp.response(200, CampaignOut)
    def get(self, campaign):
        """One campaign with its live figures; a resident also gets their own units' shares (``mine``)."""
        return services.view(current_user, campaign)

    @roles_required(*MANAGERS)
    @gate(manage=True)
    @blp.arguments(CampaignIn)
    @blp.response(200, CampaignOut)
    def put(self, data, campaign):
        """Replace a draft's title, scope, cost, subsidies and rule (409 once published)."""
        return services.view(current_user, services.update_draft(current_user, campaign, data))


@blp.route("/campaigns/<int:campaign_id>/publish")
class CampaignPublish(MethodView):
    @roles_required(*MANAGERS)
    @gate(manage=True)
    @blp.arguments(PublishIn, required=False)
    @blp.response(200, CampaignOut)
    def post(self, data, campaign):
        """Freeze the units in scope and their shares and open the campaign; optionally post a money notice."""
        data = data or {}
        spec = {"title": data.get("notice_title"), "body": data.get("notice_body")} if data.get("notice") else None
        campaign, notice = services.publish(current_user, campaign, spec)
        if notice is not None:
            from notices.services import public_url

            notice.url = public_url(notice)
        return services.view(current_user, campaign, notice)


@blp.route("/campaigns/<int:campaign_id>/shares")
class CampaignShares(MethodView):
    @roles_required(*STAFF)
    @gate()
    @blp.arguments(SharesArgs, location="query")
    @blp.response(200, ShareOut(many=True))
    @blp.alt_response(200, content_type="text/csv", description="format=csv（UTF-8 BOM）或 format=xlsx")
    def get(self, args, campaign):
        """Every unit's share in unit order (live for a draft, frozen once published), pledged, paid, status."""
        rows = services.shares(campaign, args.get("status"))
        return exports.shares_table(args["format"], campaign, rows)


@blp.route("/campaigns/<int:campaign_id>/letters.pdf")
class CampaignLetters(MethodView):
    @roles_required(*MANAGERS)
    @gate(manage=True)
    @blp.arguments(LettersArgs, location="query")
    @blp.response(200, content_type="application/pdf")
    def get(self, args, campaign):
        """Household letters (A4, one page per unit, ``?status=`` filters): the unit's share, how it was
        computed, and a QR to the money notice."""
        rows = services.shares(campaign, args.get("status"))
        return file_response(letters.letters_pdf(campaign, rows), "application/pdf", f"出资通知-{campaign.title}.pdf")


@blp.route("/campaigns/<int:campaign_id>/pledges")
class CampaignPledges(MethodView):
    @roles_required(*MANAGERS)
    @gate(manage=True)
    @blp.arguments(PledgeIn)
    @blp.response(201, PledgeOut)
    def post(self, data, campaign):
        """Record a paper pledge for a unit (amount omitted: its share); one pledge per unit."""
        return services.pledge(current_user, campaign, data)


@blp.route("/campaigns/<int:campaign_id>/payments")
class CampaignPayments(MethodView):
    @roles_required(*STAFF)
    @gate()
    @blp.response(200, PaymentOut(many=True))
    def get(self, campaign):
        """Every payment and reversal entry, oldest first."""
        return services.payments(campaign)

    @roles_required(*MANAGERS)
    @gate(manage=True)
    @blp.arguments(PaymentIn)
    @blp.response(201, PaymentOut)
    def post(self, data, campaign):
        """Record a payment (a unit with no pledge first gets a pledge of its share); references are unique."""
        return services.record_payment(current_user, campaign, data)


@blp.route("/campaigns/<int:campaign_id>/payments/<int:payment_id>/reverse")
class PaymentReverse(MethodView):
    @roles_required(*MANAGERS)
    @gate(manage=True)
    @blp.arguments(ReverseIn)
    @blp.response(201, PaymentOut)
    def post(self, data, campaign, payment_id):
        """Reverse a payment by a new entry with a reason (entries are never edited); once per payment."""
        return services.reverse_payment(current_user, campaign, payment_id, data["reason"])


@blp.route("/my/pledges")
class MyPledges(MethodView):
    @roles_required("resident")
    @blp.response(200, MyPledgeOut(many=True))
    def get(self):
        """The resident's units in every open campaign: share, pledged, paid and status."""
        return services.my_pledges(current_user)

    @roles_required("resident")
    @blp.arguments(MyPledgeIn)
    @blp.response(201, PledgeOut)
    def post(self, data):
        """Pledge for a unit the resident owns (amount omitted: its share)."""
        return services.resident_pledge(current_user, data)
