"""Owner decisions over HTTP: thin views over ``services``, ``ballots``, ``chasing`` and ``result``."""

from flask.views import MethodView
from flask_jwt_extended import current_user
from flask_smorest import Blueprint

from backend.auth.decorators import ANYONE, MANAGERS, STAFF, roles_required, url_gate
from backend.exports import XLSX_MIME, file_response
from backend.pagination import PageArgs, paginate
from backend.privacy import commit_access
from backend.ratelimit import client_address

from . import ballots, chasing, present, result, services, sheets
from . import tally as counting
from .schemas import (
    BallotIn,
    BallotListArgs,
    BallotOut,
    BulkIn,
    BulkOut,
    CorrectionIn,
    IssueIn,
    PaperBallotIn,
    ProgressOut,
    ReceiptOut,
    ResultOut,
    RunoffIn,
    ScopeIn,
    SheetOut,
    SheetsOut,
    TallyOut,
    VoidIn,
    VoteIn,
    VoteListArgs,
    VoteOut,
)

blp = Blueprint("votes", __name__, url_prefix="/api/v1", description="Owner decisions: votes, ballots, tallies")


gate = url_gate("vote", services.get_vote)


def staff_page(stmt, args):
    rows, headers = paginate(stmt, args["page"], args["per_page"])
    return present.for_staff(rows), headers


@blp.route("/compounds/<int:compound_id>/votes")
class CompoundVotes(MethodView):
    @roles_required(*STAFF)
    @gate()
    @blp.arguments(VoteListArgs, location="query")
    @blp.response(200, VoteOut(many=True))
    def get(self, args, compound):
        """A compound's votes, newest first, with live participation."""
        return staff_page(services.visible_votes(current_user, compound.id, args.get("status")), args)

    @roles_required(*MANAGERS)
    @gate(manage=True)
    @blp.arguments(VoteIn)
    @blp.response(201, VoteOut)
    def post(self, data, compound):
        """Create a draft vote with its items (matters and options) and scope."""
        return present.detail(current_user, services.create_vote(current_user, compound, data))


@blp.route("/votes")
class Votes(MethodView):
    @roles_required(*STAFF)
    @blp.arguments(VoteListArgs, location="query")
    @blp.response(200, VoteOut(many=True))
    def get(self, args):
        """Every vote in the caller's jurisdiction (an official's region), with live participation."""
        return staff_page(services.visible_votes(current_user, args.get("compound_id"), args.get("status")), args)


@blp.route("/my/votes")
class MyVotes(MethodView):
    @roles_required("resident")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, VoteOut(many=True))
    def get(self, args):
        """The votes whose frozen electorate holds a unit the resident owns or holds a proxy for."""
        rows, headers = paginate(services.resident_votes(current_user), args["page"], args["per_page"])
        return present.for_resident(current_user, rows), headers


@blp.route("/votes/<int:vote_id>")
class VoteDetail(MethodView):
    @roles_required(*ANYONE)
    @gate()
    @blp.response(200, VoteOut)
    def get(self, vote):
        """One vote: a resident sees their units' standing; staff also the scope, settings, warnings and counts."""
        return present.detail(current_user, vote)


@blp.route("/votes/<int:vote_id>/publish")
class Publish(MethodView):
    @roles_required(*MANAGERS)
    @gate(manage=True)
    @blp.response(200, VoteOut)
    def post(self, vote):
        """Publish: freeze the electorate; open now (opens_at past) or schedule. A short notice lead is a warning."""
        return present.detail(current_user, services.publish(current_user, vote))


@blp.route("/votes/<int:vote_id>/close")
class Close(MethodView):
    @roles_required(*MANAGERS)
    @gate(manage=True)
    @blp.response(200, VoteOut)
    def post(self, vote):
        """Close voting, at any time (an early close is audited as such)."""
        return present.detail(current_user, services.close(current_user, vote))


@blp.route("/votes/<int:vote_id>/announce")
class Announce(MethodView):
    @roles_required(*MANAGERS)
    @gate(manage=True)
    @blp.response(200, ResultOut)
    def post(self, vote):
        """Announce the result: the result record with its publicity period."""
        return result.record(services.announce(current_user, vote))


@blp.route("/votes/<int:vote_id>/tally")
class Tally(MethodView):
    @roles_required(*STAFF)
    @gate()
    @blp.response(200, TallyOut)
    def get(self, vote):
        """The count per item: participation and consent by owners and area, winner, and a Chinese explanation."""
        return counting.tally(vote)


@blp.route("/votes/<int:vote_id>/progress")
class Progress(MethodView):
    @roles_required(*STAFF)
    @gate()
    @blp.response(200, ProgressOut)
    def get(self, vote):
        """Chasing participation: per building and entrance the units not yet voted, and what is still needed."""
        return chasing.progress(vote)


@blp.route("/votes/<int:vote_id>/ballots")
class Ballots(MethodView):
    @roles_required("resident")
    @gate()
    @blp.arguments(BallotIn)
    @blp.response(201, ReceiptOut)
    def post(self, data, vote):
        """A resident's online ballot for one unit they own (or hold an approved proxy for); every item answered."""
        return ballots.cast_online(current_user, vote, data)

    @roles_required(*STAFF)
    @gate()
    @blp.arguments(BallotListArgs, location="query")
    @blp.response(200, BallotOut(many=True))
    def get(self, args, vote):
        """The vote's standing ballots (``pending=true``: those awaiting a second person's confirmation)."""
        # Names of proxies and who chose what.
        commit_access(current_user, "view", f"vote:{vote.id} ballots", client_address())
        stmt = ballots.standing(vote, args["pending"])
        return paginate(stmt, args["page"], args["per_page"])


