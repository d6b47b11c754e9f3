"""Reading a committee's roster file into checked rows, or a list of every bad row.

Committees' spreadsheets are messy: title rows above the header, alias headers, numbers stored as numbers,
``1号楼``/``1单元``, full-width digits, stray spaces, GB18030 from old Excel. All of that is normalised here;
anything that cannot be read with certainty is reported with the row number the spreadsheet shows.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from .. import uploads
from ..errors import Invalid
from ..names import unit_label

FIELDS = {
    "building": ("楼栋", "楼号", "栋号"),
    "entrance": ("单元", "单元号"),
    "room": ("房号", "户号", "门牌号"),
    "floor": ("楼层",),
    "area": ("建筑面积", "面积"),
    "owner_name": ("业主", "业主姓名", "姓名"),
    "owner_id": ("证件号", "证件号码", "身份证号"),
    "phone": ("手机", "电话", "联系电话"),
    "owner_type": ("业主类型",),
    "area_source": ("面积来源",),
}
REQUIRED = ("building", "room", "area", "owner_name")
FIELD_LABELS = {"building": "楼栋", "room": "房号", "area": "建筑面积", "owner_name": "业主"}
OWNER_TYPES = {
    "个人": "person",
    "person": "person",
    "单位": "organisation",
    "organisation": "organisation",
    "organization": "organisation",
    "": "person",
}
AREA_SOURCES = {
    "": "register",
    "不动产登记": "register",
    "产权登记": "register",
    "房产证": "register",
    "register": "register",
    "测绘": "survey",
    "实测": "survey",
    "survey": "survey",
    "购房合同": "contract",
    "合同": "contract",
    "contract": "contract",
}
SEPARATORS = re.compile(r"[、,;，；]")
SCIENTIFIC = re.compile(r"^\d+(\.\d+)?[eE][+-]?\d+$")
AREA = re.compile(r"^\d+(\.\d+)?$")
PHONE = re.compile(r"^\+?[\d-]{7,20}$")


@dataclass
class RosterRow:
    row: int
    building: str
    entrance: str
    room: str
    floor: int | None
    area: Decimal
    names: list[str]
    ids: list[str]
    phone: str | None
    owner_type: str
    area_source: str = "register"

    @property
    def place(self):
        return (self.building, self.entrance, self.room)


@dataclass
class ParsedRoster:
    rows: list[RosterRow] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)


def clean(value):
    """A cell as normalised text: numbers without a trailing .0, NFKC (full-width → half-width), trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def normalise_building(text):
    return re.sub(r"(号楼|栋|幢|号)$", "", text).strip()


def normalise_entrance(text):
    return re.sub(r"单元$", "", text).strip()


def read_table(filename, content, code="roster_unreadable"):
    """Rows of raw cells with their spreadsheet row numbers, from CSV (UTF-8/GB18030) or XLSX, within the upload
    limits of ``backend.uploads``; ``code`` names the 422 for a file that cannot be read (each import has its own)."""
    return uploads.read_table(content, code)


def find_header(table, fields=FIELDS, required=REQUIRED, labels=FIELD_LABELS, code="roster_no_header"):
    """The first row naming every required column; returns (index in table, {field: column}, {field: header}).

    Title rows above it are skipped. Other imports pass their own ``fields`` (aliases), ``required`` fields,
    ``labels`` (the required columns' names for the error) and error ``code``; ``PLACE_FIELDS`` gives them the
    roster's building, entrance and room aliases."""
    lookup = {alias: name for name, aliases in fields.items() for alias in aliases}
    for index, (_, cells) in enumerate(table):
        columns, headers = {}, {}
        for col, cell in enumerate(cells):
            text = clean(cell).replace(" ", "")
            name = lookup.get(text)
            if name and name not in columns:
                columns[name], headers[name] = col, clean(cell)
        if all(f in columns for f in required):
            return index, columns, headers
    names = "、".join(labels[f] for f in required)
    raise Invalid(
        code,
        f"找不到表头：需要包含 {names} 这几列（可用别名见说明）",
        errors=[{"row": None, "column": None, "message": "缺少必需的列：" + names}],
    )


