"""The typed rows of the evaluation's tables, and the tables and dataset that hold them."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from stratmap.diagnostics import Diagnostic, Location

TableName = Literal["actuals", "events", "ratings", "bonus_base", "people"]

#: Required and optional columns of each table.
COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "actuals": (("entity", "kpi", "period", "value"), ("note",)),
    "events": (("entity", "event", "period"), ("count", "amount", "note")),
    "ratings": (("entity", "kpi", "period", "rater", "rating"), ("rater_id", "note")),
    "bonus_base": (("entity", "period", "amount"), ("note",)),
    "people": (("entity", "holds"), ("name", "note")),
}


#: The answers a yes/no KPI's value may be (compared in lower case).
YES = frozenset({"yes", "y", "true", "是", "达成", "通过"})
NO = frozenset({"no", "n", "false", "否", "未达成", "未通过"})

Source = str | os.PathLike[str] | Iterable[Mapping[str, Any]]

#: The tables an evaluation reads, by the name ``read_data`` takes them under.
TABLES = ("actuals", "events", "ratings", "bonus_base", "people")

#: Codes that reject the row they are reported on.
ROW_CODES = frozenset({"SM503", "SM504", "SM505", "SM506", "SM507", "SM514"})


@dataclass(frozen=True, slots=True)
class Actual:
    """One reported value: ``value`` is a Decimal, or the text of a yes/no answer."""

    entity: str
    kpi: str
    period: str
    value: Decimal | str
    at: Location
    cells: tuple[tuple[str, Location], ...] = ()  # where each column's cell is


@dataclass(frozen=True, slots=True)
class Event:
    """An event (violation, incident) in a period: ``count`` occurrences, ``amount`` at stake."""

    entity: str
    event: str
    period: str
    count: Decimal
    amount: Decimal
    at: Location
    cells: tuple[tuple[str, Location], ...] = ()  # where each column's cell is


@dataclass(frozen=True, slots=True)
class Rating:
    """A rater's label for a rated KPI, e.g. superior -> "B"."""

    entity: str
    kpi: str
    period: str
    rater: str
    rating: str
    at: Location
    rater_id: str | None = None  # who rated, when a role has several raters (peers)
    cells: tuple[tuple[str, Location], ...] = ()  # where each column's cell is


@dataclass(frozen=True, slots=True)
class BonusBase:
    """The base amount a bonus factor multiplies, for one entity and period."""

    entity: str
    period: str
    amount: Decimal
    at: Location
    cells: tuple[tuple[str, Location], ...] = ()  # where each column's cell is


@dataclass(frozen=True, slots=True)
class Person:
    """Someone assessed on the scorecards of the position or department they hold."""

    entity: str
    holds: str
    name: str | None
    at: Location
    cells: tuple[tuple[str, Location], ...] = ()  # where each column's cell is


Record = Actual | Event | Rating | BonusBase | Person


def cell(record: Record, column: str) -> Location:
    """Where ``record``'s cell in ``column`` is (the row's location when unknown)."""
    for name, location in record.cells:
        if name == column:
            return location
    return record.at


@dataclass(frozen=True)
class Table:
    """The rows of one table that read cleanly, and the problems of the others."""

    name: str
    source: str
    rows: tuple[Any, ...] = ()
    problems: tuple[Diagnostic, ...] = ()
    read: int = 0
    #: rows beyond the first of runs of lines with one problem, said once (broken quoting)
    runs: int = 0

    @property
    def rejected(self) -> int:
        """Rows left out for a problem (a row with several problems counts once; a problem
        said once for a run of lines counts each of them)."""
        return self.runs + len({_row_of(d.location) for d in self.problems if _row_level(d) and d.location.path})


def _row_of(location: Location) -> tuple[str, Any]:
    """The row a location is in: its path's first step (a line, record or sheet row).

    Every row-level problem is located in its row; one without a path (a repeated key in an
    object nested in a cell) is about a part of a row, which its row's own problem counts.
    """
    return (location.file, location.path[:1])


def _row_level(d: Diagnostic) -> bool:
    return d.code in ROW_CODES


@dataclass(frozen=True)
class Dataset:
    """Every table of one evaluation. Tables not given are empty."""

    actuals: Table = field(default_factory=lambda: Table("actuals", ""))
    events: Table = field(default_factory=lambda: Table("events", ""))
    ratings: Table = field(default_factory=lambda: Table("ratings", ""))
    bonus_base: Table = field(default_factory=lambda: Table("bonus_base", ""))
    people: Table = field(default_factory=lambda: Table("people", ""))

    def tables(self) -> tuple[Table, ...]:
        return (self.actuals, self.events, self.ratings, self.bonus_base, self.people)

    @property
    def problems(self) -> tuple[Diagnostic, ...]:
        return tuple(d for t in self.tables() for d in t.problems)
