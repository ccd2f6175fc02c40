"""Exact results for the rows near a tie, in integers: each value a fraction num / den.

When every value of a row is a decimal that the scalar path holds exactly (inputs and
literals are short decimals; sums, products and quotients by powers of 2 and 5 stay
terminating decimals of at most 18 places and below 1e9), decimal arithmetic is exact
and equals rational arithmetic. This module evaluates the tree on such rows with int64
fractions, vectorised; a row where a fraction would not terminate, overflow or grow past
those bounds is marked and left to the Decimal path. It is an accelerator: the Decimal
path (the scalar path's own operators) remains the definition.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from stratmap.formula._tree import Binary, Bool, Call, Compare, IfElse, Logic, Name, Node, Num, Unary

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]
#: Every denominator must divide this: the value is then a decimal of at most 18 places.
TEN18 = 10**18
#: Magnitudes kept below this, so that 28 significant digits always hold the value.
LIMIT = 1e9
#: Products of two int64 must stay below this.
SAFE = 2.0**62


class Num_:
    """A column of fractions: ``num / den`` (den > 0), ``missing``, and ``bad`` (leave to Decimal)."""

    __slots__ = ("bad", "den", "missing", "num")

    def __init__(self, num: I64, den: I64, missing: B, bad: B) -> None:
        self.num, self.den, self.missing, self.bad = num, den, missing, bad


class Cond_:
    __slots__ = ("bad", "known", "value")

    def __init__(self, value: B, known: B, bad: B) -> None:
        self.value, self.known, self.bad = value, known, bad


Fn = Callable[[Mapping[str, Any]], Any]


def from_floats(x: npt.NDArray[np.float64]) -> Num_:
    """Each float as the decimal it stands for, when that has at most 15 places."""
    n = len(x)
    missing = np.isnan(x)
    num = np.zeros(n, dtype=np.int64)
    den = np.ones(n, dtype=np.int64)
    todo = ~missing & (np.abs(np.where(missing, 0, x)) < LIMIT)
    found = np.zeros(n, dtype=bool)
    for k in range(16):
        if not todo.any():
            break
        scale = 10.0**k
        scaled = np.rint(x * scale)
        hit = todo & (np.abs(scaled) < 1e15) & (scaled / scale == x)
        num[hit] = scaled[hit].astype(np.int64)
        den[hit] = 10**k
        found |= hit
        todo &= ~hit
    return _reduce(Num_(num, den, missing, ~missing & ~found))


def _literal(value: Decimal, n: int) -> Num_:
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    integer = int("".join(map(str, digits)) or "0") * (-1 if sign else 1)
    if exponent >= 0:
        num, den = integer * 10**exponent, 1
    else:
        num, den = integer, 10**-exponent
    ok = abs(num) < 2**62 and den <= TEN18
    return Num_(
        np.full(n, num if ok else 0, dtype=np.int64),
        np.full(n, den if ok else 1, dtype=np.int64),
        np.zeros(n, dtype=bool),
        np.full(n, not ok),
    )


def _reduce(v: Num_) -> Num_:
    g = np.gcd(v.num, v.den)
    g[g == 0] = 1
    return Num_(v.num // g, v.den // g, v.missing, v.bad)


def _check(v: Num_) -> Num_:
    """Mark rows whose fraction does not terminate within 18 places or grows too large."""
    v = _reduce(v)
    bad = v.bad | (TEN18 % v.den != 0) | (np.abs(v.num.astype(np.float64) / v.den) >= LIMIT)
    return Num_(np.where(bad, 0, v.num), np.where(bad, 1, v.den), v.missing, bad)


def _fits(*factors: I64) -> B:
    product = np.ones(len(factors[0]))
    for f in factors:
        product = product * np.abs(f.astype(np.float64))
    return product < SAFE


def _add(a: Num_, b: Num_, sign: int) -> Num_:
    ok = _fits(a.num, b.den) & _fits(b.num, a.den) & _fits(a.den, b.den)
    num = np.where(ok, a.num * b.den + sign * b.num * a.den, 0)
    den = np.where(ok, a.den * b.den, 1)
    return _check(Num_(num, den, a.missing | b.missing, a.bad | b.bad | ~ok))


def _mul(a: Num_, b: Num_) -> Num_:
    ok = _fits(a.num, b.num) & _fits(a.den, b.den)
    return _check(
        Num_(np.where(ok, a.num * b.num, 0), np.where(ok, a.den * b.den, 1), a.missing | b.missing, a.bad | b.bad | ~ok)
    )


def _div(a: Num_, b: Num_) -> Num_:
    zero = b.num == 0
    ok = _fits(a.num, b.den) & _fits(a.den, b.num)
    num = np.where(ok & ~zero, a.num * b.den, 0)
    den = np.where(ok & ~zero, a.den * b.num, 1)
    num = np.where(den < 0, -num, num)
    den = np.abs(den)
    return _check(Num_(num, den, a.missing | b.missing | zero, a.bad | b.bad | ~ok))


def _cmp(a: Num_, b: Num_) -> tuple[I64, B]:
    """sign(a - b) per row, and where that could not be computed."""
    ok = _fits(a.num, b.den) & _fits(b.num, a.den)
    left = np.where(ok, a.num * b.den, 0)
    right = np.where(ok, b.num * a.den, 0)
    return np.sign(left - right), ~ok


def _pick(mask: B, a: Num_, b: Num_) -> Num_:
    return Num_(
        np.where(mask, a.num, b.num),
        np.where(mask, a.den, b.den),
        np.where(mask, a.missing, b.missing),
        np.where(mask, a.bad, b.bad),
    )


def _round(x: Num_, places: int, mode: str = "half_up") -> Num_:
    scale = 10**places
    ok = _fits(x.num, np.full(len(x.num), scale, dtype=np.int64))
    scaled = np.where(ok, x.num * scale, 0)
    if mode == "half_up":
        q, r = np.divmod(np.abs(scaled), x.den)
        q = q + (2 * r >= x.den)
        q = np.where(scaled < 0, -q, q)
    elif mode == "floor":
        q = np.floor_divide(scaled, x.den)
    else:
        q = -np.floor_divide(-scaled, x.den)
    return _check(Num_(q, np.full(len(q), scale, dtype=np.int64), x.missing, x.bad | ~ok))


class Compiler:
    def __init__(self, kinds: Mapping[str, str], n: int) -> None:
        self.kinds, self.n = kinds, n

    def kind(self, node: Node) -> str:
        from stratmap.formula._batch import Compiler as FloatCompiler

        return FloatCompiler(self.kinds).kind_of(node)  # type: ignore[arg-type]

    def num(self, node: Node) -> Fn:
        n = self.n
        if isinstance(node, Num):
            lit = _literal(node.value, n)
            return lambda env: lit
        if isinstance(node, Name):
            key = node.id
            return lambda env: env[key]
        if isinstance(node, Unary):
            f = self.num(node.operand)
            if node.op == "+":
                return f
            return lambda env: (lambda v: Num_(-v.num, v.den, v.missing, v.bad))(f(env))
        if isinstance(node, Binary):
            fa, fb = self.num(node.left), self.num(node.right)
            op = node.op
            if op == "+":
                return lambda env: _add(fa(env), fb(env), 1)
            if op == "-":
                return lambda env: _add(fa(env), fb(env), -1)
            if op == "*":
                return lambda env: _mul(fa(env), fb(env))
            return lambda env: _div(fa(env), fb(env))
        if isinstance(node, IfElse):
            test, fb2, fo = self.cond(node.test), self.num(node.body), self.num(node.orelse)

            def pick(env: Mapping[str, Any]) -> Num_:
                t, body, orelse = test(env), fb2(env), fo(env)
                chosen = _pick(t.value & t.known, body, orelse)
                return Num_(chosen.num, chosen.den, chosen.missing, body.bad | orelse.bad | t.bad)

            return pick
        assert isinstance(node, Call)
        return self.call(node)

    def call(self, node: Call) -> Fn:
        name = node.func
        args = [self.num(a) for a in node.args] if name != "missing" else []
        if name in ("min", "max"):
            want = -1 if name == "min" else 1

            def extreme(env: Mapping[str, Any]) -> Num_:
                acc: Num_ = args[0](env)
                for f in args[1:]:
                    other = f(env)
                    sign, bad = _cmp(other, acc)
                    missing, bads = acc.missing | other.missing, acc.bad | other.bad | bad
                    acc = _pick(sign == want, other, acc)
                    acc = Num_(acc.num, acc.den, missing, bads)
                return acc

            return extreme
        if name == "abs":
            return lambda env: (lambda v: Num_(np.abs(v.num), v.den, v.missing, v.bad))(args[0](env))
        if name == "clamp":
            low = self.call(Call("max", node.args[:2], node.start, node.end, node.name_end))
            high = args[2]

            def clamp(env: Mapping[str, Any]) -> Num_:
                a, b = low(env), high(env)
                sign, bad = _cmp(b, a)
                out = _pick(sign == -1, b, a)  # min(max(x, low), high)
                return Num_(out.num, out.den, a.missing | b.missing, a.bad | b.bad | bad)

            return clamp
        if name == "coalesce":

            def coalesce(env: Mapping[str, Any]) -> Num_:
                acc: Num_ = args[-1](env)
                for f in reversed(args[:-1]):
                    a = f(env)
                    bads = a.bad | acc.bad  # a bad value's missingness is not known either
                    acc = _pick(~a.missing, a, acc)
                    acc = Num_(acc.num, acc.den, acc.missing, bads)
                return acc

            return coalesce
        if name == "round":
            places = int(node.args[1].value) if len(node.args) == 2 and isinstance(node.args[1], Num) else 0
            f = args[0]
            return lambda env: _round(f(env), places)
        f = args[0]
        mode = "floor" if name == "floor" else "ceil"
        return lambda env: _round(f(env), 0, mode)

    def cond(self, node: Node) -> Callable[[Mapping[str, Any]], Cond_]:
        n = self.n
        false, true = np.zeros(n, dtype=bool), np.ones(n, dtype=bool)
        if isinstance(node, Bool):
            c = Cond_(true if node.value else false, true, false)
            return lambda env: c
        if isinstance(node, Name):
            key = node.id
            return lambda env: env[key]
        if isinstance(node, Unary):
            f = self.cond(node.operand)
            return lambda env: (lambda c: Cond_(~c.value & c.known, c.known, c.bad))(f(env))
        if isinstance(node, Logic):
            parts = [self.cond(o) for o in node.operands]
            is_and = node.op == "and"

            def logic(env: Mapping[str, Any]) -> Cond_:
                acc = parts[0](env)
                for f in parts[1:]:
                    b = f(env)
                    if is_and:
                        known = (acc.known & b.known) | (acc.known & ~acc.value) | (b.known & ~b.value)
                        acc = Cond_(acc.value & b.value, known, acc.bad | b.bad)
                    else:
                        known = (acc.known & b.known) | acc.value | b.value
                        acc = Cond_(acc.value | b.value, known, acc.bad | b.bad)
                return acc

            return logic
        if isinstance(node, Compare):
            return self.compare(node.operands, node.ops)
        if isinstance(node, IfElse):
            test, fb, fo = self.cond(node.test), self.cond(node.body), self.cond(node.orelse)

            def pick(env: Mapping[str, Any]) -> Cond_:
                t, b, o = test(env), fb(env), fo(env)
                m = t.value & t.known
                return Cond_(np.where(m, b.value, o.value), np.where(m, b.known, o.known), t.bad | b.bad | o.bad)

            return pick
        assert isinstance(node, Call)
        if node.func == "between":
            x, lo, hi = node.args
            return self.compare((lo, x, hi), ("<=", "<="))
        arg = node.args[0]
        if self.kind(arg) == "condition":
            fc = self.cond(arg)
            return lambda env: (lambda c: Cond_(~c.known, true, c.bad))(fc(env))
        fn = self.num(arg)
        return lambda env: (lambda v: Cond_(v.missing, true, v.bad))(fn(env))

    def compare(self, operands: tuple[Node, ...], ops: tuple[str, ...]) -> Callable[[Mapping[str, Any]], Cond_]:
        conditions = [self.kind(o) == "condition" for o in operands]
        sides: list[Fn] = [self.cond(o) if c else self.num(o) for o, c in zip(operands, conditions, strict=True)]
        tests = {
            "<": lambda s: s < 0,
            "<=": lambda s: s <= 0,
            ">": lambda s: s > 0,
            ">=": lambda s: s >= 0,
            "==": lambda s: s == 0,
            "!=": lambda s: s != 0,
        }

        def run(env: Mapping[str, Any]) -> Cond_:
            values = [f(env) for f in sides]
            acc: Cond_ | None = None
            for i, op in enumerate(ops):
                a, b = values[i], values[i + 1]
                if conditions[i]:
                    known = a.known & b.known
                    same = a.value == b.value
                    pair = Cond_((same if op == "==" else ~same) & known, known, a.bad | b.bad)
                else:
                    sign, bad = _cmp(a, b)
                    known = ~(a.missing | b.missing)
                    pair = Cond_(tests[op](sign) & known, known, a.bad | b.bad | bad)
                if acc is None:
                    acc = pair
                else:
                    known = (acc.known & pair.known) | (acc.known & ~acc.value) | (pair.known & ~pair.value)
                    acc = Cond_(acc.value & pair.value, known, acc.bad | pair.bad)
            assert acc is not None
            return acc

        return run


def evaluate_rows(
    tree: Node,
    kinds: Mapping[str, str],
    numbers: Mapping[str, npt.NDArray[np.float64]],
    conditions: Mapping[str, tuple[B, B]],
    kind: str,
    places: int | None,
    n: int,
) -> tuple[npt.NDArray[np.float64], B, B]:
    """(value, known, done) for the given rows: value is a float (a number, or 1/0 for a
    condition), known is False where the result is missing, done False where the row
    must go to the Decimal path."""
    compiler = Compiler(kinds, n)
    env: dict[str, Any] = {name: from_floats(col) for name, col in numbers.items()}
    env.update({name: Cond_(v, k, np.zeros(n, dtype=bool)) for name, (v, k) in conditions.items()})
    if kind == "condition":
        c = compiler.cond(tree)(env)
        return c.value.astype(np.float64), c.known, ~c.bad
    v = compiler.num(tree)(env)
    if places is not None:
        v = _round(v, places)
    big = (np.abs(v.num) >= 2**53) | (v.den >= 2**53)  # float(num) / float(den) would not be exact
    with np.errstate(all="ignore"):
        value = v.num.astype(np.float64) / v.den.astype(np.float64)
    return value, ~v.missing, ~v.bad & ~big
