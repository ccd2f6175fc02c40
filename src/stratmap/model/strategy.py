"""The whole strategy: one organisation and everything its files declare."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from stratmap.model.scorecard import BonusRule, HighVoltageLine, KeyIndicator, Scorecard
from stratmap.model.types import (
    Analysis,
    Department,
    Driver,
    Kpi,
    Organisation,
    Plan,
    Position,
    Problem,
    Purpose,
    Revision,
)

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


@dataclass(frozen=True, slots=True, weakref_slot=True)
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

    _suppressing: tuple[Declared, ...] = field(default=(), repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        index: dict[str, Declared] = {}
        suppressing: list[Declared] = []
        for obj in self.declared():
            index.setdefault(obj.id, obj)
            if obj.suppress:
                suppressing.append(obj)
        object.__setattr__(self, "_index", MappingProxyType(index))
        object.__setattr__(self, "_suppressing", tuple(suppressing))

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

    def suppressing(self) -> tuple[Declared, ...]:
        """The objects with an id that silence a code for themselves, in file order."""
        return self._suppressing

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

    def event_types(self) -> frozenset[str]:
        """The event types the strategy reads: its deduction rules' and its lines' events."""
        found = {rule.event for c in self.scorecards if c.deductions for rule in c.deductions.rules}
        found |= {line.event for c in self.scorecards for line in c.high_voltage_lines if line.event}
        return frozenset(found)

    def scorecards_for(self, entity: str) -> tuple[Scorecard, ...]:
        return tuple(c for c in self.scorecards if c.entity == entity)
