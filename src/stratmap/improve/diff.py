"""What changed between two versions of a strategy: ids, targets, weights and driver shares.

``stratmap diff OLD NEW`` compares two loaded strategies (two paths, or two git revisions
of a path written ``REV:PATH``) and lists every added, removed and changed driver,
department, position, KPI, scorecard, item (target, threshold, stretch, weight, policy) and
key indicator, then how each driver's company-wide weight share moved.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from stratmap.model import Strategy
from stratmap.model.scorecard import Item, Scorecard


@dataclass(frozen=True)
class Change:
    """One difference: ``op`` is ``added``, ``removed`` or ``changed`` (then ``field``, ``old``, ``new``)."""

    kind: str
    id: str
    op: str
    field: str | None = None
    old: str | None = None
    new: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "op": self.op, "field": self.field, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class ShareChange:
    """A driver's company-wide weight share (percent) before and after."""

    driver: str
    old: Decimal
    new: Decimal

    @property
    def delta(self) -> Decimal:
        return self.new - self.old

    def as_dict(self) -> dict[str, str]:
        return {"driver": self.driver, "old": str(self.old), "new": str(self.new), "delta": str(self.delta)}


@dataclass(frozen=True)
class StrategyDiff:
    changes: tuple[Change, ...]
    shares: tuple[ShareChange, ...]

    @property
    def empty(self) -> bool:
        return not self.changes and all(s.delta == 0 for s in self.shares)

    def as_dict(self) -> dict[str, Any]:
        return {"changes": [c.as_dict() for c in self.changes], "driver_shares": [s.as_dict() for s in self.shares]}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _fields(kind: str, key: str, old: Any, new: Any, names: Sequence[str]) -> Iterator[Change]:
    for name in names:
        a, b = getattr(old, name, None), getattr(new, name, None)
        if a != b:
            yield Change(kind, key, "changed", name, _text(a), _text(b))


def _compare(kind: str, old: Mapping[str, Any], new: Mapping[str, Any], names: Sequence[str]) -> Iterator[Change]:
    for key in old:
        if key not in new:
            yield Change(kind, key, "removed", old=_text(getattr(old[key], "name", None)))
    for key in new:
        if key not in old:
            yield Change(kind, key, "added", new=_text(getattr(new[key], "name", None)))
        else:
            yield from _fields(kind, key, old[key], new[key], names)


def _scoring(scoring: Any) -> str:
    """The scoring policy and the parameters that differ from its defaults, in one line."""
    from dataclasses import fields

    from stratmap.model.scorecard import Scoring

    default = Scoring()
    parts = [scoring.policy]
    for f in fields(scoring):
        value = getattr(scoring, f.name)
        if f.name != "policy" and value != getattr(default, f.name):
            shown = dict(value) if isinstance(value, Mapping) else value
            parts.append(f"{f.name}={shown}")
    return " ".join(str(p) for p in parts)


def _actions(actions: Sequence[Any]) -> str:
    return "; ".join(f"{a.what} ({a.owner or '-'}, {a.due or '-'}, {a.status})" for a in actions)


def _items(card: Scorecard) -> dict[str, Item]:
    return {item.kpi: item for item in card.items}


def diff(old: Strategy, new: Strategy) -> StrategyDiff:
    """Every difference between ``old`` and ``new`` that changes what people are assessed on."""
    from stratmap.coverage import coverage

    changes: list[Change] = []
    changes += _compare("driver", {d.id: d for d in old.drivers}, {d.id: d for d in new.drivers}, ("name", "rationale"))
    changes += _compare(
        "department",
        {d.id: d for d in old.departments},
        {d.id: d for d in new.departments},
        ("name", "parent"),
    )
    changes += _compare(
        "position",
        {p.id: p for p in old.positions},
        {p.id: p for p in new.positions},
        ("name", "department", "reports_to", "headcount"),
    )
    changes += _compare(
        "purpose", {p.id: p for p in old.purposes}, {p.id: p for p in new.purposes}, ("statement", "serves")
    )
    changes += _compare(
        "kpi",
        {k.id: k for k in old.kpis},
        {k.id: k for k in new.kpis},
        ("name", "unit", "owner", "direction", "frequency", "aggregation", "serves", "answers", "formula"),
    )
    old_cards = {c.id: c for c in old.scorecards}
    new_cards = {c.id: c for c in new.scorecards}
    changes += _compare("scorecard", old_cards, new_cards, ("entity", "tier", "frequency", "bonus"))
    for card_id in old_cards.keys() & new_cards.keys():
        before, after = old_cards[card_id], new_cards[card_id]
        for kpi, item in _items(before).items():
            if kpi not in _items(after):
                changes.append(Change("item", f"{card_id}/{kpi}", "removed", old=f"weight {item.weight}"))
        for kpi, item in _items(after).items():
            was = _items(before).get(kpi)
            key = f"{card_id}/{kpi}"
            if was is None:
                changes.append(Change("item", key, "added", new=f"weight {item.weight}"))
                continue
            changes += _fields("item", key, was, item, ("weight", "target", "threshold", "stretch", "missing"))
            for period in sorted(set(was.targets) | set(item.targets)):
                t_old, t_new = was.targets.get(period), item.targets.get(period)
                if t_old != t_new:
                    changes.append(Change("item", key, "changed", f"targets[{period}]", _text(t_old), _text(t_new)))
            if was.scoring != item.scoring:
                changes.append(Change("item", key, "changed", "scoring", _scoring(was.scoring), _scoring(item.scoring)))
        changes += _compare(
            "key indicator",
            {k.id: k for k in before.key_indicators},
            {k.id: k for k in after.key_indicators},
            ("kpi", "veto_when", "bonus_factor"),
        )
    changes += _compare(
        "revision",
        {r.id: r for r in old.revisions},
        {r.id: r for r in new.revisions},
        ("scorecard", "kpi", "field", "value", "effective", "reason", "approved_by", "date"),
    )
    changes += _compare(
        "plan",
        {p.id: p for p in old.plans},
        {p.id: p for p in new.plans},
        ("entity", "kpi", "period", "goal", "root_cause"),
    )
    for plan_id in {p.id for p in old.plans} & {p.id for p in new.plans}:
        a_plan = next(p for p in old.plans if p.id == plan_id)
        b_plan = next(p for p in new.plans if p.id == plan_id)
        if a_plan.actions != b_plan.actions:
            changes.append(
                Change("plan", plan_id, "changed", "actions", _actions(a_plan.actions), _actions(b_plan.actions))
            )
    changes.sort(key=lambda c: (c.kind, c.id, {"removed": 0, "added": 1, "changed": 2}[c.op], c.field or ""))
    share_old, share_new = coverage(old).company, coverage(new).company
    shares = tuple(
        ShareChange(d, share_old.get(d, Decimal(0)), share_new.get(d, Decimal(0)))
        for d in dict.fromkeys([*share_old, *share_new])
    )
    return StrategyDiff(tuple(changes), shares)


# ---- reading a version ----------------------------------------------------------------
