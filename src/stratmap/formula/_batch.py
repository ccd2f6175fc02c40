"""Many records at once: the formula compiled once into NumPy operations on columns.

Numbers are binary64 columns (NaN is a missing value); conditions are pairs of boolean
columns ``(value, known)`` with ``value`` False wherever ``known`` is False, which makes
three-valued ``and``/``or`` a handful of vectorised boolean operations. Every branch of
an ``if``/``else`` is computed for every row and then selected, so nothing is evaluated
per row and nothing can raise.

**One meaning with the scalar path.** Binary64 cannot reproduce decimal arithmetic, so
wherever a float's rounding could change a *discrete* outcome (a comparison, ``round``,
``floor``, ``ceil``, a division by a value that may be zero, or the published rounding
of the result) the operands are computed together with a rigorous bound on their
distance from the decimal result, and a row whose outcome is within that bound of the
edge is recomputed by the scalar (decimal) path. The bound is exact for the inputs and
literals (a binary64 value stands for its shortest decimal representation, and both
maps are monotonic), and it grows with every operation as a running error analysis
(the error-free transformation TwoSum for sums, first-order bounds for products and
quotients). Continuous arithmetic that decides nothing pays none of this.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from stratmap.formula._check import FUNCTIONS
from stratmap.formula._tree import Binary, Bool, Call, Compare, IfElse, Kind, Logic, Name, Node, Num, Unary

F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]
Arr = Any  # an ndarray or a NumPy scalar: operands broadcast

#: A generous unit roundoff: binary64's 2**-53 doubled, which also covers decimal's own rounding (1e-27).
U = 2.0**-52
#: A binary64 value is within this (relative) of the decimal it stands for.
HALF_ULP = 2.0**-53
#: Half the spacing of binary64's subnormal numbers: the absolute part of a value's distance.
SUBNORMAL = 5e-324
#: Absolute slack for underflow to subnormals or zero.
TINY = 1e-320
#: Beyond this magnitude a row goes to the exact path (binary64 may overflow).
HUGE = 1e300
TWO52 = 2.0**52


@dataclass
class Env:
    numbers: dict[str, F64]
    conditions: dict[str, tuple[B, B]]
    n: int
    flags: list[Arr] = field(default_factory=list)
    errors: dict[str, Arr] = field(default_factory=dict)

    def flag(self, mask: Arr) -> None:
        if np.ndim(mask) == 0:
            if mask:
                self.flags.append(np.ones(self.n, dtype=bool))
        else:
            self.flags.append(mask)


NumFn = Callable[[Env], Arr]
ErrFn = Callable[[Env], tuple[Arr, Arr]]
CondFn = Callable[[Env], tuple[Arr, Arr]]


def _exact(node: Node) -> bool:
    """Whether the node's binary64 value stands exactly for its decimal value."""
    return isinstance(node, Num | Name)


def _kleene_and(a: tuple[Arr, Arr], b: tuple[Arr, Arr]) -> tuple[Arr, Arr]:
    va, ka = a
    vb, kb = b
    known = (ka & kb) | (ka & ~va) | (kb & ~vb)
    return va & vb, known


def _kleene_or(a: tuple[Arr, Arr], b: tuple[Arr, Arr]) -> tuple[Arr, Arr]:
    va, ka = a
    vb, kb = b
    known = (ka & kb) | va | vb
    return va | vb, known


_CMP: dict[str, Callable[[Arr, Arr], Arr]] = {
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
    "==": np.equal,
    "!=": np.not_equal,
}


