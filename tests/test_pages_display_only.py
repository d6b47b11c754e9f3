"""The desk and the mobile pages only display: every threshold result and every name comes from the API.

The scripts are read as text: no threshold arithmetic on owners or area, no table of option, status, matter or
channel names, no flat or building label put together by hand. The rendered pages carry no inline script, so the
two scripts are all the logic a page has. Then, over HTTP, every option the pages read is given with its label.
"""

import re
from pathlib import Path

import pytest

from backend.names import CHANNEL_NAMES, MATTER_NAMES, OPTION_LABELS, RULE_NAMES, VOTE_STATUS_NAMES
from tests.test_votes_kit import item

ROOT = Path(__file__).resolve().parent.parent
# One script per audience: residents and committees (residents/static), the notice desk, and officials.
SCRIPTS = (
    "residents/static/desk.js",
    "residents/static/m.js",
    "notices/static/committee.js",
    "reports/static/official.js",
)
ARITHMETIC = [
    (r"\*\s*100\b", "an area turned into hundredths"),
    (r"\b[234]\s*\*", "a count scaled for a 2/3, 3/4 or 1/2 comparison"),
    (r"\*\s*[234]\b", "a count scaled for a 2/3, 3/4 or 1/2 comparison"),
    (r"Number\([^)]*area", "an area string turned into a float"),
    (r"\.(owners|area)\)?\s*[<>]=?\s*[\w(]|[<>]=?\s*[\w.(]*\.(owners|area)\b", "owners or area compared"),
    (
        r"\w_fen\s*[-+*/]\s*[\w(]|[\w)\]]\s*[-+*/]\s*[\w.]*_fen\b",
        "money added or subtracted (the API sends the figure)",
    ),
    (
        r"\.kind\s*[!=]==\s*\"(reversal|payment|deposit|arrival|use)\"",
        "an entry's sign or reversibility decided by its kind",
    ),
    (r"号楼", "a building or flat label built by hand"),
    (r"\b(OPTION_NAMES|STATUS_NAMES|optionName|statusName|scopeText|intCents)\b", "a local name table or rule"),
]
NAMES = {
    *OPTION_LABELS.values(),
    *VOTE_STATUS_NAMES.values(),
    *MATTER_NAMES.values(),
    *CHANNEL_NAMES.values(),
    *RULE_NAMES.values(),
    "全小区",
    "专业物业",
    "业主自治管理",
}
PAGES = [
    "/m/home",
    "/m/vote/1",
    "/m/results/1",
    "/m/bind",
    "/m/proxy",
    "/m/signin",
    "/m/committee/votes",
    "/m/committee/votes/new",
    "/m/committee/votes/1",
    "/m/committee/votes/1/paper",
    "/m/committee/votes/1/chasing",
    "/m/committee",
    "/m/committee/fees",
    "/m/official",
    "/m/department",
    "/m/contractor",
    "/m/committee/projects",
]


def source(name):
    text = (ROOT / name).read_text(encoding="utf-8")
    return re.sub(r"/\*.*?\*/|(?<![:\\])//[^\n]*", "", text, flags=re.S)  # comments may explain the rules


@pytest.mark.parametrize("name", SCRIPTS)
def test_scripts_hold_no_threshold_arithmetic(name):
    code = source(name)
    found = [(why, m.group(0)) for pattern, why in ARITHMETIC for m in re.finditer(pattern, code)]
    assert not found, found


@pytest.mark.parametrize("name", SCRIPTS)
def test_scripts_hold_no_name_tables(name):
    literals = set(re.findall(r'"([^"\\\n]*)"', source(name))) | set(re.findall(r"'([^'\\\n]*)'", source(name)))
    assert not literals & NAMES, sorted(literals & NAMES)


def test_the_checks_catch_what_the_desk_used_to_do():
    old = (
        "var ok = [4 * y.owners >= 3 * p.owners, y.area * 2 > p.area];"
        " rows.push(intCents(p.area) >= Number(e.area) * 100);"
        ' var OPTION_NAMES = {agree: "同意"}; scope.building + "号楼"; yuan(s.pledged_fen - s.paid_fen);'
        ' var sign = p.kind === "reversal" ? -1 : 1;'
    )
    assert all(re.search(pattern, old) for pattern, _ in ARITHMETIC)
    assert "同意" in set(re.findall(r'"([^"]*)"', old)) & NAMES


@pytest.mark.parametrize("path", PAGES)
def test_pages_run_only_the_scanned_scripts(client, path):
    html = client.get(path).get_data(as_text=True)
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts and all(not body.strip() for _, body in scripts), "inline script"
    sources = {re.search(r'src="([^"]+)"', attrs).group(1).rsplit("/", 1)[1] for attrs, _ in scripts}
    assert sources <= {name.rsplit("/", 1)[1] for name in SCRIPTS}, sources


