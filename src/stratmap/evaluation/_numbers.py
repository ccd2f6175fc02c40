"""The evaluation's exact arithmetic: declared rounding, published factors, readable forms."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Context, Decimal

from stratmap.evaluation._measures import DERIVED_PLACES, plain
from stratmap.model.types import Rounding

_MODES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN, "down": ROUND_DOWN, "up": ROUND_UP}
HUNDRED = Decimal(100)


#: Room for any quantize of the bounded values the evaluation handles (no InvalidOperation).
WIDE = Context(prec=80)


def quantize(x: Decimal, rounding: Rounding) -> Decimal:
    """``x`` at the declared places and mode (half up unless the model says otherwise); never
    ``-0.00``: a value that rounds to zero is zero."""
    out = x.quantize(Decimal(1).scaleb(-rounding.places), rounding=_MODES[rounding.mode], context=WIDE)
    return out.copy_abs() if out.is_zero() else out


def kept_at(x: Decimal, rounding: Rounding) -> Decimal:
    """``x`` as an item figure is kept: published (point: line), or at the working places
    without trailing zeros (point: total: 12.5, not 12.5000000000, and never 0E-10)."""
    out = quantize(x, rounding)
    return out if rounding.point == "line" else plain(out)


def item_rounding(score: Rounding) -> Rounding:
    """How item scores and contributions are kept: at the score's places under ``point: line``;
    under ``point: total`` at the working places (10), so that only the total is rounded."""
    return score if score.point == "line" else Rounding(DERIVED_PLACES, score.mode, "total")


#: Bonus factors are published at this many places, rounded half up.
FACTOR_PLACES = 4


def publish_factor(x: Decimal) -> Decimal:
    """A bonus factor as published: 4 places, half up, without trailing zeros (never -0)."""
    out = x.quantize(Decimal(1).scaleb(-FACTOR_PLACES), rounding=ROUND_HALF_UP, context=WIDE)
    return trim(out.copy_abs() if out.is_zero() else out)


def trim(x: Decimal) -> Decimal:
    """A readable exact-ish form for explanations (28 digits at most, no exponent noise)."""
    if x == x.to_integral_value():
        return x.quantize(Decimal(1), context=WIDE)
    return x.normalize(WIDE)
