"""The measures stage: the value of every KPI for an entity in a period, before scoring.

A KPI's value comes from one of three places, in this order:

- **derived** (``formula``): the formula over the values of the KPIs it names, each for the
  same entity and the same period. Over a quarter or a year the inputs are aggregated
  first, so a ratio is total over total, never a mean of monthly ratios;
- **rolled up** (a KPI that KPIs of positions or departments below ``contribute`` to): those
  KPIs' values for every holder of their units combined by the KPI's ``roll_up`` (``sum`` by
  default, ``mean``, ``min`` or ``max``; rounded like a derived value), for the unit that owns it;
- **reported**: the actual for the period, or the actuals of its sub-periods at the KPI's
  frequency, combined by its ``aggregation``.

A derived or rolled-up KPI may be reported too: with ``reported: check`` (the default) a
reported value must equal the computed one, with ``reported: refuse`` it is refused; a value
that cannot be computed (an input missing) falls back to the reported one under ``check``.
Every measure says how it was reached, for the explanation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from stratmap.data import Actual
from stratmap.evaluation._words import SEMICOLON, Text, say
from stratmap.formula import Formula, parse_cached
from stratmap.formula._check import MAX_PLACES as FORMULA_PLACES
from stratmap.model import Strategy
from stratmap.model.types import Kpi
from stratmap.periods import Period, periods_within

ZERO = Decimal(0)
#: A derived value is rounded half away from zero to this many places: the most the formula
#: language rounds to exactly on whole columns, so both evaluation paths give the same value.
DERIVED_PLACES = FORMULA_PLACES
_QUANTUM = Decimal(1).scaleb(-DERIVED_PLACES)


@dataclass(frozen=True, slots=True)
class Measure:
    """A KPI's value for one entity and period; ``value`` None: it cannot be had."""

    value: Decimal | str | None
    rows: tuple[Actual, ...] = ()  # the data rows it read
    how: str = ""  # how it was reached, for the explanation ("" for a value reported as is)
    why: str = ""  # why it could not be computed (value None), without the "derived:" prefix
    conflict: Actual | None = None  # a reported row that disagrees with the computed value
    refused: Actual | None = None  # a reported row of a KPI whose reported values are refused
    #: the months of the period its rows cover, when not all of them (a partial period); a
    #: derived or rolled-up value covers the months its inputs cover
    covered: frozenset[int] | None = None

    @property
    def short(self) -> tuple[int, int] | None:
        """(months covered, months in the period) for a partial period, else None."""
        return None if self.covered is None else (len(self.covered), self.of)

    of: int = 0  # the months in the period, when ``covered`` is set


NONE = Measure(None)


def _text(x: Decimal | str | None) -> str:
    if x is None:
        return say("missing")
    return x if isinstance(x, str) else format(x.normalize(), "f")


def _failed(kind: str, why: Text, rows: Sequence[Actual] = ()) -> Measure:
    """No value: ``kind`` (derived, rolled up) could not be computed, and why (``rows``: the
    rows it read, which are accounted as read)."""
    return Measure(None, tuple(rows), say(kind, why=why), why=why)