def test_create_page_names_the_ready_made_options_from_the_table(client):
    html = client.get("/m/committee/votes/new").get_data(as_text=True)
    assert "同意 / 反对 / 弃权" in html and "专业物业公司 / 社区准物业 / 业主自治" in html
    assert 'data-options="[&#34;professional&#34;, &#34;quasi&#34;, &#34;self_managed&#34;]"' in html


# --- every option the pages show comes with its label -------------------------------------------------------

MODELS = ["professional", "quasi", "self_managed"]
LABELS = {**OPTION_LABELS, "north": "楼北侧", "south": "south", "东侧": "东侧"}


def labelled(options, labels):
    assert set(labels) == set(options) and all(labels[o] == LABELS[o] for o in options), labels


def test_every_option_read_by_a_page_carries_its_label(kit, make, client):
    """Vote detail (staff and resident), lists, tally (options and checks), ballots, result: codes with labels."""
    units = make.units(kit.compound, 3)
    vote = kit.vote(
        [
            item("rebuild"),
            item("property_manager", "管理模式", MODELS),
            item("consultation", "井道", [{"code": "north", "label": "楼北侧"}, "south", "东侧"]),
        ]
    )
    kit.cast(vote, units[:2], None)
    first, models, where = vote["items"]
    choices = {str(first["id"]): "agree", str(models["id"]): "quasi", str(where["id"]): "north"}
    assert kit.paper(vote, units[2], choices=choices).status_code == 201
    resident = make.resident(units[0])
    shown = [
        client.get(f"/api/v1/votes/{vote['id']}", headers=kit.h).get_json(),
        client.get(f"/api/v1/votes/{vote['id']}", headers=make.headers(resident)).get_json(),
        client.get("/api/v1/my/votes", headers=make.headers(resident)).get_json()[0],
        client.get("/api/v1/votes", headers=kit.h).get_json()[0],
    ]
    for v in shown:
        for i in v["items"]:
            labelled(i["options"], i["option_labels"])
    assert where["options"] == ["north", "south", "东侧", "abstain"]

    tally = kit.tally(vote)
    for t in tally["items"]:
        labelled(t["option_order"], {o: f["label"] for o, f in t["options"].items()})
        assert all(c["label"].startswith(("参与", *LABELS.values())) for c in t["checks"])
    assert [c["label"] for c in tally["items"][1]["checks"]][2:] == ["社区准物业（人数）", "社区准物业（面积）"]
    assert "社区准物业" in tally["items"][1]["explanation"] and "quasi" not in tally["items"][1]["explanation"]
    assert "楼北侧1人" in tally["items"][2]["explanation"]

    ballots = client.get(f"/api/v1/votes/{vote['id']}/ballots", headers=kit.h).get_json()
    [ballot] = [b for b in ballots if b["unit_id"] == units[2].id]
    assert ballot["choice_labels"] == {
        str(first["id"]): "同意",
        str(models["id"]): "社区准物业",
        str(where["id"]): "楼北侧",
    }
    assert ballot["channel_name"] == "纸质"

    kit.post(vote, "close")
    result = kit.post(vote, "announce").get_json()
    for t in result["items"]:
        labelled(t["option_order"], {o: f["label"] for o, f in t["options"].items()})
    assert result["scope_text"] == "全体业主" and result["status_name"] == "已公布结果"


@pytest.mark.parametrize(
    "options,error",
    [
        (["agree", "agree"], "选项不能重复"),
        (["agree", {"code": "agree", "label": "赞成"}], "选项不能重复"),
        (["disagree", "弃权"], "至少需要一个可以获得通过的选项"),
        ([{"label": "没有代码"}, "agree"], "选项应为"),
        ([{"code": "a", "label": "甲", "extra": 1}, "agree"], "选项应为"),
        ([{"code": "", "label": "甲"}, "agree"], "选项应为"),
        ([7, "agree"], "选项应为"),
        (["x" * 51, "agree"], "选项应为"),
    ],
)
def test_options_given_badly_are_refused(kit, options, error):
    r = kit.create([item("consultation", "征询", options)])
    assert r.status_code == 422 and error in str(r.get_json()["errors"]), r.get_json()


def test_typed_built_in_names_are_the_built_in_options(kit, make):
    """Typing 同意 / 反对 / 弃权 gives the built-in options: 反对 can never win, and abstain is not doubled."""
    make.units(kit.compound, 2)
    vote = kit.vote([item("fund_use", "使用维修资金", ["同意", "反对", "弃权"])])
    assert vote["items"][0]["options"] == ["agree", "disagree", "abstain"]
