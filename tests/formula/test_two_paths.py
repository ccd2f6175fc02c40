"""Property: the scalar path (decimal, simpleeval) and the batch path (NumPy) agree on every row.

Random well-formed formulas over three number names and two condition names, on random
rows that include zeros, missing values, exact ties and extreme magnitudes. Conditions
must agree exactly (true, false or missing); numbers must agree exactly at the declared
rounding of a published figure (``places``).
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from stratmap.formula import Formula, parse
from stratmap.formula._scalar import round_half_up

NUMBERS = ["x", "y", "z"]
CONDITIONS = ["p", "q"]
SCOPE: dict[str, Any] = {**dict.fromkeys(NUMBERS, "number"), **dict.fromkeys(CONDITIONS, "condition")}

literals = st.sampled_from(
    ["0", "1", "2", "3", "0.1", "0.2", "0.3", "0.5", "0.005", "1.005", "2.675", "95", "100", "1000000"]
)
decimals = st.one_of(
    # grids whose sums, products and quotients land exactly on comparison and rounding ties
    st.integers(-400, 400).map(lambda k: Decimal(k) / 200),
    st.integers(-100, 100).map(lambda k: Decimal(k) / 10),
    st.sampled_from([Decimal(s) for s in ("0", "1", "-1", "0.1", "0.2", "0.3", "0.5", "1.005", "2.675", "95", "100")]),
    st.decimals(min_value=-1000, max_value=1000, places=3, allow_nan=False, allow_infinity=False),
    st.sampled_from([Decimal(s) for s in ("1e12", "-1e12", "123456789012345", "1e-9", "0.000001", "9.99999e14")]),
    # the edges of binary64: near overflow, tiny, subnormal
    st.sampled_from(
        [Decimal(s) for s in ("1e300", "-1e300", "1.7976931348623157e308", "1e-300", "1e-315", "5e-324", "-5e-324")]
        + [Decimal("Infinity"), Decimal("-Infinity")]
    ),
)
values = st.one_of(st.none(), decimals)


def _number(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    two = st.tuples(children, children)
    return st.one_of(
        two.map(lambda t: f"({t[0]} + {t[1]})"),
        two.map(lambda t: f"({t[0]} - {t[1]})"),
        two.map(lambda t: f"({t[0]} * {t[1]})"),
        two.map(lambda t: f"({t[0]} / {t[1]})"),
        children.map(lambda a: f"(-{a})"),
        two.map(lambda t: f"min({t[0]}, {t[1]})"),
        two.map(lambda t: f"max({t[0]}, {t[1]})"),
        children.map(lambda a: f"abs({a})"),
        st.tuples(children, st.integers(0, 3)).map(lambda t: f"round({t[0]}, {t[1]})"),
        children.map(lambda a: f"floor({a})"),
        children.map(lambda a: f"ceil({a})"),
        st.tuples(children, children, children).map(lambda t: f"clamp({t[0]}, {t[1]}, {t[2]})"),
        two.map(lambda t: f"coalesce({t[0]}, {t[1]})"),
    )


number_exprs = st.recursive(st.one_of(st.sampled_from(NUMBERS), literals), _number, max_leaves=4)
compare_ops = st.sampled_from(["<", "<=", ">", ">=", "==", "!="])


def _condition(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    two = st.tuples(children, children)
    return st.one_of(
        two.map(lambda t: f"({t[0]} and {t[1]})"),
        two.map(lambda t: f"({t[0]} or {t[1]})"),
        children.map(lambda a: f"(not {a})"),
        st.tuples(children, children, children).map(lambda t: f"({t[0]} if {t[1]} else {t[2]})"),
    )


comparisons = st.one_of(
    st.tuples(number_exprs, compare_ops, number_exprs).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
    st.tuples(number_exprs, number_exprs, number_exprs).map(lambda t: f"({t[0]} <= {t[1]} < {t[2]})"),
    st.tuples(number_exprs, number_exprs, number_exprs).map(lambda t: f"between({t[0]}, {t[1]}, {t[2]})"),
    number_exprs.map(lambda a: f"missing({a})"),
    st.sampled_from([*CONDITIONS, "True", "False"]),
)
condition_exprs = st.recursive(comparisons, _condition, max_leaves=4)
mixed_numbers = st.one_of(
    number_exprs,
    st.tuples(condition_exprs, number_exprs, number_exprs).map(lambda t: f"({t[1]} if {t[0]} else {t[2]})"),
)

rows = st.lists(
    st.fixed_dictionaries(
        {**dict.fromkeys(NUMBERS, values), **{c: st.one_of(st.none(), st.booleans()) for c in CONDITIONS}}
    ),
    min_size=1,
    max_size=12,
)


def _columns(data: list[dict[str, Any]]) -> dict[str, Any]:
    columns: dict[str, Any] = {}
    for n in NUMBERS:
        columns[n] = np.array([math.nan if r[n] is None else float(r[n]) for r in data])
    for c in CONDITIONS:
        flags = np.array([bool(r[c]) for r in data])
        columns[c] = np.ma.MaskedArray(flags, mask=[r[c] is None for r in data])
    return columns


def _scalar_inputs(row: dict[str, Any]) -> dict[str, Any]:
    # the batch path sees binary64: the scalar path gets the decimal each float stands for
    out = dict(row)
    for n in NUMBERS:
        if row[n] is not None:
            out[n] = Decimal(repr(float(row[n])))
    return out


@settings(max_examples=300, deadline=None)
@given(text=condition_exprs, data=rows)
def test_conditions_agree_on_every_row(text: str, data: list[dict[str, Any]]) -> None:
    formula = parse(text, names=SCOPE)
    assert formula.kind == "condition"
    batch = formula.evaluate_batch(_columns(data))
    assert isinstance(batch, np.ma.MaskedArray)
    mask = np.ma.getmaskarray(batch)
    for i, row in enumerate(data):
        expected = formula.evaluate(_scalar_inputs(row))
        got = None if mask[i] else bool(batch.data[i])
        assert got == expected, (text, row)


@settings(max_examples=300, deadline=None)
@given(text=mixed_numbers, data=rows, places=st.sampled_from([0, 2, 6]))
def test_numbers_agree_at_the_published_rounding_on_every_row(
    text: str, data: list[dict[str, Any]], places: int
) -> None:
    formula = parse(text, names=SCOPE)
    assert formula.kind == "number"
    batch = formula.evaluate_batch(_columns(data), places=places)
    for i, row in enumerate(data):
        exact = formula.evaluate(_scalar_inputs(row))
        assert isinstance(exact, Decimal | None)
        if exact is None:
            assert math.isnan(batch[i]), (text, row, batch[i])
        else:
            assert batch[i] == float(round_half_up(exact, places)), (text, row, exact, batch[i])


@settings(max_examples=100, deadline=None)
@given(text=mixed_numbers, data=rows, seed=st.randoms(use_true_random=False))
def test_batch_results_follow_their_rows_and_repeat_exactly(text: str, data: list[dict[str, Any]], seed: Any) -> None:
    formula: Formula = parse(text, names=SCOPE)
    first = formula.evaluate_batch(_columns(data), places=2)
    again = formula.evaluate_batch(_columns(data), places=2)
    assert first.tobytes() == again.tobytes()
    order = list(range(len(data)))
    seed.shuffle(order)
    shuffled = formula.evaluate_batch(_columns([data[i] for i in order]), places=2)
    np.testing.assert_array_equal(shuffled, first[order])


# ---- the fixed-point path ------------------------------------------------------------
# Short decimals only, so that the batch path evaluates in scaled integers wherever the
# formula's denominators are static; the literals include 3 and 7 (repeating decimals
# when divided by) and 0.005 (a denominator of 200).
short_decimals = st.one_of(
    st.integers(-400, 400).map(lambda k: Decimal(k) / 200),
    st.integers(-100, 100).map(lambda k: Decimal(k) / 10),
    st.decimals(min_value=-10_000, max_value=10_000, places=2, allow_nan=False, allow_infinity=False),
    st.sampled_from([Decimal(s) for s in ("0", "1", "-1", "0.5", "1.005", "2.675", "95", "100", "123456.789")]),
)
short_literals = st.sampled_from(
    [
        *("0", "1", "2", "3", "7", "0.1", "0.5", "0.005", "1.005", "40", "95", "100", "120"),
        # literals whose sums and products need more than decimal's 28 digits: folded
        # exactly, they would not mean what the decimal path computes
        *("1e28", "1e27", "1.00000000000001", "99999999999999.9"),
    ]
)
short_numbers = st.recursive(st.one_of(st.sampled_from(NUMBERS), short_literals), _number, max_leaves=5)
short_rows = st.lists(
    st.fixed_dictionaries(
        {
            **dict.fromkeys(NUMBERS, st.one_of(st.none(), short_decimals)),
            **{c: st.one_of(st.none(), st.booleans()) for c in CONDITIONS},
        }
    ),
    min_size=1,
    max_size=12,
)
short_conditions = st.recursive(
    st.one_of(
        st.tuples(short_numbers, compare_ops, short_numbers).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(short_numbers, short_numbers, short_numbers).map(lambda t: f"between({t[0]}, {t[1]}, {t[2]})"),
        short_numbers.map(lambda a: f"missing({a})"),
        st.sampled_from([*CONDITIONS, "True", "False"]),
    ),
    _condition,
    max_leaves=3,
)


def _fixed_env(formula: Formula, data: list[dict[str, Any]]) -> Any:
    from stratmap.formula._run import _columns as checked_columns

    return checked_columns(formula, _columns(data))


@settings(max_examples=400, deadline=None)
@given(
    text=st.one_of(
        short_numbers,
        st.tuples(short_conditions, short_numbers, short_numbers).map(lambda t: f"({t[1]} if {t[0]} else {t[2]})"),
    ),
    data=short_rows,
    places=st.sampled_from([0, 2, 3]),
)
def test_fixed_point_numbers_equal_the_decimal_path(text: str, data: list[dict[str, Any]], places: int) -> None:
    from stratmap.formula._fixed import evaluate_number

    formula = parse(text, names=SCOPE)
    got = evaluate_number(formula._tree, formula.scope, _fixed_env(formula, data), places, {})
    if got is None:  # a division by a column, a repeating decimal, or too many digits
        return
    for i, row in enumerate(data):
        exact = formula.evaluate(_scalar_inputs(row))
        if exact is None:
            assert math.isnan(got[i]), (text, row, got[i])
        else:
            assert isinstance(exact, Decimal)
            assert got[i] == float(round_half_up(exact, places)), (text, row, exact, got[i])


@settings(max_examples=300, deadline=None)
@given(text=short_conditions, data=short_rows)
def test_fixed_point_conditions_equal_the_decimal_path(text: str, data: list[dict[str, Any]]) -> None:
    from stratmap.formula._fixed import evaluate_condition

    formula = parse(text, names=SCOPE)
    got = evaluate_condition(formula._tree, formula.scope, _fixed_env(formula, data), {})
    if got is None:
        return
    value, known = got
    for i, row in enumerate(data):
        expected = formula.evaluate(_scalar_inputs(row))
        assert (bool(value[i]) if known[i] else None) == expected, (text, row)
