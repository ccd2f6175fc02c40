"""The batch path's entry: check the columns, run the compiled formula, settle flagged rows."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np

from stratmap.formula._batch import F64, B, Compiler, Env, round_with_error
from stratmap.formula._error import FormulaError
from stratmap.formula._fixed import evaluate_condition, evaluate_number, needs_exact
from stratmap.formula._scalar import round_half_up
from stratmap.i18n import Text

if TYPE_CHECKING:
    from stratmap.formula import Formula


def _columns(formula: Formula, columns: Mapping[str, Any]) -> Env:
    numbers: dict[str, F64] = {}
    conditions: dict[str, tuple[B, B]] = {}
    n: int | None = None
    for name in formula.names:
        if name not in columns:
            raise FormulaError("SM410", text=formula.text, name=name)
        raw = columns[name]
        if formula.scope[name] == "condition":
            mask = np.ma.getmaskarray(raw) if isinstance(raw, np.ma.MaskedArray) else None
            data = np.asarray(np.ma.getdata(raw) if mask is not None else raw)
            if data.dtype != np.bool_:
                raise FormulaError(
                    "SM411", text=formula.text, name=name, actual=f"a {data.dtype} column", expected="boolean column"
                )
            known = ~mask if mask is not None else np.ones(data.shape, dtype=bool)
            column: np.ndarray[Any, Any] = data
            conditions[name] = (data & known, known)
        else:
            data = np.asarray(np.ma.getdata(raw) if isinstance(raw, np.ma.MaskedArray) else raw)
            if data.dtype.kind not in "fiu":
                raise FormulaError(
                    "SM411", text=formula.text, name=name, actual=f"a {data.dtype} column", expected="numeric column"
                )
            if data.dtype.kind in "iu" and data.size and int(np.abs(data).max()) > 2**53:
                raise FormulaError(
                    "SM411",
                    text=formula.text,
                    name=name,
                    actual="an integer column with values beyond 2**53",
                    expected="column of exactly representable numbers (pass Decimal values to evaluate instead)",
                )
            column = data if data.dtype == np.float64 else data.astype(np.float64)
            if isinstance(raw, np.ma.MaskedArray) and np.ma.is_masked(raw):
                column = np.where(np.ma.getmaskarray(raw), np.nan, column)  # masked: missing
            numbers[name] = column
        if column.ndim != 1:
            raise FormulaError(
                "SM412",
                text=formula.text,
                detail=Text(
                    f"column '{name}' has {column.ndim} dimensions; 1 is needed",
                    f"列“{name}”是 {column.ndim} 维的,需要一维",
                ),
            )
        if n is None:
            n = len(column)
        elif len(column) != n:
            raise FormulaError(
                "SM412",
                text=formula.text,
                detail=Text(
                    f"column '{name}' has {len(column)} rows, the others {n}",
                    f"列“{name}”有 {len(column)} 行,其他列有 {n} 行",
                ),
            )
    if n is None:  # a formula that reads nothing: its length comes from the columns given
        lengths = {np.asarray(c).shape[0] if np.ndim(c) == 1 else -1 for c in columns.values()}
        if len(lengths) != 1 or -1 in lengths:
            raise FormulaError(
                "SM412",
                text=formula.text,
                detail=Text(
                    "the formula reads no column, so give at least one column of the wanted length",
                    "公式不读取任何列,请至少提供一列以确定行数",
                ),
            )
        n = lengths.pop()
    return Env(numbers, conditions, n)


def evaluate_batch(formula: Formula, columns: Mapping[str, Any], places: int | np.integer[Any] | None) -> Any:
    if places is not None:
        if isinstance(places, bool) or not isinstance(places, int | np.integer) or not 0 <= places <= 10:
            raise ValueError(f"places must be a whole number from 0 to 10, not {places!r}")
        if formula.kind == "condition":
            raise ValueError("places rounds a number; this formula is a condition")
        places = int(places)
    env = _columns(formula, columns)
    # exact in fixed point when the denominators are static and the inputs short decimals
    if formula.kind == "condition":
        exact = formula._compiled.get("needs_exact")
        if exact is None:
            exact = formula._compiled["needs_exact"] = needs_exact(formula._tree, formula.scope)
        pair = evaluate_condition(formula._tree, formula.scope, env, formula._compiled) if exact else None
        if pair is not None:
            return np.ma.MaskedArray(pair[0], mask=~pair[1])
    elif places is not None:
        published = evaluate_number(formula._tree, formula.scope, env, places, formula._compiled)
        if published is not None:
            return published
    compiled = formula._compiled
    key = f"batch:{formula.kind}:{places is not None}"
    fn = compiled.get(key)
    if fn is None:
        compiler = Compiler(formula.scope)
        tree = formula._tree
        if formula.kind == "condition":
            fn = compiler.cond(tree)
        elif places is None:
            fn = compiler.num(tree)
        else:
            fn = compiler.err(tree)
        compiled[key] = fn
    with np.errstate(all="ignore"):
        if formula.kind == "condition":
            return _conditions(formula, env, *fn(env))
        if places is None:
            return _numbers(formula, env, fn(env), None)
        value, error = fn(env)
        rounded, _ = round_with_error(env, value, error, places, want_error=False)
        return _numbers(formula, env, rounded, places)


def _flagged(env: Env) -> np.ndarray[Any, Any]:
    mask = env.flags[0]
    for more in env.flags[1:]:
        mask = mask | more
    return np.flatnonzero(mask)


def _to_float(places: int | None) -> Any:
    nan = float("nan")

    def convert(value: Any) -> float:
        if value.__class__ is not Decimal or not value.is_finite():
            return nan  # missing, or beyond binary64 (not finite): missing
        return float(round_half_up(value, places) if places is not None else value)

    return np.frompyfunc(convert, 1, 1)


FINAL_FLOAT = {p: _to_float(p) for p in (None, *range(11))}


def _rational_rows(formula: Formula, env: Env, rows: Any, places: int | None) -> tuple[Any, Any, Any]:
    """The rows' exact results in int64 fractions where every value is a short decimal."""
    from stratmap.formula._rational import evaluate_rows

    return evaluate_rows(
        formula._tree,
        formula.scope,
        {name: col[rows] for name, col in env.numbers.items()},
        {name: (v[rows], k[rows]) for name, (v, k) in env.conditions.items()},
        formula.kind,
        places,
        len(rows),
    )


