"""The consent-rate XLSX as a clerk's spreadsheet program reads it: LibreOffice (headless) converts the download to
CSV, showing each cell as formatted, and to PDF, printing it; the shown values equal the JSON's and the printout is
one A4 landscape page with every Chinese header whole.

Needs ``soffice`` (Debian libreoffice-calc-nogui) and poppler; skipped saying why when missing, failed instead
under ``REQUIRE_BROWSER=1`` or ``CI`` (``.ci/run`` installs both).
"""

import csv
import io
import subprocess

import pytest

from backend.exports import neutralise
from tests.programs import require_program
from tests.test_reports import URL, votes  # noqa: F401  (the fixture)

SOFFICE_TIMEOUT = 180  # a cold LibreOffice start on a busy two-core machine


def soffice(tmp_path, target, source):
    """Convert ``source`` with a profile of this test's own, so parallel runs do not share (and lock) one."""
    require_program("soffice", "libreoffice-calc-nogui")
    profile = tmp_path / "lo-profile"
    done = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            target,
            "--outdir",
            str(tmp_path / "out"),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=SOFFICE_TIMEOUT,
        check=False,
    )
    found = list((tmp_path / "out").glob("*"))
    assert done.returncode == 0 and found, done.stderr or done.stdout
    return found[0]


def percent(ratio):
    return "" if ratio is None else f"{ratio * 100:.2f}%"


@pytest.fixture
def exported(kit, votes, world, tmp_path):  # noqa: F811
    h = world.h["official_city"]
    rows = kit.client.get(URL, headers=h).get_json()
    r = kit.client.get(URL + "?format=xlsx", headers=h)
    assert r.status_code == 200
    path = tmp_path / "consent.xlsx"
    path.write_bytes(r.data)
    return rows, path


def test_libreoffice_shows_the_jsons_figures(exported, tmp_path):
    rows, path = exported
    # Comma separated, double quotes, UTF-8 (76), from the first line; cells are saved as shown (the default).
    out = soffice(tmp_path, "csv:Text - txt - csv (StarCalc):44,34,76,1", path)
    lines = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    header, body = lines[0], lines[1:]
    assert header[:4] == ["区县", "街道", "社区", "小区"] and header[-1] == "是否通过"
    assert len(body) == len(rows) == 4
    for line, row in zip(body, rows, strict=True):
        cells = dict(zip(header, line, strict=True))
        assert cells["小区"] == row["compound"] and cells["社区"] == row["community"]
        assert cells["表决"] == neutralise(row["vote"]) and cells["事项"] == neutralise(row["item"])
        assert cells["应参与业主人数"] == str(row["electorate_owners"])
        assert cells["应参与专有部分面积（平方米）"] == row["electorate_area"]  # "480.00": two decimals
        assert cells["参与人数比例"] == percent(row["participation_owners_ratio"])  # e.g. "83.33%"
        assert cells["参与面积比例"] == percent(row["participation_area_ratio"])
        assert cells["同意人数比例"] == percent(row["consent_owners_ratio"])
        assert cells["同意面积比例"] == percent(row["consent_area_ratio"])
        assert cells["是否通过"] == {True: "是", False: "否", None: ""}[row["passed"]]
    assert any(line[header.index("参与人数比例")].endswith(".33%") for line in body)  # not 0.8333, not 83%


def test_libreoffice_prints_one_a4_landscape_page_with_whole_headers(exported, tmp_path):
    require_program("pdftotext")
    _, path = exported
    pdf = soffice(tmp_path, "pdf", path)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    assert fields["Pages"].strip() == "1"  # sixteen columns fitted to the page width, four rows: one page
    width, height = (float(n) for n in fields["Page size"].split("pts")[0].split(" x "))
    assert round(width) == 842 and round(height) == 595  # A4, landscape
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for header in (
        "应参与专有部分面积（平方米）",
        "应参与业主人数",
        "参与人数比例",
        "同意面积比例",
        "是否通过",
        "事项类别",
    ):
        assert header in text, header  # on one line, uncut by a narrow column
    assert "幸福里小区" in text and "%" in text
