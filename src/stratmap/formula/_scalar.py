"""One record at a time: the formula's tree run by simpleeval, on Decimals.

simpleeval is the reference interpreter: the checked tree is handed to it as a Python
``ast`` tree (never re-parsed from text), with the language's operators and functions
given as Decimal- and missing-aware callables and ``and``/``or``/comparisons evaluated
with three-valued logic. Every operation is total: nothing here raises for any input
the checker let through, so no error can leak out of a branch that is not taken.
"""

from __future__ import annotations

import ast
import operator
import threading
from collections.abc import Callable, Mapping
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal
from typing import Any

from simpleeval import SimpleEval

from stratmap.formula._tree import Binary, Bool, Call, Compare, IfElse, Logic, Name, Node, Num, Unary

#: Arithmetic is decimal with 28 significant digits, rounded half to even, no traps.
CONTEXT = Context(prec=28, rounding=ROUND_HALF_EVEN, Emax=999_999, Emin=-999_999, traps=[])
#: Where binary64 overflows: results at or beyond 2**1024 - 2**970 round to infinity.
FLOAT_MAX = Decimal(2**1024 - 2**970)
_INF = Decimal("Infinity")
_ZERO = Decimal(0)

Value = Decimal | bool | None


def _fix(r: Decimal) -> Decimal | None:
    """A NaN result is missing; a magnitude past binary64's range is an infinity, as in the batch path."""
    if r.is_nan():
        return None
    if r.is_finite() and r.adjusted() >= 308 and abs(r) >= FLOAT_MAX:
        return _INF.copy_sign(r)
    return r


def _arith(fn: Callable[[Decimal, Decimal], Decimal]) -> Callable[[Value, Value], Value]:
    def op(a: Value, b: Value) -> Value:
        if a is None or b is None:
            return None
        return _fix(fn(a, b))  # type: ignore[arg-type]

    return op


def _div(a: Decimal, b: Decimal) -> Decimal:
    if b == 0:
        return Decimal("NaN")  # division by zero: missing
    return CONTEXT.divide(a, b)


def _compare(fn: Callable[[Any, Any], bool]) -> Callable[[Value, Value], Value]:
    def op(a: Value, b: Value) -> Value:
        if a is None or b is None:
            return None
        return fn(a, b)

    return op


def _neg(a: Value) -> Value:
    return None if a is None else _fix(CONTEXT.minus(a))


def _pos(a: Value) -> Value:
    return a


def _not(a: Value) -> Value:
    return None if a is None else not a


OPERATORS: dict[type, Callable[..., Value]] = {
    ast.Add: _arith(CONTEXT.add),
    ast.Sub: _arith(CONTEXT.subtract),
    ast.Mult: _arith(CONTEXT.multiply),
    ast.Div: _arith(_div),
    ast.USub: _neg,
    ast.UAdd: _pos,
    ast.Not: _not,
    ast.Lt: _compare(operator.lt),
    ast.LtE: _compare(operator.le),
    ast.Gt: _compare(operator.gt),
    ast.GtE: _compare(operator.ge),
    ast.Eq: _compare(operator.eq),
    ast.NotEq: _compare(operator.ne),
}


def _min(*args: Value) -> Value:
    if any(a is None for a in args):
        return None
    return min(args)  # type: ignore[type-var]


def _max(*args: Value) -> Value:
    if any(a is None for a in args):
        return None
    return max(args)  # type: ignore[type-var]


def _abs(a: Value) -> Value:
    if a is None or isinstance(a, bool):
        return a
    return abs(a)


def round_half_up(x: Decimal, places: int) -> Decimal:
    """``x`` rounded half away from zero to ``places`` decimals (四舍五入)."""
    if not x.is_finite() or x.adjusted() + places + 1 > CONTEXT.prec:
        return x  # already whole at that precision (or infinite)
    return x.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=CONTEXT)


def _round(x: Value, places: Value = _ZERO) -> Value:
    if x is None:
        return None
    return round_half_up(x, int(places))  # type: ignore[arg-type]


def _integral(rounding: str) -> Callable[[Value], Value]:
    def fn(x: Value) -> Value:
        if x is None or not x.is_finite():  # type: ignore[union-attr]
            return x
        return x.to_integral_value(rounding=rounding, context=CONTEXT)  # type: ignore[union-attr]

    return fn


def _clamp(x: Value, low: Value, high: Value) -> Value:
    return _min(_max(x, low), high)


def _kleene_and(values: list[Value]) -> Value:
    if any(v is False for v in values):
        return False
    if any(v is None for v in values):
        return None
    return True


def _kleene_or(values: list[Value]) -> Value:
    if any(v is True for v in values):
        return True
    if any(v is None for v in values):
        return None
    return False


