"""The evaluation's immutable results and their plain-data form (JSON-ready, Decimals as text)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from stratmap.diagnostics import Diagnostic

T = TypeVar("T")


def _text(x: Decimal | None) -> str | None:
    return None if x is None else str(x)


@dataclass(frozen=True)
class ItemResult:
    """One scorecard item for one entity: from the actual to its contribution."""

    kpi: str
    weight: Decimal
    status: str  # scored, missing_zero, skipped, missing, unscorable, partial (a partial year refused)
    policy: str
    actual: Decimal | str | None = None
    target: Decimal | None = None
    threshold: Decimal | None = None
    stretch: Decimal | None = None
    rule: str = ""
    raw: Decimal | None = None
    score: Decimal | None = None
    share: Decimal | None = None  # the weight's share after re-normalisation, in percent
    contribution: Decimal | None = None
    note: str | None = None
    inputs: tuple[Mapping[str, str], ...] = ()
    revision: str | None = None  # e.g. "target 15 -> 8 from 2026Q3 (rev_id: reason)"
    measured: str | None = None  # how the actual was reached when not reported as is (derived, rolled up...)
    #: annual tier: the months of the year its actual covers (12: the whole year; None: not read)
    months: int | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kpi": self.kpi,
            "status": self.status,
            "actual": self.actual if isinstance(self.actual, str) else _text(self.actual),
            "target": _text(self.target),
            "threshold": _text(self.threshold),
            "stretch": _text(self.stretch),
            "policy": self.policy,
            "rule": self.rule,
            "raw_score": _text(self.raw),
            "score": _text(self.score),
            "weight": _text(self.weight),
            "share": _text(self.share),
            "contribution": _text(self.contribution),
        }
        if self.inputs:
            out["inputs"] = [dict(i) for i in self.inputs]
        if self.note:
            out["note"] = self.note
        if self.revision:
            out["revision"] = self.revision
        if self.measured:
            out["measured"] = self.measured
        if self.months is not None:
            out["months"] = self.months
        return out


@dataclass(frozen=True)
class Gate:
    """One step applied after the weighted sum, in order, with its reason."""

    step: str  # deductions, high_voltage, grade, distribution, bonus_rule, veto, forfeit, bonus
    source: str  # the id of what applied it (a rule, line, indicator) or the step's name
    effect: str  # what it did, in words
    before: str | None = None
    after: str | None = None
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "source": self.source,
            "effect": self.effect,
            "before": self.before,
            "after": self.after,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Deduction:
    """One deduction rule that took points in the period."""

    event: str
    count: Decimal  # events in the period
    rate: Decimal  # points per event
    points: Decimal  # count x rate
    applied: Decimal  # the points taken: ``points``, or the rule's ``max``
    shown: str  # the rule's arithmetic, in words

    def as_dict(self) -> dict[str, str]:
        return {
            "event": self.event,
            "count": str(self.count),
            "rate": str(self.rate),
            "points": str(self.points),
            "applied": str(self.applied),
            "shown": self.shown,
        }


@dataclass(frozen=True)
class LineHit:
    """A high-voltage line touched in the period."""

    id: str
    name: str
    count: Decimal  # its events in the period
    amount: Decimal  # their amounts, summed
    outcome: tuple[str, ...]  # the actions it takes, in order

    def as_dict(self) -> dict[str, str]:
        return {
            "id": self.id,
            "name": self.name,
            "count": str(self.count),
            "amount": str(self.amount),
            "outcome": ", ".join(self.outcome) or "none",
        }


@dataclass(frozen=True)
class Veto:
    """A key strategic indicator that vetoed the period's bonus."""

    id: str
    kpi: str
    actual: Decimal | str | None  # the period's actual as the measures stage has it (None: none)
    condition: str
    consecutive: int  # the periods in a row it has vetoed, this one included
    streak: str  # those periods and their actuals, in words
    bonus_factor: Decimal  # what it multiplies the bonus factor by
    reason: str
    escalated: str  # what the run of vetoes escalated to, in words ("" for nothing)
    #: why the run cannot be counted past a period (``missing_period: error``), else None
    gap: str | None = None

    def as_dict(self) -> dict[str, str]:
        out = {
            "id": self.id,
            "kpi": self.kpi,
            "actual": "" if self.actual is None else str(self.actual),
            "condition": self.condition,
            "consecutive": str(self.consecutive),
            "streak": self.streak,
            "bonus_factor": str(self.bonus_factor),
            "reason": self.reason,
            "escalated": self.escalated,
        }
        if self.gap is not None:
            out["gap"] = self.gap
        return out


