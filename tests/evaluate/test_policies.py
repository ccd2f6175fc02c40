"""Every scoring policy gives the same score as a formula (batch) and in Decimal code (scalar)."""

from __future__ import annotations

import itertools
from decimal import Decimal

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from stratmap.evaluation._policies import policy_formula
from stratmap.evaluation._scoring import Anchors, score
from stratmap.formula import parse
from stratmap.formula._scalar import round_half_up
from stratmap.model.scorecard import ScoreBand, Scoring

nums = st.decimals(min_value=-200, max_value=200, places=2, allow_nan=False, allow_infinity=False)
maybe = st.one_of(st.none(), nums)
directions = st.sampled_from(["higher_is_better", "lower_is_better", "closer_is_better", "yes_no"])


@st.composite
def scorings(draw: st.DrawFn) -> Scoring:
    policy = draw(st.sampled_from(["ratio", "linear", "bands", "closeness", "goal", "yes_no", "formula"]))
    kw: dict[str, object] = {"policy": policy}
    if policy == "ratio":
        kw.update(
            cap=draw(st.sampled_from([Decimal(120), Decimal(100), Decimal(150)])),
            floor=draw(nums.filter(lambda x: x <= 100)),
        )
    if policy == "linear":
        kw.update(
            threshold_score=draw(nums), target_score=draw(nums), stretch_score=draw(nums), below_threshold=draw(nums)
        )
    if policy == "bands":
        cuts = sorted(set(draw(st.lists(nums, min_size=1, max_size=5))))
        bands = [ScoreBand(draw(nums), None, cuts[0])]
        bands += [ScoreBand(draw(nums), lo, hi) for lo, hi in itertools.pairwise(cuts)]
        if draw(st.booleans()):
            bands.append(ScoreBand(draw(nums), cuts[-1], None))  # else: a gap above the last cut
        kw["bands"] = tuple(bands)
    if policy == "closeness":
        kw.update(tolerance=abs(draw(nums)), penalty=draw(st.one_of(st.none(), nums.map(abs))), floor=draw(nums))
    if policy == "goal":
        kw.update(met=draw(nums), not_met=draw(nums))
    if policy == "yes_no":
        kw.update(yes=draw(nums), no=draw(nums))
    if policy == "formula":
        kw["formula"] = draw(
            st.sampled_from(
                [
                    "max(0, min(110, 100 - (target - actual) * 5))",
                    "actual / target * 100",
                    "coalesce(stretch, 0) + actual",
                ]
            )
        )
    return Scoring(**kw)  # type: ignore[arg-type]


@settings(max_examples=400, deadline=None)
@given(scoring=scorings(), direction=directions, actual=nums, target=maybe, threshold=maybe, stretch=maybe)
def test_policy_formula_scores_like_the_scalar_code(
    scoring: Scoring,
    direction: str,
    actual: Decimal,
    target: Decimal | None,
    threshold: Decimal | None,
    stretch: Decimal | None,
) -> None:
    if direction == "yes_no":
        actual = Decimal(int(actual) % 2)
    anchors = Anchors(target, threshold, stretch)
    formula = parse(scoring.formula, names=("actual", "target", "threshold", "stretch")) if scoring.formula else None
    expected = score(scoring, direction, actual, anchors, formula)  # type: ignore[arg-type]
    text = policy_formula(scoring, direction, anchors)  # type: ignore[arg-type]
    f = parse(text, names=("actual", "target", "threshold", "stretch"))
    got = f.evaluate({"actual": actual, "target": target, "threshold": threshold, "stretch": stretch})
    if expected.score is None:
        assert got is None, text
    else:
        assume(got is not None or scoring.policy == "formula")
        assert got is not None, text
        assert round_half_up(got, 2) == round_half_up(expected.score, 2), (text, expected)  # type: ignore[arg-type]
