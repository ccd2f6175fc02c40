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

import csv
import io
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
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

PERIOD = re.compile(r"[0-9]{4}(?:-(?:0[1-9]|1[0-2])|Q[1-4]|H[12])?\Z")
ID = re.compile(r"[a-z][a-z0-9_]{0,63}\Z")
NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")
MAX_ENTITY = 128
#: Numbers in the data stay below this magnitude: exact in both evaluation paths.
MAX_NUMBER = Decimal("1e15")
#: The answers a yes/no KPI's value may be (compared in lower case).
YES = frozenset({"yes", "y", "true", "是", "达成", "通过"})
NO = frozenset({"no", "n", "false", "否", "未达成", "未通过"})

Source = str | os.PathLike[str] | Iterable[Mapping[str, Any]]


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

    @property
    def rejected(self) -> int:
        """Rows left out for a problem (a row with several problems counts once)."""
        return len({(d.location.file, d.location.line, d.location.path[:1]) for d in self.problems if _row_level(d)})


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


#: Codes that reject the row they are reported on.
ROW_CODES = frozenset({"SM503", "SM504", "SM505", "SM506", "SM507"})


def read_data(
    *,
    actuals: Source | None = None,
    events: Source | None = None,
    ratings: Source | None = None,
    bonus_base: Source | None = None,
    people: Source | None = None,
    encoding: str = "utf-8",
) -> Dataset:
    """Read each table given; never raises for bad data (problems are in each table)."""
    given = {"actuals": actuals, "events": events, "ratings": ratings, "bonus_base": bonus_base, "people": people}
    tables = {
        name: read_table(source, name, encoding=encoding)  # type: ignore[arg-type]
        for name, source in given.items()
        if source is not None
    }
    return Dataset(**tables)


# ---- reading raw records ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Raw:
    """One record before typing: column -> text (or JSON/YAML scalar), and where each cell is."""

    cells: dict[str, Any]
    where: dict[str, Location]
    row: Location


def read_table(source: Source, table: TableName, *, encoding: str = "utf-8") -> Table:
    """Read one table from a file or an iterable of mappings."""
    if table not in COLUMNS:
        raise ValueError(f"unknown table {table!r}; one of {', '.join(COLUMNS)}")
    frame = _frame_records(source)
    if frame is not None:
        name = f"<{table} DataFrame>"
        raws, problems = _read_frame(frame, name), list[Diagnostic]()
    elif isinstance(source, str | os.PathLike):
        name = os.fspath(source)
        raws, problems = _read_file(Path(name), encoding)
    elif isinstance(source, Mapping):
        raise TypeError(f"{table} must be a file path or an iterable of mappings (one per row), not one mapping")
    else:
        name = f"<{table}>"
        raws, problems = _read_mappings(source, name)
    rows: list[Record] = []
    problems = list(problems)
    required, optional = COLUMNS[table]
    for raw in raws:
        record, found = _typed(table, raw, required, optional)
        problems.extend(found)
        if record is not None:
            rows.append(record)
    return Table(table, name, tuple(rows), tuple(problems), len(raws))


