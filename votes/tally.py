"""Counting owner decisions exactly as DOMAIN.md §2 says (Civil Code art. 278, SPC interpretation art. 9).

One GROUP BY over the standing, confirmed ballots joined to the frozen electorate gives, per item and option,
the distinct owners the ballots count for (same-owner units collapse; a unit sold mid-vote counts for its buyer) and the exact area in hundredths. Every ballot answers every
item and one owner's ballots agree, so each participating owner sits in exactly one option of each item: the
participation of an item is the sum over its options. Decisions compare integers only.
"""
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from backend.extensions import db

from .models import NEVER_WIN, THREE_QUARTERS, Ballot, BallotChoice, Vote, VoteUnit, cents_str

OPTION_NAMES = {"agree": "同意", "disagree": "反对", "abstain": "弃权", "professional": "专业物业",
                "quasi": "社区准物业", "self_managed": "业主自治"}
FOUR_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class Figures:
    owners: int = 0
    area: int = 0  # hundredths of m²

    def __add__(self, other):
        return Figures(self.owners + other.owners, self.area + other.area)


def counted_ballots():
    """The ballots a tally counts: not superseded by a correction, and confirmed where confirmation is due."""
    return (Ballot.superseded_at.is_(None), Ballot.confirmed_at.is_not(None))


def aggregate_stmt(vote_ids):
    return (select(Ballot.vote_id, BallotChoice.item_id, BallotChoice.option,
                   func.count(func.distinct(Ballot.owner_id)), func.sum(VoteUnit.area_cents))
            .join(Ballot, Ballot.id == BallotChoice.ballot_id)
            .join(VoteUnit, (VoteUnit.vote_id == Ballot.vote_id) & (VoteUnit.unit_id == Ballot.unit_id))
            .where(Ballot.vote_id.in_(vote_ids), *counted_ballots())
            .group_by(Ballot.vote_id, BallotChoice.item_id, BallotChoice.option))


def option_figures(vote_ids):
    """{item_id: {option: Figures}} for the given votes, in one query."""
    found = defaultdict(dict)
    for _vote_id, item_id, option, owners, area in db.session.execute(aggregate_stmt(vote_ids)):
        found[item_id][option] = Figures(int(owners), int(area or 0))
    return found


# --- the rules, on integers ---------------------------------------------------------------------------------

def participation_met(p, electorate):
    return 3 * p.area >= 2 * electorate.area and 3 * p.owners >= 2 * electorate.owners


def consent_checks(matter, y, p):
    """(by head, by area) for consent ``y`` among participants ``p``: 3/4 inclusive, or strictly over 1/2."""
    if matter in THREE_QUARTERS:
        return 4 * y.owners >= 3 * p.owners, 4 * y.area >= 3 * p.area
    return 2 * y.owners > p.owners, 2 * y.area > p.area


def ranked_candidates(options, counts):
    """Options that can win, ranked for a runoff: consenting headcount, then area, then ballot order."""
    order = [o for o in options if o not in NEVER_WIN]
    return sorted(order, key=lambda o: (-counts.get(o, Figures()).owners, -counts.get(o, Figures()).area,
                                        order.index(o)))


def ratio(n, d):
    """Display only: 4 places, half up."""
    return float((Decimal(n) / Decimal(d)).quantize(FOUR_PLACES, ROUND_HALF_UP)) if d else 0.0


def percent(n, d):
    return f"{(Decimal(100 * n) / Decimal(d)).quantize(Decimal('0.01'), ROUND_HALF_UP) if d else Decimal('0.00')}%"


def option_name(option):
    return OPTION_NAMES.get(option, option)


# --- one item ---------------------------------------------------------------------------------------------

def participants(item, counts):
    return sum((counts.get(o, Figures()) for o in item.options), Figures())


