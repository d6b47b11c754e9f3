from marshmallow import fields, validate

from backend.inputs import Id
from backend.names import matter_name, status_name
from backend.outputs import Named, Out
from backend.pagination import PageArgs
from votes.schemas import Area, Ratio


class ConsentArgs(PageArgs):
    """``page``/``per_page`` page the JSON (rows are vote items); CSV and XLSX always hold every row."""

    org_id = Id()
    start = fields.Date(data_key="from")
    end = fields.Date(data_key="to")
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv", "xlsx"]))


class ConsentRow(Out):
    """One vote item; the CSV and XLSX cells are these values with the Chinese names (``services.table_cells``)."""

    vote_id = fields.Integer()
    item_id = fields.Integer()
    district = fields.String()
    street = fields.String()
    community = fields.String()
    compound = fields.String()
    vote = fields.String()
    item = fields.String()
    matter = fields.String()
    matter_name = Named(matter_name, attribute="matter")
    scope = fields.String(metadata={"description": "如“全体业主”“3号楼2单元”"})
    status = fields.String()
    status_name = Named(status_name, attribute="status")
    electorate_owners = fields.Integer()
    electorate_area = Area()
    participation_owners_ratio = Ratio()
    participation_area_ratio = Ratio()
    consent_owners_ratio = Ratio(allow_none=True, metadata={"description": "通过的选项，无则领先的选项"})
    consent_area_ratio = Ratio(allow_none=True)
    passed = fields.Boolean(allow_none=True)
