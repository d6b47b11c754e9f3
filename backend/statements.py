"""A payment statement (bank, housing-fund centre, receipt book) read as lines of unit, amount, date and reference:
all or nothing, like the roster. The maintenance fund and property fees both import through it; each names the
references it already holds, and may ask for more columns (the fee's month).

The file is read by the roster's own reader (CSV in UTF-8/GB18030 or XLSX, title rows skipped, building, entrance
and room aliases and spellings). Every bad cell is reported with the row number the spreadsheet shows and the
column as written in the file; one bad row stores nothing. Amounts are yuan with at most two decimals, turned
into fen exactly: text through ``parse_yuan``, a number cell through ``Decimal(str(value))`` (the shortest text
of the float the spreadsheet stored, so 0.1 stays 0.1 and 12.345 is refused).
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from backend.errors import Invalid
from backend.extensions import db
from backend.money import MoneyError, parse_yuan
from backend.names import unit_label
from backend.roster.models import Unit
from backend.roster.parsing import PLACE_FIELDS, clean, find_header, place_of, read_table

FIELDS = {
    **PLACE_FIELDS,
    "amount": ("金额", "金额(元)", "缴存金额", "缴款金额", "交易金额", "缴费金额", "实收金额"),
    "date": ("日期", "缴存日期", "缴款日期", "交易日期", "记账日期", "缴费日期", "收款日期"),
    "reference": ("流水号", "凭证号", "交易流水号", "票据号", "收据号"),
}
REQUIRED = ("building", "room", "amount", "date", "reference")
LABELS = {"building": "楼栋", "room": "房号", "amount": "金额", "date": "日期", "reference": "流水号/凭证号"}
DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
DATE_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
SCIENTIFIC = re.compile(r"^\d+(\.\d+)?[eE][+-]?\d+$")
CENT = Decimal("0.01")
MAX_FEN = 2**31 - 1  # one line of a statement; the column is a 32-bit integer


@dataclass
class Line:
    row: int
    unit: Unit
    amount_fen: int
    date: date
    reference: str
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Extra:
    """A further column a statement must carry: its names in files, its label in errors, and its reader
    (``parse(raw, text)`` returns the value or raises ValueError with the message the clerk reads)."""

    name: str
    aliases: tuple
    label: str
    parse: Callable


def amount_fen(raw, text):
    """Fen from a cell: a number cell exactly as the spreadsheet shows it, text through ``parse_yuan``."""
    if isinstance(raw, bool):
        raise MoneyError("金额须写成数字，如 1234.56")
    if isinstance(raw, int | float | Decimal):
        try:
            value = Decimal(str(raw))
        except InvalidOperation as e:
            raise MoneyError("金额不是数字") from e
        if not value.is_finite():
            raise MoneyError("金额不是数字")
        if value <= 0:
            raise MoneyError("金额须大于 0")
        if value != value.quantize(CENT):
            raise MoneyError(f"金额“{raw}”超过两位小数")
        fen = int(value.quantize(CENT) * 100)
    else:
        fen = parse_yuan(text)
    if fen > MAX_FEN:
        raise MoneyError("金额过大，请核对")
    return fen


def day_of(raw, text):
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    match = DATE_TEXT.match(text) or DATE_DIGITS.match(text)
    if not match:
        raise ValueError(f"日期“{text}”无法识别，请写成 2026-01-05 或 2026年1月5日")
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError as e:
        raise ValueError(f"日期“{text}”不存在") from e


def reference_of(raw, text):
    if isinstance(raw, float) and not (raw.is_integer() and abs(raw) < 1e15):
        raise ValueError("流水号被表格软件改成了数字，请把该列设为文本格式后重新填写")
    if SCIENTIFIC.match(text):
        raise ValueError("流水号被表格软件改成了科学计数法，请把该列设为文本格式后重新填写")
    if not text:
        raise ValueError("流水号（凭证号）不能为空")
    if len(text) > 64:
        raise ValueError("流水号（凭证号）过长（不超过64个字符）")
    return text


def check(
    compound,
    filename,
    content,
    *,
    today: date,
    taken: Callable[[list], Iterable[str]],
    extras: tuple = (),
    check_line: Callable | None = None,
):
    """Every line of the file checked against the compound's units and the references ``taken`` says are already
    recorded; returns the lines, or raises 422 ``import_invalid`` listing every bad cell. ``check_line(line)``
    names a feature's own faults in a well-read line, as [(field name, message)], reported with the rest."""
    fields = {**FIELDS, **{x.name: x.aliases for x in extras}}
    labels = {**LABELS, **{x.name: x.label for x in extras}}
    required = REQUIRED + tuple(x.name for x in extras)
    table = read_table(filename, content, code="import_unreadable")
    start, columns, _ = find_header(table, fields, required, labels, code="import_invalid")
    header_cells = table[start][1]
    headers = {name: str(header_cells[col]).strip() for name, col in columns.items()}  # as written in the file
    units = {
        (u.building, u.entrance, u.room): u
        for u in db.session.scalars(select(Unit).where(Unit.compound_id == compound.id))
    }
    lines, errors, seen = [], [], {}
    for rownum, cells in table[start + 1 :]:
        raw = {name: cells[col] if col < len(cells) else None for name, col in columns.items()}
        values = {name: clean(value) for name, value in raw.items()}
        if not any(values.values()):
            continue  # blank row
        bad_before = len(errors)

        def bad(name, message, rownum=rownum):
            errors.append({"row": rownum, "column": headers[name], "message": message})

        building, entrance, room = place_of(values)
        unit = units.get((building, entrance, room))
        if not building:
            bad("building", "楼栋不能为空")
        elif not room:
            bad("room", "房号不能为空")
        elif unit is None:
            bad("room", f"本小区没有{unit_label(building, entrance, room)}")
        fen = day = reference = None
        try:
            fen = amount_fen(raw["amount"], values["amount"])
        except MoneyError as e:
            bad("amount", str(e) if values["amount"] else "金额不能为空")
        try:
            day = day_of(raw["date"], values["date"])
            if day > today:
                bad("date", f"日期“{values['date']}”晚于今天")
        except ValueError as e:
            bad("date", str(e) if values["date"] else "日期不能为空")
        try:
            reference = reference_of(raw["reference"], values["reference"])
        except ValueError as e:
            bad("reference", str(e))
        else:
            if reference in seen:
                bad("reference", f"与第{seen[reference]}行的流水号重复")
            else:
                seen[reference] = rownum
        extra = {}
        for x in extras:
            try:
                extra[x.name] = x.parse(raw[x.name], values[x.name])
            except ValueError as e:
                bad(x.name, str(e) if values[x.name] else f"{x.label}不能为空")
        if len(errors) == bad_before:
            line = Line(rownum, unit, fen, day, reference, extra)
            for name, message in check_line(line) if check_line else ():
                bad(name, message)
            if len(errors) == bad_before:
                lines.append(line)
    if not lines and not errors:
        raise Invalid("import_empty", "文件中没有数据行")
    already = set(taken(list(seen)))
    for reference, rownum in seen.items():
        if reference in already:
            errors.append({"row": rownum, "column": headers["reference"], "message": "该流水号已登记过"})
    if errors:
        errors.sort(key=lambda e: e["row"])
        rows = len({e["row"] for e in errors})
        raise Invalid("import_invalid", f"有{rows}行有误，未导入任何数据，请改正后重新上传", errors=errors)
    return lines