class Compiler:
    """Turns a checked tree into closures over an :class:`Env`."""

    def __init__(self, kinds: Mapping[str, Kind]) -> None:
        self.kinds = kinds

    # ---- numbers, plain binary64 ----------------------------------------------
    def num(self, node: Node) -> NumFn:
        if isinstance(node, Num):
            c = np.float64(node.value)
            return lambda env: c
        if isinstance(node, Name):
            key = node.id
            return lambda env: env.numbers[key]
        if isinstance(node, Unary):
            f = self.num(node.operand)
            if node.op == "+":
                return f
            return lambda env: np.negative(f(env))
        if isinstance(node, Binary):
            fa, fb = self.num(node.left), self.num(node.right)
            if node.op == "+":
                return lambda env: np.add(fa(env), fb(env))
            if node.op == "-":
                return lambda env: np.subtract(fa(env), fb(env))
            if node.op == "*":
                return lambda env: np.multiply(fa(env), fb(env))
            return lambda env: _divide(fa(env), fb(env))
        if isinstance(node, IfElse):
            test, fb, fo = self.cond(node.test), self.num(node.body), self.num(node.orelse)
            return lambda env: np.where(test(env)[0], fb(env), fo(env))
        assert isinstance(node, Call)
        return self.num_call(node)

    def num_call(self, node: Call) -> NumFn:
        name = node.func
        if name in ("round", "floor", "ceil"):
            fe = self.err(node)
            return lambda env: fe(env)[0]
        args = [self.num(a) for a in node.args]
        if name in ("min", "max"):
            ufunc = np.minimum if name == "min" else np.maximum

            def extreme(env: Env) -> Arr:
                r = args[0](env)
                for f in args[1:]:
                    r = ufunc(r, f(env))
                return r

            return extreme
        if name == "abs":
            return lambda env: np.abs(args[0](env))
        if name == "clamp":
            x, lo, hi = args
            return lambda env: np.minimum(np.maximum(x(env), lo(env)), hi(env))
        assert name == "coalesce"

        def coalesce(env: Env) -> Arr:
            r = args[-1](env)
            for f in reversed(args[:-1]):
                a = f(env)
                r = np.where(np.isnan(a), r, a)
            return r

        return coalesce

    # ---- numbers with an error bound --------------------------------------------
    def err(self, node: Node) -> ErrFn:
        if isinstance(node, Num):
            # the literal's own representation error, computed exactly
            c = np.float64(node.value)
            rep = np.float64(abs(Decimal(float(c)) - node.value))
            return lambda env: (c, rep)
        if isinstance(node, Name):
            key = node.id

            def column(env: Env) -> tuple[Arr, Arr]:
                v = env.numbers[key]
                e = env.errors.get(key)
                if e is None:  # the distance to the decimal it stands for, computed once per run
                    e = env.errors[key] = np.abs(v) * HALF_ULP + SUBNORMAL
                return v, e

            return column
        if isinstance(node, Unary):
            fe = self.err(node.operand)
            if node.op == "+":
                return fe

            def neg(env: Env) -> tuple[Arr, Arr]:
                v, e = fe(env)
                return np.negative(v), e

            return neg
        if isinstance(node, Binary):
            fa, fb = self.err(node.left), self.err(node.right)
            exact = _exact_literal(node.right)
            if exact is not None and node.op in ("*", "/") and exact != 0:
                return self._by_literal(fa, exact, node.op)
            if node.op in ("+", "-"):
                minus = node.op == "-"

                def add(env: Env) -> tuple[Arr, Arr]:
                    a, ea = fa(env)
                    b, eb = fb(env)
                    if minus:
                        b = np.negative(b)
                    s = a + b
                    size = np.abs(s)
                    env.flag(size > HUGE)  # near binary64's overflow the decimal path decides
                    return s, ea + eb + U * size + TINY

                return add
            if node.op == "*":

                def mul(env: Env) -> tuple[Arr, Arr]:
                    a, ea = fa(env)
                    b, eb = fb(env)
                    p = a * b
                    size = np.abs(p)
                    env.flag(size > HUGE)
                    return p, np.abs(a) * eb + np.abs(b) * ea + ea * eb + U * size + TINY

                return mul

            def div(env: Env) -> tuple[Arr, Arr]:
                a, ea = fa(env)
                b, eb = fb(env)
                q = _divide(a, b)
                ab = np.abs(b)
                near_zero = (eb > 0) & ~(ab > eb)  # the decimal divisor may be zero, or not
                env.flag((near_zero & ~np.isnan(b)) | (np.abs(q) > HUGE))
                with np.errstate(all="ignore"):
                    # |a/b - a'/b'| <= (|a'/b'| eb + ea) / (|b'| - eb): written so that no product of
                    # two large (or two tiny) magnitudes can overflow (or underflow) on the way
                    e = (np.abs(q) * eb + ea) / (ab - eb) + U * np.abs(q) + TINY
                return q, np.where(near_zero, np.inf, e)

            return div
        if isinstance(node, IfElse):
            test, fb2, fo = self.cond(node.test), self.err(node.body), self.err(node.orelse)

            def pick(env: Env) -> tuple[Arr, Arr]:
                t = test(env)[0]
                vb, eb = fb2(env)
                vo, eo = fo(env)
                return np.where(t, vb, vo), np.where(t, eb, eo)

            return pick
        assert isinstance(node, Call)
        return self.err_call(node)

    def _by_literal(self, fa: ErrFn, c: float, op: str) -> ErrFn:
        """``x * c`` or ``x / c`` for a literal ``c`` that binary64 holds exactly (e.g. 100, 0.5):
        the same bound as the general case with the literal's error 0, in fewer passes."""
        scale = abs(c)
        if op == "*":

            def mul(env: Env) -> tuple[Arr, Arr]:
                a, ea = fa(env)
                p = a * c
                size = np.abs(p)
                env.flag(size > HUGE)
                return p, scale * ea + U * size + TINY

            return mul

        def div(env: Env) -> tuple[Arr, Arr]:
            a, ea = fa(env)
            q = a / c
            size = np.abs(q)
            env.flag(size > HUGE)
            return q, ea / scale + U * size + TINY

        return div

    def err_call(self, node: Call) -> ErrFn:
        name = node.func
        if name == "round":
            x = self.err(node.args[0])
            places = int(node.args[1].value) if len(node.args) == 2 and isinstance(node.args[1], Num) else 0
            return lambda env: round_with_error(env, *x(env), places)
        if name in ("floor", "ceil"):
            x = self.err(node.args[0])
            up = name == "ceil"

            def integral(env: Env) -> tuple[Arr, Arr]:
                v, e = x(env)
                lower = np.floor(v)
                dist = np.minimum(v - lower, np.ceil(v) - v)
                env.flag(~(e <= 0) & np.isfinite(v) & ~(dist > e))  # a NaN bound flags too
                r = np.ceil(v) if up else lower
                return r, np.where(np.abs(r) < TWO52, 0.0, e)

            return integral
        args = [self.err(a) for a in node.args]
        if name in ("min", "max", "clamp"):
            ufunc = np.minimum if name == "min" else np.maximum

            def extreme(env: Env) -> tuple[Arr, Arr]:
                pairs = [f(env) for f in args]
                if name == "clamp":
                    (x, ex), (lo, elo), (hi, ehi) = pairs
                    v = np.minimum(np.maximum(x, lo), hi)
                    return v, np.maximum(np.maximum(ex, elo), ehi)
                v, e = pairs[0]
                for vi, ei in pairs[1:]:
                    v = ufunc(v, vi)
                    e = np.maximum(e, ei)
                return v, e

            return extreme
        if name == "abs":

            def absolute(env: Env) -> tuple[Arr, Arr]:
                v, e = args[0](env)
                return np.abs(v), e

            return absolute
        assert name == "coalesce"

        def coalesce(env: Env) -> tuple[Arr, Arr]:
            v, e = args[-1](env)
            for f in reversed(args[:-1]):
                a, ea = f(env)
                gone = np.isnan(a)
                v, e = np.where(gone, v, a), np.where(gone, e, ea)
            return v, e

        return coalesce

    # ---- conditions -------------------------------------------------------------
    def cond(self, node: Node) -> CondFn:
        if isinstance(node, Bool):
            pair = (np.bool_(node.value), np.True_)
            return lambda env: pair
        if isinstance(node, Name):
            key = node.id
            return lambda env: env.conditions[key]
        if isinstance(node, Unary):
            f = self.cond(node.operand)

            def negate(env: Env) -> tuple[Arr, Arr]:
                v, k = f(env)
                return ~v & k, k

            return negate
        if isinstance(node, Logic):
            parts = [self.cond(o) for o in node.operands]
            combine = _kleene_and if node.op == "and" else _kleene_or

            def logic(env: Env) -> tuple[Arr, Arr]:
                acc = parts[0](env)
                for f in parts[1:]:
                    acc = combine(acc, f(env))
                return acc

            return logic
        if isinstance(node, Compare):
            return self.compare(node.operands, node.ops)
        if isinstance(node, IfElse):
            test, fb, fo = self.cond(node.test), self.cond(node.body), self.cond(node.orelse)

            def pick(env: Env) -> tuple[Arr, Arr]:
                t = test(env)[0]
                vb, kb = fb(env)
                vo, ko = fo(env)
                return np.where(t, vb, vo), np.where(t, kb, ko)

            return pick
        assert isinstance(node, Call)
        if node.func == "between":
            x, lo, hi = node.args
            return self.compare((lo, x, hi), ("<=", "<="))
        assert node.func == "missing"
        arg = node.args[0]
        if self.kind_of(arg) == "condition":
            fc = self.cond(arg)

            def unknown(env: Env) -> tuple[Arr, Arr]:
                return ~fc(env)[1], np.True_

            return unknown
        fe = self.err(arg)  # error mode: flags a division whose divisor may be zero
        return lambda env: (np.isnan(fe(env)[0]), np.True_)

    def compare(self, operands: tuple[Node, ...], ops: tuple[str, ...]) -> CondFn:
        sides: list[Callable[[Env], tuple[Arr, Arr]]] = []
        computed: list[bool] = []
        for operand in operands:
            if self.kind_of(operand) == "condition":
                sides.append(self.cond(operand))
                computed.append(False)
            elif _exact(operand):
                # a leaf compares exactly: binary64 -> shortest decimal is monotonic and one-to-one
                sides.append(self._leaf(operand))
                computed.append(False)
            else:
                sides.append(self.err(operand))
                computed.append(True)
        is_condition = [self.kind_of(o) == "condition" for o in operands]
        constant = [isinstance(o, Num) for o in operands]  # never missing

        def run(env: Env) -> tuple[Arr, Arr]:
            values = [f(env) for f in sides]
            acc: tuple[Arr, Arr] | None = None
            for i, op in enumerate(ops):
                (a, ea), (b, eb) = values[i], values[i + 1]
                if is_condition[i]:
                    known = ea & eb  # for conditions the pair is (value, known)
                    pair = (_CMP[op](a, b) & known, known)
                else:
                    if constant[i]:
                        known = ~np.isnan(b)
                    elif constant[i + 1]:
                        known = ~np.isnan(a)
                    else:
                        known = ~(np.isnan(a) | np.isnan(b))
                    pair = (_CMP[op](a, b) & known, known)
                    if computed[i] or computed[i + 1]:
                        close = ~(np.abs(a - b) > ea + eb)
                        huge = (np.abs(a) > HUGE) | (np.abs(b) > HUGE)
                        env.flag(known & (close | huge))
                acc = pair if acc is None else _kleene_and(acc, pair)
            assert acc is not None
            return acc

        return run

    def _leaf(self, node: Node) -> Callable[[Env], tuple[Arr, Arr]]:
        f = self.num(node)
        zero = np.float64(0.0)
        return lambda env: (f(env), zero)

    def kind_of(self, node: Node) -> Kind:
        """The kind of a node already accepted by the checker."""
        if isinstance(node, Num):
            return "number"
        if isinstance(node, Bool | Logic | Compare):
            return "condition"
        if isinstance(node, Name):
            return self.kinds[node.id]
        if isinstance(node, Unary):
            return "condition" if node.op == "not" else "number"
        if isinstance(node, Binary):
            return "number"
        if isinstance(node, IfElse):
            return self.kind_of(node.body)
        return FUNCTIONS[node.func].result