@blp.route("/votes/<int:vote_id>/paper-ballots")
class PaperBallots(MethodView):
    @roles_required(*MANAGERS)
    @gate(manage=True)
    @blp.arguments(PaperBallotIn)
    @blp.response(201, ReceiptOut)
    def post(self, data, vote):
        """A paper ballot keyed in by the committee; a blank item counts as abstain."""
        return ballots.enter_paper(current_user, vote, data)


@blp.route("/votes/<int:vote_id>/paper-ballots/bulk")
class PaperBallotsBulk(MethodView):
    @roles_required(*MANAGERS)
    @gate(manage=True)
    @blp.arguments(BulkIn)
    @blp.response(200, BulkOut)
    def post(self, data, vote):
        """A stack of paper sheets keyed in by room number; each sheet is entered or refused on its own."""
        return ballots.record_bulk(current_user, vote, data["sheets"])


@blp.route("/votes/<int:vote_id>/ballots/<int:ballot_id>/confirm")
class ConfirmBallot(MethodView):
    @roles_required(*MANAGERS)
    @gate(manage=True)
    @blp.response(200, ReceiptOut)
    def post(self, vote, ballot_id):
        """A second staff member confirms a paper entry; only then does it count."""
        return ballots.confirm(current_user, vote, ballot_id)


@blp.route("/votes/<int:vote_id>/ballots/<int:ballot_id>/correct")
class CorrectBallot(MethodView):
    @roles_required(*MANAGERS)
    @gate(manage=True)
    @blp.arguments(CorrectionIn)
    @blp.response(201, ReceiptOut)
    def post(self, data, vote, ballot_id):
        """Correct a mis-keyed ballot with a reason; the old record stays, superseded, and it is audited."""
        return ballots.correct(current_user, vote, ballot_id, data)


@blp.route("/votes/<int:vote_id>/sheets")
class Sheets(MethodView):
    @roles_required(*STAFF)
    @gate()
    @blp.response(200, SheetsOut)
    def get(self, vote):
        """Reconcile paper sheets issued against sheets returned."""
        return chasing.reconcile(vote)

    @roles_required(*MANAGERS)
    @gate(manage=True)
    @blp.arguments(IssueIn)
    @blp.response(200, SheetsOut)
    def post(self, data, vote):
        """Record the numbers of the paper sheets handed out."""
        return chasing.issue_sheets(current_user, vote, data["sheet_nos"])


@blp.route("/votes/<int:vote_id>/items/<int:item_id>/runoff")
class Runoff(MethodView):
    @roles_required(*MANAGERS)
    @gate(manage=True)
    @blp.arguments(RunoffIn)
    @blp.response(201, VoteOut)
    def post(self, data, vote, item_id):
        """A runoff between the two leading options of an item that found no winner (a new draft vote)."""
        return present.detail(current_user, services.runoff(current_user, vote, item_id, data))


@blp.route("/votes/<int:vote_id>/result")
class Result(MethodView):
    @roles_required(*ANYONE)
    @gate()
    @blp.response(200, ResultOut)
    def get(self, vote):
        """The announced result: aggregates per item, and per unit only whether it voted and its receipt."""
        return result.result(vote)


@blp.route("/votes/<int:vote_id>/result.pdf")
class ResultPdf(MethodView):
    @roles_required(*ANYONE)
    @gate()
    @blp.response(200, content_type="application/pdf")
    def get(self, vote):
        """The printable result notice (Chinese PDF)."""
        return file_response(result.result_pdf(vote), "application/pdf", f"表决结果公告-{vote.id}.pdf")


@blp.route("/votes/<int:vote_id>/evidence.xlsx")
class Evidence(MethodView):
    @roles_required(*STAFF)
    @gate()
    @blp.response(200, content_type=XLSX_MIME)
    def get(self, vote):
        """The evidence package for disputes: every ballot with channel, sheet, proxy, times and keyer; the audit chain."""
        content, filename = result.evidence_xlsx(current_user, vote)
        commit_access(current_user, "export", f"vote:{vote.id} evidence", client_address())
        return file_response(content, XLSX_MIME, filename)


@blp.route("/votes/<int:vote_id>/ballot-sheets.pdf")
class BallotSheetsPdf(MethodView):
    @roles_required(*MANAGERS)
    @gate(manage=True)
    @blp.arguments(ScopeIn, location="query")
    @blp.response(200, content_type="application/pdf")
    def get(self, args, vote):
        """Paper ballot sheets to print: one A4 page per unit, its number issued once (reprints reuse it)."""
        content = sheets.ballot_sheets_pdf(current_user, vote, args.get("building"), args.get("entrance"))
        # Owners' names on every sheet.
        commit_access(current_user, "export", f"vote:{vote.id} ballot sheets", client_address())
        return file_response(content, "application/pdf", f"表决票-{vote.compound.name}-{vote.title}.pdf")


@blp.route("/votes/<int:vote_id>/sheets/<sheet_no>")
class SheetByNumber(MethodView):
    @roles_required(*MANAGERS)
    @gate(manage=True)
    @blp.response(200, SheetOut)
    def get(self, vote, sheet_no):
        """The unit and owners of a printed sheet, by the number scanned or typed at the desk."""
        commit_access(current_user, "view", f"vote:{vote.id} sheet:{sheet_no}", client_address())
        return sheets.find(vote, sheet_no)


@blp.route("/votes/<int:vote_id>/sheets/<sheet_no>/void")
class VoidSheet(MethodView):
    @roles_required(*MANAGERS)
    @gate(manage=True)
    @blp.arguments(VoidIn)
    @blp.response(200, SheetsOut)
    def post(self, data, vote, sheet_no):
        """Void a sheet issued but spoiled or lost, with a reason; reconciliation then counts it as void."""
        return chasing.void_sheet(current_user, vote, sheet_no, data["reason"])