def tally_item(item, electorate, counts):
    options = item.options
    p = participants(item, counts)
    met = participation_met(p, electorate)
    consultation = item.matter == "consultation"
    ranked = ranked_candidates(options, counts)
    winner = None
    if met and not consultation:
        winner = next((o for o in ranked if all(consent_checks(item.matter, counts.get(o, Figures()), p))), None)
    return {
        "item_id": item.id, "title": item.title, "matter": item.matter,
        "rule": {"participation": "2/3",
                 "consent": None if consultation else ("3/4" if item.matter in THREE_QUARTERS else ">1/2")},
        "participation": {"owners": p.owners, "area": cents_str(p.area), "owners_ratio": ratio(p.owners, electorate.owners),
                          "area_ratio": ratio(p.area, electorate.area), "met": met},
        "options": {o: {"owners": f.owners, "area": cents_str(f.area), "owners_ratio": ratio(f.owners, p.owners),
                        "area_ratio": ratio(f.area, p.area)} for o in options for f in [counts.get(o, Figures())]},
        "passed": None if consultation else winner is not None,
        "winner": winner,
        "leading": ranked[0] if ranked else None,
        "runoff": ranked[:2] if not consultation and winner is None and len(ranked) >= 2 else None,
        "explanation": explain(item, electorate, p, met, counts, ranked, winner),
    }


def explain(item, e, p, met, counts, ranked, winner):
    """The Chinese paragraph a committee pastes into the result notice: each threshold with its figures."""
    parts = [f"应参与表决业主{e.owners}人、专有部分面积{cents_str(e.area)}平方米；"
             f"参与表决{p.owners}人（{percent(p.owners, e.owners)}）、{cents_str(p.area)}平方米（{percent(p.area, e.area)}），"]
    if met:
        parts.append("人数和面积均达到三分之二以上，参与表决条件已满足。")
    else:
        short = [what for what, ok in (("人数", 3 * p.owners >= 2 * e.owners), ("面积", 3 * p.area >= 2 * e.area))
                 if not ok]
        parts.append(f"{'和'.join(short)}未达到三分之二，参与表决条件不满足，本事项不能形成决定。")
    if item.matter == "consultation":
        shares = "；".join(f"{option_name(o)}{counts.get(o, Figures()).owners}人（{percent(counts.get(o, Figures()).owners, p.owners)}）"
                          for o in item.options)
        return "".join(parts) + f"本事项为意见征询，仅统计各选项占比：{shares}。"
    need = "四分之三以上" if item.matter in THREE_QUARTERS else "过半数"
    shown = [winner] if winner else ranked[:1]
    for o in shown:
        y = counts.get(o, Figures())
        by_head, by_area = consent_checks(item.matter, y, p)
        parts.append(f"{option_name(o)}{y.owners}人（占参与人数{percent(y.owners, p.owners)}，按人数{'达到' if by_head else '未达到'}{need}）、"
                     f"{cents_str(y.area)}平方米（占参与面积{percent(y.area, p.area)}，按面积{'达到' if by_area else '未达到'}{need}）。")
    if winner:
        verdict = "本事项表决通过。" if winner == "agree" else f"“{option_name(winner)}”获得通过。"
    elif len(ranked) >= 2 and "agree" not in item.options:
        verdict = (f"没有选项达到要求，本事项未形成决定；可在得票前两位的“{option_name(ranked[0])}”"
                   f"与“{option_name(ranked[1])}”之间另行组织决选。")
    else:
        verdict = "本事项表决未通过。"
    return "".join(parts) + verdict


# --- whole votes ------------------------------------------------------------------------------------------

def electorate_of(vote):
    return Figures(vote.electorate_owners, vote.electorate_area_cents)


def tally_votes(votes):
    """{vote_id: tally} for several votes (loaded with their items) in one aggregate query."""
    figures = option_figures([v.id for v in votes]) if votes else {}
    return {v.id: {"vote_id": v.id, "status": v.status_at(), "electorate": v.electorate, "warnings": v.warnings,
                   "items": [tally_item(i, electorate_of(v), figures.get(i.id, {})) for i in v.items]}
            for v in votes}


def tally(vote):
    return tally_votes([vote])[vote.id]


def load_votes(stmt):
    return db.session.scalars(stmt.options(selectinload(Vote.items))).all()