def _exact_rows(formula: Formula, env: Env, rows: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """The scalar path's results for ``rows``, computed over Decimal object arrays at once."""
    from stratmap.formula._exact import compile_exact, conditions, decimals

    fn = formula._compiled.get("exact")
    if fn is None:
        fn = formula._compiled["exact"] = compile_exact(formula._tree)
    values: dict[str, Any] = {name: decimals(col[rows]) for name, col in env.numbers.items()}
    values.update({name: conditions(v[rows], k[rows]) for name, (v, k) in env.conditions.items()})
    result = np.asarray(fn(values), dtype=object)
    if result.ndim == 0:
        result = np.full(len(rows), result.item(), dtype=object)
    return result


def _numbers(formula: Formula, env: Env, result: Any, places: int | None) -> F64:
    n = env.n
    if np.ndim(result) == 0:
        out = np.full(n, float(result))
    elif any(result is col for col in env.numbers.values()):
        out = result.copy()
    else:
        out = result
    bad = ~np.isfinite(out)
    if bad.any():
        out[bad] = np.nan
    if env.flags:
        rows = _flagged(env)
        if len(rows):
            value, known, done = _rational_rows(formula, env, rows, places)
            out[rows[done]] = np.where(known[done], value[done], np.nan)
            rest = rows[~done]
            if len(rest):
                exact = FINAL_FLOAT[places](_exact_rows(formula, env, rest))
                out[rest] = exact.astype(np.float64)
    if places is not None:
        out += 0.0  # a published figure has no negative zero (settled rows included)
    return out


def _own(env: Env, column: Any) -> np.ndarray[Any, Any]:
    """A boolean column of the result's length that no input shares (copied only when needed)."""
    if (
        isinstance(column, np.ndarray)
        and column.shape == (env.n,)
        and column.dtype == np.bool_
        and not any(column is c for pair in env.conditions.values() for c in pair)
    ):
        return column
    return np.array(np.broadcast_to(column, (env.n,)), dtype=bool)


def _conditions(formula: Formula, env: Env, value: Any, known: Any) -> np.ma.MaskedArray[Any, Any]:
    v = _own(env, value)
    k = _own(env, known)
    if env.flags:
        rows = _flagged(env)
        if len(rows):
            value, known, done = _rational_rows(formula, env, rows, None)
            k[rows[done]] = known[done]
            v[rows[done]] = (value[done] == 1) & known[done]
            rest = rows[~done]
            if len(rest):
                exact = _exact_rows(formula, env, rest).tolist()
                k[rest] = [r is not None for r in exact]
                v[rest] = [r is True for r in exact]
    return np.ma.MaskedArray(v, mask=~k)
