"""Times as people read them, in the compounds' zone: the one formatter, and the printed notice and evidence that use it."""

import io
import re
import subprocess
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from backend.types import CHINA_TZ, local_date_text, local_naive, local_text
from tests.test_votes_result import announced  # noqa: F401  (the announced vote, shared)

ISO_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


@pytest.mark.parametrize(
    "moment, text",
    [
        (datetime(2026, 12, 1, 4, 14, 46, 696901, tzinfo=CHINA_TZ), "2026年12月1日 04:14"),
        (datetime(2026, 3, 5, 0, 0, tzinfo=CHINA_TZ), "2026年3月5日 00:00"),  # midnight, single-digit month and day
        (datetime(2026, 12, 31, 16, 30, tzinfo=UTC), "2027年1月1日 00:30"),  # UTC evening: next day, next year
        (datetime(2026, 6, 9, 23, 59, tzinfo=UTC), "2026年6月10日 07:59"),
        (None, ""),
    ],
)
def test_local_text_reads_as_written_in_beijing(moment, text):
    assert local_text(moment) == text


def test_local_date_text_takes_days_and_moments():
    assert local_date_text(date(2026, 1, 9)) == "2026年1月9日"
    assert local_date_text(datetime(2026, 1, 8, 16, 0, tzinfo=UTC)) == "2026年1月9日"  # Beijing's day
    assert local_date_text(None) == ""


def test_local_naive_is_beijing_wall_clock():
    assert local_naive(datetime(2026, 12, 31, 16, 30, tzinfo=UTC)) == datetime(2027, 1, 1, 0, 30)


def pdf_text(data):
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def test_result_notice_prints_dates_as_read_and_no_iso_stamp(announced, kit):  # noqa: F811
    vote, _, _ = announced
    r = kit.client.get(f"/api/v1/votes/{vote['id']}/result.pdf", headers=kit.h)
    assert r.status_code == 200
    text = pdf_text(r.data)
    assert not ISO_STAMP.search(text) and "+08:00" not in text
    stamps = re.findall(r"\d{4}年\d{1,2}月\d{1,2}日 ?\d{2}:\d{2}", text)
    # opens, closes, announced, publicity until — the kit's clock starts on 2025-03-14 10:00 in Beijing
    assert len(stamps) == 4 and re.search(r"公告日期：2025年3月16日 ?10:00", text)
    assert re.search(r"至2025年3月23日 ?10:00止", text.replace("\n", ""))


def test_evidence_times_are_excel_datetimes_in_beijing(announced, kit):  # noqa: F811
    vote, _, _ = announced
    r = kit.client.get(f"/api/v1/votes/{vote['id']}/evidence.xlsx", headers=kit.h)
    wb = load_workbook(io.BytesIO(r.data))
    ballots, trail = wb["选票"], wb["审计链"]
    header = [c.value for c in ballots[1]]
    entered, confirmed = header.index("投票/录入时间"), header.index("复核时间")
    for row in ballots.iter_rows(min_row=2):
        for cell in (row[entered], row[confirmed]):
            assert isinstance(cell.value, datetime) and cell.value.tzinfo is None
            assert cell.number_format == 'yyyy"年"m"月"d"日" hh:mm'
    last = list(trail.iter_rows(min_row=2))[-1]
    assert last[3].value == "vote_announced" and last[1].value == datetime(2025, 3, 16, 10, 0)
    assert last[1].number_format == 'yyyy"年"m"月"d"日" hh:mm'
