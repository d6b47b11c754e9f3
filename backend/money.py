"""Money, exactly: integer fen everywhere, yuan only as text typed by people or shown to them.

One place for the three rules every money feature shares (DOMAIN.md §3, §4, §7):
- ``allocate``: a total shared by weights, each share rounded down to the fen, the leftover fen one each to the
  largest remainders (ties in the order given: unit order), so the shares always add up exactly;
- ``half_up``: rate × area rounded half up to the fen (dues, fees);
- ``parse_yuan``: "1,234.5" → 123450 fen, from text only, never through a float.
"""

import re
from decimal import Decimal
from fractions import Fraction

YUAN = re.compile(r"^(\d{1,12})(?:\.(\d{1,2}))?$")


class MoneyError(ValueError):
    """Text that is not an amount of yuan with at most two decimals; the message is Chinese, for people."""


def parse_yuan(text, *, allow_zero=False):
    """'12', '12.5', '12.50', '1,234.56', '¥8.00' → fen as an int. Negative, three decimals, '1e3' → MoneyError."""
    if isinstance(text, bool) or not isinstance(text, str | int | Decimal):
        raise MoneyError("金额须写成数字，如 1234.56")  # a float has already lost the fen
    cleaned = str(text).strip().replace(",", "").replace("，", "").lstrip("¥￥").strip()
    if cleaned.endswith("元"):
        cleaned = cleaned[:-1].strip()
    match = YUAN.match(cleaned)
    if not match:
        raise MoneyError(f"金额“{text}”不是以元为单位、最多两位小数的数字")
    fen = int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))
    if fen == 0 and not allow_zero:
        raise MoneyError("金额须大于 0")
    return fen


def yuan_text(fen):
    """12345 → '123.45' (no grouping, no symbol): for inputs and CSV cells that people retype."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def yuan_display(fen):
    """12345678 → '¥123,456.78': for pages, letters and PDFs."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}¥{fen // 100:,}.{fen % 100:02d}"


def yuan_decimal(fen):
    """The amount in yuan as an exact Decimal: what a spreadsheet cell gets (formatted as yuan there)."""
    return Decimal(fen).scaleb(-2)


def half_up(value):
    """A non-negative exact amount of fen (Fraction, Decimal or int) rounded half up to a whole fen."""
    value = Fraction(value)
    if value < 0:
        raise ValueError("half_up takes amounts ≥ 0")
    return int(value + Fraction(1, 2))  # int() truncates toward zero, which is floor for values ≥ 0


def allocate(total_fen, weights):
    """Share ``total_fen`` over ``weights`` (a list of (key, weight) in unit order; weights exact, ≥ 0).

    Returns {key: fen}. share_i = total × w_i / Σw rounded down, then the leftover fen go one each to the largest
    remainders, ties to the earlier key in the given order (DOMAIN.md §3). A zero weight gets 0. Raises
    ValueError when every weight is zero and there is something to share.
    """
    weights = [(key, Fraction(w)) for key, w in weights]
    if any(w < 0 for _, w in weights):
        raise ValueError("weights must be ≥ 0")
    if total_fen < 0:
        raise ValueError("total must be ≥ 0")
    whole = sum(w for _, w in weights)
    if whole == 0:
        if total_fen == 0:
            return {key: 0 for key, _ in weights}
        raise ValueError("every weight is zero")
    shares, remainders = {}, []
    for position, (key, w) in enumerate(weights):
        exact = total_fen * w / whole
        shares[key] = exact.numerator // exact.denominator
        remainders.append((-(exact - shares[key]), position, key))
    left = total_fen - sum(shares.values())
    for _, _, key in sorted(remainders)[:left]:
        shares[key] += 1
    return shares
