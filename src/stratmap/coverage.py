"""Strategic weight share: how much of what people are paid on serves each driver.

For every scorecard with items, each item's weight is attributed

* to drivers: through what the KPI ``serves`` (purposes lead to their drivers, drivers
  count directly), split as the KPI's ``split`` declares or else evenly; a KPI that
  serves nothing but ``answers`` problems is attributed to the drivers those problems
  hold back; a KPI that does neither but cascades to a ``parent`` KPI is attributed as its
  parent is (the trace SM304 follows); weight that reaches no driver is reported as
  unattributed;
* to the kind of reason (4232's two kinds of solution): value-driven (it serves),
  issue-driven (it answers a problem), both, or neither.

Shares are exact Decimals rounded to two places by the largest-remainder method, so
that each scorecard's shares add up exactly to its total weight. The company-wide share
of a driver is the mean of its percentage over all scorecards with items.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from stratmap.model import Driver, Kpi, Problem, Purpose, Scorecard, Strategy

CENT = Decimal("0.01")
UNATTRIBUTED = "(none)"
REASONS = ("value", "issue", "both", "neither")


@dataclass(frozen=True)
class CardCoverage:
    """The weight shares of one scorecard."""

    scorecard: str
    entity: str
    tier: str
    total: Decimal
    by_driver: Mapping[str, Decimal]
    by_reason: Mapping[str, Decimal]


@dataclass(frozen=True)
class Coverage:
    """Weight shares of every scorecard, and the company-wide share per driver (percent)."""

    cards: tuple[CardCoverage, ...]
    company: Mapping[str, Decimal]
    drivers: tuple[str, ...]


def served_drivers(strategy: Strategy, kpi: Kpi) -> list[str]:
    """The drivers a KPI serves, through its purposes or directly, in order."""
    drivers: list[str] = []
    for target in kpi.serves:
        obj = strategy.get(target)
        if isinstance(obj, Purpose):
            drivers.extend(obj.serves)
        elif isinstance(obj, Driver):
            drivers.append(target)
    return list(dict.fromkeys(drivers))


def kpi_drivers(strategy: Strategy, kpi: Kpi, _below: frozenset[str] = frozenset()) -> dict[str, Decimal]:
    """The share (fractions adding up to 1) of a KPI's weight each driver receives."""
    drivers = served_drivers(strategy, kpi)
    if not drivers:
        for problem_id in kpi.answers:
            problem = strategy.get(problem_id)
            if isinstance(problem, Problem):
                drivers.extend(problem.holds_back)
    unique = list(dict.fromkeys(drivers))
    if not unique:
        parent = strategy.get(kpi.parent) if kpi.parent else None
        if isinstance(parent, Kpi) and parent.id not in _below:  # a looping cascade is SM310's finding
            return kpi_drivers(strategy, parent, _below | {kpi.id})
        return {}
    declared = {d: kpi.split[d] for d in unique if d in kpi.split}
    total = sum(declared.values(), Decimal(0))
    if declared and total > 0:
        return {d: share / total for d, share in declared.items()}
    return {d: Decimal(1) / len(unique) for d in unique}


def reason(kpi: Kpi) -> str:
    if kpi.value_driven and kpi.issue_driven:
        return "both"
    if kpi.value_driven:
        return "value"
    if kpi.issue_driven:
        return "issue"
    return "neither"


def _round_to_total(raw: Mapping[str, Decimal], total: Decimal) -> dict[str, Decimal]:
    """Round each value down to a cent, then give the remaining cents to the largest
    remainders (ties broken by name): the rounded values add up exactly to ``total``."""
    floors = {k: v.quantize(CENT, rounding=ROUND_DOWN) for k, v in raw.items()}
    left = int(((total.quantize(CENT) - sum(floors.values(), Decimal(0))) / CENT).to_integral_value())
    order = sorted(raw, key=lambda k: (-(raw[k] - floors[k]), k))
    for key in order[: max(left, 0)]:
        floors[key] += CENT
    return floors


def card_coverage(strategy: Strategy, card: Scorecard) -> CardCoverage:
    by_driver: dict[str, Decimal] = {}
    by_reason: dict[str, Decimal] = dict.fromkeys(REASONS, Decimal(0))
    for item in card.items:
        obj = strategy.get(item.kpi)
        if not isinstance(obj, Kpi):
            continue
        by_reason[reason(obj)] += item.weight
        shares = kpi_drivers(strategy, obj) or {UNATTRIBUTED: Decimal(1)}
        for driver, share in shares.items():
            by_driver[driver] = by_driver.get(driver, Decimal(0)) + item.weight * share
    total = card.total_weight
    return CardCoverage(
        card.id, card.entity, card.tier, total, _round_to_total(by_driver, total), _round_to_total(by_reason, total)
    )


def coverage(strategy: Strategy) -> Coverage:
    """The weight shares of every scorecard with items, and the company-wide shares."""
    cards = tuple(card_coverage(strategy, c) for c in strategy.scorecards if c.items)
    drivers = tuple(d.id for d in strategy.drivers)
    keys: Sequence[str] = [*drivers, UNATTRIBUTED]
    percents: dict[str, Decimal] = dict.fromkeys(keys, Decimal(0))
    counted = [c for c in cards if c.total > 0]
    for card in counted:
        for driver, weight in card.by_driver.items():
            percents[driver] += weight * 100 / card.total
    company = {k: v / len(counted) for k, v in percents.items()} if counted else {}
    rounded = _round_to_total(company, Decimal(100)) if counted else {}
    if rounded.get(UNATTRIBUTED) == 0:
        rounded.pop(UNATTRIBUTED)
    return Coverage(cards, rounded, drivers)
