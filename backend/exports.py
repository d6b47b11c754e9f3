"""CSV and XLSX downloads shared by every export: BOM for Excel, streamed CSV, formula injection neutralised."""

import csv
import io
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from itertools import chain, islice
from urllib.parse import quote

from flask import Response, stream_with_context

from .types import local_naive, local_text

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _disposition(filename):
    ascii_name = filename.encode("ascii", "ignore").decode() or "export"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def file_response(content, mimetype, filename):
    """A download with a Chinese file name that every browser keeps (RFC 6266 filename*)."""
    return Response(content, mimetype=mimetype, headers={"Content-Disposition": _disposition(filename)})


def csv_response(filename, header, rows):
    """Stream ``rows`` (any iterable) as UTF-8 CSV with a BOM so Excel reads the Chinese correctly."""
    columns = columns_of(header)

    def generate():
        buf = io.StringIO()
        writer = csv.writer(buf)
        buf.write("\ufeff")
        writer.writerow([c.header for c in columns])
        for n, row in enumerate(rows, start=1):
            writer.writerow([c.csv_value(v) for c, v in zip(columns, row, strict=True)])
            if n == 1 or n % 200 == 0:  # the first row at once (the download visibly starts), then in chunks
                yield buf.getvalue()
                buf.seek(0)
                buf.truncate()
        yield buf.getvalue()

    return Response(
        stream_with_context(generate()),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": _disposition(filename)},
    )


# Excel keeps no zone: times are written as Beijing wall-clock values and shown the way notices print them.
XLSX_TIME = 'yyyy"年"m"月"d"日" hh:mm'
XLSX_DATE = 'yyyy"年"m"月"d"日"'
# Per column kind: the number format in XLSX. Values arrive as the domain keeps them (fen, Decimal area,
# Fraction or Decimal ratios, aware datetimes) and become numbers here, exactly (Decimal, never float maths).
FORMATS = {
    "text": None,
    "int": "0",
    "yuan": '"¥"#,##0.00',
    "area": "0.00",
    "decimal": "0.00",
    "percent": "0.00%",
    "time": XLSX_TIME,
    "date": XLSX_DATE,
}
WIDTH_SAMPLE = 500  # rows read to fit the column widths; the rest stream through


@dataclass(frozen=True)
class Column:
    """A column of an export: its Chinese header and the kind of its values (a key of FORMATS)."""

    header: str
    kind: str = "text"

    def cell_value(self, value):
        """The value as a spreadsheet stores it."""
        if value is None or self.kind in ("text", "int"):
            return neutralise(value)
        if self.kind == "yuan":
            return Decimal(value).scaleb(-2)  # fen → yuan, exact
        if self.kind in ("area", "decimal"):
            return Decimal(value)
        if self.kind == "percent":
            return _decimal(value)
        if self.kind == "time":
            return local_naive(value)
        return value  # date

    def csv_value(self, value):
        """The value as CSV text: yuan with two decimals, area two places, times as notices print them."""
        if value is None:
            return ""
        if self.kind == "yuan":
            sign, fen = ("-" if value < 0 else ""), abs(value)
            return f"{sign}{fen // 100}.{fen % 100:02d}"
        if self.kind in ("area", "decimal"):
            return str(Decimal(value).quantize(Decimal("0.01")))
        if self.kind == "percent":
            return str(_decimal(value))  # the ratio as the JSON gives it; Excel formats the XLSX as a percent
        if self.kind == "time":
            return local_text(value)
        if self.kind == "date":
            return f"{value.year}年{value.month}月{value.day}日"
        return neutralise(value)


def _decimal(value):
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    return Decimal(str(value)) if isinstance(value, float) else Decimal(value)


def columns_of(header):
    """Plain strings are text columns, so older callers keep working."""
    return [c if isinstance(c, Column) else Column(c) for c in header]


def _display_width(value):
    """Characters as a printed cell shows them: a Chinese character is two columns wide."""
    text = value if isinstance(value, str) else str(value)
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _shown(column, value):
    """A cell's text as the spreadsheet shows it (a ratio as a percent with two places), for fitting widths."""
    if column.kind == "percent":
        return f"{_decimal(value) * 100:.2f}%"
    if column.kind == "yuan":
        return "¥" + column.csv_value(value)
    return column.csv_value(value)


def _sample_width(column, values):
    shown = [_shown(column, v) for v in values if v is not None]
    widest = max([_display_width(column.header)] + [_display_width(v) for v in shown])
    return min(max(widest + 2, 6), 60)


def write_table(wb, title, header, rows):
    """One sheet of ``wb`` (write-only): bold frozen header with filters, repeated on every printed page, fitted widths,
    numbers as numbers with their formats, A4 (landscape for wide tables), fitted to the page width."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    columns = columns_of(header)
    rows = iter(rows)
    sample = list(islice(rows, WIDTH_SAMPLE))
    ws = wb.create_sheet(title[:31])
    for n, column in enumerate(columns):
        ws.column_dimensions[get_column_letter(n + 1)].width = _sample_width(column, [r[n] for r in sample])
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    ws.page_setup.paperSize = 9  # A4 (Worksheet.PAPERSIZE_A4; the write-only sheet lacks the name)
    ws.page_setup.orientation = "landscape" if len(columns) > 6 else "portrait"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    bold = Font(bold=True)
    head = []
    for column in columns:
        cell = WriteOnlyCell(ws, value=column.header)
        cell.font, cell.alignment = bold, Alignment(horizontal="center", vertical="center", wrap_text=True)
        head.append(cell)
    ws.append(head)
    last = 1  # the sheet's last row, for the filter's range
    for row in chain(sample, rows):
        last += 1
        cells = []
        for column, value in zip(columns, row, strict=True):
            cell = WriteOnlyCell(ws, value=column.cell_value(value))
            if FORMATS[column.kind] and value is not None:
                cell.number_format = FORMATS[column.kind]
            cells.append(cell)
        ws.append(cells)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last}"  # a filter button on every header cell
    return ws


XLSX_CHUNK = 64 * 1024


def xlsx_response(filename, header, rows, title="Sheet1"):
    """An XLSX built in write-only mode into a temporary file, then sent from it a chunk at a time: memory stays
    flat for large exports (rows are written as they come; neither the sheet nor the file is held in memory)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    write_table(wb, title, header, rows)
    out = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response body once sent
    wb.save(out)
    size = out.tell()
    out.seek(0)

    def chunks():
        with out:
            while chunk := out.read(XLSX_CHUNK):
                yield chunk

    response = file_response(chunks(), XLSX_MIME, filename)
    response.content_length = size
    response.call_on_close(out.close)  # also when the body is never read (a HEAD, a client gone)
    return response


def table_response(fmt, filename, header, rows, title="Sheet1"):
    """``header``: Column objects (or plain strings for text); ``rows``: the domain's values, in that order."""
    if fmt == "xlsx":
        return xlsx_response(filename + ".xlsx", header, rows, title)
    return csv_response(filename + ".csv", header, rows)
