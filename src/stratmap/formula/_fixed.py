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

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import numpy as np

from stratmap.formula._batch import _CMP, Compiler, Env, _kleene_and, _kleene_or
from stratmap.formula._fixed_values import (
    LIMIT,
    MAX_PLACES,
    Arr,
    FixedCondition,
    FixedEnv,
    FixedNumber,
    Unsupported,
    absolute,
    common_scale,
    either,
    fixed_number,
    half_up_divide,
    integral,
    literal,
    mask,
    negate,
    nothing,
    round_to,
    scaled_bound,
    times,
    zero_bound,
)
from stratmap.formula._tree import Binary, Bool, Call, Compare, IfElse, Kind, Logic, Name, Node, Num, Unary


class FixedCompiler:
    """Compiles a checked tree for inputs of known decimal places (``scales``: name -> places)."""

    def __init__(self, kinds: Mapping[str, Kind], scales: Mapping[str, int]) -> None:
        self.kinds = kinds
        self.scales = scales
        self.kind_of = Compiler(kinds).kind_of  # the checker's kinds, as the binary64 path reads them

    # ---- numbers ----------------------------------------------------------------
    def num(self, node: Node) -> FixedNumber:
        if isinstance(node, Num):
            return literal(Fraction(node.value))
        if isinstance(node, Name):
            key, den = node.id, 10 ** self.scales[node.id]
            return fixed_number(lambda env: env.numbers[key], den, lambda m: m[key])
        if isinstance(node, Unary):
            x = self.num(node.operand)
            if node.op == "+":
                return x
            if x.const is not None:
                return literal(-x.const)
            run = x.run
            return FixedNumber(lambda env: negate(run(env)), x.den, x.bound)
        if isinstance(node, Binary):
            return self.binary(node.op, self.num(node.left), self.num(node.right))
        if isinstance(node, IfElse):
            test, body, orelse = self.cond(node.test), self.num(node.body), self.num(node.orelse)
            den, (rb, ro), factors = common_scale([body, orelse])
            t_run = test.run

            def pick(env: FixedEnv) -> tuple[Arr, Arr]:
                t = t_run(env)[0]  # False where unknown: the else branch, as in the batch path
                vb, mb = rb(env)
                vo, mo = ro(env)
                miss = None if mb is None and mo is None else np.where(t, mask(mb), mask(mo))
                return np.where(t, vb, vo), miss

            parts_bound = scaled_bound([body, orelse], factors)
            return fixed_number(pick, den, parts_bound, inner=test.bound)
        assert isinstance(node, Call)
        return self.call(node)

    def binary(self, op: str, a: FixedNumber, b: FixedNumber) -> FixedNumber:
        if a.const is not None and b.const is not None:
            if op == "/":
                return nothing() if b.const == 0 else literal(a.const / b.const)
            return literal({"+": a.const + b.const, "-": a.const - b.const, "*": a.const * b.const}[op])
        if op in ("+", "-"):
            den, (ra, rb), factors = common_scale([a, b])
            minus = op == "-"

            def add(env: FixedEnv) -> tuple[Arr, Arr]:
                va, ma = ra(env)
                vb, mb = rb(env)
                return (va - vb if minus else va + vb), either(ma, mb)

            fa, fb = factors
            return fixed_number(add, den, lambda m: a.bound(m) * fa + b.bound(m) * fb)
        if op == "*":
            if a.const is not None:
                a, b = b, a  # the literal on the right
            if b.const is not None:
                return times(a, b.const)
            den = a.den * b.den
            ra, rb = a.run, b.run

            def mul(env: FixedEnv) -> tuple[Arr, Arr]:
                va, ma = ra(env)
                vb, mb = rb(env)
                return va * vb, either(ma, mb)

            return fixed_number(mul, den, lambda m: a.bound(m) * b.bound(m))
        if b.const is None:
            raise Unsupported("division by a column")
        if b.const == 0:
            return nothing()
        return times(a, 1 / b.const)

    def call(self, node: Call) -> FixedNumber:
        name = node.func
        if name == "round":
            if len(node.args) == 2 and not isinstance(node.args[1], Num):
                raise Unsupported("round to computed places")
            places = int(node.args[1].value) if len(node.args) == 2 else 0  # type: ignore[union-attr]
            return round_to(self.num(node.args[0]), places)
        if name in ("floor", "ceil"):
            return integral(self.num(node.args[0]), up=name == "ceil")
        parts = [self.num(a) for a in node.args]
        if name == "abs":
            x = parts[0]
            run = x.run
            return FixedNumber(lambda env: absolute(run(env)), x.den, x.bound)
        den, runs, factors = common_scale(parts)
        bound = scaled_bound(parts, factors)
        if name in ("min", "max", "clamp"):
            if name == "clamp":
                (rx, rlo, rhi), lower, upper = runs, np.maximum, np.minimum

                def clamp(env: FixedEnv) -> tuple[Arr, Arr]:
                    (x, mx), (lo, mlo), (hi, mhi) = rx(env), rlo(env), rhi(env)
                    return upper(lower(x, lo), hi), either(either(mx, mlo), mhi)

                return fixed_number(clamp, den, bound)
            ufunc = np.minimum if name == "min" else np.maximum

            def extreme(env: FixedEnv) -> tuple[Arr, Arr]:
                v, miss = runs[0](env)
                for r in runs[1:]:
                    vi, mi = r(env)
                    v, miss = ufunc(v, vi), either(miss, mi)
                return v, miss

            return fixed_number(extreme, den, bound)
        assert name == "coalesce"

        def coalesce(env: FixedEnv) -> tuple[Arr, Arr]:
            v, miss = runs[-1](env)
            for r in reversed(runs[:-1]):
                a, ma = r(env)
                if ma is None:
                    v, miss = a, None
                else:
                    v = np.where(ma, v, a)
                    miss = None if miss is None else (ma & miss)
            return v, miss

        return fixed_number(coalesce, den, bound)

    # ---- conditions -------------------------------------------------------------
    def cond(self, node: Node) -> FixedCondition:
        if isinstance(node, Bool):
            pair = (np.bool_(node.value), np.True_)
            return FixedCondition(lambda env: pair, zero_bound)
        if isinstance(node, Name):
            key = node.id
            return FixedCondition(lambda env: env.conditions[key], zero_bound)
        if isinstance(node, Unary):
            inner = self.cond(node.operand)
            run = inner.run

            def negate(env: FixedEnv) -> tuple[Arr, Arr]:
                v, k = run(env)
                return ~v & k, k

            return FixedCondition(negate, inner.bound)
        if isinstance(node, Logic):
            parts = [self.cond(o) for o in node.operands]
            combine = _kleene_and if node.op == "and" else _kleene_or

            def logic(env: FixedEnv) -> tuple[Arr, Arr]:
                acc = parts[0].run(env)
                for p in parts[1:]:
                    acc = combine(acc, p.run(env))
                return acc

            return FixedCondition(logic, lambda m: max(p.bound(m) for p in parts))
        if isinstance(node, Compare):
            return self.compare(node.operands, node.ops)
        if isinstance(node, IfElse):
            test, body, orelse = self.cond(node.test), self.cond(node.body), self.cond(node.orelse)

            def pick(env: FixedEnv) -> tuple[Arr, Arr]:
                t = test.run(env)[0]
                vb, kb = body.run(env)
                vo, ko = orelse.run(env)
                return np.where(t, vb, vo), np.where(t, kb, ko)

            return FixedCondition(pick, lambda m: max(test.bound(m), body.bound(m), orelse.bound(m)))
        assert isinstance(node, Call)
        if node.func == "between":
            x, lo, hi = node.args
            return self.compare((lo, x, hi), ("<=", "<="))
        assert node.func == "missing"
        arg = node.args[0]
        if self.is_condition(arg):
            inner = self.cond(arg)
            run = inner.run
            return FixedCondition(lambda env: (~run(env)[1], np.True_), inner.bound)
        value = self.num(arg)
        vrun = value.run
        return FixedCondition(lambda env: (mask(vrun(env)[1]), np.True_), value.bound)

    def compare(self, operands: tuple[Node, ...], ops: tuple[str, ...]) -> FixedCondition:
        conditions = [self.is_condition(o) for o in operands]
        if any(conditions):
            if not all(conditions):
                raise Unsupported("a condition compared with a number")
            sides = [self.cond(o) for o in operands]

            def run_conditions(env: FixedEnv) -> tuple[Arr, Arr]:
                values = [s.run(env) for s in sides]
                acc: tuple[Arr, Arr] | None = None
                for i, op in enumerate(ops):
                    (a, ka), (b, kb) = values[i], values[i + 1]
                    known = ka & kb
                    pair = (_CMP[op](a, b) & known, known)
                    acc = pair if acc is None else _kleene_and(acc, pair)
                assert acc is not None
                return acc

            return FixedCondition(run_conditions, lambda m: max(s.bound(m) for s in sides))
        numbers = [self.num(o) for o in operands]
        den, runs, factors = common_scale(numbers)
        if den >= LIMIT:
            raise Unsupported("a huge common denominator")
        bound = scaled_bound(numbers, factors)

        def run(env: FixedEnv) -> tuple[Arr, Arr]:
            values = [r(env) for r in runs]
            acc: tuple[Arr, Arr] | None = None
            for i, op in enumerate(ops):
                (a, ma), (b, mb) = values[i], values[i + 1]
                miss = either(ma, mb)
                known = np.True_ if miss is None else ~miss
                pair = (_CMP[op](a, b) & known, known)
                acc = pair if acc is None else _kleene_and(acc, pair)
            assert acc is not None
            return acc

        return FixedCondition(run, bound)

    def is_condition(self, node: Node) -> bool:
        return self.kind_of(node) == "condition"


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


def _prepare(env: Env) -> tuple[FixedEnv, dict[str, int], dict[str, int]] | None:
    numbers: dict[str, tuple[Arr, Arr]] = {}
    scales: dict[str, int] = {}
    maxima: dict[str, int] = {}
    for name, column in env.numbers.items():
        read = read_column(column)
        if read is None:
            return None
        num, missing, scales[name], maxima[name] = read
        numbers[name] = (num, missing)
    return FixedEnv(numbers, env.conditions), scales, maxima


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
) -> tuple[Any, FixedEnv, int] | None:
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
