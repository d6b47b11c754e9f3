"""Compounds, units, roster import and export, owners and their merge."""

from flask.views import MethodView
from flask_jwt_extended import current_user
from flask_smorest import Blueprint

from ..auth.decorators import MANAGERS, STAFF, roles_required, url_gate
from ..errors import Invalid
from ..exports import Column, table_response
from ..extensions import db
from ..jurisdiction import compounds_query, require_compound
from ..pagination import PageArgs, paginate
from ..privacy import commit_access
from ..ratelimit import client_address
from ..types import mask_phone
from . import services
from .schemas import (
    BuildingSummary,
    CompoundIn,
    CompoundOut,
    CompoundPatch,
    DuplicateGroup,
    ExportArgs,
    ImportOut,
    MergeIn,
    OwnerSummary,
    RosterFile,
    UnitArgs,
    UnitOut,
)

gate = url_gate(None, None)  # the compound in the URL, checked before the body or file is read (401 → 403 → 422)
blp = Blueprint("roster", __name__, url_prefix="/api/v1", description="Compounds, units and owners")


@blp.route("/compounds")
class Compounds(MethodView):
    @roles_required(*STAFF, "provider", "resident")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, CompoundOut(many=True))
    def get(self, args):
        """The compounds in the caller's jurisdiction (a resident's: those of their units; a provider's: those a
        committee granted it)."""
        return paginate(compounds_query(current_user), args["page"], args["per_page"])

    @roles_required(*MANAGERS)
    @blp.arguments(CompoundIn)
    @blp.response(201, CompoundOut)
    def post(self, data):
        """Create a compound under a community (committee: its own community)."""
        return services.create_compound(current_user, data)


@blp.route("/compounds/<int:compound_id>")
class CompoundDetail(MethodView):
    @roles_required(*STAFF, "provider", "resident")
    @blp.response(200, CompoundOut)
    def get(self, compound_id):
        """One compound."""
        return require_compound(current_user, compound_id)

    @roles_required(*MANAGERS)
    @blp.arguments(CompoundPatch)
    @blp.response(200, CompoundOut)
    def patch(self, data, compound_id):
        """Change a compound's name, address or local settings (notice lead, publicity period)."""
        compound = require_compound(current_user, compound_id, manage=True)
        for key, value in data.items():
            setattr(compound, key, value)
        db.session.commit()
        return compound


@blp.route("/compounds/<int:compound_id>/roster")
class Roster(MethodView):
    @roles_required(*MANAGERS)
    @gate(manage=True)
    @blp.arguments(RosterFile, location="files")
    @blp.response(200, ImportOut)
    def post(self, files, compound):
        """Import or re-import the household roster (CSV in UTF-8/GB18030, or XLSX); all or nothing."""
        upload = files["file"]
        content = upload.read()
        if not content:
            raise Invalid("roster_empty", "上传的文件是空的")
        return services.import_roster(current_user, compound.id, upload.filename or "roster", content)


@blp.route("/compounds/<int:compound_id>/roster/export")
class RosterExport(MethodView):
    @roles_required(*STAFF)
    @blp.arguments(ExportArgs, location="query")
    @blp.response(200, content_type="text/csv")
    def get(self, args, compound_id):
        """The roster as CSV (UTF-8 with BOM) or XLSX, phones masked and owner ids left out."""
        compound = require_compound(current_user, compound_id)
        commit_access(current_user, "export", f"compound:{compound.id} roster", client_address())
        header = [
            "楼栋",
            "单元",
            "房号",
            Column("楼层", "int"),
            Column("建筑面积", "area"),
            "面积来源",
            "业主",
            "业主类型",
            "手机",
        ]
        source = {"register": "不动产登记", "survey": "测绘", "contract": "购房合同"}

        def rows():
            for unit in db.session.scalars(services.units_query(compound.id)):
                yield [
                    unit.building,
                    unit.entrance,
                    unit.room,
                    unit.floor,
                    unit.area,
                    source[unit.area_source],
                    unit.owner.name,
                    "单位" if unit.owner.owner_type == "organisation" else "个人",
                    mask_phone(unit.owner.phone),
                ]

        return table_response(args["format"], f"{compound.name}-业主名册", header, rows(), "业主名册")


@blp.route("/compounds/<int:compound_id>/units")
class Units(MethodView):
    @roles_required(*STAFF)
    @blp.arguments(UnitArgs, location="query")
    @blp.response(200, UnitOut(many=True))
    def get(self, args, compound_id):
        """The compound's units with their owners (phones masked), optionally one building or entrance."""
        require_compound(current_user, compound_id)
        commit_access(current_user, "view", f"compound:{compound_id} units", client_address())
        stmt = services.units_query(compound_id, args.get("building"), args.get("entrance"))
        return paginate(stmt, args["page"], args["per_page"])


@blp.route("/compounds/<int:compound_id>/buildings")
class Buildings(MethodView):
    @roles_required(*STAFF)
    @blp.response(200, BuildingSummary(many=True))
    def get(self, compound_id):
        """Buildings and stair entrances with unit counts and areas (the scopes a vote can take)."""
        return services.buildings(current_user, compound_id)


@blp.route("/units/<int:unit_id>")
class UnitDetail(MethodView):
    @roles_required(*STAFF)
    @blp.response(200, UnitOut)
    def get(self, unit_id):
        """One unit."""
        unit = services.get_unit(current_user, unit_id)
        commit_access(current_user, "view", f"unit:{unit.id}", client_address())
        return unit


@blp.route("/compounds/<int:compound_id>/owners")
class Owners(MethodView):
    @roles_required(*STAFF)
    @blp.response(200, OwnerSummary(many=True))
    def get(self, compound_id):
        """The compound's owners as counted for the headcount, with their units."""
        owners = services.owners_list(current_user, compound_id)
        commit_access(current_user, "view", f"compound:{compound_id} owners", client_address())
        return owners


@blp.route("/compounds/<int:compound_id>/owners/duplicates")
class OwnerDuplicates(MethodView):
    @roles_required(*MANAGERS)
    @blp.response(200, DuplicateGroup(many=True))
    def get(self, compound_id):
        """Likely duplicate owners: same name and phone, different or missing ids."""
        groups = services.likely_duplicates(current_user, compound_id)
        commit_access(current_user, "view", f"compound:{compound_id} duplicate owners", client_address())
        return groups


@blp.route("/compounds/<int:compound_id>/owners/merge")
class OwnerMerge(MethodView):
    @roles_required(*MANAGERS)
    @gate(manage=True)
    @blp.arguments(MergeIn)
    @blp.response(200, OwnerSummary)
    def post(self, data, compound):
        """Merge owner records into one owner (audited, with a reason)."""
        return services.merge_owners(
            current_user, compound.id, data["keep_owner_id"], data["merge_owner_ids"], data["reason"]
        )
