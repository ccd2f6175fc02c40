"""The model's classes. Defaults here are the format's documented defaults."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Literal

from stratmap.diagnostics import Location

Frequency = Literal["monthly", "quarterly", "half_yearly", "yearly"]
Direction = Literal["higher_is_better", "lower_is_better", "closer_is_better", "yes_no"]
Aggregation = Literal["sum", "mean", "last", "min", "max"]
Path = tuple[str | int, ...]


def _no_map() -> Mapping[str, Decimal]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True, weakref_slot=True)
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


@dataclass(frozen=True, slots=True, weakref_slot=True)
class Suppression:
    """A finding silenced on one node, with the written reason."""

    code: str
    reason: str | None
    location: Location


@dataclass(frozen=True, slots=True, weakref_slot=True)
class Rounding:
    places: int = 2
    mode: Literal["half_up", "half_even", "down", "up"] = "half_up"
    point: Literal["line", "total"] = "line"


@dataclass(frozen=True, slots=True, weakref_slot=True)
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


@dataclass(frozen=True, slots=True, weakref_slot=True)
class Source:
    title: str
    url: str | None = None
    date: datetime.date | None = None


@dataclass(frozen=True, slots=True, weakref_slot=True)
class AnalysisStep:
    summary: str
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True, slots=True, weakref_slot=True)
class Analysis:
    """The strategic analysis (战略分析): industry pattern and company position."""

    industry: AnalysisStep
    company: AnalysisStep
    where: Where
    date: datetime.date | None = None
    notes: str | None = None


@dataclass(frozen=True, slots=True, weakref_slot=True)
class Driver:
    """A value driver (驱动力)."""

    id: str
    name: str
    where: Where
    description: str | None = None
    rationale: str | None = None
    suppress: tuple[Suppression, ...] = ()


@dataclass(frozen=True, slots=True, weakref_slot=True)
class Figure:
    label: str
    value: Decimal
    unit: str | None = None
    period: str | None = None


@dataclass(frozen=True, slots=True, weakref_slot=True)
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


@dataclass(frozen=True, slots=True, weakref_slot=True)
class Purpose:
    """A department's or position's purpose (工作目的) under the drivers."""

    id: str
    statement: str
    owner: str
    where: Where
    serves: tuple[str, ...] = ()
    suppress: tuple[Suppression, ...] = ()


@dataclass(frozen=True, slots=True, weakref_slot=True)
class Department:
    id: str
    name: str
    where: Where
    parent: str | None = None
    description: str | None = None
    purposes: tuple[Purpose, ...] = ()
    suppress: tuple[Suppression, ...] = ()


@dataclass(frozen=True, slots=True, weakref_slot=True)
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


@dataclass(frozen=True, slots=True, weakref_slot=True)
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
    #: a derived or rolled-up KPI's reported values: checked against the computed one, or refused
    reported: Literal["check", "refuse"] = "check"
    #: how the values of the KPIs contributing to this one combine over their holders
    roll_up: Literal["sum", "mean", "min", "max"] = "sum"
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


@dataclass(frozen=True, slots=True, weakref_slot=True)
class Action:
    what: str
    owner: str | None = None
    due: datetime.date | None = None
    status: Literal["open", "done", "dropped"] = "open"


@dataclass(frozen=True, slots=True, weakref_slot=True)
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


@dataclass(frozen=True, slots=True, weakref_slot=True)
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
