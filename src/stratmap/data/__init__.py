"""Data in: the period's actuals, events, ratings, bonus bases and people, as typed rows.

Each table is read from a CSV file (UTF-8 with or without a BOM, or GB18030 when asked),
a JSON or YAML file holding a list of records, an Excel workbook (``.xlsx``, first sheet;
needs the ``excel`` extra), a pandas or polars DataFrame, or any iterable of Python
mappings. Every
row keeps where it came from (file, row, column), so a problem found now or later in the
evaluation is reported there. A bad row is reported and left out; every other row is
kept: ``rows read == rows kept + rows rejected`` for every table.

Reading checks the shape of each row (required columns, text ids, numbers, periods);
checks against the strategy (unknown KPIs or entities, duplicates, periods that do not fit
a KPI) happen in the evaluation, which knows the strategy.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from stratmap._collector import collector_paused
from stratmap.data._cells import SAID_ONCE, typed
from stratmap.data._raw import frame_records, read_file, read_frame, read_mappings
from stratmap.data.records import (
    COLUMNS,
    NO,
    TABLES,
    YES,
    Actual,
    BonusBase,
    Dataset,
    Event,
    Person,
    Rating,
    Record,
    Source,
    Table,
    TableName,
    cell,
)
from stratmap.diagnostics import Diagnostic, Location
from stratmap.i18n import Text

__all__ = [
    "COLUMNS",
    "NO",
    "TABLES",
    "YES",
    "Actual",
    "BonusBase",
    "Dataset",
    "Event",
    "Person",
    "Rating",
    "Record",
    "Source",
    "Table",
    "TableName",
    "cell",
    "read_data",
    "read_table",
]


def read_data(
    *,
    actuals: Source | None = None,
    events: Source | None = None,
    ratings: Source | None = None,
    bonus_base: Source | None = None,
    people: Source | None = None,
    encoding: str = "utf-8",
    **unknown: object,
) -> Dataset:
    """Read each table given; never raises for bad data (problems are in each table).

    Raises ``TypeError`` for an argument of the wrong type, naming it, and for a table
    name that is not one of :data:`TABLES`, listing them.
    """
    if unknown:
        names = ", ".join(sorted(unknown))
        raise TypeError(f"no table called {names}: the tables are {', '.join(TABLES)} (and encoding=)")
    if not isinstance(encoding, str):
        raise TypeError(f"encoding must be the name of a text encoding (e.g. 'gb18030'), not {type(encoding).__name__}")
    given = {"actuals": actuals, "events": events, "ratings": ratings, "bonus_base": bonus_base, "people": people}
    tables = {
        name: read_table(source, name, encoding=encoding)  # type: ignore[arg-type]
        for name, source in given.items()
        if source is not None
    }
    return Dataset(**tables)


def read_table(source: Source, table: TableName, *, encoding: str = "utf-8") -> Table:
    """Read one table from a file or an iterable of mappings."""
    with collector_paused():
        return _read_table(source, table, encoding)


def _read_table(source: Source, table: TableName, encoding: str) -> Table:
    if table not in COLUMNS:
        raise ValueError(f"unknown table {table!r}; one of {', '.join(COLUMNS)}")
    if not isinstance(encoding, str):
        raise TypeError(f"encoding must be the name of a text encoding (e.g. 'gb18030'), not {type(encoding).__name__}")
    if isinstance(source, bytes):
        raise TypeError(f"{table} must be a file path or an iterable of mappings (one per row), not bytes")
    if not isinstance(source, str | os.PathLike | Iterable) and frame_records(source) is None:
        raise TypeError(
            f"{table} must be a file path, a DataFrame or an iterable of mappings (one per row),"
            f" not {type(source).__name__}"
        )
    frame = frame_records(source)
    if frame is not None:
        name = f"<{table} DataFrame>"
        raws, problems = read_frame(frame, name), list[Diagnostic]()
    elif isinstance(source, str | os.PathLike):
        name = os.fspath(source)
        raws, problems = read_file(Path(name), encoding)
    elif isinstance(source, Mapping):
        raise TypeError(f"{table} must be a file path or an iterable of mappings (one per row), not one mapping")
    else:
        name = f"<{table}>"
        raws, problems = read_mappings(source, name)
    rows: list[Record] = []
    problems = list(problems)
    required, optional = COLUMNS[table]
    exact = table in ("events", "ratings")  # several rows of one key are legal there; identical ones are not
    seen: dict[tuple[tuple[str, str], ...], Location] = {}
    said_at: dict[tuple[str, tuple[tuple[str, Any], ...]], int] = {}  # a column problem -> where it was said
    again: dict[int, int] = {}  # its index in problems -> rows more it was found in
    for raw in raws:
        record, found = typed(table, raw, required, optional)
        for d in found:
            said = said_at.setdefault((d.code, d.args), len(problems)) if d.code in SAID_ONCE else None
            if said is not None and said != len(problems):
                again[said] = again.get(said, 0) + 1
                continue
            problems.append(d)
        if record is None:
            continue
        if exact:
            key = tuple(sorted((k, "" if v is None else str(v).strip()) for k, v in raw.cells.items()))
            first = seen.setdefault(key, raw.row)
            if first is not raw.row:
                what = f"{table[:-1]} row (the same in every column)"
                problems.append(Diagnostic.make("SM506", raw.row, what=what, first=f"{first.file}:{first.line}"))
                continue
        rows.append(record)
    for index, more in again.items():
        d = problems[index]
        problems[index] = replace(d, args=tuple(sorted({**dict(d.args), **_repeated(more)}.items())))
    runs = sum(raw.cells["__through__"] - raw.row.line for raw in raws if "__through__" in raw.cells)
    return Table(table, name, tuple(rows), tuple(problems), len(raws) + runs, runs)


def _repeated(more: int) -> dict[str, str]:
    rows = "row" if more == 1 else "rows"
    return {"repeated": Text(f" (and in {more} more {rows}, said once)", f"(另有 {more} 行相同,仅报告一次)")}
