"""CSV and XLSX downloads shared by every export: BOM for Excel, streamed CSV, formula injection neutralised."""

import csv
import io
from urllib.parse import quote

from flask import Response, stream_with_context

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

    def generate():
        buf = io.StringIO()
        writer = csv.writer(buf)
        buf.write("\ufeff")
        writer.writerow(header)
        for n, row in enumerate(rows, start=1):
            writer.writerow(["" if v is None else neutralise(v) for v in row])
            if n % 200 == 0:
                yield buf.getvalue()
                buf.seek(0)
                buf.truncate()
        yield buf.getvalue()

    return Response(
        stream_with_context(generate()),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": _disposition(filename)},
    )


def xlsx_response(filename, header, rows, title="Sheet1"):
    """An XLSX built in write-only mode, so memory stays flat for large exports."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    ws.append(header)
    for row in rows:
        ws.append([neutralise(v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return file_response(out.getvalue(), XLSX_MIME, filename)


def table_response(fmt, filename, header, rows, title="Sheet1"):
    if fmt == "xlsx":
        return xlsx_response(filename + ".xlsx", header, rows, title)
    return csv_response(filename + ".csv", header, rows)