PLACE_FIELDS = {name: FIELDS[name] for name in ("building", "entrance", "room")}


def place_of(values):
    """(building, entrance, room) from a row's cleaned cells, as the roster import normalises them."""
    building = normalise_building(values.get("building", ""))
    entrance = normalise_entrance(values.get("entrance", "")) or "1"
    return building, entrance, values.get("room", "")


def parse_roster(filename, content):
    table = read_table(filename, content)
    start, columns, headers = find_header(table)
    result, seen = ParsedRoster(), {}
    for rownum, cells in table[start + 1 :]:
        values = {name: clean(cells[col]) if col < len(cells) else "" for name, col in columns.items()}
        raw = {name: cells[col] if col < len(cells) else None for name, col in columns.items()}
        if not any(values.values()):
            continue  # blank row
        errors = []

        def bad(name, message, errors=errors, rownum=rownum):
            errors.append(
                {"row": rownum, "column": headers.get(name, FIELD_LABELS.get(name, name)), "message": message}
            )

        building, entrance, room = place_of(values)
        if not building:
            bad("building", "楼栋不能为空")
        if not room:
            bad("room", "房号不能为空")
        area = _parse_area(values["area"], raw["area"], bad)
        floor = None
        if values.get("floor"):
            floor_text = re.sub(r"(层|楼)$", "", values["floor"])
            if re.fullmatch(r"-?\d+", floor_text):
                floor = int(floor_text)
            else:
                bad("floor", f"楼层“{values['floor']}”不是整数")
        names = [n.strip() for n in SEPARATORS.split(values["owner_name"]) if n.strip()]
        if not names:
            bad("owner_name", "业主姓名不能为空")
        ids = [i.strip().upper() for i in SEPARATORS.split(values.get("owner_id", "")) if i.strip()]
        if any(SCIENTIFIC.match(i) for i in ids) or isinstance(raw.get("owner_id"), float):
            bad("owner_id", "证件号被表格软件改成了科学计数法，请把该列设为文本格式后重新填写")
        elif len(ids) > max(len(names), 1):
            bad("owner_id", "证件号的个数多于业主人数")
        phone = values.get("phone", "").replace(" ", "") or None
        if phone and not PHONE.match(phone):
            bad("phone", f"电话“{phone}”格式不正确")
        owner_type = OWNER_TYPES.get(values.get("owner_type", "").lower())
        if owner_type is None:
            bad("owner_type", "业主类型只能是“个人”或“单位”")
        area_source = AREA_SOURCES.get(values.get("area_source", "").lower())
        if area_source is None:
            bad("area_source", "面积来源只能是“不动产登记”“测绘”或“购房合同”")
        if building and room:
            place = (building, entrance, room)
            if place in seen:
                bad("room", f"与第{seen[place]}行是同一户（{unit_label(building, entrance, room)}）")
            else:
                seen[place] = rownum
        if errors:
            result.errors.extend(errors)
            continue
        result.rows.append(
            RosterRow(rownum, building, entrance, room, floor, area, names, ids, phone, owner_type, area_source)
        )
    if not result.rows and not result.errors:
        raise Invalid("roster_empty", "名册中没有数据行")
    return result


def _parse_area(text, raw, bad):
    if isinstance(raw, float):
        text = repr(raw)  # the float the spreadsheet stored; more than 2 places is then really there
    if not text:
        bad("area", "面积不能为空")
        return None
    text = text.replace("㎡", "").replace("m²", "").replace("平方米", "").strip()
    if re.fullmatch(r"-\d+(\.\d+)?", text):
        bad("area", "面积必须大于0")
        return None
    if not AREA.match(text):
        bad("area", f"面积“{text}”不是数字")
        return None
    value = Decimal(text)
    if value == 0:
        bad("area", "面积必须大于0")
        return None
    if value != value.quantize(Decimal("0.01")):
        bad("area", "面积最多保留两位小数")
        return None
    return value.quantize(Decimal("0.01"))
