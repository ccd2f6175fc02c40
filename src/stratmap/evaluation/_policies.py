"""Each scoring policy written as a formula of ``actual``: the batch path's meaning of a policy.

The scalar path scores with :mod:`stratmap.evaluation._scoring` (which also says which anchor
or band applied); the batch path evaluates these formulas over whole columns. A property
test holds the two to the same number for every policy, direction and actual.
"""

from __future__ import annotations

from decimal import Decimal

from stratmap.evaluation._scoring import Anchors
from stratmap.model.scorecard import Scoring
from stratmap.model.types import Direction

#: A formula that gives "cannot be scored" (missing) for every row.
NONE = "(0 / 0)"


def _lit(x: Decimal) -> str:
    text = format(x, "f")
    return f"({text})" if x < 0 else text


def policy_formula(scoring: Scoring, direction: Direction, a: Anchors) -> str:
    """The policy as a formula of ``actual`` (for a yes/no KPI, ``actual`` is 1 or 0)."""
    policy = scoring.policy
    if policy == "formula":
        assert scoring.formula is not None
        return scoring.formula
    if (policy == "yes_no" or direction == "yes_no") and policy in ("yes_no", "goal"):
        high, low = (scoring.yes, scoring.no) if policy == "yes_no" else (scoring.met, scoring.not_met)
        return f"({_lit(high)} if actual == 1 else {_lit(low)} if actual == 0 else {NONE})"
    target = a.target
    floor, cap = _lit(scoring.floor), _lit(scoring.cap)
    if policy == "ratio":
        if target is None:
            return NONE
        t = _lit(target)
        if direction == "closer_is_better":
            if target == 0:
                return NONE
            return f"clamp(100 - abs(actual - {t}) / abs({t}) * 100, {floor}, {cap})"
        if target <= 0:
            return NONE
        if direction == "lower_is_better":
            return f"({cap} if actual == 0 else clamp({t} / actual * 100, {floor}, {cap}) if actual > 0 else {NONE})"
        return f"clamp(actual / {t} * 100, {floor}, {cap})"
    if policy == "linear":
        return _linear(scoring, direction, a)
    if policy == "bands":
        out = NONE
        for band in reversed(scoring.bands):
            tests = []
            if band.lower is not None:
                tests.append(f"actual >= {_lit(band.lower)}")
            if band.upper is not None:
                tests.append(f"actual < {_lit(band.upper)}")
            test = " and ".join(tests) or "True"
            out = f"({_lit(band.score)} if {test} else {out})"
        return out
    if policy == "closeness":
        if target is None:
            return NONE
        distance = f"abs(actual - {_lit(target)})"
        tolerance = _lit(scoring.tolerance or Decimal(0))
        if scoring.penalty is None:
            return f"(100 if {distance} <= {tolerance} else {floor})"
        return (
            f"(100 if {distance} <= {tolerance} else "
            f"max({floor}, 100 - {_lit(scoring.penalty)} * ({distance} - {tolerance})))"
        )
    if policy == "goal":
        if target is None:
            return NONE
        op = {"lower_is_better": "<=", "closer_is_better": "=="}.get(direction, ">=")
        return f"({_lit(scoring.met)} if actual {op} {_lit(target)} else {_lit(scoring.not_met)})"
    return NONE  # rating: scored from the ratings table, not from a formula of the actual


def _linear(scoring: Scoring, direction: Direction, a: Anchors) -> str:
    if a.target is None:
        return NONE
    past = "<=" if direction == "lower_is_better" else ">="
    ts, ss, ths = _lit(scoring.target_score), _lit(scoring.stretch_score), _lit(scoring.threshold_score)
    below = _lit(scoring.below_threshold)
    t = _lit(a.target)

    def interpolate(x0: Decimal, x1: Decimal, s0: str, s1: str) -> str:
        return f"{s0} + (actual - {_lit(x0)}) / ({_lit(x1)} - {_lit(x0)}) * ({s1} - {s0})"

    if a.threshold is None:
        expr = below
    else:
        at_threshold = ts if a.threshold == a.target else interpolate(a.threshold, a.target, ths, ts)
        expr = f"({at_threshold} if actual {past} {_lit(a.threshold)} else {below})"
    at_target = ts if a.stretch is None or a.stretch == a.target else interpolate(a.target, a.stretch, ts, ss)
    expr = f"({at_target} if actual {past} {t} else {expr})"
    if a.stretch is not None:
        expr = f"({ss} if actual {past} {_lit(a.stretch)} else {expr})"
    return expr
