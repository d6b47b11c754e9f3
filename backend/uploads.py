"""What a client may upload, bounded in one place before anything is parsed or stored.

Every upload endpoint (the roster, the fund and fee statements, construction-problem photos, the proxy's 委托书
photo) goes through here, so a hostile file costs a bounded amount of memory and time and gets a clear Chinese
refusal with a stable code — never a 500, and nothing stored:

- **the request**: ``MAX_CONTENT_LENGTH`` (10 MB; a route may make room for more, as three photos need) — beyond it
  Werkzeug stops before reading the body and the answer is 413 ``too_large`` in the API's error shape;
- **a table** (CSV or XLSX): at most ``MAX_ROWS`` rows and ``MAX_COLUMNS`` columns, refused on the first row past
  either while reading (never a whole table built first); an XLSX's zip directory is read before openpyxl opens
  it, and one whose parts would inflate past ``XLSX_MAX_INFLATED`` (a zip bomb) is refused unopened — Python's zip
  reader never inflates a part past the size the directory states, so the check holds for a lying directory too;
  the sheet is then streamed (openpyxl's read-only mode), its stated dimensions ignored;
- **a photo**: at most its byte limit, opened by Pillow, one of JPEG/PNG/WebP by its content (never its name), at
  most ``MAX_PIXELS`` (a decompression bomb is refused before decoding), and re-encoded from its pixels alone, so
  EXIF (a GPS location), XMP, ICC and text chunks are left behind.
"""

import csv
import io
import warnings
import zipfile

from PIL import Image, ImageOps

from .errors import Invalid, error_response

MAX_ROWS = 50_000  # a city's largest compound has a few thousand units; a statement of years of lines fits
MAX_COLUMNS = 200  # a roster or statement has a dozen; room for notes columns
XLSX_MAX_INFLATED = 64 * 1024 * 1024  # every part of the workbook, inflated; 50,000 rows of a dozen cells fit
XLSX_MAX_PARTS = 1_000
MAX_PIXELS = 40_000_000  # beyond this a "photo" is a decompression bomb, not a phone's picture
LONG_SIDE = 4096  # stored photos are scaled down to this, which keeps every detail a clerk needs
PHOTO_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}


def megabytes(limit):
    return f"{limit // (1024 * 1024) or 1}MB"


def too_large(limit):
    """The 413 for a body past ``limit`` bytes (the request's own limit, which a route may raise), in the API's
    error shape; ``backend.security`` answers Werkzeug's RequestEntityTooLarge with it."""
    where = f"（不超过{megabytes(limit)}）" if limit else ""
    return error_response(413, "too_large", f"上传的内容过大{where}，请压缩或分批上传")


# ---- tables -----------------------------------------------------------------------------------------------------


def _too_many_rows():
    return Invalid("table_too_many_rows", f"文件的行数超过{MAX_ROWS}行，请分批导入")


def _bounded(rows, start=1):
    """(row number, cells) for each row, refusing the first row past ``MAX_ROWS`` or wider than ``MAX_COLUMNS``."""
    for number, cells in enumerate(rows, start=start):
        if number > MAX_ROWS:
            raise _too_many_rows()
        if len(cells) > MAX_COLUMNS:
            raise Invalid(
                "table_too_many_columns",
                f"第{number}行有{len(cells)}列，超过{MAX_COLUMNS}列，请只保留需要导入的列",
                errors=[{"row": number, "column": None, "message": f"列数超过{MAX_COLUMNS}"}],
            )
        yield number, cells


def read_table(content, code):
    """Rows of raw cells with their spreadsheet row numbers, from CSV (UTF-8/GB18030) or XLSX, within the bounds
    above; ``code`` names the 422 for a file that cannot be read (each import has its own)."""
    if content[:4] == b"PK\x03\x04":
        return _read_xlsx(content, code)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise Invalid(code, "无法识别文件编码，请另存为 UTF-8 或 GB18030 编码的 CSV，或 XLSX")
    try:
        return list(_bounded(csv.reader(io.StringIO(text, newline=""))))
    except csv.Error as e:  # a field past csv's own size limit, a NUL byte
        raise Invalid(code, "无法读取该 CSV 文件，请用表格软件另存为 CSV 后重新上传") from e


def _check_zip(content, code):
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError) as e:
        raise Invalid(code, "无法读取该 Excel 文件，请确认是 .xlsx 格式") from e
    if len(parts) > XLSX_MAX_PARTS or sum(p.file_size for p in parts) > XLSX_MAX_INFLATED:
        raise Invalid(
            "xlsx_too_large",
            f"该 Excel 文件解压后超过{megabytes(XLSX_MAX_INFLATED)}，不像是名册或对账单，请另存为 CSV 或删去多余内容后重新上传",
        )


def _read_xlsx(content, code):
    from openpyxl import load_workbook

    _check_zip(content, code)
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many kinds for a file that is not a workbook
        raise Invalid(code, "无法读取该 Excel 文件，请确认是 .xlsx 格式") from e
    try:
        ws = wb.worksheets[0]
        ws.reset_dimensions()  # the sheet's stated size could pad every row to 16,384 cells: read what is there
        return [(n, list(cells)) for n, cells in _bounded(ws.iter_rows(values_only=True)) if cells]
    except Invalid:
        raise
    except Exception as e:  # a broken part inside a well-formed zip
        raise Invalid(code, "无法读取该 Excel 文件，请确认是 .xlsx 格式") from e
    finally:
        wb.close()


# ---- photos -----------------------------------------------------------------------------------------------------


class PhotoRefused(Exception):
    """Why a photo is refused: a stable ``code`` and the sentence for the user; each caller words where it was."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code, self.message = code, message


def clean_photo(content, max_bytes):
    """The photo re-encoded from its pixels alone: (bytes, mime, ext, width, height); raises ``PhotoRefused``."""
    if len(content) > max_bytes:
        raise PhotoRefused("photo_too_large", f"照片太大（每张不超过{megabytes(max_bytes)}），请压缩或重新拍一张")
    if not content:
        raise PhotoRefused("photo_empty", "文件是空的")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(content))
            kind = probe.format
            if kind not in PHOTO_FORMATS:
                raise ValueError(kind)
            if probe.width * probe.height > MAX_PIXELS:
                raise ValueError("too many pixels")
            probe.verify()
            image = Image.open(io.BytesIO(content))
            image.load()
    except Exception as e:  # Pillow raises many kinds for a file that is no image (or a broken one)
        raise PhotoRefused("photo_type", "不是照片，只能上传JPG、PNG或WebP格式的照片") from e
    mime, ext = PHOTO_FORMATS[kind]
    image = ImageOps.exif_transpose(image)  # upright as the phone showed it, before its EXIF is dropped
    if max(image.size) > LONG_SIDE:
        image.thumbnail((LONG_SIDE, LONG_SIDE))
    if kind == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    pixels = Image.new(image.mode, image.size)  # a fresh image: the pixels, and no metadata of any kind
    pixels.paste(image)
    if image.mode == "P":
        pixels.putpalette(image.getpalette())
    out = io.BytesIO()
    options = {"quality": 88} if kind in ("JPEG", "WEBP") else {"optimize": True}
    pixels.save(out, kind, **options)
    return out.getvalue(), mime, ext, pixels.width, pixels.height
