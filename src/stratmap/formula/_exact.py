"""The scalar path's meaning, over many rows at once: Decimal object arrays.

The batch path sends here the rows whose binary64 result could differ from the decimal
one (near a tie). Each operation is the scalar path's own operator or function, applied
element by element with ``numpy.frompyfunc``: the same code that simpleeval calls, without
interpreting the tree again for every row.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import numpy as np

from stratmap.formula._scalar import FUNCTIONS, OPERATORS, _kleene_and, _kleene_or
from stratmap.formula._tree import Binary, Bool, Call, Compare, IfElse, Logic, Name, Node, Num, Unary

Obj = Any  # an object ndarray, or one Python value that broadcasts
Fn = Callable[[dict[str, Obj]], Obj]

_BINARY = {"+": ast.Add, "-": ast.Sub, "*": ast.Mult, "/": ast.Div}
_COMPARE = {"<": ast.Lt, "<=": ast.LtE, ">": ast.Gt, ">=": ast.GtE, "==": ast.Eq, "!=": ast.NotEq}


def _ufunc(fn: Callable[..., Any], nargs: int) -> np.ufunc:
    ufunc: np.ufunc = np.frompyfunc(fn, nargs, 1)
    return ufunc


_AND2 = _ufunc(lambda a, b: _kleene_and([a, b]), 2)
_OR2 = _ufunc(lambda a, b: _kleene_or([a, b]), 2)
_IS_TRUE = _ufunc(lambda x: x is True, 1)


def compile_exact(node: Node) -> Fn:
    if isinstance(node, Num | Bool):
        value = node.value
        return lambda env: value
    if isinstance(node, Name):
        key = node.id
        return lambda env: env[key]
    if isinstance(node, Unary):
        f = compile_exact(node.operand)
        op = _ufunc(OPERATORS[{"-": ast.USub, "+": ast.UAdd, "not": ast.Not}[node.op]], 1)
        return lambda env: op(f(env))
    if isinstance(node, Binary):
        fa, fb = compile_exact(node.left), compile_exact(node.right)
        op2 = _ufunc(OPERATORS[_BINARY[node.op]], 2)
        return lambda env: op2(fa(env), fb(env))
    if isinstance(node, Logic):
        parts = [compile_exact(o) for o in node.operands]
        combine = _AND2 if node.op == "and" else _OR2

        def logic(env: dict[str, Obj]) -> Obj:
            acc = parts[0](env)
            for f in parts[1:]:
                acc = combine(acc, f(env))
            return acc

        return logic
    if isinstance(node, Compare):
        sides = [compile_exact(o) for o in node.operands]
        ops = [_ufunc(OPERATORS[_COMPARE[o]], 2) for o in node.ops]

        def compare(env: dict[str, Obj]) -> Obj:
            values = [f(env) for f in sides]
            acc = ops[0](values[0], values[1])
            for i in range(1, len(ops)):
                acc = _AND2(acc, ops[i](values[i], values[i + 1]))
            return acc

        return compare
    if isinstance(node, IfElse):
        test, fb2, fo = compile_exact(node.test), compile_exact(node.body), compile_exact(node.orelse)

        def pick(env: dict[str, Obj]) -> Obj:
            t = np.asarray(test(env), dtype=object)
            chosen = np.asarray(_IS_TRUE(t), dtype=bool)
            return np.where(chosen, np.asarray(fb2(env), dtype=object), np.asarray(fo(env), dtype=object))

        return pick
    assert isinstance(node, Call)
    args = [compile_exact(a) for a in node.args]
    fn = _ufunc(FUNCTIONS[node.func], len(args))
    return lambda env: fn(*(f(env) for f in args))


TO_DECIMAL = np.frompyfunc(lambda s: None if s == "nan" else Decimal(s), 1, 1)


def decimals(column: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Each float as the decimal it stands for (its shortest representation); NaN as None."""
    return TO_DECIMAL(column.astype(str)).astype(object)  # type: ignore[no-any-return]


def conditions(value: np.ndarray[Any, Any], known: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    out = value.astype(object)
    out[~known] = None
    return out
