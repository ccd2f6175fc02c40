"""The model's classes. Defaults here are the format's documented defaults."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Literal

from stratmap.diagnostics import Location

Tier = Literal["short_term", "annual", "major_responsibility"]
Frequency = Literal["monthly", "quarterly", "half_yearly", "yearly"]
Direction = Literal["higher_is_better", "lower_is_better", "closer_is_better", "yes_no"]
Aggregation = Literal["sum", "mean", "last", "min", "max"]
Path = tuple[str | int, ...]


def _no_map() -> Mapping[str, Decimal]:
    return MappingProxyType({})


@dataclass(frozen=True)
class Where:
    """Where a model object was declared, and how to find any of its keys.

    ``at("serves", 1)`` is the location of the second entry of the object's ``serves``.
    """

    node: Location
    _locate: Callable[[Path], Location] = field(repr=False, compare=False)
    _base: Path = ()

    def at(self, *parts: str | int) -> Location:
        return self._locate((*self._base, *parts))

    @property
    def file(self) -> str:
        return self.node.file


@dataclass(frozen=True)
class Suppression:
    """A finding silenced on one node, with the written reason."""

    code: str
    reason: str | None
    location: Location


@dataclass(frozen=True)
class Rounding:
    places: int = 2
    mode: Literal["half_up", "half_even", "down", "up"] = "half_up"
    point: Literal["line", "total"] = "line"


@dataclass(frozen=True)
class Organisation:
    id: str
    name: str
    where: Where
    description: str | None = None
    currency: str = "CNY"
    fiscal_year_start: int = 1
    score_rounding: Rounding = Rounding()
    money_rounding: Rounding = Rounding()
    severity: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), hash=False)
    max_items: int = 10


@dataclass(frozen=True)
class Source:
    title: str
    url: str | None = None
    date: datetime.date | None = None


@dataclass(frozen=True)
class AnalysisStep:
    summary: str
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True)
class Analysis:
    """The strategic analysis (战略分析): industry pattern and company position."""

    industry: AnalysisStep
    company: AnalysisStep
    where: Where
    date: datetime.date | None = None
    notes: str | None = None


@dataclass(frozen=True)
class Driver:
    """A value driver (驱动力)."""

    id: str
    name: str
    where: Where
    description: str | None = None
    rationale: str | None = None
    suppress: tuple[Suppression, ...] = ()


@dataclass(frozen=True)
class Figure:
    label: str
    value: Decimal
    unit: str | None = None
    period: str | None = None


@dataclass(frozen=True)
class Problem:
    """A named problem (问题) that holds drivers back."""

    id: str
    statement: str
    where: Where
    evidence: str | None = None
    figures: tuple[Figure, ...] = ()
    holds_back: tuple[str, ...] = ()
    shows_in: tuple[str, ...] = ()
    status: Literal["open", "solved"] = "open"
    suppress: tuple[Suppression, ...] = ()


@dataclass(frozen=True)
class Purpose:
    """A department's or position's purpose (工作目的) under the drivers."""

    id: str
    statement: str
    owner: str
    where: Where
    serves: tuple[str, ...] = ()
    suppress: tuple[Suppression, ...] = ()


@dataclass(frozen=True)
class Department:
    id: str
    name: str
    where: Where
    parent: str | None = None
    description: str | None = None
    purposes: tuple[Purpose, ...] = ()
    suppress: tuple[Suppression, ...] = ()


@dataclass(frozen=True)
class Position:
    id: str
    name: str
    department: str
    where: Where
    reports_to: str | None = None
    description: str | None = None
    purposes: tuple[Purpose, ...] = ()
    headcount: int | None = None
    suppress: tuple[Suppression, ...] = ()


@dataclass(frozen=True)
class Kpi:
    """A key performance indicator (关键业绩指标)."""

    id: str
    name: str
    owner: str
    where: Where
    description: str | None = None
    unit: str | None = None
    direction: Direction = "higher_is_better"
    frequency: Frequency = "monthly"
    aggregation: Aggregation = "mean"
    serves: tuple[str, ...] = ()
    answers: tuple[str, ...] = ()
    split: Mapping[str, Decimal] = field(default_factory=_no_map, hash=False)
    formula: str | None = None
    parent: str | None = None
    link: Literal["aligns", "contributes"] = "aligns"
    conflicts_with: tuple[str, ...] = ()
    suppress: tuple[Suppression, ...] = ()

    @property
    def value_driven(self) -> bool:
        """Declares a value-driven reason (serves a purpose or driver)."""
        return bool(self.serves)

    @property
    def issue_driven(self) -> bool:
        """Declares an issue-driven reason (answers a named problem)."""
        return bool(self.answers)


@dataclass(frozen=True)
class ScoreBand:
    score: Decimal
    lower: Decimal | None = None
    upper: Decimal | None = None


@dataclass(frozen=True)
class Rater:
    role: str
    weight: Decimal


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Outcome:
    action: Literal[
        "cap_score", "zero_score", "lowest_grade", "forfeit_period_bonus", "forfeit_annual_bonus", "investigate"
    ]
    cap: Decimal | None = None
    note: str | None = None


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Escalation:
    consecutive: int
    bonus_factor: Decimal | None = None
    outcome: tuple[Outcome, ...] = ()


@dataclass(frozen=True)
class KeyIndicator:
    """A key strategic indicator (关键战略指标): a bonus veto."""

    id: str
    kpi: str
    veto_when: str
    where: Where
    name: str | None = None
    bonus_factor: Decimal = Decimal(0)
    escalation: tuple[Escalation, ...] = ()
    suppress: tuple[Suppression, ...] = ()


@dataclass(frozen=True)
class DeductionRule:
    event: str
    points: Decimal
    max: Decimal | None = None
    note: str | None = None


@dataclass(frozen=True)
class Deductions:
    rules: tuple[DeductionRule, ...]
    cap: Decimal | None = None


@dataclass(frozen=True)
class GradeBand:
    grade: str
    min: Decimal | None = None


DEFAULT_GRADES: tuple[GradeBand, ...] = (
    GradeBand("A", Decimal(90)),
    GradeBand("B", Decimal(75)),
    GradeBand("C", Decimal(60)),
    GradeBand("D", None),
)


@dataclass(frozen=True)
class Grading:
    bands: tuple[GradeBand, ...] = DEFAULT_GRADES


@dataclass(frozen=True)
class Ranking:
    group_by: Literal["scorecard", "department", "position"] = "scorecard"
    tie_break: tuple[str, ...] = ()


@dataclass(frozen=True)
class Quota:
    grade: str
    max: Decimal | None = None
    min: Decimal | None = None


@dataclass(frozen=True)
class Distribution:
    quotas: tuple[Quota, ...]
    mode: Literal["advise", "warn", "enforce"] = "warn"


@dataclass(frozen=True)
class RankRule:
    rank: Literal["top", "bottom"]
    percent: Decimal
    action: Literal["reward", "penalise", "flag", "exit"]
    note: str | None = None


@dataclass(frozen=True)
class Scorecard:
    """A scorecard (考核表) of one department or position for one tier."""

    id: str
    entity: str
    tier: Tier
    where: Where
    name: str | None = None
    frequency: Frequency | None = None
    weight_policy: Literal["must_total_100", "normalise"] = "must_total_100"
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
        return sum((i.weight for i in self.items), Decimal(0))


@dataclass(frozen=True)
class BonusRow:
    factor: Decimal
    grade: str | None = None
    min: Decimal | None = None


@dataclass(frozen=True)
class BonusRule:
    id: str
    by: Literal["grade", "score"]
    where: Where
    name: str | None = None
    table: tuple[BonusRow, ...] = ()
    formula: str | None = None
    suppress: tuple[Suppression, ...] = ()


@dataclass(frozen=True)
class Action:
    what: str
    owner: str | None = None
    due: datetime.date | None = None
    status: Literal["open", "done", "dropped"] = "open"


@dataclass(frozen=True)
class Plan:
    """An improvement plan (计划设定)."""

    id: str
    entity: str
    kpi: str
    period: str
    where: Where
    goal: str | None = None
    actions: tuple[Action, ...] = ()
    root_cause: tuple[str, ...] = ()
    answers: tuple[str, ...] = ()
    suppress: tuple[Suppression, ...] = ()


@dataclass(frozen=True)
class Revision:
    """A target revision (目标调整)."""

    id: str
    scorecard: str
    kpi: str
    field: Literal["target", "threshold", "stretch", "weight"]
    value: Decimal
    effective: str
    where: Where
    reason: str | None = None
    approved_by: str | None = None
    date: datetime.date | None = None
    suppress: tuple[Suppression, ...] = ()


Declared = (
    Driver
    | Problem
    | Purpose
    | Department
    | Position
    | Kpi
    | Scorecard
    | KeyIndicator
    | HighVoltageLine
    | BonusRule
    | Plan
    | Revision
)


@dataclass(frozen=True)
class Strategy:
    """A whole strategy: one organisation and everything its files declare."""

    organisation: Organisation
    files: tuple[str, ...]
    analysis: Analysis | None = None
    drivers: tuple[Driver, ...] = ()
    problems: tuple[Problem, ...] = ()
    departments: tuple[Department, ...] = ()
    positions: tuple[Position, ...] = ()
    kpis: tuple[Kpi, ...] = ()
    scorecards: tuple[Scorecard, ...] = ()
    bonus_rules: tuple[BonusRule, ...] = ()
    plans: tuple[Plan, ...] = ()
    revisions: tuple[Revision, ...] = ()
    _index: Mapping[str, Declared] = field(
        default_factory=lambda: MappingProxyType({}), repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        index: dict[str, Declared] = {}
        for obj in self.declared():
            index.setdefault(obj.id, obj)
        object.__setattr__(self, "_index", MappingProxyType(index))

    def declared(self) -> Iterator[Declared]:
        """Every object with an id, in file order."""
        yield from self.drivers
        yield from self.problems
        for dept in self.departments:
            yield dept
            yield from dept.purposes
        for pos in self.positions:
            yield pos
            yield from pos.purposes
        yield from self.kpis
        for card in self.scorecards:
            yield card
            yield from card.key_indicators
            yield from card.high_voltage_lines
        yield from self.bonus_rules
        yield from self.plans
        yield from self.revisions

    def get(self, id: str) -> Declared | None:
        """The object declared with ``id``, of any kind."""
        return self._index.get(id)

    @property
    def purposes(self) -> tuple[Purpose, ...]:
        found = [p for d in self.departments for p in d.purposes]
        found += [p for pos in self.positions for p in pos.purposes]
        return tuple(found)

    def kpi(self, id: str) -> Kpi:
        obj = self._index.get(id)
        if not isinstance(obj, Kpi):
            raise KeyError(id)
        return obj

    def scorecards_for(self, entity: str) -> tuple[Scorecard, ...]:
        return tuple(c for c in self.scorecards if c.entity == entity)
