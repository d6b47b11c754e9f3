"""The money rules every feature shares (backend/money.py): exact sharing, half-up rounding, yuan from text."""

import random
from decimal import Decimal
from fractions import Fraction

import pytest

from backend.money import MoneyError, allocate, half_up, parse_yuan, yuan_display, yuan_text


def reference(total, weights):
    """Largest remainder written out the long way, to check ``allocate`` against."""
    whole = sum(Fraction(w) for _, w in weights)
    exact = [(k, total * Fraction(w) / whole) for k, w in weights]
    floors = {k: int(x) for k, x in exact}
    left = total - sum(floors.values())
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i][1] - floors[exact[i][0]]), i))
    for i in order[:left]:
        floors[exact[i][0]] += 1
    return floors


def test_three_equal_shares_of_100000_yuan():
    assert allocate(10_000_000, [("a", 1), ("b", 1), ("c", 1)]) == {"a": 3_333_334, "b": 3_333_333, "c": 3_333_333}


def test_random_areas_always_sum_exactly():
    rng = random.Random(278)
    for _ in range(1000):
        n = rng.randint(1, 40)
        weights = [(i, Decimal(rng.randint(1500, 25000)) / 100) for i in range(n)]
        total = rng.randint(0, 100_000_000)
        shares = allocate(total, weights)
        assert sum(shares.values()) == total
        assert shares == reference(total, weights)


def test_zero_weights_pay_nothing_and_all_zero_is_refused():
    assert allocate(101, [("a", 0), ("b", 1), ("c", 1)]) == {"a": 0, "b": 51, "c": 50}
    with pytest.raises(ValueError):
        allocate(100, [("a", 0)])


def test_half_up():
    assert half_up(Fraction(5, 2)) == 3 and half_up(Fraction(49, 20)) == 2 and half_up(Decimal("8625.00")) == 8625
    assert half_up(3000 * Decimal("86.50")) == 259500


@pytest.mark.parametrize(
    ("text", "fen"),
    [("0.10", 10), ("0.2", 20), ("12", 1200), ("1,234.56", 123456), ("¥8.00", 800), ("99元", 9900), (" 3.5 ", 350)],
)
def test_yuan_text_to_fen(text, fen):
    assert parse_yuan(text) == fen


@pytest.mark.parametrize("text", ["", "-1", "1.234", "1e3", "abc", "0", "0.00", 1.5, True, None])
def test_bad_yuan_refused(text):
    with pytest.raises(MoneyError):
        parse_yuan(text)


def test_tenth_plus_fifth_is_thirty_fen():
    assert parse_yuan("0.10") + parse_yuan("0.20") == 30  # the float sum would be 0.30000000000000004


def test_display():
    assert yuan_text(123456) == "1234.56" and yuan_text(-5) == "-0.05"
    assert yuan_display(8823529) == "¥88,235.29"
