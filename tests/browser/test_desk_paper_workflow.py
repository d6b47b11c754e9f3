"""The paper workflow at the desk, on a phone (375×812) and at the office (1280×800): print the ballot sheets,
scan one sheet's barcode and enter it by its number, confirm by a second account (the keyer is refused), correct a
ballot with a reason, void a sheet and see the missing one, close, and organise a runoff for the item without a
winner. On the phone every desk table reads as stacked label/value rows with nothing wider than the screen."""

import shutil

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips or fails with the reason
    expect = None

from tests.browser.conftest import PHONE
from tests.browser.shots import shot
from tests.test_ballot_sheets import barcode, numbers
from tests.test_votes_kit import item

pytestmark = pytest.mark.browser
DESK = {"width": 1280, "height": 800}
MODELS = item("property_manager", "小区管理模式", ["professional", "quasi", "self_managed"])


@pytest.fixture(params=["phone", "desk"])
def screen(request, browser):
    """A context factory at one width; each call is a separate office computer or phone (its own sign-in)."""
    contexts = []

    def open_page():
        size = PHONE if request.param == "phone" else DESK
        context = browser.new_context(
            viewport=size,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            accept_downloads=True,
            is_mobile=request.param == "phone",
            has_touch=request.param == "phone",
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        return page

    open_page.kind = request.param
    yield open_page
    for context in contexts:
        context.close()


def sign_in(page, base, path, username):
    page.goto(base + path)
    page.fill("#username", username)
    page.fill("#password", "secret-pass-1")
    page.keyboard.press("Enter")
    expect(page.locator("#desk")).to_be_visible()


def reads_on_a_phone(page, container):
    """No horizontal scrolling, every stacked cell shows its label, and no cell is narrower than its content."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    report = page.locator(container).evaluate("""el => Array.from(el.querySelectorAll('td[data-label]'))
        .filter(td => td.offsetParent !== null)
        .map(td => ({label: getComputedStyle(td, '::before').content, display: getComputedStyle(td).display,
                     fits: td.scrollWidth <= td.clientWidth + 1}))""")
    assert report, f"no stacked cells in {container}"
    assert all(r["display"] == "block" and r["label"] not in ("none", "normal", '""') and r["fits"] for r in report), (
        report
    )


def test_paper_workflow_at_the_desk(screen, world, make, kit, live_server, tmp_path):
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    c1 = world.compounds["c1"]
    second = make.headers(
        make.user("committee_b", "committee", world.c1)
    )  # a second member of the same community's committee
    units = make.units(c1, 8, building="3", entrance="2")
    vote = kit.vote([MODELS], title="3号楼2单元管理模式", require_confirmation=True)
    vid = vote["id"]
    iid = str(vote["items"][0]["id"])
    page = screen()
    phone = screen.kind == "phone"

    # Print the sheets from the vote page: one per flat, a barcode that reads as the sheet's number.
    sign_in(page, live_server, f"/m/committee/votes/{vid}", "committee")
    expect(page.locator("#v-status")).to_have_text("投票中")
    with page.expect_download() as download:
        page.click("#sheets-pdf")
    pdf = tmp_path / "sheets.pdf"
    download.value.save_as(pdf)
    data = pdf.read_bytes()
    sheet_nos = numbers(data, tmp_path)
    assert len(sheet_nos) == 8 and barcode(data, tmp_path, page=1) == sheet_nos[0]
    if not phone:
        shot(page, "committee-ballot-sheets", at="#actions")

    # The scanner types the number and Enter: the sheet's flat and owner appear, then the choice and Enter.
    page.click("#paper-link")
    expect(page.locator("#sheet-no")).to_be_focused()
    page.keyboard.type(sheet_nos[0])
    page.keyboard.press("Enter")
    expect(page.locator("#sheet-found")).to_contain_text(units[0].label)
    expect(page.locator("#sheet-found")).to_contain_text("业主：业主320")
    expect(page.locator("#choices input:checked").first).to_be_focused()  # the choice keys go to the sheet's options
    page.keyboard.press("1")
    page.keyboard.press("Enter")
    expect(page.locator("#entered-count")).to_have_text("1")
    expect(page.locator("#entered li").first).to_contain_text(f"{units[0].label}，选票 {sheet_nos[0]}，专业物业公司")
    expect(page.locator("#sheet-no")).to_be_focused()

    # Five more sheets keyed by the same member through the API; sheet 7 spoiled, sheet 8 never came back.
    for no, choice in zip(
        sheet_nos[1:6], ["professional", "professional", "quasi", "self_managed", "self_managed"], strict=True
    ):
        r = kit.client.post(
            f"/api/v1/votes/{vid}/paper-ballots", json={"sheet_no": no, "choices": {iid: choice}}, headers=kit.h
        )
        assert r.status_code == 201, r.get_json()

    page.click("#back-link")
    expect(page.locator("#pending-count")).to_have_text("6")
    expect(page.locator("#tally-pending")).to_contain_text("6 张纸质选票待复核")

    # A correction with a reason: the sixth sheet was keyed as 业主自治 but the paper says 社区准物业.
    row = page.locator("#ballots tr", has_text=sheet_nos[5])
    row.locator(".correct").click()
    expect(page.locator("#correct-form")).to_be_visible()
    page.locator("#correct-choices label", has_text="社区准物业").click()
    page.click("#correct-save")
    expect(page.locator(".error")).to_contain_text("更正理由")
    page.fill("#correct-reason", "录入时看错了方框，原票勾选社区准物业")
    if not phone:
        shot(page, "committee-paper-correct", at="#correct-form")
    page.click("#correct-save")
    expect(page.locator("#correct-form")).to_be_hidden()
    expect(page.locator("#ballots tr", has_text=sheet_nos[5])).to_contain_text("已更正：录入时看错了方框")
    expect(page.locator("#ballots tr", has_text=sheet_nos[5])).to_contain_text("社区准物业")

    # The keyer cannot confirm their own entry: the API's refusal, in Chinese, beside the button.
    page.locator("#pending .confirm").first.click()
    expect(page.locator(".error")).to_contain_text("录入人不能确认自己录入的选票")

    # Reconciliation: void the spoiled sheet 7; sheet 8 stays outstanding.
    page.fill("#void-no", sheet_nos[6])
    page.fill("#void-reason", "业主不慎污损，已收回")
    page.click("#void-sheet")
    sheets = page.locator("#sheets")
    expect(sheets).to_contain_text(f"{sheet_nos[6]}（业主不慎污损，已收回）")
    expect(sheets.locator("tr", has_text="未交回")).to_contain_text(sheet_nos[7])
    expect(sheets.locator("tr", has_text="已发放")).to_contain_text("8")
    if phone:
        reads_on_a_phone(page, "#sheets")
        reads_on_a_phone(page, "#ballots")
        reads_on_a_phone(page, "#pending")
        shot(page, "committee-desk-phone", at="#pending-card")
    else:
        shot(page, "committee-sheets-reconcile", at="#sheets-card")

    # A second member confirms, on their own device.
    other = screen()
    sign_in(other, live_server, f"/m/committee/votes/{vid}", "committee_b")
    expect(other.locator("#pending-count")).to_have_text("6")
    if not phone:
        shot(other, "committee-paper-confirm", at="#pending-card")
    other.locator("#pending .confirm").first.click()
    expect(other.locator("#pending-count")).to_have_text("5")
    for b in kit.client.get(f"/api/v1/votes/{vid}/ballots?pending=true", headers=kit.h).get_json():
        assert kit.client.post(f"/api/v1/votes/{vid}/ballots/{b['id']}/confirm", headers=second).status_code == 200
    other.reload()
    expect(other.locator("#pending")).to_contain_text("没有待复核的选票")
    expect(other.locator("#tally-pending")).to_be_hidden()

    # Close: three of six for 专业物业公司 is not a majority, so the item offers a runoff between the two leaders.
    other.click("#close")
    expect(other.locator("#v-status")).to_have_text("已结束")
    runoff = other.locator("form.runoff")
    expect(runoff).to_contain_text("专业物业公司")
    expect(runoff).to_contain_text("社区准物业")
    runoff.locator(".r-opens").fill("2030-01-10T08:00")
    runoff.locator(".r-closes").fill("2030-01-20T18:00")
    runoff.locator(".r-create").click()
    link = runoff.locator(".runoff-link")
    expect(link).to_contain_text("决选")
    if phone:
        reads_on_a_phone(other, "#tally")
    else:
        shot(other, "committee-runoff", at="form.runoff")
    link.click()
    expect(other.locator("#v-status")).to_have_text("草稿")
    expect(other.locator("#v-items")).to_contain_text("专业物业公司")
