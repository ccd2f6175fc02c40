"""Fixed-point values: a compiled number is ``num / den`` over int64 columns with a bound known
before any row is read; the arithmetic helpers that keep them exact."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

Arr = Any  # an int64 or boolean column, or a Python int / NumPy scalar that broadcasts
#: Every integer a formula computes stays below this (int64 holds 2**63 - 1).
LIMIT = 2**62
#: The decimal path's precision: 28 significant digits.
DIGITS = 10**28
#: Inputs are read at up to this many decimal places.
MAX_PLACES = 6


class Unsupported(Exception):
    """The formula (or these inputs) cannot be evaluated in fixed point: use the binary64 path."""


@dataclass(frozen=True)
class FixedNumber:
    """A compiled number node: ``run(env)`` gives ``(num, missing)``, the value being ``num / den``.

    ``bound(maxima)`` is the largest magnitude any integer in the node (children included)
    can reach, given each input's largest ``num``; ``const`` is the node's value when it
    is a literal (or an expression of literals).
    """

    run: Callable[[FixedEnv], tuple[Arr, Arr]]
    den: int
    bound: Callable[[Mapping[str, int]], int]
    const: Fraction | None = None


@dataclass(frozen=True)
class FixedCondition:
    """A compiled condition node: ``run(env)`` gives ``(value, known)``."""

    run: Callable[[FixedEnv], tuple[Arr, Arr]]
    bound: Callable[[Mapping[str, int]], int]


@dataclass
class FixedEnv:
    numbers: dict[str, tuple[Arr, Arr]]  # name -> (num, missing)
    conditions: dict[str, tuple[Arr, Arr]]


def either(a: Arr, b: Arr) -> Arr:
    if a is None:
        return b
    if b is None:
        return a
    return a | b


def fixed_number(
    run: Callable[[FixedEnv], tuple[Arr, Arr]],
    den: int,
    value: Callable[[Mapping[str, int]], int],
    const: Fraction | None = None,
    inner: Callable[[Mapping[str, int]], int] | None = None,
) -> FixedNumber:
    """A number node whose value is ``num / den`` with ``|num| <= value(maxima)``.

    Its bound raises :class:`Unsupported` when ``num`` (or an ``inner`` intermediate) could
    leave int64, or when the value could need more than the decimal path's 28 significant
    digits (then decimal arithmetic rounds and exact fractions would not mean the same).
    ``den`` must be a product of 2s and 5s: anything else is a repeating decimal.
    """
    twos = fives = 0
    rest = den
    while rest % 2 == 0:
        rest, twos = rest // 2, twos + 1
    while rest % 5 == 0:
        rest, fives = rest // 5, fives + 1
    if rest != 1 or den >= LIMIT:
        raise Unsupported("a repeating decimal or a huge denominator")
    digits = 10 ** max(twos, fives) // den  # num * digits is the value's decimal digits

    def bound(m: Mapping[str, int]) -> int:
        size = value(m)
        if size >= LIMIT or size * digits >= DIGITS or (inner is not None and inner(m) >= LIMIT):
            raise Unsupported("beyond int64 or 28 significant digits")
        return size

    if const is not None:
        # an expression of literals is folded here, once: each folded step must be exact in
        # 28 digits too, or the decimal path would have rounded it (1e28 + 1 - 1e28 is 0 there)
        bound({})
    return FixedNumber(run, den, bound, const)


def literal(value: Fraction) -> FixedNumber:
    num, den = value.numerator, value.denominator
    size = abs(num)
    return fixed_number(lambda env: (num, None), den, lambda m: size, value)


def nothing() -> FixedNumber:
    """A value missing on every row (``0 / 0``)."""
    return fixed_number(lambda env: (0, np.True_), 1, lambda m: 0)


def rescale(x: FixedNumber, den: int) -> tuple[Callable[[FixedEnv], tuple[Arr, Arr]], int]:
    """``x`` over the common denominator ``den``: its run and its factor."""
    factor = den // x.den
    if factor == 1:
        return x.run, 1

    def run(env: FixedEnv) -> tuple[Arr, Arr]:
        num, miss = x.run(env)
        return num * factor, miss

    return run, factor


def common_scale(parts: list[FixedNumber]) -> tuple[int, list[Callable[[FixedEnv], tuple[Arr, Arr]]], list[int]]:
    den = math.lcm(*(p.den for p in parts))
    runs, factors = zip(*(rescale(p, den) for p in parts), strict=True)
    return den, list(runs), list(factors)


def scaled_bound(parts: list[FixedNumber], factors: list[int]) -> Callable[[Mapping[str, int]], int]:
    def bound(m: Mapping[str, int]) -> int:
        return max(p.bound(m) * f for p, f in zip(parts, factors, strict=True))  # factors are >= 1

    return bound


def zero_bound(m: Mapping[str, int]) -> int:
    return 0


def mask(miss: Arr) -> Arr:
    return np.False_ if miss is None else miss


def negate(pair: tuple[Arr, Arr]) -> tuple[Arr, Arr]:
    return -pair[0], pair[1]


def absolute(pair: tuple[Arr, Arr]) -> tuple[Arr, Arr]:
    return abs(pair[0]), pair[1]


def times(x: FixedNumber, c: Fraction) -> FixedNumber:
    """``x * c`` for a literal ``c``: the numerator multiplies, the denominator grows, both reduced."""
    if x.const is not None:
        return literal(x.const * c)
    num, den = c.numerator, c.denominator * x.den
    g = math.gcd(num, den)
    num, den = num // g, den // g
    run = x.run
    if num == 1:
        return fixed_number(run, den, x.bound)

    def times(env: FixedEnv) -> tuple[Arr, Arr]:
        v, miss = run(env)
        return v * num, miss

    size = abs(num)
    return fixed_number(times, den, lambda m: x.bound(m) * size)


def half_up_divide(num: Arr, den: int) -> Arr:
    """``num / den`` rounded half away from zero, in integers (``den`` > 0)."""
    if den == 1:
        return num
    q, r = np.divmod(abs(num), den)
    q = q + (2 * r >= den)
    return np.where(num < 0, -q, q)


def round_to(x: FixedNumber, places: int) -> FixedNumber:
    scale: int = 10**places
    run, den = x.run, x.den
    if scale % den == 0:  # already at most `places` decimals: exact as it is
        return x

    def rounded(env: FixedEnv) -> tuple[Arr, Arr]:
        v, miss = run(env)
        return half_up_divide(v * scale, den), miss

    def value(m: Mapping[str, int]) -> int:
        scaled = x.bound(m) * scale  # read once: nested rounds would otherwise double the work per level
        if max(scaled, 2 * den) >= LIMIT:  # the scaled value and twice the remainder stay in int64
            raise Unsupported("beyond int64")
        return scaled // den + 1

    return fixed_number(rounded, scale, value)


def integral(x: FixedNumber, *, up: bool) -> FixedNumber:
    run, den = x.run, x.den
    if den == 1:
        return x

    def integral(env: FixedEnv) -> tuple[Arr, Arr]:
        v, miss = run(env)
        return (-((-v) // den) if up else v // den), miss

    return fixed_number(integral, 1, lambda m: x.bound(m) // den + 1)
