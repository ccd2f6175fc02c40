"""The batch path's entry: check the columns, run the compiled formula, settle flagged rows."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np

from stratmap.formula._batch import F64, B, Compiler, Env, round_with_error, row_values
from stratmap.formula._scalar import evaluate as evaluate_scalar
from stratmap.formula._scalar import round_half_up

if TYPE_CHECKING:
    from stratmap.formula import Formula


def _columns(formula: Formula, columns: Mapping[str, Any]) -> Env:
    from stratmap.formula import FormulaError

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
            data = np.asarray(raw)
            if data.dtype.kind not in "fiu":
                raise FormulaError(
                    "SM411", text=formula.text, name=name, actual=f"a {data.dtype} column", expected="numeric column"
                )
            column = data if data.dtype == np.float64 else data.astype(np.float64)
            numbers[name] = column
        if column.ndim != 1:
            raise FormulaError(
                "SM412",
                text=formula.text,
                detail=f"column '{name}' has {column.ndim} dimensions; 1 is needed",
                detail_zh=f"列“{name}”是 {column.ndim} 维的,需要一维",
            )
        if n is None:
            n = len(column)
        elif len(column) != n:
            raise FormulaError(
                "SM412",
                text=formula.text,
                detail=f"column '{name}' has {len(column)} rows, the others {n}",
                detail_zh=f"列“{name}”有 {len(column)} 行,其他列有 {n} 行",
            )
    if n is None:  # a formula that reads nothing: its length comes from the columns given
        lengths = {len(np.asarray(c)) for c in columns.values()}
        if len(lengths) != 1:
            raise FormulaError(
                "SM412",
                text=formula.text,
                detail="the formula reads no column, so give at least one column of the wanted length",
                detail_zh="公式不读取任何列,请至少提供一列以确定行数",
            )
        n = lengths.pop()
    return Env(numbers, conditions, n)


def evaluate_batch(formula: Formula, columns: Mapping[str, Any], places: int | None) -> Any:
    if places is not None and (isinstance(places, bool) or not isinstance(places, int) or not 0 <= places <= 10):
        raise ValueError(f"places must be a whole number from 0 to 10, not {places!r}")
    env = _columns(formula, columns)
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
        rounded, _ = round_with_error(env, value, error, places)
        return _numbers(formula, env, rounded, places)


def _flagged(env: Env) -> np.ndarray[Any, Any]:
    mask = env.flags[0]
    for more in env.flags[1:]:
        mask = mask | more
    return np.flatnonzero(mask)


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
        tree = formula._python_tree()
        for i in _flagged(env):
            value = evaluate_scalar(tree, row_values(env, int(i)))
            if isinstance(value, Decimal) and places is not None:
                value = round_half_up(value, places)
            out[i] = np.nan if value is None else float(value)
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
        tree = formula._python_tree()
        for i in _flagged(env):
            result = evaluate_scalar(tree, row_values(env, int(i)))
            k[i] = result is not None
            v[i] = bool(result)
    return np.ma.MaskedArray(v, mask=~k)
