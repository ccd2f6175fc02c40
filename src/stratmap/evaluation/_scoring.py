"""Scoring policies, one record at a time, on Decimals.

Each policy turns an actual (and the item's target, threshold and stretch) into a raw
score and a score kept within the policy's bounds, and says which anchor or band it
used, so that the explanation can show the arithmetic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from stratmap.formula import Formula
from stratmap.model.scorecard import Item, Scoring
from stratmap.model.types import Direction

HUNDRED = Decimal(100)
ZERO = Decimal(0)
from stratmap.data import NO, YES  # noqa: E402
from stratmap.evaluation._words import say  # noqa: E402


@dataclass(frozen=True)
class Scored:
    """What a policy made of one actual."""

    raw: Decimal | None  # before the policy's cap and floor (None: cannot be scored)
    score: Decimal | None  # within the policy's bounds
    rule: str  # which anchor, band or case applied, in words
    problem: str | None = None  # why it could not be scored


@dataclass(frozen=True)
class Anchors:
    target: Decimal | None
    threshold: Decimal | None
    stretch: Decimal | None


def _clamp(x: Decimal, low: Decimal, high: Decimal) -> Decimal:
    return max(low, min(high, x))


def _meets(actual: Decimal, target: Decimal, direction: Direction) -> bool:
    if direction == "lower_is_better":
        return actual <= target
    if direction == "closer_is_better":
        return actual == target
    return actual >= target


def yes_no(value: Decimal | str) -> bool | None:
    """A yes/no answer as a bool; None when it is neither."""
    if isinstance(value, Decimal):
        return True if value == 1 else False if value == 0 else None
    text = value.strip().lower()
    return True if text in YES else False if text in NO else None


def score(
    scoring: Scoring,
    direction: Direction,
    actual: Decimal | str,
    anchors: Anchors,
    formula: Formula | None = None,
) -> Scored:
    """Score one numeric (or yes/no) actual under ``scoring``; ratings go through :func:`rated`."""
    policy = scoring.policy
    if policy == "yes_no" or direction == "yes_no":
        answer = yes_no(actual)
        if answer is None:
            return Scored(None, None, say("yes_no"), say("not_yes_no", actual=actual))
        if policy in ("yes_no", "goal"):
            high, low = (scoring.yes, scoring.no) if policy == "yes_no" else (scoring.met, scoring.not_met)
            value = high if answer else low
            return Scored(value, value, say("yes" if answer else "no"))
        actual = Decimal(1) if answer else ZERO
    if not isinstance(actual, Decimal):
        return Scored(None, None, policy, say("not_number", actual=actual))
    target, threshold, stretch = anchors.target, anchors.threshold, anchors.stretch
    if policy == "ratio":
        if target is None:
            return Scored(None, None, "ratio", say("no_target"))
        if direction == "closer_is_better":
            if target == 0:
                return Scored(None, None, "ratio", say("closeness_ratio_target"))
            raw = HUNDRED - abs(actual - target) / abs(target) * HUNDRED
            rule = say("closeness_ratio")
        elif target <= 0:
            return Scored(None, None, "ratio", say("positive_target", target=target))
        elif direction == "lower_is_better":
            if actual < 0:
                return Scored(None, None, "ratio", say("lower_ratio_actual", actual=actual))
            if actual == 0:
                raw, rule = scoring.cap, say("lower_zero_cap")
            else:
                raw, rule = target / actual * HUNDRED, say("target_over_actual")
        else:
            raw, rule = actual / target * HUNDRED, say("actual_over_target")
        return Scored(raw, _clamp(raw, scoring.floor, scoring.cap), rule)
    if policy == "linear":
        return _linear(scoring, direction, actual, anchors)
    if policy == "bands":
        for band in scoring.bands:
            if (band.lower is None or actual >= band.lower) and (band.upper is None or actual < band.upper):
                since = "" if band.lower is None else f"{band.lower} <= "
                until = "" if band.upper is None else f" < {band.upper}"
                return Scored(band.score, band.score, say("band", band=f"{since}actual{until}"))
        return Scored(None, None, "bands", say("no_band", actual=actual))
    if policy == "closeness":
        if target is None:
            return Scored(None, None, "closeness", say("no_target"))
        distance = abs(actual - target)
        tolerance = scoring.tolerance or ZERO
        if distance <= tolerance:
            return Scored(HUNDRED, HUNDRED, say("within_tolerance", tolerance=tolerance))
        penalty = scoring.penalty
        if penalty is None:
            return Scored(scoring.floor, scoring.floor, say("beyond_floor", tolerance=tolerance))
        raw = HUNDRED - penalty * (distance - tolerance)
        return Scored(raw, max(scoring.floor, raw), say("closeness", penalty=penalty, tolerance=tolerance))
    if policy == "goal":
        if target is None:
            return Scored(None, None, "goal", say("no_target"))
        met = _meets(actual, target, direction)
        value = scoring.met if met else scoring.not_met
        return Scored(value, value, say("met" if met else "not_met"))
    if policy == "formula":
        assert formula is not None
        values = {"actual": actual, "target": target, "threshold": threshold, "stretch": stretch}
        result = formula.evaluate({n: values[n] for n in formula.names})
        if not isinstance(result, Decimal):
            return Scored(None, None, "formula", say("formula_no_number"))
        return Scored(result, result, say("formula", text=formula.text))
    return Scored(None, None, policy, say("needs_ratings", policy=policy))


def _linear(scoring: Scoring, direction: Direction, actual: Decimal, a: Anchors) -> Scored:
    if a.target is None:
        return Scored(None, None, "linear", say("no_target"))
    lower = direction == "lower_is_better"

    def beyond(x: Decimal, anchor: Decimal) -> bool:  # x is at or past the anchor
        return x <= anchor if lower else x >= anchor

    def interpolate(x: Decimal, x0: Decimal, x1: Decimal, s0: Decimal, s1: Decimal) -> Decimal:
        return s0 + (x - x0) / (x1 - x0) * (s1 - s0)

    target, threshold, stretch = a.target, a.threshold, a.stretch
    if stretch is not None and beyond(actual, stretch):
        return Scored(scoring.stretch_score, scoring.stretch_score, say("at_stretch"))
    if beyond(actual, target):
        if stretch is None or stretch == target:
            return Scored(scoring.target_score, scoring.target_score, say("at_target_no_stretch"))
        raw = interpolate(actual, target, stretch, scoring.target_score, scoring.stretch_score)
        return Scored(raw, raw, say("target_to_stretch"))
    if threshold is None or not beyond(actual, threshold):
        return Scored(scoring.below_threshold, scoring.below_threshold, say("short_of_threshold"))
    if threshold == target:
        return Scored(scoring.target_score, scoring.target_score, say("at_threshold"))
    raw = interpolate(actual, threshold, target, scoring.threshold_score, scoring.target_score)
    return Scored(raw, raw, say("threshold_to_target"))


def rated(scoring: Scoring, ratings: Sequence[tuple[str, str]]) -> tuple[Scored, list[dict[str, str]]]:
    """Score a rated item from (rater role, label) pairs under the declared rater weights."""
    detail: list[dict[str, str]] = []
    by_role: dict[str, list[Decimal]] = {}
    for role, label in ratings:
        value = scoring.scale.get(label)
        if value is None:
            return Scored(
                None, None, "rating", say("not_on_scale", label=label, scale=", ".join(scoring.scale))
            ), detail
        by_role.setdefault(role, []).append(value)
        detail.append({"rater": role, "rating": label, "score": str(value)})
    if not by_role:
        return Scored(None, None, "rating", say("no_ratings")), detail
    if scoring.raters:
        declared = {r.role: r.weight for r in scoring.raters}
        unknown = sorted(set(by_role) - set(declared))
        if unknown:
            return Scored(None, None, "rating", say("rater_undeclared", rater=unknown[0])), detail
        absent = [r for r in declared if r not in by_role]
        if absent:
            return Scored(None, None, "rating", say("no_rating_from", raters=", ".join(absent))), detail
        total = sum(declared.values(), ZERO)
        raw = sum((_mean(by_role[r]) * w for r, w in declared.items()), ZERO) / total
        rule = " + ".join(f"{w}% {r}" for r, w in declared.items())
    else:
        raw = _mean([v for values in by_role.values() for v in values])
        rule = say("mean_of_ratings")
    return Scored(raw, raw, rule), detail


def _mean(values: Sequence[Decimal]) -> Decimal:
    return sum(values, ZERO) / len(values)


def anchors_for(item: Item, period: str, revised: Mapping[str, Decimal]) -> Anchors:
    """The item's anchors for ``period``: per-period targets, then revisions in force."""
    return Anchors(
        revised.get("target", item.target_for(period)),
        revised.get("threshold", item.threshold),
        revised.get("stretch", item.stretch),
    )