@dataclass(frozen=True)
class Result:
    """What one entity scored on one scorecard for one period, and why."""

    entity: str
    scorecard: str
    period: str
    tier: str
    status: str  # complete, incomplete
    unit: str  # the department or position whose scorecard this is
    department: str | None
    base_score: Decimal | None = None
    score: Decimal | None = None
    grade: str | None = None
    rank: int | None = None
    group: str | None = None
    group_size: int | None = None
    vetoes: tuple[Veto, ...] = ()
    deductions: tuple[Deduction, ...] = ()
    high_voltage: tuple[LineHit, ...] = ()
    flags: tuple[str, ...] = ()
    bonus_factor: Decimal | None = None
    bonus_base: Decimal | None = None
    bonus: Decimal | None = None
    #: why there is a bonus factor but no bonus (no bonus base), else None
    bonus_missing: str | None = None
    items: tuple[ItemResult, ...] = ()
    gates: tuple[Gate, ...] = ()
    missing: tuple[str, ...] = ()
    #: annual tier: the fewest months of the year any item's actual covers (12: a whole year)
    months_used: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "entity": self.entity,
            "scorecard": self.scorecard,
            "period": self.period,
            "tier": self.tier,
            "status": self.status,
            "score": _text(self.score),
            "grade": self.grade,
            "rank": self.rank,
            "group": self.group,
            "vetoes": [v.as_dict() for v in self.vetoes],
            "deductions": [d.as_dict() for d in self.deductions],
            "high_voltage": [h.as_dict() for h in self.high_voltage],
            "flags": list(self.flags),
            "bonus_factor": _text(self.bonus_factor),
            "bonus_base": _text(self.bonus_base),
            "bonus": _text(self.bonus),
            "bonus_missing": self.bonus_missing,
            "missing": list(self.missing),
            "months_used": self.months_used,
            "explanation": self.explanation(),
        }

    def explanation(self) -> dict[str, Any]:
        """Structured data that re-adds to the published numbers: items, then each gate in order."""
        return {
            "items": [i.as_dict() for i in self.items],
            "weighted_sum": _text(self.base_score),
            "gates": [g.as_dict() for g in self.gates],
        }


@dataclass(frozen=True)
class RowCount:
    """How one input table's rows were accounted for: read = used + unused + outside + rejected.

    ``unused`` rows are in the period but fed no result (each is reported, SM509);
    ``outside`` rows belong to other periods and were not needed.
    """

    read: int
    used: int
    unused: int
    outside: int
    rejected: int

    def as_dict(self) -> dict[str, int]:
        return {
            "read": self.read,
            "used": self.used,
            "unused": self.unused,
            "outside_period": self.outside,
            "rejected": self.rejected,
        }