def _between(x: Value, low: Value, high: Value) -> Value:
    return _kleene_and([OPERATORS[ast.LtE](low, x), OPERATORS[ast.LtE](x, high)])


def _coalesce(*args: Value) -> Value:
    for a in args:
        if a is not None:
            return a
    return None


def _missing(x: Value) -> Value:
    return x is None


FUNCTIONS: dict[str, Callable[..., Value]] = {
    "min": _min,
    "max": _max,
    "abs": _abs,
    "round": _round,
    "floor": _integral(ROUND_FLOOR),
    "ceil": _integral(ROUND_CEILING),
    "clamp": _clamp,
    "between": _between,
    "coalesce": _coalesce,
    "missing": _missing,
}

_BINARY = {"+": ast.Add, "-": ast.Sub, "*": ast.Mult, "/": ast.Div}
_UNARY = {"-": ast.USub, "+": ast.UAdd, "not": ast.Not}
_COMPARE = {"<": ast.Lt, "<=": ast.LtE, ">": ast.Gt, ">=": ast.GtE, "==": ast.Eq, "!=": ast.NotEq}


def to_python_ast(node: Node) -> ast.expr:
    """The same tree as Python ``ast`` nodes, numbers as Decimal constants."""
    if isinstance(node, Num):
        return ast.Constant(node.value)  # type: ignore[arg-type]  # simpleeval returns it as is
    if isinstance(node, Bool):
        return ast.Constant(node.value)
    if isinstance(node, Name):
        return ast.Name(node.id, ast.Load())
    if isinstance(node, Unary):
        return ast.UnaryOp(_UNARY[node.op](), to_python_ast(node.operand))
    if isinstance(node, Binary):
        return ast.BinOp(to_python_ast(node.left), _BINARY[node.op](), to_python_ast(node.right))
    if isinstance(node, Logic):
        op = ast.And() if node.op == "and" else ast.Or()
        return ast.BoolOp(op, [to_python_ast(o) for o in node.operands])
    if isinstance(node, Compare):
        return ast.Compare(
            to_python_ast(node.operands[0]),
            [_COMPARE[o]() for o in node.ops],
            [to_python_ast(o) for o in node.operands[1:]],
        )
    if isinstance(node, IfElse):
        return ast.IfExp(to_python_ast(node.test), to_python_ast(node.body), to_python_ast(node.orelse))
    assert isinstance(node, Call)
    return ast.Call(ast.Name(node.func, ast.Load()), [to_python_ast(a) for a in node.args], [])


class _Evaluator(SimpleEval):  # type: ignore[misc]
    """simpleeval with three-valued ``and``/``or`` and comparison chains."""

    def __init__(self, names: Mapping[str, Value]) -> None:
        super().__init__(operators=OPERATORS, functions=FUNCTIONS, names=dict(names))
        self.nodes[ast.BoolOp] = self._kleene_boolop
        self.nodes[ast.Compare] = self._kleene_compare

    def _kleene_boolop(self, node: ast.BoolOp) -> Value:
        # every operand is evaluated: all operations are total, so this is safe and
        # makes the result independent of the operands' order
        values = [self._eval(v) for v in node.values]
        return _kleene_and(values) if isinstance(node.op, ast.And) else _kleene_or(values)

    def _kleene_compare(self, node: ast.Compare) -> Value:
        left = self._eval(node.left)
        results: list[Value] = []
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = self._eval(comparator)
            results.append(self.operators[type(op)](left, right))
            left = right
        return _kleene_and(results)


_local = threading.local()


def _evaluator(values: Mapping[str, Value]) -> _Evaluator:
    """One evaluator per thread, given the record's names (building one costs more than a run)."""
    ev: _Evaluator | None = getattr(_local, "evaluator", None)
    if ev is None:
        ev = _local.evaluator = _Evaluator({})
    ev.names = dict(values)
    return ev


def evaluate(tree: ast.expr, values: Mapping[str, Value]) -> Value:
    """Evaluate the converted tree with simpleeval; a non-finite number result is missing."""
    result = _evaluator(values).eval("", previously_parsed=tree)
    if isinstance(result, Decimal):
        if not result.is_finite():
            return None
        return normalise(result)
    return result  # type: ignore[no-any-return]


def normalise(x: Decimal) -> Decimal:
    """Drop trailing zeros and exponents: ``1E+1`` -> ``10``, ``1.50`` -> ``1.5``, ``-0`` -> ``0``."""
    if x == 0:
        return _ZERO
    x = x.normalize(CONTEXT)
    _sign, digits, exponent = x.as_tuple()
    if isinstance(exponent, int) and exponent > 0 and len(digits) + exponent <= CONTEXT.prec:
        x = x.quantize(Decimal(1), context=CONTEXT)
    return x