class Measures:
    """Every KPI's value per (entity, KPI, period), computed once and remembered."""

    def __init__(
        self, strategy: Strategy, reported: Mapping[tuple[str, str, str], Actual], holds: Mapping[str, str]
    ) -> None:
        self.kpis: dict[str, Kpi] = {k.id: k for k in strategy.kpis}
        self.reported = reported
        ids = tuple(self.kpis)
        self.formulas: dict[str, Formula] = {k.id: parse_cached(k.formula, ids) for k in strategy.kpis if k.formula}
        self.children: dict[str, list[Kpi]] = {}
        for k in strategy.kpis:
            if k.parent and k.link == "contributes" and k.parent in self.kpis:
                self.children.setdefault(k.parent, []).append(k)
        # the entities that hold each unit: its people, or the unit itself when it has none
        people: dict[str, list[str]] = {}
        for entity, unit in holds.items():
            if entity != unit:
                people.setdefault(unit, []).append(entity)
        self.holders = {unit: sorted(found) for unit, found in people.items()}
        self.headcount = {p.id: p.headcount for p in strategy.positions if p.headcount is not None}
        self.holds = holds
        self._memo: dict[tuple[str, str, str], Measure] = {}
        self._open: set[tuple[str, str, str]] = set()

    def holders_of(self, unit: str) -> Sequence[str]:
        return self.holders.get(unit, (unit,))

    def get(self, entity: str, kpi: str, period: Period) -> Measure:
        key = (entity, kpi, period.text)
        found = self._memo.get(key)
        if found is not None:
            return found
        if key in self._open:  # a cycle (validate reports it, SM310): no value
            return NONE
        self._open.add(key)
        try:
            found = self._measure(entity, self.kpis[kpi], period)
        finally:
            self._open.discard(key)
        self._memo[key] = found
        return found

    def _measure(self, entity: str, k: Kpi, period: Period) -> Measure:
        computed: Measure | None = None
        if k.id in self.formulas:
            computed = self._derived(entity, k, period)
        elif k.id in self.children and self.holds.get(entity, entity) == k.owner:
            computed = self._rolled_up(entity, k, period)
        if computed is None:
            return self._reported(entity, k, period)
        row = self.reported.get((entity, k.id, period.text))
        if row is None:
            return computed
        if k.reported == "refuse":
            return Measure(computed.value, computed.rows, computed.how, refused=row)
        if computed.value is None:  # it cannot be computed: the reported value stands
            return Measure(row.value, (row,), say("reported_fallback", why=computed.why))
        if row.value != computed.value:
            return Measure(computed.value, computed.rows, computed.how, conflict=row)
        return Measure(computed.value, (*computed.rows, row), computed.how + say("reported_agrees"))

    def _derived(self, entity: str, k: Kpi, period: Period) -> Measure:
        formula = self.formulas[k.id]
        values: dict[str, Decimal | None] = {}
        rows: list[Actual] = []
        parts: list[Text] = []
        missing: list[str] = []
        shorts: list[Measure] = []
        for name in formula.names:
            m = self.get(entity, name, period)
            value = m.value if isinstance(m.value, Decimal) else None
            values[name] = value
            rows.extend(m.rows)
            shorts.append(m)
            if value is None:
                missing.append(name)
            shown = _text(value)
            parts.append(
                say("input_how", name=name, value=shown, how=m.how) if m.how else say("input", name=name, value=shown)
            )
        if missing:
            return _failed("derived_failed", say("inputs_missing", names=", ".join(missing)), rows)
        spans = {m.covered for m in shorts}
        if len(spans) > 1:  # total over total needs the same months in every total
            shown = ", ".join(
                f"{name} {len(m.covered) if m.covered is not None else len(period.months())}"
                for name, m in zip(formula.names, shorts, strict=True)
            )
            return _failed("derived_failed", say("months_differ", shown=shown, of=len(period.months())), rows)
        result = formula.evaluate(values)
        if not isinstance(result, Decimal):
            return _failed("derived_failed", say("no_number", formula=k.formula, parts=SEMICOLON.join(parts)), rows)
        result = plain(result.quantize(_QUANTUM, rounding=ROUND_HALF_UP))
        return Measure(
            result,
            tuple(rows),
            say("derived", formula=k.formula, value=_text(result), period=period.text, parts=SEMICOLON.join(parts)),
            covered=shorts[0].covered if shorts else None,
            of=len(period.months()),
        )

    def _rolled_up(self, entity: str, k: Kpi, period: Period) -> Measure:
        values: list[Decimal] = []
        rows: list[Actual] = []
        parts: list[str] = []
        missing: list[str] = []
        shorts: list[Measure] = []
        for child in self.children[k.id]:
            listed = self.holders.get(child.owner)
            expected = self.headcount.get(child.owner)
            if listed is not None and expected is not None and len(listed) < expected:
                short = say("holders_short", n=expected - len(listed), expected=expected, unit=child.owner)
                return _failed("rolled_failed", short)
            for holder in self.holders_of(child.owner):
                m = self.get(holder, child.id, period)
                if not isinstance(m.value, Decimal):
                    missing.append(f"{holder} ({child.id})")
                    continue
                values.append(m.value)
                shorts.append(m)
                rows.extend(m.rows)
                parts.append(f"{holder} {_text(m.value)} ({child.id})")
        if missing:
            return _failed("rolled_failed", say("contributions_missing", who=", ".join(missing)))
        if not parts:
            return _failed("rolled_failed", say("no_holder"))
        total = plain(_aggregate(k.roll_up, values).quantize(_QUANTUM, rounding=ROUND_HALF_UP))
        shown = (
            Text(" + ".join(parts))
            if k.roll_up == "sum"
            else say("combined", how=say(k.roll_up), parts=", ".join(parts))
        )
        spans = {m.covered for m in shorts}
        if len(spans) > 1:  # a total of people's totals over different months
            return _failed("rolled_failed", say("holder_months_differ"))
        how = say("rolled", shown=shown, total=_text(total))
        return Measure(total, tuple(rows), how, covered=next(iter(spans)), of=len(period.months()))

    def _reported(self, entity: str, k: Kpi, period: Period) -> Measure:
        """Reported for the period, or aggregated from the sub-periods at its frequency."""
        row = self.reported.get((entity, k.id, period.text))
        if row is not None:
            return Measure(row.value, (row,))
        if k.id in self.formulas:
            return NONE  # a ratio of the sub-periods' ratios is not the period's ratio
        if k.frequency == "yearly":
            return NONE  # nothing shorter to aggregate
        parts = periods_within(period, k.frequency)
        rows = [r for p in parts if (r := self.reported.get((entity, k.id, p.text))) is not None]
        if len(parts) <= 1 or not rows:
            return NONE
        values = [r.value for r in rows]
        if not all(isinstance(v, Decimal) for v in values):
            return NONE
        nums: list[Decimal] = values  # type: ignore[assignment]
        value = _aggregate(k.aggregation, nums)
        shown = ", ".join(f"{r.period} {_text(r.value)}" for r in rows)
        months = frozenset(m for p in parts if (entity, k.id, p.text) in self.reported for m in p.months())
        covered = months if len(months) < len(period.months()) else None
        return Measure(
            value,
            tuple(rows),
            say(
                "aggregated",
                how=say(k.aggregation),
                n=len(rows),
                of=len(parts),
                frequency=say(k.frequency),
                shown=shown,
            ),
            covered=covered,
            of=len(period.months()),
        )


def plain(x: Decimal) -> Decimal:
    """``x`` without trailing zeros and never in exponent form (1.600 -> 1.6, 100.0 -> 100)."""
    return x.quantize(Decimal(1)) if x == x.to_integral_value() else x.normalize()


def _aggregate(how: str, nums: list[Decimal]) -> Decimal:
    if how == "sum":
        return sum(nums, ZERO)
    if how == "mean":
        return sum(nums, ZERO) / len(nums)
    if how == "last":
        return nums[-1]
    return min(nums) if how == "min" else max(nums)
