"""The three Art. 278 thresholds as integers: the boundaries, and the shortfall the chasing page prints."""

import pytest

from votes.tally import OVER_HALF, THREE_FOURTHS, TWO_THIRDS, consent_rule


@pytest.mark.parametrize(
    "threshold,part,whole,met",
    [
        (TWO_THIRDS, 2, 3, True),
        (TWO_THIRDS, 1, 3, False),
        (TWO_THIRDS, 20000, 30001, False),
        (TWO_THIRDS, 20001, 30001, True),
        (THREE_FOURTHS, 3, 4, True),
        (THREE_FOURTHS, 24000, 32001, False),
        (THREE_FOURTHS, 62, 80, True),
        (THREE_FOURTHS, 510000, 690000, False),
        (OVER_HALF, 1, 2, False),
        (OVER_HALF, 2, 3, True),
        (OVER_HALF, 15000, 55000, False),
        (TWO_THIRDS, 0, 0, False),
        (OVER_HALF, 0, 0, False),  # nothing of nothing: no participants, no consent
    ],
)
def test_boundaries(threshold, part, whole, met):
    assert threshold.met(part, whole) is met


@pytest.mark.parametrize("threshold", [TWO_THIRDS, THREE_FOURTHS, OVER_HALF])
def test_shortfall_is_the_fewest_more_that_meet_it(threshold):
    for whole in range(1, 40):
        for part in range(whole + 1):
            short = threshold.shortfall(part, whole)
            assert threshold.met(part + short, whole)
            assert short == 0 or not threshold.met(part + short - 1, whole)


def test_matters_choose_their_consent_rule():
    assert consent_rule("rebuild") is THREE_FOURTHS and consent_rule("fund_raising") is THREE_FOURTHS
    assert consent_rule("property_manager") is OVER_HALF and consent_rule("consultation") is None