@dataclass(frozen=True)
class Evaluation:
    """Every result of one evaluation, the problems found, and the row accounting."""

    period: str
    tier: str
    results: tuple[Result, ...]
    diagnostics: tuple[Diagnostic, ...] = ()
    rows: Mapping[str, RowCount] = field(default_factory=dict)
    #: Each scorecard's bonuses added up, rounded once at the money places.
    bonus_totals: Mapping[str, Decimal] = field(default_factory=dict)
    #: Each scorecard's results with a bonus factor but no bonus, which its total leaves out.
    bonus_left_out: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def result(self, entity: str, scorecard: str | None = None) -> Result:
        """The result of ``entity`` (on ``scorecard`` when it has several)."""
        found = [r for r in self.results if r.entity == entity and (scorecard is None or r.scorecard == scorecard)]
        if len(found) != 1:
            raise KeyError(f"{len(found)} results for {entity!r}" + (f" on {scorecard!r}" if scorecard else ""))
        return found[0]

    def result_rows(self) -> list[dict[str, Any]]:
        """One flat row per result (Decimals as strings), the columns of :data:`RESULT_COLUMNS`:
        the CSV's rows, and the DataFrames' (which type the numbers)."""
        out = []
        for r in self.results:
            out.append(
                {
                    "entity": r.entity,
                    "scorecard": r.scorecard,
                    "period": r.period,
                    "tier": r.tier,
                    "status": r.status,
                    "score": _text(r.score),
                    "grade": r.grade,
                    "rank": r.rank,
                    "group": r.group,
                    "vetoes": " ".join(v.id for v in r.vetoes),
                    "deductions": str(sum((d.applied for d in r.deductions), Decimal(0))) if r.deductions else None,
                    "high_voltage": " ".join(h.id for h in r.high_voltage),
                    "flags": " ".join(r.flags),
                    "bonus_factor": _text(r.bonus_factor),
                    "bonus_base": _text(r.bonus_base),
                    "bonus": _text(r.bonus),
                    "bonus_missing": r.bonus_missing or "",
                }
            )
        return out

    def to_frame(self, library: str = "pandas") -> Any:
        """The CSV's rows as a pandas (default) or polars DataFrame (an optional extra), with
        the numbers as exact decimals and ``rank`` as whole numbers (see :func:`frame`)."""
        return frame(self.result_rows(), library, RESULT_COLUMNS)

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "tier": self.tier,
            "results": [r.as_dict() for r in self.results],
            "rows": {name: count.as_dict() for name, count in self.rows.items()},
            "bonus_totals": {card: str(amount) for card, amount in self.bonus_totals.items()},
            "bonus_left_out": {card: list(left) for card, left in self.bonus_left_out.items()},
            "diagnostics": [
                {
                    "code": d.code,
                    "severity": d.severity.value,
                    "file": d.location.file,
                    "line": d.location.line,
                    "column": d.location.column,
                    "path": list(d.location.path),
                    "message": d.message(),
                }
                for d in self.diagnostics
            ],
        }


#: The columns of a result row: the CSV's header and the DataFrames' columns, in order.
RESULT_COLUMNS = (
    "entity",
    "scorecard",
    "period",
    "tier",
    "status",
    "score",
    "grade",
    "rank",
    "group",
    "vetoes",
    "deductions",
    "high_voltage",
    "flags",
    "bonus_factor",
    "bonus_base",
    "bonus",
    "bonus_missing",
)
#: Columns of exact decimals in a frame (text in the rows), and of whole numbers.
DECIMAL_COLUMNS = frozenset({"score", "deductions", "bonus_factor", "bonus_base", "bonus"})
INTEGER_COLUMNS = frozenset({"rank"})


def _decimals(values: list[Any]) -> tuple[list[Decimal | None], int]:
    """The column's values as Decimals (None for blank) and the most places any of them has."""
    out = [None if v is None or v == "" else Decimal(str(v)) for v in values]
    places = [-int(d.as_tuple().exponent) for d in out if d is not None]
    return out, max([0, *places])


def frame(rows: list[dict[str, Any]], library: str, columns: Sequence[str] | None = None) -> Any:
    """Rows as a DataFrame of ``library`` (pandas or polars), imported only here.

    Numbers stay exact: the columns of :data:`DECIMAL_COLUMNS` are decimals at the most
    places any value has (polars ``Decimal(38, places)``; pandas Arrow ``decimal128`` when
    pyarrow is installed, else Python ``Decimal`` objects, exact either way), ``rank`` is a
    nullable whole number; a blank is null. Everything else is text as in the CSV.
    """
    import importlib

    if library not in ("pandas", "polars"):
        raise ValueError(f"library must be 'pandas' or 'polars', not {library!r}")
    module = importlib.import_module(library)  # an optional extra: pip install 'stratmap[pandas]'
    names = list(columns) if columns is not None else list(rows[0]) if rows else []
    data: dict[str, Any] = {}
    for name in names:
        values = [row.get(name) for row in rows]
        if name in DECIMAL_COLUMNS:
            decimals, places = _decimals(values)
            data[name] = _decimal_column(module, library, name, decimals, places)
        elif name in INTEGER_COLUMNS:
            whole = [None if v is None or v == "" else int(v) for v in values]
            data[name] = (
                module.Series(name, whole, dtype=module.Int64)
                if library == "polars"
                else (module.array(whole, dtype="Int64"))
            )
        else:
            data[name] = values
    return module.DataFrame(data)


def _decimal_column(module: Any, library: str, name: str, values: list[Decimal | None], places: int) -> Any:
    if library == "polars":
        return module.Series(name, values, dtype=module.Decimal(38, places))
    try:
        import pyarrow as pa  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return module.array(values, dtype=object)  # exact Decimals; pyarrow gives a decimal dtype
    return module.array(values, dtype=module.ArrowDtype(pa.decimal128(38, places)))
