"""Exact batch evaluation in scaled integers, for formulas whose denominators are static.

Most published figures come from formulas such as ``clamp(actual / 40 * 100, 0, 120)``:
columns of short decimals (two places, say), literals, ``+ - *``, division by a literal,
comparisons, ``if``/``else``, ``min``/``max``/``clamp``/``abs``/``coalesce`` and
``round``/``floor``/``ceil``. The value of every node of such a formula is ``num / D``
where ``num`` is an int64 column and ``D`` a whole number known before any row is read
(the inputs' decimal scales and the literals fix it). Evaluated that way the result is
exact, so it is rounded to the published places directly: no error bounds, no rows near
a tie to settle by the decimal path. That is what a careful engineer writes by hand in
fixed point, and it is also faster: one integer operation per node and row.

:func:`evaluate_number` and :func:`evaluate_condition` answer ``None`` whenever this does
not apply, and the caller uses the binary64 path with error bounds (:mod:`._batch`): a
division by a column, ``round`` to a computed number of places, an input that is not a
short decimal (at most 6 places and fewer than 1e15 units of its last place), a repeating
decimal (a division by 3), or magnitudes that could leave int64 or the decimal path's 28
significant digits anywhere in the formula (each node's bound is computed from the
inputs' largest magnitudes before evaluating).

Missing values follow the batch path exactly: arithmetic, ``min``/``max``/``clamp`` and
``abs`` of a missing value are missing; a comparison with one is unknown; an ``if`` whose
test is unknown takes its ``else``; ``coalesce`` takes the first value present; a
division by a literal zero is missing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from stratmap.formula._batch import _CMP, Compiler, Env, _kleene_and, _kleene_or
from stratmap.formula._syntax import Binary, Bool, Call, Compare, IfElse, Kind, Logic, Name, Node, Num, Unary

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
class _Fx:
    """A compiled number node: ``run(env)`` gives ``(num, missing)``, the value being ``num / den``.

    ``bound(maxima)`` is the largest magnitude any integer in the node (children included)
    can reach, given each input's largest ``num``; ``const`` is the node's value when it
    is a literal (or an expression of literals).
    """

    run: Callable[[_FEnv], tuple[Arr, Arr]]
    den: int
    bound: Callable[[Mapping[str, int]], int]
    const: Fraction | None = None


@dataclass(frozen=True)
class _Cx:
    """A compiled condition node: ``run(env)`` gives ``(value, known)``."""

    run: Callable[[_FEnv], tuple[Arr, Arr]]
    bound: Callable[[Mapping[str, int]], int]


@dataclass
class _FEnv:
    numbers: dict[str, tuple[Arr, Arr]]  # name -> (num, missing)
    conditions: dict[str, tuple[Arr, Arr]]


def _or(a: Arr, b: Arr) -> Arr:
    if a is None:
        return b
    if b is None:
        return a
    return a | b


def _fx(
    run: Callable[[_FEnv], tuple[Arr, Arr]],
    den: int,
    value: Callable[[Mapping[str, int]], int],
    const: Fraction | None = None,
    inner: Callable[[Mapping[str, int]], int] | None = None,
) -> _Fx:
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
    return _Fx(run, den, bound, const)


def _lit(value: Fraction) -> _Fx:
    num, den = value.numerator, value.denominator
    size = abs(num)
    return _fx(lambda env: (num, None), den, lambda m: size, value)


def _nothing() -> _Fx:
    """A value missing on every row (``0 / 0``)."""
    return _fx(lambda env: (0, np.True_), 1, lambda m: 0)


def _rescale(x: _Fx, den: int) -> tuple[Callable[[_FEnv], tuple[Arr, Arr]], int]:
    """``x`` over the common denominator ``den``: its run and its factor."""
    factor = den // x.den
    if factor == 1:
        return x.run, 1

    def run(env: _FEnv) -> tuple[Arr, Arr]:
        num, miss = x.run(env)
        return num * factor, miss

    return run, factor


def _common(parts: list[_Fx]) -> tuple[int, list[Callable[[_FEnv], tuple[Arr, Arr]]], list[int]]:
    den = math.lcm(*(p.den for p in parts))
    runs, factors = zip(*(_rescale(p, den) for p in parts), strict=True)
    return den, list(runs), list(factors)


def _scaled_bound(parts: list[_Fx], factors: list[int]) -> Callable[[Mapping[str, int]], int]:
    def bound(m: Mapping[str, int]) -> int:
        return max(p.bound(m) * f for p, f in zip(parts, factors, strict=True))  # factors are >= 1

    return bound


class FixedCompiler:
    """Compiles a checked tree for inputs of known decimal places (``scales``: name -> places)."""

    def __init__(self, kinds: Mapping[str, Kind], scales: Mapping[str, int]) -> None:
        self.kinds = kinds
        self.scales = scales
        self.kind_of = Compiler(kinds).kind_of  # the checker's kinds, as the binary64 path reads them

    # ---- numbers ----------------------------------------------------------------
    def num(self, node: Node) -> _Fx:
        if isinstance(node, Num):
            return _lit(Fraction(node.value))
        if isinstance(node, Name):
            key, den = node.id, 10 ** self.scales[node.id]
            return _fx(lambda env: env.numbers[key], den, lambda m: m[key])
        if isinstance(node, Unary):
            x = self.num(node.operand)
            if node.op == "+":
                return x
            if x.const is not None:
                return _lit(-x.const)
            run = x.run
            return _Fx(lambda env: _neg(run(env)), x.den, x.bound)
        if isinstance(node, Binary):
            return self.binary(node.op, self.num(node.left), self.num(node.right))
        if isinstance(node, IfElse):
            test, body, orelse = self.cond(node.test), self.num(node.body), self.num(node.orelse)
            den, (rb, ro), factors = _common([body, orelse])
            t_run = test.run

            def pick(env: _FEnv) -> tuple[Arr, Arr]:
                t = t_run(env)[0]  # False where unknown: the else branch, as in the batch path
                vb, mb = rb(env)
                vo, mo = ro(env)
                miss = None if mb is None and mo is None else np.where(t, _mask(mb), _mask(mo))
                return np.where(t, vb, vo), miss

            parts_bound = _scaled_bound([body, orelse], factors)
            return _fx(pick, den, parts_bound, inner=test.bound)
        assert isinstance(node, Call)
        return self.call(node)

    def binary(self, op: str, a: _Fx, b: _Fx) -> _Fx:
        if a.const is not None and b.const is not None:
            if op == "/":
                return _nothing() if b.const == 0 else _lit(a.const / b.const)
            return _lit({"+": a.const + b.const, "-": a.const - b.const, "*": a.const * b.const}[op])
        if op in ("+", "-"):
            den, (ra, rb), factors = _common([a, b])
            minus = op == "-"

            def add(env: _FEnv) -> tuple[Arr, Arr]:
                va, ma = ra(env)
                vb, mb = rb(env)
                return (va - vb if minus else va + vb), _or(ma, mb)

            fa, fb = factors
            return _fx(add, den, lambda m: a.bound(m) * fa + b.bound(m) * fb)
        if op == "*":
            if a.const is not None:
                a, b = b, a  # the literal on the right
            if b.const is not None:
                return _times(a, b.const)
            den = a.den * b.den
            ra, rb = a.run, b.run

            def mul(env: _FEnv) -> tuple[Arr, Arr]:
                va, ma = ra(env)
                vb, mb = rb(env)
                return va * vb, _or(ma, mb)

            return _fx(mul, den, lambda m: a.bound(m) * b.bound(m))
        if b.const is None:
            raise Unsupported("division by a column")
        if b.const == 0:
            return _nothing()
        return _times(a, 1 / b.const)

    def call(self, node: Call) -> _Fx:
        name = node.func
        if name == "round":
            if len(node.args) == 2 and not isinstance(node.args[1], Num):
                raise Unsupported("round to computed places")
            places = int(node.args[1].value) if len(node.args) == 2 else 0  # type: ignore[union-attr]
            return _round(self.num(node.args[0]), places)
        if name in ("floor", "ceil"):
            return _integral(self.num(node.args[0]), up=name == "ceil")
        parts = [self.num(a) for a in node.args]
        if name == "abs":
            x = parts[0]
            run = x.run
            return _Fx(lambda env: _abs(run(env)), x.den, x.bound)
        den, runs, factors = _common(parts)
        bound = _scaled_bound(parts, factors)
        if name in ("min", "max", "clamp"):
            if name == "clamp":
                (rx, rlo, rhi), lower, upper = runs, np.maximum, np.minimum

                def clamp(env: _FEnv) -> tuple[Arr, Arr]:
                    (x, mx), (lo, mlo), (hi, mhi) = rx(env), rlo(env), rhi(env)
                    return upper(lower(x, lo), hi), _or(_or(mx, mlo), mhi)

                return _fx(clamp, den, bound)
            ufunc = np.minimum if name == "min" else np.maximum

            def extreme(env: _FEnv) -> tuple[Arr, Arr]:
                v, miss = runs[0](env)
                for r in runs[1:]:
                    vi, mi = r(env)
                    v, miss = ufunc(v, vi), _or(miss, mi)
                return v, miss

            return _fx(extreme, den, bound)
        assert name == "coalesce"

        def coalesce(env: _FEnv) -> tuple[Arr, Arr]:
            v, miss = runs[-1](env)
            for r in reversed(runs[:-1]):
                a, ma = r(env)
                if ma is None:
                    v, miss = a, None
                else:
                    v = np.where(ma, v, a)
                    miss = None if miss is None else (ma & miss)
            return v, miss

        return _fx(coalesce, den, bound)

    # ---- conditions -------------------------------------------------------------
    def cond(self, node: Node) -> _Cx:
        if isinstance(node, Bool):
            pair = (np.bool_(node.value), np.True_)
            return _Cx(lambda env: pair, _zero)
        if isinstance(node, Name):
            key = node.id
            return _Cx(lambda env: env.conditions[key], _zero)
        if isinstance(node, Unary):
            inner = self.cond(node.operand)
            run = inner.run

            def negate(env: _FEnv) -> tuple[Arr, Arr]:
                v, k = run(env)
                return ~v & k, k

            return _Cx(negate, inner.bound)
        if isinstance(node, Logic):
            parts = [self.cond(o) for o in node.operands]
            combine = _kleene_and if node.op == "and" else _kleene_or

            def logic(env: _FEnv) -> tuple[Arr, Arr]:
                acc = parts[0].run(env)
                for p in parts[1:]:
                    acc = combine(acc, p.run(env))
                return acc

            return _Cx(logic, lambda m: max(p.bound(m) for p in parts))
        if isinstance(node, Compare):
            return self.compare(node.operands, node.ops)
        if isinstance(node, IfElse):
            test, body, orelse = self.cond(node.test), self.cond(node.body), self.cond(node.orelse)

            def pick(env: _FEnv) -> tuple[Arr, Arr]:
                t = test.run(env)[0]
                vb, kb = body.run(env)
                vo, ko = orelse.run(env)
                return np.where(t, vb, vo), np.where(t, kb, ko)

            return _Cx(pick, lambda m: max(test.bound(m), body.bound(m), orelse.bound(m)))
        assert isinstance(node, Call)
        if node.func == "between":
            x, lo, hi = node.args
            return self.compare((lo, x, hi), ("<=", "<="))
        assert node.func == "missing"
        arg = node.args[0]
        if self.is_condition(arg):
            inner = self.cond(arg)
            run = inner.run
            return _Cx(lambda env: (~run(env)[1], np.True_), inner.bound)
        value = self.num(arg)
        vrun = value.run
        return _Cx(lambda env: (_mask(vrun(env)[1]), np.True_), value.bound)

    def compare(self, operands: tuple[Node, ...], ops: tuple[str, ...]) -> _Cx:
        conditions = [self.is_condition(o) for o in operands]
        if any(conditions):
            if not all(conditions):
                raise Unsupported("a condition compared with a number")
            sides = [self.cond(o) for o in operands]

            def run_conditions(env: _FEnv) -> tuple[Arr, Arr]:
                values = [s.run(env) for s in sides]
                acc: tuple[Arr, Arr] | None = None
                for i, op in enumerate(ops):
                    (a, ka), (b, kb) = values[i], values[i + 1]
                    known = ka & kb
                    pair = (_CMP[op](a, b) & known, known)
                    acc = pair if acc is None else _kleene_and(acc, pair)
                assert acc is not None
                return acc

            return _Cx(run_conditions, lambda m: max(s.bound(m) for s in sides))
        numbers = [self.num(o) for o in operands]
        den, runs, factors = _common(numbers)
        if den >= LIMIT:
            raise Unsupported("a huge common denominator")
        bound = _scaled_bound(numbers, factors)

        def run(env: _FEnv) -> tuple[Arr, Arr]:
            values = [r(env) for r in runs]
            acc: tuple[Arr, Arr] | None = None
            for i, op in enumerate(ops):
                (a, ma), (b, mb) = values[i], values[i + 1]
                miss = _or(ma, mb)
                known = np.True_ if miss is None else ~miss
                pair = (_CMP[op](a, b) & known, known)
                acc = pair if acc is None else _kleene_and(acc, pair)
            assert acc is not None
            return acc

        return _Cx(run, bound)

    def is_condition(self, node: Node) -> bool:
        return self.kind_of(node) == "condition"


def _zero(m: Mapping[str, int]) -> int:
    return 0


def _mask(miss: Arr) -> Arr:
    return np.False_ if miss is None else miss


def _neg(pair: tuple[Arr, Arr]) -> tuple[Arr, Arr]:
    return -pair[0], pair[1]


def _abs(pair: tuple[Arr, Arr]) -> tuple[Arr, Arr]:
    return abs(pair[0]), pair[1]


def _times(x: _Fx, c: Fraction) -> _Fx:
    """``x * c`` for a literal ``c``: the numerator multiplies, the denominator grows, both reduced."""
    if x.const is not None:
        return _lit(x.const * c)
    num, den = c.numerator, c.denominator * x.den
    g = math.gcd(num, den)
    num, den = num // g, den // g
    run = x.run
    if num == 1:
        return _fx(run, den, x.bound)

    def times(env: _FEnv) -> tuple[Arr, Arr]:
        v, miss = run(env)
        return v * num, miss

    size = abs(num)
    return _fx(times, den, lambda m: x.bound(m) * size)


def half_up_divide(num: Arr, den: int) -> Arr:
    """``num / den`` rounded half away from zero, in integers (``den`` > 0)."""
    if den == 1:
        return num
    q, r = np.divmod(abs(num), den)
    q = q + (2 * r >= den)
    return np.where(num < 0, -q, q)


def _round(x: _Fx, places: int) -> _Fx:
    scale: int = 10**places
    run, den = x.run, x.den
    if scale % den == 0:  # already at most `places` decimals: exact as it is
        return x

    def rounded(env: _FEnv) -> tuple[Arr, Arr]:
        v, miss = run(env)
        return half_up_divide(v * scale, den), miss

    def value(m: Mapping[str, int]) -> int:
        scaled = x.bound(m) * scale  # read once: nested rounds would otherwise double the work per level
        if max(scaled, 2 * den) >= LIMIT:  # the scaled value and twice the remainder stay in int64
            raise Unsupported("beyond int64")
        return scaled // den + 1

    return _fx(rounded, scale, value)


def _integral(x: _Fx, *, up: bool) -> _Fx:
    run, den = x.run, x.den
    if den == 1:
        return x

    def integral(env: _FEnv) -> tuple[Arr, Arr]:
        v, miss = run(env)
        return (-((-v) // den) if up else v // den), miss

    return _fx(integral, 1, lambda m: x.bound(m) // den + 1)


# ---- inputs and the entry point -----------------------------------------------------
def read_column(x: Any) -> tuple[Any, Any, int, int] | None:
    """A float column as ``(num, missing, places, largest |num|)`` in fixed point, or None
    when some value is not a decimal of at most 6 places and fewer than 1e15 units of its
    last place (then binary64 decides).

    ``rint(x * 10**p) / 10**p == x`` proves that x stands for that p-place decimal when the
    integer is below 1e15 (the decimals of p places are then further apart than binary64's
    spacing). Two places are tried first: money and most measures have them.
    """
    candidates = [p for p in (2, MAX_PLACES) if _short(x[:256], p)]  # a sample first: cheap refusal
    for places in candidates:
        scale = 10.0**places
        with np.errstate(invalid="ignore", over="ignore"):
            scaled = np.rint(x * scale)
            ok = scaled / scale == x  # False for NaN (and for values that need more places)
        missing = None
        if not ok.all():
            missing = np.isnan(x)
            if not (ok | missing).all():
                continue
            scaled[missing] = 0.0
        largest = float(np.abs(scaled).max()) if len(scaled) else 0.0
        if not largest < 1e15:
            return None
        return scaled.astype(np.int64), missing, places, int(largest)
    return None


def _short(x: Any, places: int) -> bool:
    """Whether every value of ``x`` is missing or a decimal of at most ``places`` places."""
    scale = 10.0**places
    with np.errstate(invalid="ignore", over="ignore"):
        return bool(((np.rint(x * scale) / scale == x) | np.isnan(x)).all())


def needs_exact(tree: Node, kinds: Mapping[str, Kind]) -> bool:
    """Whether a condition compares a computed number: binary64 could then decide wrongly
    near the edge. Comparing inputs and literals is exact in binary64 as it is."""
    kind_of = Compiler(kinds).kind_of

    def computed(node: Node) -> bool:
        return kind_of(node) != "condition" and not isinstance(node, Num | Name)

    def walk(node: Node) -> bool:
        if isinstance(node, Compare):
            return any(computed(o) or walk(o) for o in node.operands)
        if isinstance(node, Call):
            return node.func in ("between", "missing") and any(computed(o) or walk(o) for o in node.args)
        if isinstance(node, Unary):
            return walk(node.operand)
        if isinstance(node, Logic):
            return any(walk(o) for o in node.operands)
        if isinstance(node, IfElse):
            return walk(node.test) or walk(node.body) or walk(node.orelse)
        return False

    return walk(tree)


def _prepare(env: Env) -> tuple[_FEnv, dict[str, int], dict[str, int]] | None:
    numbers: dict[str, tuple[Arr, Arr]] = {}
    scales: dict[str, int] = {}
    maxima: dict[str, int] = {}
    for name, column in env.numbers.items():
        read = read_column(column)
        if read is None:
            return None
        num, missing, scales[name], maxima[name] = read
        numbers[name] = (num, missing)
    return _FEnv(numbers, env.conditions), scales, maxima


def _compiled(
    tree: Node, kinds: Mapping[str, Kind], scales: Mapping[str, int], want: str, cache: dict[Any, Any]
) -> Any:
    """The tree compiled for these input scales (cached in the formula), or None."""
    key = ("fixed", want, tuple(sorted(scales.items())))
    if key not in cache:
        compiler = FixedCompiler(kinds, scales)
        try:
            cache[key] = compiler.cond(tree) if want == "condition" else compiler.num(tree)
        except Unsupported:
            cache[key] = None
    return cache[key]


def _ready(
    tree: Node, kinds: Mapping[str, Kind], env: Env, want: str, cache: dict[Any, Any]
) -> tuple[Any, _FEnv, int] | None:
    """The compiled tree, its environment and its largest magnitude for these columns, or
    None when fixed point does not apply to them."""
    prepared = _prepare(env)
    if prepared is None:
        return None
    fenv, scales, maxima = prepared
    compiled = _compiled(tree, kinds, scales, want, cache)
    if compiled is None:
        return None
    try:
        return compiled, fenv, compiled.bound(maxima)
    except Unsupported:
        return None


def evaluate_number(tree: Node, kinds: Mapping[str, Kind], env: Env, places: int, cache: dict[Any, Any]) -> Any:
    """The number formula over ``env`` published at ``places`` (a float column, NaN where
    missing), or None when fixed point does not apply."""
    ready = _ready(tree, kinds, env, "number", cache)
    if ready is None:
        return None
    fx, fenv, top = ready
    scale = 10**places
    if max(top * scale, 2 * fx.den) >= LIMIT or top * scale // fx.den + 1 >= 2**53:
        return None  # could overflow int64, or the published figure would not be exact in binary64
    v, miss = fx.run(fenv)
    published = half_up_divide(np.asarray(v, dtype=np.int64) * scale, fx.den)
    out = np.array(np.broadcast_to(published, (env.n,)), dtype=np.float64) / scale
    if miss is not None:
        out[np.broadcast_to(miss, (env.n,))] = np.nan
    return out


def evaluate_condition(tree: Node, kinds: Mapping[str, Kind], env: Env, cache: dict[Any, Any]) -> Any:
    """The condition over ``env`` as ``(value, known)`` columns, or None when fixed point
    does not apply."""
    ready = _ready(tree, kinds, env, "condition", cache)
    if ready is None or ready[2] >= LIMIT:
        return None
    cx, fenv, _ = ready
    v, k = cx.run(fenv)
    n = env.n
    return np.array(np.broadcast_to(v, (n,)), dtype=bool), np.array(np.broadcast_to(k, (n,)), dtype=bool)


__all__ = [
    "LIMIT",
    "FixedCompiler",
    "Unsupported",
    "evaluate_condition",
    "evaluate_number",
    "half_up_divide",
    "read_column",
]
