"""A tally in Chinese, in one place: the paragraph a committee pastes into the result notice, and how each
threshold check reads on the desk (its name, the rule, the figures). Everything here is worded from the
``votes.tally`` dataclasses; nothing is decided here."""

from decimal import ROUND_HALF_UP, Decimal

from backend.names import rule_name

from .models import cents_str
from .tally import TWO_THIRDS

MEASURES = {"owners": "人数", "area": "面积"}


def percent(n, d):
    return f"{(Decimal(100 * n) / Decimal(d)).quantize(Decimal('0.01'), ROUND_HALF_UP) if d else Decimal('0.00')}%"


# --- one check ----------------------------------------------------------------------------------------------


def check_label(check):
    """ "参与人数", "参与面积", "同意（人数）", "专业物业公司（面积）"."""
    what = MEASURES[check.measure]
    return f"参与{what}" if check.kind == "participation" else f"{check.option_label}（{what}）"


def check_rule(check):
    return rule_name(check.threshold.code)


def check_value(check):
    """The figures compared: "2 / 6 人", "160.00 / 480.00 ㎡"."""
    if check.measure == "owners":
        return f"{check.part} / {check.whole} 人"
    return f"{cents_str(check.part)} / {cents_str(check.whole)} ㎡"


# --- one item -----------------------------------------------------------------------------------------------


def explanation(item):
    """Each threshold with its figures, then the verdict."""
    share = item.participation
    e, p = share.of, share.figures
    parts = [
        f"应参与表决业主{e.owners}人、专有部分面积{cents_str(e.area)}平方米；"
        f"参与表决{p.owners}人（{percent(p.owners, e.owners)}）、{cents_str(p.area)}平方米"
        f"（{percent(p.area, e.area)}），"
    ]
    two_thirds = rule_name(TWO_THIRDS.code)
    if share.met:
        parts.append(f"人数和面积均达到{two_thirds}，参与表决条件已满足。")
    else:
        short = [MEASURES[c.measure] for c in (share.by_head, share.by_area) if not c.met]
        parts.append(f"{'和'.join(short)}未达到{two_thirds}，参与表决条件不满足，本事项不能形成决定。")
    if item.consultation:
        shares = "；".join(f"{o.label}{o.owners}人（{percent(o.owners, p.owners)}）" for o in item.options)
        return "".join(parts) + f"本事项为意见征询，仅统计各选项占比：{shares}。"
    need = rule_name(item.rule.code)
    shown = item.shown
    if shown:
        reached = lambda check: "达到" if check.met else "未达到"  # noqa: E731
        parts.append(
            f"{shown.label}{shown.owners}人（占参与人数{percent(shown.owners, p.owners)}，"
            f"按人数{reached(shown.by_head)}{need}）、{cents_str(shown.area)}平方米"
            f"（占参与面积{percent(shown.area, p.area)}，按面积{reached(shown.by_area)}{need}）。"
        )
    return "".join(parts) + verdict(item)


def verdict(item):
    if item.winner:
        return "本事项表决通过。" if item.winner == "agree" else f"“{item.option(item.winner).label}”获得通过。"
    runoff = item.runoff
    if runoff and "agree" not in item.codes:
        first, second = (item.option(code).label for code in runoff)
        return f"没有选项达到要求，本事项未形成决定；可在得票前两位的“{first}”与“{second}”之间另行组织决选。"
    return "本事项表决未通过。"
