"""The fixed-point batch path: when it applies, and that it refuses what it cannot do exactly."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from stratmap.formula import parse
from stratmap.formula._fixed import evaluate_condition, evaluate_number, needs_exact, read_column
from stratmap.formula._run import _columns

SCOPE = {"x": "number", "y": "number", "p": "condition"}


def number(text: str, places: int, **columns: Any) -> Any:
    formula = parse(text, names=SCOPE)
    env = _columns(formula, {k: np.asarray(v) for k, v in columns.items()})
    return evaluate_number(formula._tree, formula.scope, env, places, {})


@pytest.mark.parametrize(
    ("text", "x", "expected"),
    [
        ("clamp(x / 40 * 100, 0, 120)", [20.01, 20.03, 50.0, math.nan], [50.03, 50.08, 120.0, math.nan]),
        ("x / 2", [0.01, 0.03, -0.01, -0.03], [0.01, 0.02, -0.01, -0.02]),  # ties away from zero
        ("round(x * 1.005, 2) + 0.005", [1.0, 2.0], [1.02, 2.02]),
        ("(100 if x >= 90 else 80 if x >= 80 else 0)", [95.5, 80.0, 79.99], [100.0, 80.0, 0.0]),
        ("coalesce(x, 7)", [math.nan, 1.25], [7.0, 1.25]),
        ("(0 / 0)", [1.0, 2.0], [math.nan, math.nan]),
        ("floor(x) + ceil(x)", [-1.5, 2.25], [-3.0, 5.0]),
    ],
)
def test_exact_in_fixed_point(text: str, x: list[float], expected: list[float]) -> None:
    got = number(text, 2, x=x)
    assert got is not None
    np.testing.assert_array_equal(got, np.array(expected))


@pytest.mark.parametrize(
    ("text", "x", "y"),
    [
        ("x / y", [1.0], [3.0]),  # a division by a column: the denominator is not static
        ("x / 3", [1.0], [0.0]),  # a repeating decimal: decimal arithmetic rounds at 28 digits
        ("x", [0.1234567], [0.0]),  # 7 places
        ("x", [2e13], [0.0]),  # 1e15 hundredths and more: binary64 may not hold the decimals
        ("x", [math.inf], [0.0]),
        ("x * y * x * y", [999999.99], [999999.99]),  # would leave int64 (and 28 digits)
        ("x + (1e28 + 1 - 1e28)", [0.5], [0.0]),  # decimal rounds 1e28 + 1 to 28 digits: 0, not 1
    ],
)
def test_refused_where_fixed_point_would_not_be_exact(text: str, x: list[float], y: list[float]) -> None:
    assert number(text, 2, x=x, y=y) is None


def test_the_formula_api_agrees_when_fixed_point_is_refused() -> None:
    formula = parse("x / 3", names=SCOPE)
    got = formula.evaluate_batch({"x": np.array([1.0, 0.5, 3.0])}, places=4)
    np.testing.assert_array_equal(got, [0.3333, 0.1667, 1.0])


def test_conditions_are_exact_and_three_valued() -> None:
    formula = parse("x * 0.1 == 0.3 and (p or y > 1)", names=SCOPE)
    columns = {
        "x": np.array([3.0, 3.0, math.nan, 3.0]),
        "y": np.array([0.0, 2.0, 2.0, math.nan]),
        "p": np.ma.MaskedArray([False, False, True, False], mask=[False, False, False, True]),
    }
    pair = evaluate_condition(formula._tree, formula.scope, _columns(formula, columns), {})
    assert pair is not None
    value, known = pair
    assert [bool(v) if k else None for v, k in zip(value, known, strict=True)] == [False, True, None, None]


def test_read_column_finds_the_places_and_the_missing() -> None:
    read = read_column(np.array([1.5, math.nan, -2.25]))
    assert read is not None
    num, missing, places, largest = read
    assert (num.tolist(), missing.tolist(), places, largest) == ([150, 0, -225], [False, True, False], 2, 225)
    assert read_column(np.array([0.000001]))[2] == 6  # type: ignore[index]
    assert read_column(np.array([1 / 3])) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x < 95", False),  # inputs and literals compare exactly in binary64
        ("p and x >= y", False),
        ("x * 0.8 < y", True),
        ("between(x / 2, 0, 1)", True),
        ("missing(x / y)", True),
        ("not (x + 1 > y)", True),
        ("(x > 1) == p", False),
    ],
)
def test_only_conditions_on_computed_numbers_go_exact(text: str, expected: bool) -> None:
    formula = parse(text, names=SCOPE)
    assert needs_exact(formula._tree, formula.scope) is expected


def test_no_negative_zero_from_rows_settled_by_the_decimal_path() -> None:
    # floor(-1.0...) sits on an integer, so the row is settled by the decimal path, where
    # -1 * 0 is Decimal('-0'); y (0.1 + 0.2) is no short decimal and divides: no fixed point
    formula = parse("floor(x * 0.1) * (0 / y)", names=SCOPE)
    got = formula.evaluate_batch({"x": np.array([-10.0, 5.0]), "y": np.array([0.1 + 0.2, 1.0])}, places=2)
    assert got.tolist() == [0.0, 0.0]
    assert [math.copysign(1.0, v) for v in got] == [1.0, 1.0]


def test_bounds_are_computed_once_per_node_however_deep_the_rounds_nest() -> None:
    from collections import UserDict

    from stratmap.formula._fixed import FixedCompiler

    class Counting(UserDict[str, int]):
        reads = 0

        def __getitem__(self, key: str) -> int:
            Counting.reads += 1
            return super().__getitem__(key)

    text = "x"
    for _ in range(14):
        text = f"round({text} * 0.001, 2)"  # each level rounds for real
    formula = parse(text, names=SCOPE)
    node = FixedCompiler(formula.scope, {"x": 2}).num(formula._tree)
    node.bound(Counting({"x": 150}))
    assert Counting.reads == 1  # not 2**14: a node reads its child's bound once
