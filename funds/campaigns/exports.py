"""The shares table as CSV (BOM) or XLSX: amounts as yuan numbers, area and coefficients as decimals."""

from backend.exports import Column
from backend.names import building_label, entrance_label, share_status_name
from backend.pagination import list_or_table

COLUMNS = [
    Column("楼栋"),
    Column("单元"),
    Column("房号"),
    Column("楼层", "int"),
    Column("建筑面积（㎡）", "area"),
    Column("楼层系数", "decimal"),
    Column("分摊金额（元）", "yuan"),
    Column("认捐金额（元）", "yuan"),
    Column("已缴金额（元）", "yuan"),
    Column("状态"),
]


def share_cells(share):
    return [
        building_label(share.building),
        entrance_label(share.entrance),
        share.room,
        share.floor,
        share.area,
        share.coefficient,
        share.share_fen,
        share.pledged_fen,
        share.paid_fen,
        share_status_name(share.status),
    ]


def shares_table(fmt, campaign, rows):
    """The shares as JSON, or as the CSV/XLSX a committee prints."""
    return list_or_table(fmt, rows, f"出资分摊-{campaign.title}", COLUMNS, share_cells, "分摊明细")
