"""Unit tests of the formula language: reading, checking, semantics, inputs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import pytest

from stratmap import StratmapError
from stratmap.formula import FUNCTIONS, FormulaError, parse

D = Decimal
AT = ["actual", "target", "threshold", "stretch"]


def scalar(text: str, **values: Any) -> Any:
    names = {k: "condition" if isinstance(v, bool) else "number" for k, v in values.items()}
    return parse(text, names=names).evaluate(values)


def batch(text: str, places: int | None = None, **columns: list[Any]) -> Any:
    names = {
        k: "condition"
        if all(isinstance(x, bool) or x is None for x in v) and any(isinstance(x, bool) for x in v)
        else "number"
        for k, v in columns.items()
    }
    cols: dict[str, Any] = {}
    for k, v in columns.items():
        if names[k] == "condition":
            cols[k] = np.ma.MaskedArray([bool(x) for x in v], mask=[x is None for x in v])
        else:
            cols[k] = np.array([np.nan if x is None else float(x) for x in v])
    return parse(text, names=names).evaluate_batch(cols, places=places)


# ---- reading and checking ----------------------------------------------------------


def test_parse_reports_kind_and_names_in_order_of_use() -> None:
    f = parse("max(0, min(110, 100 - (target - actual) * 5))", names=AT)
    assert f.kind == "number"
    assert f.names == ("target", "actual")
    assert parse("actual < 95 and not (target > 3)", names=AT).kind == "condition"


def test_formula_error_is_a_stratmap_error_with_code_and_column() -> None:
    with pytest.raises(StratmapError) as caught:
        parse("actual < 9 5", names=AT)
    err = caught.value
    assert isinstance(err, FormulaError)
    assert (err.code, err.column, err.end_column) == ("SM401", 12, 13)
    assert err.diagnostic.location.column == 12
    assert "column 12" in err.message() and "第 12 列" in err.message("zh")


@pytest.mark.parametrize(
    ("text", "code", "column"),
    [
        ("actul < 95", "SM402", 1),
        ("actual + bogus", "SM402", 10),
        ("mni(actual, 1)", "SM403", 1),
        ("round(actual, 1, 2)", "SM404", 1),
        ("clamp(actual, 1)", "SM404", 1),
        ("actual and target", "SM405", 1),
        ("actual < 95 + (target > 1)", "SM405", 16),
        ("1 if actual < 2 else actual > 3", "SM405", 1),
        ("not actual", "SM405", 5),
        ("round(actual, 11)", "SM405", 15),
        ("round(actual, 1.5)", "SM405", 15),
        ("round(actual, target)", "SM405", 15),
        ("actual == (target > 1)", "SM405", 1),
        ("1.0000000000000001", "SM406", 1),
        ("actual ** 2", "SM407", 8),
        ("actual % 2", "SM407", 8),
        ("actual = 95", "SM407", 8),
        ("actual < 95 && target > 1", "SM407", 13),
        ("'95'", "SM407", 1),
        ("actual（", "SM401", 7),
        ("销售量 > 1", "SM401", 1),
        ("1e3x", "SM401", 1),
        ("true", "SM401", 1),
        ("(actual", "SM401", 1),
        ("actual)", "SM401", 7),
        ("actual, target", "SM401", 7),
        ("actual if actual > 1", "SM401", 21),
    ],
)
def test_static_errors_have_their_code_and_column(text: str, code: str, column: int) -> None:
    with pytest.raises(FormulaError) as caught:
        parse(text, names=AT)
    assert (caught.value.code, caught.value.column) == (code, column), str(caught.value)


def test_unknown_name_suggests_the_closest_name_and_lists_the_available() -> None:
    with pytest.raises(FormulaError) as caught:
        parse("actul < 95", names=AT)
    assert "did you mean 'actual'" in caught.value.message()
    assert "actual, stretch, target, threshold" in caught.value.hint()


def test_expect_requires_the_kind() -> None:
    with pytest.raises(FormulaError) as caught:
        parse("actual - 95", names=AT, expect="condition")
    assert caught.value.code == "SM405"
    assert parse("actual < 95", names=AT, expect="condition").kind == "condition"


def test_names_may_declare_condition_kinds() -> None:
    f = parse("ok and actual > 1", names={"ok": "condition", "actual": "number"})
    assert f.evaluate({"ok": True, "actual": D(2)}) is True
    with pytest.raises(ValueError, match="must be 'number' or 'condition'"):
        parse("ok", names={"ok": "text"})
    with pytest.raises(TypeError):
        parse("ok", names="ok")


def test_every_function_is_documented() -> None:
    from tests.helpers import ROOT

    doc = (ROOT / "docs" / "formulas.md").read_text(encoding="utf-8")
    for name in FUNCTIONS:
        assert f"`{name}(" in doc, name


# ---- semantics ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("a / b", {"a": D(1), "b": D(0)}, None),  # division by zero is missing
        ("a / b", {"a": D(1), "b": D(3)}, D("0.3333333333333333333333333333")),
        ("a + b", {"a": None, "b": D(1)}, None),  # missing propagates
        ("min(a, b)", {"a": None, "b": D(1)}, None),
        ("coalesce(a, b)", {"a": None, "b": D(7)}, D(7)),
        ("missing(a)", {"a": None}, True),
        ("missing(a / b)", {"a": D(1), "b": D(0)}, True),
        ("a < 1", {"a": None}, None),
        ("a < 1 or b > 0", {"a": None, "b": D(1)}, True),  # three-valued logic
        ("a < 1 and b > 0", {"a": None, "b": D(-1)}, False),
        ("a < 1 and b > 0", {"a": None, "b": D(1)}, None),
        ("not (a < 1)", {"a": None}, None),
        ("1 if a < 1 else 2", {"a": None}, D(2)),  # a missing test takes the else branch
        ("round(a, 2)", {"a": D("2.675")}, D("2.68")),  # half away from zero
        ("round(a, 2)", {"a": D("-2.675")}, D("-2.68")),
        ("round(a)", {"a": D("0.5")}, D(1)),
        ("floor(a)", {"a": D("-1.5")}, D(-2)),
        ("ceil(a)", {"a": D("-1.5")}, D(-1)),
        ("clamp(a, 0, 100)", {"a": D(130)}, D(100)),
        ("between(a, 90, 100)", {"a": D(100)}, True),
        ("a + b == c", {"a": D("0.1"), "b": D("0.2"), "c": D("0.3")}, True),  # decimal, not binary
        ("100 / 10", {}, D(10)),
        ("a - a", {"a": D("-1.50")}, D(0)),
        ("a * b", {"a": D("1e300"), "b": D("1e300")}, None),  # beyond binary64: missing in both paths
        ("min(a * b, 5)", {"a": D("1e300"), "b": D("1e300")}, D(5)),
        ("1 < 2 < 3", {}, True),
        ("1 < 2 > 3", {}, False),
    ],
)
def test_scalar_semantics(text: str, values: dict[str, Any], expected: Any) -> None:
    result = scalar(text, **values)
    assert result == expected and type(result) is type(expected)
    if isinstance(expected, Decimal):
        assert str(result) == str(expected)


@pytest.mark.parametrize(
    ("text", "columns", "places", "expected"),
    [
        ("x + y > 0.3", {"x": [0.1, 0.2], "y": [0.2, 0.2]}, None, [False, True]),
        ("x + y == 0.3", {"x": [0.1, 0.1], "y": [0.2, 0.25]}, None, [True, False]),
        ("x / 3 * 3 == x", {"x": [1, 2, 10]}, None, [False, True, False]),  # 28-digit decimal
        ("x", {"x": [1.005, 2.675, -2.675, 0.125]}, 2, [1.01, 2.68, -2.68, 0.13]),
        ("x * 1.1", {"x": [2.45]}, 2, [2.7]),
        ("round(x * 1.1, 2) >= 2.7", {"x": [2.45]}, None, [True]),
        ("floor(x * 3) == 1", {"x": [1 / 3, 0.4]}, None, [False, True]),  # 0.3333333333333333 * 3 < 1
        ("missing(1 / (x + y - 0.3))", {"x": [0.1, 0.1], "y": [0.2, 0.3]}, None, [True, False]),
        ("x / (y - 0.3)", {"x": [1.0], "y": [0.3]}, 2, [float("nan")]),
    ],
)
def test_batch_settles_ties_exactly_like_the_scalar_path(
    text: str, columns: dict[str, list[Any]], places: int | None, expected: list[Any]
) -> None:
    result = batch(text, places, **columns)
    if isinstance(result, np.ma.MaskedArray):
        assert result.mask.tolist() == [False] * len(expected)
        assert result.data.tolist() == expected
    else:
        np.testing.assert_array_equal(result, np.array(expected))


def test_batch_missing_values_and_three_valued_logic() -> None:
    result = batch("x < 1 or p", x=[None, None, None, 0], p=[True, False, None, None])
    assert result.data.tolist() == [True, False, False, True]
    assert result.mask.tolist() == [False, True, True, False]


def test_batch_division_by_zero_and_overflow_are_missing() -> None:
    result = batch("x / y + x * x", x=[1, 1e200, 2], y=[0, 1, 4])
    assert np.isnan(result[0]) and np.isnan(result[1]) and result[2] == 4.5


def test_batch_constant_formula_takes_its_length_from_the_columns() -> None:
    f = parse("1 + 2", names=[])
    assert f.evaluate_batch({"rows": np.zeros(3)}).tolist() == [3, 3, 3]
    with pytest.raises(FormulaError) as caught:
        f.evaluate_batch({})
    assert caught.value.code == "SM412"


def test_batch_never_aliases_an_input_column() -> None:
    col = np.array([1.0, 2.0])
    out = parse("x", names=["x"]).evaluate_batch({"x": col})
    out[0] = 99
    assert col[0] == 1.0


# ---- inputs ---------------------------------------------------------------------


def test_missing_value_and_wrong_types_are_typed_errors() -> None:
    f = parse("actual < target", names=AT)
    with pytest.raises(FormulaError) as caught:
        f.evaluate({"actual": D(1)})
    assert caught.value.code == "SM410" and "'target'" in caught.value.message()
    for bad in (1.5, "95", True, D("NaN")):
        with pytest.raises(FormulaError) as caught:
            f.evaluate({"actual": bad, "target": D(1)})  # type: ignore[dict-item]
        assert caught.value.code == "SM411"
    g = parse("ok", names={"ok": "condition"})
    with pytest.raises(FormulaError) as caught:
        g.evaluate({"ok": 1})
    assert caught.value.code == "SM411"
    assert f.evaluate({"actual": 1, "target": 2}) is True  # int is exact


def test_batch_column_errors() -> None:
    f = parse("actual < target", names=AT)
    with pytest.raises(FormulaError) as caught:
        f.evaluate_batch({"actual": np.zeros(2)})
    assert caught.value.code == "SM410"
    with pytest.raises(FormulaError) as caught:
        f.evaluate_batch({"actual": np.zeros(2), "target": np.zeros(3)})
    assert caught.value.code == "SM412"
    with pytest.raises(FormulaError) as caught:
        f.evaluate_batch({"actual": np.array(["a", "b"]), "target": np.zeros(2)})
    assert caught.value.code == "SM411"
    with pytest.raises(FormulaError) as caught:
        f.evaluate_batch({"actual": np.zeros((2, 2)), "target": np.zeros((2, 2))})
    assert caught.value.code == "SM412"
    with pytest.raises(ValueError, match="places"):
        f.evaluate_batch({"actual": np.zeros(2), "target": np.zeros(2)}, places=11)


def test_integer_columns_are_accepted() -> None:
    out = parse("actual * 2", names=AT).evaluate_batch({"actual": np.array([1, 2], dtype=np.int64)})
    assert out.dtype == np.float64 and out.tolist() == [2.0, 4.0]


def test_batch_refuses_what_the_scalar_path_refuses_and_honours_masks() -> None:
    f = parse("x * 2", names=["x"])
    with pytest.raises(FormulaError) as caught:
        f.evaluate_batch({"x": np.array([2**53 + 1, 1], dtype=np.int64)})
    assert caught.value.code == "SM411"
    g = parse("min(x, 5) - x / x", names=["x"])  # an infinity is beyond every bound
    assert g.evaluate({"x": D("Infinity")}) is None  # inf / inf: missing
    assert np.isnan(g.evaluate_batch({"x": np.array([np.inf])}, places=2)[0])
    h = parse("min(x, 5)", names=["x"])
    assert h.evaluate({"x": D("-Infinity")}) is None and np.isnan(h.evaluate_batch({"x": np.array([-np.inf])})[0])
    masked = np.ma.MaskedArray([1.0, 2.0], mask=[False, True])
    out = f.evaluate_batch({"x": masked})
    assert out[0] == 2.0 and np.isnan(out[1])
    with pytest.raises(ValueError, match="condition"):
        parse("x > 1", names=["x"]).evaluate_batch({"x": np.zeros(1)}, places=2)
    assert f.evaluate_batch({"x": np.zeros(1)}, places=np.int64(2)).tolist() == [0.0]


def test_published_zero_has_no_sign() -> None:
    out = parse("x * 100 - 0.4", names=["x"]).evaluate_batch({"x": np.array([0.0])}, places=0)
    assert str(out[0]) == "0.0"


def test_places_must_be_written_as_a_whole_number() -> None:
    for text in ("round(x, 10.0)", "round(x, 1e1)"):
        with pytest.raises(FormulaError) as caught:
            parse(text, names=["x"])
        assert caught.value.code == "SM405"
    with pytest.raises(ValueError, match="expect"):
        parse("x", names=["x"], expect="bogus")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("x * 1e300 >= 1e-15", {"x": "1e-315"}),  # subnormal input
        ("ceil((z * coalesce(1e-300, z)) / z)", {"z": "1e-300"}),  # underflow on the way
        ("missing((x + z) - (x + z))", {"x": "1.7976931348623157e308", "z": "1e291"}),  # overflow edge
        ("x", {"x": "1e303"}),  # too large to carry places in binary64
        ("ceil(((x / x) / coalesce(1e200, x)) - 4.35 * 100)", {"x": "1e200"}),  # a bound that overflowed
    ],
)
def test_binary64_edges_agree_with_the_scalar_path(text: str, values: dict[str, str]) -> None:
    f = parse(text, names=list(values))
    exact = f.evaluate({k: Decimal(v) for k, v in values.items()})
    got = f.evaluate_batch(
        {k: np.array([float(v)]) for k, v in values.items()}, **({} if f.kind == "condition" else {"places": 2})
    )
    if f.kind == "condition":
        assert bool(got[0]) is exact
    else:
        from stratmap.formula._scalar import round_half_up

        assert got[0] == float(round_half_up(exact, 2))  # type: ignore[arg-type]
