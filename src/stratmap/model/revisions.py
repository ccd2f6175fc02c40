"""Which revisions of a scorecard item are in force in a period: one answer for the
checks and both evaluation paths."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from stratmap.model.scorecard import Scorecard
from stratmap.model.strategy import Strategy
from stratmap.model.types import Revision
from stratmap.periods import Period, parse_period


def revisions_in_force(strategy: Strategy, card: Scorecard, kpi: str, period: Period) -> dict[str, Decimal]:
    """The revised target, threshold, stretch or weight of ``kpi`` on ``card`` in force in ``period``."""
    return {rev.field: rev.value for rev in revision_records(strategy, card, kpi, period)}


def revision_records(strategy: Strategy, card: Scorecard, kpi: str, period: Period) -> list[Revision]:
    """The revisions of ``kpi`` on ``card`` in force in ``period``, latest last per field."""
    return in_force(in_order(r for r in strategy.revisions if r.scorecard == card.id and r.kpi == kpi), period)


def in_order(revisions: Iterable[Revision]) -> list[Revision]:
    """``revisions`` in the order they take effect: by first month, then date, then id."""
    return sorted(revisions, key=_order)


def in_force(ordered: Iterable[Revision], period: Period) -> list[Revision]:
    """Of revisions of one item, taken in effect order, those in force in ``period``: the
    latest per field."""
    found: dict[str, Revision] = {}
    month = period.year * 12 + period.first
    for rev in ordered:
        start = parse_period(rev.effective)
        if start is not None and start.year * 12 + start.first <= month:
            found[rev.field] = rev
    return list(found.values())


def _order(r: Revision) -> tuple[int, int, str]:
    p = parse_period(r.effective)
    start = (p.year * 12 + p.first) if p is not None else 0
    return (start, r.date.toordinal() if r.date else 0, r.id)