def _exact_literal(node: Node) -> float | None:
    """The literal's value when binary64 holds it exactly (its representation error is 0)."""
    if isinstance(node, Num):
        c = float(node.value)
        if Decimal(c) == node.value and c == c and abs(c) != float("inf"):
            return c
    return None


def _divide(a: Arr, b: Arr) -> Arr:
    """``a / b`` with division by zero giving a missing value (NaN)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        q = np.divide(a, b)
    zero = b == 0
    if np.ndim(q) == 0:
        return np.float64(np.nan) if np.any(zero) else q
    if np.ndim(zero) == 0:
        if zero:
            q[...] = np.nan
    elif zero.any():
        q[zero] = np.nan
    return q


def round_with_error(env: Env, v: Arr, e: Arr, places: int, *, want_error: bool = True) -> tuple[Arr, Arr]:
    """Round half away from zero to ``places``, flagging rows whose decimal value may round otherwise.

    The result's own error bound is computed only when ``want_error`` (a nested ``round``).
    """
    m = 10.0**places
    t = np.abs(v) * m
    whole = np.floor(t)
    frac = t - whole
    slack = e * m + 2 * U * t + TINY
    # near a tie, or too large for binary64 to carry the places: the decimal path decides
    env.flag(~np.isnan(v) & ((np.abs(t) > HUGE) | ~(np.abs(frac - 0.5) > slack)))
    r = np.copysign((whole + (frac >= 0.5)) / m, v)
    if not want_error:
        return r, e
    big = t >= TWO52
    return r, np.where(big, e + U * np.abs(v), U * np.abs(r))
