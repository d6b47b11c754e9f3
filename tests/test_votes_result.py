"""Announcement: the result record, its publicity period, the printable notice and the evidence package."""

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.test_votes_kit import assert_error, at, item


@pytest.fixture
def announced(kit, make):
    """A vote published with a short notice lead, voted on, closed and announced."""
    units = make.units(kit.compound, 4)
    vote = kit.vote([item("rebuild", "加装电梯")], opens_at=at(days=2), closes_at=at(days=9))
    kit.clock.advance(days=2)  # the vote opens; the warning was given at publish
    kit.cast(vote, units[:3], "agree")
    assert kit.post(vote, "close").status_code == 200
    r = kit.post(vote, "announce")
    assert r.status_code == 200, r.get_json()
    return vote, units, r.get_json()


def test_announce_gives_result_record_with_publicity(announced, kit):
    vote, units, body = announced
    assert body["status"] == "announced" and body["publicity"]["days"] == 7
    # Announced two days after the clock's start (a Friday, 10:00 in Beijing); publicity runs seven days.
    assert (body["publicity"]["from"], body["publicity"]["until"]) == (
        "2025-03-16T10:00:00+08:00",
        "2025-03-23T10:00:00+08:00",
    )
    assert body["items"][0]["passed"] is True and body["items"][0]["options"]["agree"]["owners"] == 3
    assert len(body["warnings"]) == 1 and "表决公告时间不足15日" in body["warnings"][0]
    assert body["units"][0] == {
        "label": "1号楼1单元101室",
        "room": "101",
        "voted": True,
        "receipt": body["units"][0]["receipt"],
    }
    assert body["units"][3]["voted"] is False and body["units"][3]["receipt"] is None
    assert "agree" not in str(body["units"])  # never who chose what
    assert_error(kit.post(vote, "announce"), 409, "vote_announced")
    assert_error(kit.paper(vote, units[3], "agree"), 409, "vote_closed")


def test_result_readable_by_residents_in_scope_and_staff(announced, kit, make, client, world):
    vote, units, body = announced
    owner = make.resident(units[3])
    r = client.get(f"/api/v1/votes/{vote['id']}/result", headers=make.headers(owner))
    assert r.status_code == 200 and r.get_json()["units"] == body["units"]
    assert client.get(f"/api/v1/votes/{vote['id']}/result", headers=world.h["official"]).status_code == 200
    assert client.get(f"/api/v1/votes/{vote['id']}/result", headers=world.h["committee2"]).status_code == 403
    outsider = make.resident(make.unit(world.compounds["c2"]))
    r = client.get(f"/api/v1/votes/{vote['id']}/result", headers=make.headers(outsider))
    assert_error(r, 404, "vote_not_found")  # a resident is not told of votes outside their units


def test_result_before_announcement_refused(kit, make):
    make.units(kit.compound, 2)
    vote = kit.vote()
    assert_error(kit.client.get(f"/api/v1/votes/{vote['id']}/result", headers=kit.h), 409, "vote_not_announced")
    assert_error(kit.post(vote, "announce"), 409, "vote_not_closed")


def test_result_pdf_is_chinese_and_carries_the_warning(announced, kit):
    vote, _, body = announced
    r = kit.client.get(f"/api/v1/votes/{vote['id']}/result.pdf", headers=kit.h)
    assert r.status_code == 200 and r.mimetype == "application/pdf" and r.data.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(r.data)).pages).replace(" ", "")
    assert "表决结果公告" in text and "加装电梯" in text and "特别提示" in text
    assert "表决范围：全体业主" in text and "同意3" in text and "agree" not in text  # options by label
    assert body["units"][0]["receipt"] in text


def test_evidence_package_lists_every_ballot_and_the_chain(announced, kit, client, world):
    vote, _, _ = announced
    r = client.get(f"/api/v1/votes/{vote['id']}/evidence.xlsx", headers=kit.h)
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.data))
    ballots, trail = wb["选票"], wb["审计链"]
    rows = list(ballots.iter_rows(values_only=True))
    assert rows[0][:4] == ("选票ID", "房屋", "渠道", "纸质选票编号") and len(rows) == 4
    assert {row[2] for row in rows[1:]} == {"纸质"} and {row[6] for row in rows[1:]} == {"同意"}
    actions = [row[3] for row in trail.iter_rows(min_row=2, values_only=True)]
    assert actions[0] == "vote_created" and actions[-1] == "vote_announced" and actions.count("ballot_entered") == 3
    assert client.get(f"/api/v1/votes/{vote['id']}/evidence.xlsx", headers=world.h["committee2"]).status_code == 403


def test_announcing_more_than_three_days_after_closing_is_recorded(kit, make):
    units = make.units(kit.compound, 3)
    vote = kit.vote()
    kit.cast(vote, units, "agree")
    kit.clock.advance(days=1 + 4)  # the window (one day) ends, and four more pass
    body = kit.post(vote, "announce").get_json()
    assert body["closed_at"] == body["closes_at"]  # the window ended it
    assert "表决结果未在表决结束后3日内公告" in body["warnings"]


def test_result_pdf_prints_titles_with_markup_characters_as_text(kit, make):
    units = make.units(kit.compound, 2)
    vote = kit.vote([item("rebuild", "更换<b>水管 & 屋面</b>")], title="3号楼 <改造> & 加装电梯")
    kit.cast(vote, units, "agree")
    kit.post(vote, "close")
    assert kit.post(vote, "announce").status_code == 200
    r = kit.client.get(f"/api/v1/votes/{vote['id']}/result.pdf", headers=kit.h)
    assert r.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(r.data)).pages).replace(" ", "")
    assert "<b>水管&屋面</b>" in text and "3号楼<改造>&加装电梯" in text
