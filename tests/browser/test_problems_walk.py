"""Construction problems on a 375×812 phone: a resident sees the project's timeline on 我的小区 and reports a problem
with a photo (its EXIF location stripped by the server); the committee reads it on its projects desk, with the
photo shown behind its token, answers it and closes it; the resident reads the answer."""

import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips or fails with the reason
    expect = None

from tests.browser.test_accessibility import store_tokens
from tests.test_construction_problems import gps_jpeg
from tests.test_projects import ITEMS

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config(tmp_path):
    return {"PHOTO_DIR": str(tmp_path / "photos")}


def test_a_resident_reports_a_problem_and_the_committee_answers(
    live_server, browser, phone, client, kit, make, world, tmp_path
):
    unit = make.units(kit.compound, 1)[0]
    body = {"title": "幸福里小区综合改造", "compound_ids": [kit.compound.id], "items": ITEMS}
    assert client.post("/api/v1/projects", json=body, headers=kit.h).status_code == 201
    photo = tmp_path / "IMG_0001.jpg"
    photo.write_bytes(gps_jpeg((320, 240)))

    store_tokens(phone, live_server, "localStorage", ["gj-access", "gj-refresh"], make.resident(unit))
    phone.goto(f"{live_server}/m/home")
    card = phone.locator("#projects-card")
    expect(card.locator("ol.project-steps li")).to_have_count(8)
    form = card.locator("form.problem-form")
    form.get_by_label("问题描述").fill("夜里十一点还在切割钢筋")
    form.get_by_label("楼栋").fill("3")
    form.get_by_label("类别").select_option(label="噪音")
    form.get_by_label("照片").set_input_files(str(photo))
    form.get_by_role("button", name="提交").click()
    expect(form.locator("p.ok")).to_have_text("已提交，居委会会尽快答复。")
    mine = phone.locator("#my-problems .problem")
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text("待答复")
    expect(mine.locator("img[alt='问题照片1']")).to_have_attribute("src", re.compile(r"^blob:"))
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    desk = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True, locale="zh-CN")
    desk.set_default_timeout(15_000)
    staff = desk.new_page()
    try:
        store_tokens(staff, live_server, "sessionStorage", ["gj-staff", "gj-staff-refresh"], world.users["committee"])
        staff.goto(f"{live_server}/m/committee/projects")
        expect(staff.locator("#pd-projects .project")).to_contain_text("幸福里小区综合改造")
        make.user("builder", "provider")  # the contractor's company account, named its contact here
        project = staff.locator("#pd-projects .project")
        project.get_by_label("施工单位的企业账号").fill("builder")
        project.get_by_label("联系人和电话").fill("王工 13800000000")
        project.get_by_role("button", name="指定联系人").click()
        expect(project).to_contain_text("王工 13800000000（账号 builder），可查看、答复和关闭本项目的问题反映")
        problem = staff.locator("#pd-problems .problem")
        expect(problem).to_contain_text("夜里十一点还在切割钢筋")
        img = problem.locator("img[alt='问题照片1']")
        expect(img).to_have_attribute("src", re.compile(r"^blob:"))
        assert img.evaluate("i => i.complete && i.naturalWidth") == 240  # upright: EXIF orientation applied
        problem.get_by_label("答复居民").fill("已要求施工方22点后停工")
        problem.get_by_role("button", name="答复").click()
        expect(problem).to_contain_text("已答复")
        problem.get_by_role("button", name="关闭").click()
        expect(problem).to_contain_text("已关闭")
        expect(problem.get_by_role("button", name="关闭")).to_have_count(0)
        assert staff.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        desk.close()

    phone.reload()
    expect(phone.locator("#my-problems .problem")).to_contain_text("居委会答复：已要求施工方22点后停工")
    expect(phone.locator("#my-problems .problem")).to_contain_text("已关闭")
