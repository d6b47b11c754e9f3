"""The Art. 278 rules as pure functions, table by table, at every boundary (DOMAIN.md §2).

Owners are heads, area is in hundredths of m²: every comparison is on integers, so a figure one hundredth short
of a threshold must fail it. The HTTP tests (test_tally.py) show the same rules through a whole vote.
"""

from collections import namedtuple

import pytest

from votes.tally import consent_checks, participation_met, ranked_candidates

F = namedtuple("F", "owners area")  # what the rules read: a headcount and an area in hundredths

# DOMAIN.md §2's table, written out here so the code's grouping is checked against the spec, not against itself.
THREE_QUARTER_MATTERS = ["fund_raising", "rebuild", "common_use_change"]
MAJORITY_MATTERS = [
    "rules_of_procedure",
    "management_statute",
    "committee_election",
    "property_manager",
    "fund_use",
    "other_major",
]

# The worked example: 120 units, 9,600.00 m²; a developer holds 5 units (600 m²), owner A 3 units (270 m²).
EXAMPLE_ELECTORATE = F(120 - 5 - 3 + 1 + 1, 960000)
EXAMPLE_TURNOUT = F(80, 690000)
EXAMPLE_AGREE = F(62, 510000)


def test_worked_example_headcount():
    assert EXAMPLE_ELECTORATE.owners == 114


@pytest.mark.parametrize(
    "turnout,electorate,met",
    [
        (EXAMPLE_TURNOUT, EXAMPLE_ELECTORATE, True),  # 80 ≥ 76 and 6,900 ≥ 6,400
        (F(76, 640000), EXAMPLE_ELECTORATE, True),  # exactly 2/3 of heads and of area: "以上" includes it
        (F(76, 639999), EXAMPLE_ELECTORATE, False),  # one hundredth of a m² short
        (F(75, 960000), EXAMPLE_ELECTORATE, False),  # one head short, whatever the area
        (F(114, 639999), EXAMPLE_ELECTORATE, False),  # every head, not enough area
        (F(7, 66667), F(10, 100000), True),  # 2/3 of 10 heads is 6.67: 7 is enough…
        (F(6, 100000), F(10, 100000), False),  # …6 is not
        (F(7, 66666), F(10, 100000), False),  # 2/3 of 1,000.00 m² is 666.666…: 666.66 falls short
        (F(0, 0), F(0, 0), False),  # nothing of nothing decides nothing (and publishing refuses an empty electorate)
    ],
)
def test_participation_needs_two_thirds_of_heads_and_of_area(turnout, electorate, met):
    assert participation_met(turnout, electorate) is met


def test_abstaining_owners_count_as_participating():
    """Participation is every owner who returned a ballot, abstainers included; consent counts only agreement."""
    agree, disagree, abstain = F(1, 10000), F(0, 0), F(1, 10000)
    turnout = F(agree.owners + disagree.owners + abstain.owners, agree.area + disagree.area + abstain.area)
    assert participation_met(turnout, F(3, 30000)) is True  # 2 of 3 owners only with the abstainer
    assert participation_met(agree, F(3, 30000)) is False
    assert consent_checks("property_manager", agree, turnout) == (False, False)  # 1 of 2 is not over half


@pytest.mark.parametrize("matter", THREE_QUARTER_MATTERS)
@pytest.mark.parametrize(
    "agree,by_head,by_area",
    [
        (F(60, 517500), True, True),  # exactly 3/4 of 80 heads and of 6,900.00 m²: "以上" includes it
        (F(60, 517499), True, False),  # one hundredth short by area
        (F(59, 517500), False, True),  # one head short
        (EXAMPLE_AGREE, True, False),  # the worked example: 62 ≥ 60, but 5,100 < 5,175, so raising the fund fails
        (F(80, 690000), True, True),  # unanimous
        (F(0, 0), False, False),
    ],
)
def test_three_quarter_matters(matter, agree, by_head, by_area):
    assert consent_checks(matter, agree, EXAMPLE_TURNOUT) == (by_head, by_area)


@pytest.mark.parametrize("matter", MAJORITY_MATTERS)
@pytest.mark.parametrize(
    "agree,by_head,by_area",
    [
        (F(40, 345000), False, False),  # exactly half: "过半数" means more than half
        (F(41, 345001), True, True),  # one head more, one hundredth more
        (F(41, 345000), True, False),
        (F(40, 345001), False, True),
        (EXAMPLE_AGREE, True, True),  # the worked example: 62 > 40 and 5,100 > 3,450, hiring a manager passes
        (F(0, 0), False, False),
    ],
)
def test_majority_matters(matter, agree, by_head, by_area):
    assert consent_checks(matter, agree, EXAMPLE_TURNOUT) == (by_head, by_area)


@pytest.mark.parametrize(
    "turnout,agree,majority,three_quarters",
    [
        (F(3, 301), F(2, 201), (True, True), (False, False)),  # 2/3 is over half but under 3/4
        (F(4, 400), F(3, 300), (True, True), (True, True)),  # 3/4 exactly, both rules
        (F(1, 1), F(1, 1), (True, True), (True, True)),  # a single participant who agrees
    ],
)
def test_same_ballots_under_both_rules(turnout, agree, majority, three_quarters):
    assert consent_checks("property_manager", agree, turnout) == majority
    assert consent_checks("rebuild", agree, turnout) == three_quarters


MODELS = ["professional", "quasi", "self_managed", "abstain"]


@pytest.mark.parametrize(
    "options,counts,ranked",
    [
        # more consenting heads first, whatever the area
        (
            MODELS,
            {"professional": F(30, 900000), "quasi": F(31, 100), "self_managed": F(5, 500)},
            ["quasi", "professional", "self_managed"],
        ),
        # equal heads: more area first
        (
            MODELS,
            {"professional": F(30, 100), "quasi": F(30, 101), "self_managed": F(30, 99)},
            ["quasi", "professional", "self_managed"],
        ),
        # equal heads and area: the order on the ballot decides, both ways round
        (MODELS, {"professional": F(30, 100), "quasi": F(30, 100)}, ["professional", "quasi", "self_managed"]),
        (
            ["quasi", "professional", "abstain"],
            {"professional": F(30, 100), "quasi": F(30, 100)},
            ["quasi", "professional"],
        ),
        # an option nobody chose still ranks, last; abstain never does, however many abstained
        (MODELS, {"self_managed": F(2, 200), "abstain": F(90, 9000)}, ["self_managed", "professional", "quasi"]),
        # disagree and abstain never win, even when they lead
        (
            ["agree", "disagree", "abstain"],
            {"agree": F(1, 100), "disagree": F(50, 5000), "abstain": F(9, 900)},
            ["agree"],
        ),
    ],
)
def test_runoff_ranking(options, counts, ranked):
    assert ranked_candidates(options, counts) == ranked
