"""The model's scorecards: items and scoring policies, vetoes, deductions, high-voltage
lines, grading, ranking, distribution, and the bonus rules they refer to."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter
from typing import Literal

from stratmap.model.types import Frequency, Suppression, Where, _no_map
from stratmap.tiers import Tier


@dataclass(frozen=True, slots=True, weakref_slot=True)
class ScoreBand:
    score: Decimal
    lower: Decimal | None = None
    upper: Decimal | None = None


@dataclass(frozen=True, slots=True, weakref_slot=True)
class Rater:
    role: str
    weight: Decimal


@dataclass(frozen=True, slots=True, weakref_slot=True)
class Scoring:
    """A scoring policy with the format's defaults filled in."""

    policy: Literal["ratio", "linear", "bands", "closeness", "goal", "yes_no", "rating", "formula"] = "ratio"
    cap: Decimal = Decimal(120)
    floor: Decimal = Decimal(0)
    threshold_score: Decimal = Decimal(60)
    target_score: Decimal = Decimal(100)
    stretch_score: Decimal = Decimal(120)
    below_threshold: Decimal = Decimal(0)
    bands: tuple[ScoreBand, ...] = ()
    tolerance: Decimal | None = None
    penalty: Decimal | None = None
    met: Decimal = Decimal(100)
    not_met: Decimal = Decimal(0)
    yes: Decimal = Decimal(100)
    no: Decimal = Decimal(0)
    scale: Mapping[str, Decimal] = field(default_factory=_no_map, hash=False)
    raters: tuple[Rater, ...] = ()
    formula: str | None = None


@dataclass(frozen=True, slots=True, weakref_slot=True)
class Item:
    """A weighted item of a scorecard."""

    kpi: str
    weight: Decimal
    where: Where
    target: Decimal | None = None
    threshold: Decimal | None = None
    stretch: Decimal | None = None
    targets: Mapping[str, Decimal] = field(default_factory=_no_map, hash=False)
    scoring: Scoring = Scoring()
    missing: Literal["fail", "zero", "skip"] = "fail"
    suppress: tuple[Suppression, ...] = ()

    def target_for(self, period: str) -> Decimal | None:
        return self.targets.get(period, self.target)


@dataclass(frozen=True, slots=True, weakref_slot=True)
class Outcome:
    action: Literal[
        "cap_score", "zero_score", "lowest_grade", "forfeit_period_bonus", "forfeit_annual_bonus", "investigate"
    ]
    cap: Decimal | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True, weakref_slot=True)
class HighVoltageLine:
    """A high-voltage line (高压线) of the major-responsibility tier."""

    id: str
    name: str
    where: Where
    description: str | None = None
    event: str | None = None
    kpi: str | None = None
    when: str | None = None
    outcome: tuple[Outcome, ...] = ()
    suppress: tuple[Suppression, ...] = ()


@dataclass(frozen=True, slots=True, weakref_slot=True)
class Escalation:
    consecutive: int
    bonus_factor: Decimal | None = None
    outcome: tuple[Outcome, ...] = ()


@dataclass(frozen=True, slots=True, weakref_slot=True)
class KeyIndicator:
    """A key strategic indicator (关键战略指标): a bonus veto."""

    id: str
    kpi: str
    veto_when: str
    where: Where
    name: str | None = None
    bonus_factor: Decimal = Decimal(0)
    escalation: tuple[Escalation, ...] = ()
    #: a past period without an actual, in the run of vetoed periods escalation counts
    missing_period: Literal["miss", "break", "error"] = "miss"
    suppress: tuple[Suppression, ...] = ()


@dataclass(frozen=True, slots=True, weakref_slot=True)
class DeductionRule:
    event: str
    points: Decimal
    max: Decimal | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True, weakref_slot=True)
class Deductions:
    rules: tuple[DeductionRule, ...]
    cap: Decimal | None = None


@dataclass(frozen=True, slots=True, weakref_slot=True)
class GradeBand:
    grade: str
    min: Decimal | None = None


DEFAULT_GRADES: tuple[GradeBand, ...] = (
    GradeBand("A", Decimal(90)),
    GradeBand("B", Decimal(75)),
    GradeBand("C", Decimal(60)),
    GradeBand("D", None),
)


@dataclass(frozen=True, slots=True, weakref_slot=True)
class Grading:
    bands: tuple[GradeBand, ...] = DEFAULT_GRADES


@dataclass(frozen=True, slots=True, weakref_slot=True)
class Ranking:
    group_by: Literal["scorecard", "department", "position"] = "scorecard"
    tie_break: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, weakref_slot=True)
class Quota:
    grade: str
    max: Decimal | None = None
    min: Decimal | None = None


@dataclass(frozen=True, slots=True, weakref_slot=True)
class Distribution:
    quotas: tuple[Quota, ...]
    mode: Literal["advise", "warn", "enforce"] = "warn"


@dataclass(frozen=True, slots=True, weakref_slot=True)
class RankRule:
    rank: Literal["top", "bottom"]
    percent: Decimal
    action: Literal["reward", "penalise", "flag", "exit"]
    note: str | None = None


@dataclass(frozen=True, slots=True, weakref_slot=True)
class Scorecard:
    """A scorecard (考核表) of one department or position for one tier."""

    id: str
    entity: str
    tier: Tier
    where: Where
    name: str | None = None
    frequency: Frequency | None = None
    weight_policy: Literal["must_total_100", "normalise"] = "must_total_100"
    #: annual tier: a KPI whose sub-periods cover part of the year is refused, annualised or accepted
    partial_year: Literal["refuse", "prorate", "accept"] = "refuse"
    items: tuple[Item, ...] = ()
    key_indicators: tuple[KeyIndicator, ...] = ()
    deductions: Deductions | None = None
    high_voltage_lines: tuple[HighVoltageLine, ...] = ()
    grading: Grading = Grading()
    ranking: Ranking = Ranking()
    distribution: Distribution | None = None
    rank_rules: tuple[RankRule, ...] = ()
    bonus: str | None = None
    suppress: tuple[Suppression, ...] = ()

    @property
    def total_weight(self) -> Decimal:
        return sum(map(_weight, self.items), Decimal(0))


_weight = attrgetter("weight")


@dataclass(frozen=True, slots=True, weakref_slot=True)
class BonusRow:
    factor: Decimal
    grade: str | None = None
    min: Decimal | None = None


@dataclass(frozen=True, slots=True, weakref_slot=True)
class BonusRule:
    id: str
    by: Literal["grade", "score"]
    where: Where
    name: str | None = None
    table: tuple[BonusRow, ...] = ()
    formula: str | None = None
    suppress: tuple[Suppression, ...] = ()