def _read_file(path: Path, encoding: str) -> tuple[list[_Raw], list[Diagnostic]]:
    file = str(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        return [], [Diagnostic.make("SM501", Location(file), reason=err.strerror or str(err))]
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_excel(path)
    if suffix in (".yaml", ".yml"):
        return _read_yaml(path, data)
    try:
        text = data.decode("utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding)
    except (UnicodeDecodeError, LookupError) as err:
        reason = f"it is not valid {encoding}"
        if isinstance(err, UnicodeDecodeError):
            try:
                data.decode("gb18030")
                reason += " (it looks like GB18030: pass --encoding gb18030)"
            except UnicodeDecodeError:
                pass
        else:
            reason = f"unknown encoding {encoding!r}"
        return [], [Diagnostic.make("SM501", Location(file), reason=reason)]
    if suffix == ".json":
        return _read_json(file, text)
    return _read_csv(file, text)


def _read_csv(file: str, text: str) -> tuple[list[_Raw], list[Diagnostic]]:
    """The records of a CSV text. A line with broken quoting is reported as a bad row and
    reading resumes on the next line: one bad record never loses the others."""
    lines = text.splitlines(keepends=True)
    raws: list[_Raw] = []
    header: list[str] | None = None
    offset = 0  # physical lines before the current reader's first line
    while offset < len(lines):
        reader = csv.reader(io.StringIO("".join(lines[offset:]), newline=""), strict=True)
        done = 0  # lines this reader has fully consumed
        try:
            for cells in reader:
                first, line = offset + done + 1, offset + reader.line_num
                done = reader.line_num
                if header is None:
                    header = [h.strip() for h in cells]
                    continue
                if not any(c.strip() for c in cells):
                    continue  # a blank line is not a record
                row = Location(file, first, 1, path=(first,))
                if len(cells) != len(header):
                    raws.append(_Raw({"__shape__": len(cells)}, {}, row))
                    continue
                where = {h: Location(file, first, i + 1, path=(first, h)) for i, h in enumerate(header)}
                raws.append(_Raw(dict(zip(header, cells, strict=True)), where, row))
                del line
        except csv.Error as err:
            bad = offset + done + 1  # the record that failed starts on the line after the last good one
            raws.append(_Raw({"__broken__": str(err)}, {}, Location(file, bad, 1, path=(bad,))))
            offset = bad  # resume on the next line
            continue
        break
    if header is None:
        return [], [Diagnostic.make("SM502", Location(file, 1, 1), columns="every required column", found="none")]
    return raws, []


def _read_json(file: str, text: str) -> tuple[list[_Raw], list[Diagnostic]]:
    try:
        data = json.loads(text, parse_float=Decimal, parse_int=Decimal)
    except json.JSONDecodeError as err:
        return [], [Diagnostic.make("SM501", Location(file, err.lineno, err.colno), reason=f"broken JSON: {err.msg}")]
    return _records(data, file)


def _read_yaml(path: Path, raw: bytes) -> tuple[list[_Raw], list[Diagnostic]]:
    from stratmap.load.reader import decode_bytes, parse_text

    text, problems = decode_bytes(raw, str(path))
    if text is not None and not problems:
        doc, problems = parse_text(text, str(path), list_root=True)
    if text is None or problems:
        return [], [Diagnostic.make("SM501", d.location, reason=d.message()) for d in problems]
    data: Any = doc.data
    raws, found = _records(data, doc.file)
    located = []
    for i, record in enumerate(raws):
        where = {k: doc.locate((i, k), key=False) for k in record.cells}
        row = doc.locate((i,), key=False)
        located.append(
            _Raw(
                record.cells,
                {k: Location(w.file, w.line, w.column, path=(i, k)) for k, w in where.items()},
                Location(row.file, row.line, row.column, path=(i,)),
            )
        )
    return located, found


def _frame_records(source: Any) -> tuple[list[str], list[list[Any]]] | None:
    """(columns, rows) of a pandas or polars DataFrame; None for anything else.

    Neither library is imported here: a DataFrame is recognised by its type's module.
    """
    module = type(source).__module__.split(".")[0]
    if module == "pandas" and hasattr(source, "itertuples"):
        columns = [str(c) for c in source.columns]
        return columns, [list(row) for row in source.itertuples(index=False, name=None)]
    if module == "polars" and hasattr(source, "iter_rows"):
        return [str(c) for c in source.columns], [list(row) for row in source.iter_rows()]
    return None


def _read_frame(frame: tuple[list[str], list[list[Any]]], name: str) -> list[_Raw]:
    """A DataFrame's rows: row r (1-based, in order) and column c are the cell's location."""
    columns, rows = frame
    raws = []
    for r, values in enumerate(rows, start=1):
        where = {col: Location(name, r, c + 1, path=(r, col)) for c, col in enumerate(columns)}
        cells = {col: _plain(v) for col, v in zip(columns, values, strict=True)}
        raws.append(_Raw(cells, where, Location(name, r, 1, path=(r,))))
    return raws


def _plain(value: Any) -> Any:
    """A DataFrame or spreadsheet cell as a plain value: NumPy scalars unwrapped, NaN/NA empty."""
    if value is None:
        return None
    item = getattr(value, "item", None)
    if callable(item) and type(value).__module__ == "numpy":
        value = item()
    if isinstance(value, float) and value != value:
        return None
    if type(value).__name__ in ("NAType", "NaTType"):
        return None
    return value


def _read_excel(path: Path) -> tuple[list[_Raw], list[Diagnostic]]:
    """The first sheet of a workbook: row 1 is the header; cells are located as A1 rows/columns."""
    file = str(path)
    try:
        import openpyxl
    except ImportError:
        return [], [
            Diagnostic.make("SM501", Location(file), reason="Excel files need openpyxl: pip install 'stratmap[excel]'")
        ]
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # a broken workbook: openpyxl raises many kinds
        return [], [Diagnostic.make("SM501", Location(file), reason=f"not a readable workbook ({err})")]
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            return [], [Diagnostic.make("SM502", Location(file, 1, 1), columns="every required column", found="none")]
        columns = [str(h).strip() if h is not None else "" for h in header]
        raws = []
        for r, values in enumerate(rows, start=2):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            where = {col: Location(file, r, c + 1, path=(r, col)) for c, col in enumerate(columns) if col}
            cells = {col: _plain(v) for col, v in zip(columns, values, strict=False) if col}
            raws.append(_Raw(cells, where, Location(file, r, 1, path=(r,))))
        return raws, []
    finally:
        book.close()


def _records(data: Any, file: str) -> tuple[list[_Raw], list[Diagnostic]]:
    if isinstance(data, dict) and len(data) == 1 and isinstance(next(iter(data.values())), list):
        data = next(iter(data.values()))  # {"actuals": [...]}
    if not isinstance(data, list):
        return [], [Diagnostic.make("SM501", Location(file, 1, 1), reason="expected a list of records")]
    return _read_mappings(data, file)


def _read_mappings(rows: Iterable[Any], file: str) -> tuple[list[_Raw], list[Diagnostic]]:
    raws: list[_Raw] = []
    for i, item in enumerate(rows):
        row = Location(file, i + 1, 0, path=(i,))
        if not isinstance(item, Mapping):
            raws.append(_Raw({"__shape__": type(item).__name__}, {}, row))
            continue
        where = {str(k): Location(file, i + 1, 0, path=(i, str(k))) for k in item}
        raws.append(_Raw({str(k): v for k, v in item.items()}, where, row))
    return raws, []


# ---- typing one record ---------------------------------------------------------------


class _Bad(Exception):
    def __init__(self, diagnostic: Diagnostic) -> None:
        self.diagnostic = diagnostic


def _typed(
    table: str, raw: _Raw, required: tuple[str, ...], optional: tuple[str, ...]
) -> tuple[Record | None, list[Diagnostic]]:
    if "__broken__" in raw.cells:
        problem = f"broken CSV quoting ({raw.cells['__broken__']}); check the quotes on this line"
        return None, [Diagnostic.make("SM503", raw.row, column="(row)", problem=problem)]
    if "__shape__" in raw.cells:
        shape = raw.cells["__shape__"]
        detail = f"{shape} cells" if isinstance(shape, int) else f"a {shape}"
        return None, [
            Diagnostic.make("SM503", raw.row, column="(row)", problem=f"the row has {detail}; a record is needed")
        ]
    problems: list[Diagnostic] = []
    missing = [c for c in required if c not in raw.cells]
    if missing:
        return None, [
            Diagnostic.make("SM502", raw.row, columns=", ".join(missing), found=", ".join(raw.cells) or "none")
        ]
    unknown = [c for c in raw.cells if c not in required and c not in optional]
    for c in unknown:
        problems.append(Diagnostic.make("SM508", raw.where.get(c, raw.row), column=c, table=table))
    try:
        record = _build(table, raw)
    except _Bad as bad:
        return None, [*problems, bad.diagnostic]
    return record, problems


def _cell(raw: _Raw, column: str) -> Location:
    return raw.where.get(column, raw.row)


def _text(raw: _Raw, column: str, *, required: bool = True) -> str | None:
    value = raw.cells.get(column)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _Bad(Diagnostic.make("SM503", _cell(raw, column), column=column, problem="the cell is empty"))
        return None
    if not isinstance(value, str):
        raise _Bad(
            Diagnostic.make(
                "SM503",
                _cell(raw, column),
                column=column,
                problem=f'it is a {type(value).__name__} ({value}); ids and labels are text (write "{value}")',
            )
        )
    return value.strip()


def _id(raw: _Raw, column: str) -> str:
    value = _text(raw, column)
    assert value is not None
    if not ID.match(value):
        raise _Bad(
            Diagnostic.make("SM503", _cell(raw, column), column=column, problem=f"'{value}' is not an id (a-z, 0-9, _)")
        )
    return value


def _entity(raw: _Raw) -> str:
    value = _text(raw, "entity")
    assert value is not None
    if len(value) > MAX_ENTITY or any(ch.isspace() or not ch.isprintable() for ch in value):
        raise _Bad(
            Diagnostic.make(
                "SM503", _cell(raw, "entity"), column="entity", problem="an entity id is printable text without spaces"
            )
        )
    return value


def _period(raw: _Raw) -> str:
    value = raw.cells.get("period")
    if (
        isinstance(value, Decimal | int | float)
        and not isinstance(value, bool)
        and 1000 <= value <= 9999  # NaN fails this too
        and value == int(value)
    ):
        return str(int(value))  # a year written as a number (JSON, a spreadsheet, a DataFrame)
    if hasattr(value, "year") and hasattr(value, "month"):
        raise _Bad(
            Diagnostic.make(
                "SM503",
                _cell(raw, "period"),
                column="period",
                problem="it is a date; write the period as text (2026-03), not a date the spreadsheet converted",
            )
        )
    text = _text(raw, "period")
    assert text is not None
    if not PERIOD.match(text):
        raise _Bad(
            Diagnostic.make(
                "SM503",
                _cell(raw, "period"),
                column="period",
                problem=f"'{text}' is not a period (2026, 2026H1, 2026Q1 or 2026-03)",
            )
        )
    return text


def _number(raw: _Raw, column: str, default: Decimal | None = None) -> Decimal:
    value = raw.cells.get(column)
    if value is None or (isinstance(value, str) and not value.strip()):
        if default is not None:
            return default
        raise _Bad(Diagnostic.make("SM503", _cell(raw, column), column=column, problem="the cell is empty"))
    if isinstance(value, bool):
        raise _Bad(
            Diagnostic.make("SM503", _cell(raw, column), column=column, problem="a number is needed, not a boolean")
        )
    if isinstance(value, Decimal | int):
        number = Decimal(value)
    elif isinstance(value, float):
        if value != value:
            raise _Bad(Diagnostic.make("SM503", _cell(raw, column), column=column, problem="the cell is empty"))
        number = Decimal(repr(value))  # a float stands for its shortest decimal: 0.1 is 0.1
    elif isinstance(value, str) and NUMBER.match(value.strip()):
        number = Decimal(value.strip())
    else:
        shown = value if isinstance(value, str) else f"a {type(value).__name__}"
        raise _Bad(
            Diagnostic.make(
                "SM503", _cell(raw, column), column=column, problem=f"'{shown}' is not a number (write e.g. 95 or 12.5)"
            )
        )
    if not number.is_finite():
        raise _Bad(Diagnostic.make("SM503", _cell(raw, column), column=column, problem="the number is not finite"))
    if abs(number) >= MAX_NUMBER:
        raise _Bad(
            Diagnostic.make(
                "SM503", _cell(raw, column), column=column, problem="the number is beyond ±1e15 (check the unit)"
            )
        )
    return number


def _value(raw: _Raw) -> Decimal | str:
    value = raw.cells.get("value")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and value.strip().lower() in YES | NO:
        return value.strip()  # a yes/no answer; checked against the KPI in the evaluation
    try:
        return _number(raw, "value")
    except _Bad as bad:
        if isinstance(value, str) and value.strip():
            shown = value.strip()
            raise _Bad(
                Diagnostic.make(
                    "SM503",
                    _cell(raw, "value"),
                    column="value",
                    problem=f"'{shown}' is neither a number (e.g. 95 or 12.5) nor a yes/no answer",
                )
            ) from None
        raise bad


def _build(table: str, raw: _Raw) -> Record:
    row = raw.row
    if table == "actuals":
        return Actual(
            _entity(raw), _id(raw, "kpi"), _period(raw), _value(raw), _cell(raw, "value"), tuple(raw.where.items())
        )
    if table == "events":
        count = _number(raw, "count", Decimal(1))
        amount = _number(raw, "amount", Decimal(0))
        if count != count.to_integral_value():
            raise _Bad(
                Diagnostic.make("SM503", _cell(raw, "count"), column="count", problem="a count is a whole number")
            )
        if count < 0 or amount < 0:
            column = "count" if count < 0 else "amount"
            raise _Bad(Diagnostic.make("SM503", _cell(raw, column), column=column, problem="it must not be negative"))
        return Event(_entity(raw), _id(raw, "event"), _period(raw), count, amount, row, tuple(raw.where.items()))
    if table == "ratings":
        rating = _text(raw, "rating")
        assert rating is not None
        return Rating(
            _entity(raw),
            _id(raw, "kpi"),
            _period(raw),
            _id(raw, "rater"),
            rating,
            _cell(raw, "rating"),
            _text(raw, "rater_id", required=False),
            tuple(raw.where.items()),
        )
    if table == "bonus_base":
        amount = _number(raw, "amount")
        if amount < 0:
            raise _Bad(
                Diagnostic.make("SM503", _cell(raw, "amount"), column="amount", problem="it must not be negative")
            )
        return BonusBase(_entity(raw), _period(raw), amount, _cell(raw, "amount"), tuple(raw.where.items()))
    return Person(_entity(raw), _id(raw, "holds"), _text(raw, "name", required=False), row, tuple(raw.where.items()))
