"""The numbers stratmap computes on exactly: one bound for strategy files, data and formulas.

Scores and money are exact decimals. Both evaluation paths (Decimal, and fixed point over
binary64) are exact for numbers below 1e15 with at most 12 decimal places; anything beyond
is refused where it is written, with the limit, instead of overflowing or rounding later.
"""

from __future__ import annotations

from decimal import Decimal

#: Numbers stay below this magnitude: exact in both evaluation paths.
MAX_NUMBER = Decimal("1e15")
#: ... and carry at most this many decimal places (trailing zeros aside).
MAX_PLACES = 12


def number_problem(number: Decimal) -> str | None:
    """Why ``number`` cannot be computed on exactly (None when it can).

    Never computes with ``number`` itself, so no size of exponent or count of digits can
    overflow or exhaust anything: only its digits and exponent are read.
    """
    if not number.is_finite():
        return "the number is not finite"
    _sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    significant = len(digits)
    while significant > 1 and digits[significant - 1] == 0:  # trailing zeros carry nothing
        significant -= 1
        exponent += 1
    if digits == (0,) or (significant == 1 and digits[0] == 0):
        return None
    if significant + exponent > MAX_NUMBER.adjusted():  # |number| >= 1e15
        return "the number is beyond ±1e15 (check the unit)"
    if -exponent > MAX_PLACES:
        return f"the number has more than {MAX_PLACES} decimal places; round it to at most {MAX_PLACES}"
    return None
