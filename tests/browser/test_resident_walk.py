"""The whole path on a 375×812 phone: notice QR → WeChat sign-in → bind with a letter's code and the owner's name
→ vote → receipt, and the committee's tally counts it. Screenshots go to the test's temporary folder."""

import io
import re
import urllib.parse
from datetime import timedelta

import pytest
from pypdf import PdfReader

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips or fails with the reason
    expect = None

from backend.types import utcnow
from tests.browser.shots import shot
from tests.test_residents_auth import FakeWechat

pytestmark = pytest.mark.browser
CODE = re.compile(r"邀请码：\s*([A-Z0-9]{5}) ([A-Z0-9]{5})")


@pytest.fixture
def wechat():
    with FakeWechat() as fake:
        yield fake


@pytest.fixture
def app_config(wechat, tmp_path):
    return {**wechat.config(), "LETTERS_DIR": str(tmp_path / "letters")}


def wait_job(client, headers, job_id):
    import time

    for _ in range(300):
        job = client.get(f"/api/v1/letter-jobs/{job_id}", headers=headers).get_json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError("letters job did not finish")


def font_px(page, selector):
    return float(page.eval_on_selector(selector, "el => getComputedStyle(el).fontSize").rstrip("px"))


def fits_width(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_notice_to_receipt_to_tally(client, world, make, live_server, phone, tmp_path, wechat):
    pytest.importorskip("votes.models", reason="the votes feature is not in this tree")
    committee = world.h["committee"]
    c1 = world.compounds["c1"]
    make.units(c1, 6, building="3", entrance="2")
    make.units(c1, 2, building="4", entrance="1")
    now = utcnow()
    vote = client.post(
        f"/api/v1/compounds/{c1.id}/votes",
        headers=committee,
        json={
            "title": "3号楼2单元加装电梯",
            "description": "电梯费用按楼层系数分摊，详见公告栏。",
            "scope": {"building": "3", "entrance": "2"},
            "opens_at": (now - timedelta(hours=1)).isoformat(),
            "closes_at": (now + timedelta(days=15)).isoformat(),
            "items": [{"title": "是否同意加装电梯", "matter": "rebuild"}],
        },
    ).get_json()
    assert client.post(f"/api/v1/votes/{vote['id']}/publish", headers=committee).get_json()["status"] == "open"
    notice = client.post(
        f"/api/v1/compounds/{c1.id}/notices",
        headers=committee,
        json={
            "kind": "vote_notice",
            "title": "关于3号楼2单元加装电梯的表决通知",
            "vote_id": vote["id"],
            "body": "各位业主：\n本单元加装电梯事项现开始表决，请扫码登录后投票。\n截止前未投票的，视为未参与表决。",
        },
    ).get_json()
    assert notice["url"] == f"{live_server}/n/{notice['token']}"

    # The committee prints the entrance's letters; the first page is flat 101's.
    job = client.post(
        f"/api/v1/compounds/{c1.id}/letters", headers=committee, json={"building": "3", "entrance": "2"}
    ).get_json()
    job = wait_job(client, committee, job["id"])
    pdf = client.get(job["download_url"], headers=committee).data
    first_page = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "3号楼2单元101室" in first_page
    code = "".join(CODE.search(first_page).groups())

    page = phone
    page.goto(notice["url"])
    assert page.locator("h1").inner_text() == "关于3号楼2单元加装电梯的表决通知"
    assert font_px(page, ".body p") >= 18 and fits_width(page)
    page.screenshot(path=str(tmp_path / "1-notice.png"), full_page=True)
    shot(page, "resident-notice")

    # Not signed in: the vote link leads to the sign-in page, which needs consent first.
    page.click("#go-vote")
    page.wait_for_url(re.compile(r"/m/signin\?next="))
    page.click("#wechat-login")
    expect(page.locator(".error")).to_have_text("请先勾选“我已阅读并同意”")
    page.screenshot(path=str(tmp_path / "2-signin.png"), full_page=True)
    shot(page, "resident-signin")
    page.check("#consent")
    page.click("#wechat-login")  # → fake WeChat → /m/wechat/callback → back to the vote page
    page.wait_for_url(f"{live_server}/m/vote/{vote['id']}?compound={c1.id}")
    assert any(path == "/sns/oauth2/access_token" for path, _ in wechat.requests)

    # Signed in but not bound: the page says so and offers binding.
    expect(page.locator("#nothing-text")).to_contain_text("还没有以业主")
    page.click("#nothing-bind")
    page.wait_for_url(re.compile(r"/m/bind"))
    # "我是业主" is chosen by default and asks for the owner's name; a tenant is not asked.
    expect(page.locator("#invite-owner-name")).to_be_visible()
    shot(page, "resident-bind")
    page.select_option("#invite-relation", "tenant")
    expect(page.locator("#invite-owner-name")).to_be_hidden()
    page.select_option("#invite-relation", "owner")
    page.fill("#invite-code", "WRONG12345")
    page.fill("#invite-owner-name", "业主320")
    page.click("#bind-code")
    expect(page.locator(".error")).to_contain_text("邀请码不正确或已作废")
    page.fill("#invite-code", f"{code[:5].lower()} {code[5:]}")
    page.fill("#invite-owner-name", "王五")  # the letter alone does not make the holder an owner
    page.click("#bind-code")
    expect(page.locator(".error")).to_contain_text("业主姓名与名册不一致")
    assert "业主320" not in page.locator(".error").inner_text()
    page.fill("#invite-owner-name", " 业主320 ")  # as on the roster (flat 101's owner), spaces and all
    page.click("#bind-code")
    page.get_by_text("绑定成功").wait_for()
    assert "3号楼2单元101室" in page.locator("main").inner_text()
    page.screenshot(path=str(tmp_path / "3-bound.png"), full_page=True)
    shot(page, "resident-bound")
    page.get_by_role("link", name="继续").click()

    # The ballot: choose, confirm, receipt.
    page.wait_for_url(f"{live_server}/m/vote/{vote['id']}?compound={c1.id}")
    page.locator("#choose").wait_for()
    assert page.locator("#vote-title").inner_text() == "3号楼2单元加装电梯"
    page.click("#to-confirm")
    expect(page.locator(".error")).to_contain_text("请为“是否同意加装电梯”选择一项")
    page.get_by_label("同意", exact=True).check()
    page.screenshot(path=str(tmp_path / "4-ballot.png"), full_page=True)
    shot(page, "resident-ballot")
    page.click("#to-confirm")
    expect(page.locator("#summary")).to_contain_text("同意")
    assert "3号楼2单元101室" in page.locator("#summary").inner_text()
    page.screenshot(path=str(tmp_path / "5-confirm.png"), full_page=True)
    shot(page, "resident-confirm")
    page.click("#submit-ballot")
    page.locator("#done").wait_for()
    receipt = page.locator("#receipts .receipt").first.inner_text()
    assert re.fullmatch(r"[A-Z0-9-]{6,16}", receipt), receipt
    page.screenshot(path=str(tmp_path / "6-receipt.png"), full_page=True)
    shot(page, "resident-receipt")

    # My household shows the unit, the vote and the same receipt.
    page.goto(f"{live_server}/m/home")
    expect(page.locator("#votes .receipt")).to_have_text(receipt)
    assert "3号楼2单元101室" in page.locator("#units").inner_text()
    page.screenshot(path=str(tmp_path / "7-home.png"), full_page=True)
    shot(page, "resident-home")

    # The committee's tally counts it.
    tally = client.get(f"/api/v1/votes/{vote['id']}/tally", headers=committee).get_json()
    assert tally["electorate"]["units"] == 6
    assert tally["items"][0]["participation"]["owners"] == 1
    assert tally["items"][0]["options"]["agree"]["owners"] == 1
    detail = client.get(f"/api/v1/notices/{notice['id']}", headers=committee).get_json()
    assert detail["scan_count"] == 1


def test_sms_sign_in_and_pages_survive_large_fonts(client, world, live_server, phone, tmp_path, app):
    app.config["SMS_SENDER"] = "memory"
    from residents.sms import MemorySender

    MemorySender.outbox.clear()
    page = phone
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server}/m/signin?next=/m/home")
    page.check("#consent")
    page.fill("#phone", "13812345678")
    page.click("#sms-send")
    page.locator("#sms-note").wait_for()
    code = re.search(r"(\d{6})", MemorySender.outbox[-1][1]).group(1)
    page.fill("#sms-code", "000000" if code != "000000" else "111111")
    page.click("#sms-login")
    expect(page.locator(".error")).to_contain_text("验证码不正确")
    page.fill("#sms-code", code)
    page.click("#sms-login")
    page.wait_for_url(f"{live_server}/m/home")
    page.get_by_text("您还没有绑定房屋。").wait_for()
    assert font_px(page, "body") >= 18 and fits_width(page)
    # An elderly user's enlarged system font (WeChat's "字体大小" at its largest is about 1.6×).
    for path in ("/m/home", "/m/bind?compound=1", f"/m/signin?next={urllib.parse.quote('/m/home')}", "/m/proxy"):
        page.goto(live_server + path)
        # Through the CSSOM, as the browser's own font setting would: the pages' CSP forbids injected <style>.
        page.evaluate("document.documentElement.style.setProperty('font-size', '180%', 'important')")
        page.wait_for_timeout(100)
        assert fits_width(page), f"{path} overflows 360 px with large text"
    page.screenshot(path=str(tmp_path / "large-font-proxy.png"), full_page=True)
