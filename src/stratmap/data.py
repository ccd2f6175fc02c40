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
import json.decoder
import json.scanner
import os
import re
import stat
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from stratmap._collector import collector_paused
from stratmap._files import read_pipe, read_regular
from stratmap.diagnostics import Diagnostic, Location, Severity
from stratmap.exact import number_problem
from stratmap.ids import ID
from stratmap.periods import parse_period

TableName = Literal["actuals", "events", "ratings", "bonus_base", "people"]

#: Required and optional columns of each table.
COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "actuals": (("entity", "kpi", "period", "value"), ("note",)),
    "events": (("entity", "event", "period"), ("count", "amount", "note")),
    "ratings": (("entity", "kpi", "period", "rater", "rating"), ("rater_id", "note")),
    "bonus_base": (("entity", "period", "amount"), ("note",)),
    "people": (("entity", "holds"), ("name", "note")),
}

#: A number in a text cell: plain decimal digits, an optional sign and decimal point.
NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?\Z")
#: What spreadsheets write for numbers too long to show: an exponent, or a point at an end.
_LOOSE_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")
MAX_ENTITY = 128

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


#: Codes that reject the row they are reported on.
#: The tables an evaluation reads, by the name ``read_data`` takes them under.
TABLES = ("actuals", "events", "ratings", "bonus_base", "people")

ROW_CODES = frozenset({"SM503", "SM504", "SM505", "SM506", "SM507", "SM514"})


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


# ---- reading raw records ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Raw:
    """One record before typing: column -> text (or JSON/YAML scalar), and where each cell is."""

    cells: dict[str, Any]
    where: dict[str, Location]
    row: Location
    source: int = 0  # id() of the mapping it was read from, when it was one
    header: int = 0  # the line of the header its columns come from (CSV), when it has one


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
    if not isinstance(source, str | os.PathLike | Iterable) and _frame_records(source) is None:
        raise TypeError(
            f"{table} must be a file path, a DataFrame or an iterable of mappings (one per row),"
            f" not {type(source).__name__}"
        )
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
    exact = table in ("events", "ratings")  # several rows of one key are legal there; identical ones are not
    seen: dict[tuple[tuple[str, str], ...], Location] = {}
    said_at: dict[tuple[str, tuple[tuple[str, Any], ...]], int] = {}  # a column problem -> where it was said
    again: dict[int, int] = {}  # its index in problems -> rows more it was found in
    for raw in raws:
        record, found = _typed(table, raw, required, optional)
        for d in found:
            said = said_at.setdefault((d.code, d.args), len(problems)) if d.code in _SAID_ONCE else None
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
    return {"repeated": f" (and in {more} more {rows}, said once)", "repeated_zh": f"(另有 {more} 行相同,仅报告一次)"}


def _is_pipe(path: Path) -> bool:
    """A pipe (``--actuals <(query)``) is read to its end like a file; other non-files are refused."""
    try:
        return stat.S_ISFIFO(os.stat(path).st_mode)
    except OSError:
        return False


def _read_file(path: Path, encoding: str) -> tuple[list[_Raw], list[Diagnostic]]:
    file = str(path)
    try:
        piped = _is_pipe(path)
        data = read_pipe(path) if piped else read_regular(path)
    except OSError as err:
        return [], [Diagnostic.make("SM501", Location(file), reason=err.strerror or str(err))]
    if piped and not data:
        reason = "a FIFO (named pipe) that nothing was written to; it is read only while a process writes to it"
        return [], [Diagnostic.make("SM501", Location(file), reason=reason)]
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_excel(path)
    if suffix in (".yaml", ".yml"):
        return _read_yaml(path, data)
    try:
        text = data.decode("utf-8-sig" if _is_utf8(encoding) else encoding)
    except (UnicodeDecodeError, LookupError) as err:
        reason = f"it is not valid {encoding}"
        if isinstance(err, UnicodeDecodeError):
            if not _is_utf8(encoding) and _decodes(data, "utf-8"):
                reason += " (it is UTF-8: pass --encoding utf-8, the default)"
            elif _decodes(data, "gb18030"):
                reason += " (it looks like GB18030: pass --encoding gb18030)"
        else:
            reason = f"unknown encoding {encoding!r}"
        return [], [Diagnostic.make("SM501", Location(file), reason=reason)]
    raws, problems = _read_json(file, text) if suffix == ".json" else _read_csv(file, text)
    if not _is_utf8(encoding) and not data.isascii() and _decodes(data, "utf-8"):
        # read as GB18030, UTF-8 text turns into other characters: say so before the unknown ids it causes
        problems.insert(0, Diagnostic.make("SM515", Location(file, 1, 1), encoding=encoding))
    return raws, problems


def _is_utf8(encoding: str) -> bool:
    return encoding.lower().replace("_", "-") in ("utf-8", "utf8", "utf-8-sig")


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


class _KnownFailure(Exception):
    """Raised into a CSV reader when its record reaches a line that an earlier record,
    inside the same quoted field, already read to a failure: this one fails there too."""

    def __init__(self, failure: tuple[str, int]) -> None:
        self.failure = failure


def _read_csv(file: str, text: str) -> tuple[list[_Raw], list[Diagnostic]]:
    """The records of a CSV text, in one pass however many lines are broken.

    A record with broken quoting is reported as a bad row and reading resumes on the line
    after the one it started on: one bad record never loses the others. A quoted field
    left open reads on through the lines after it; each line is read at most once inside
    such a field, because the reader's state at the start of a line inside a quoted field
    is always the same: a record that reaches a line an earlier failed record read through
    fails the same way (``failures``), without reading the rest again.
    """
    lines = io.StringIO(text, newline="").readlines()
    count = len(lines)
    raws: list[_Raw] = []
    problems: list[Diagnostic] = []
    header: list[str] | None = None
    header_line = 0
    spans: list[tuple[int, int]] = []  # (first, last) 1-based lines of records that span lines
    failures: dict[int, tuple[str, int]] = {}  # line index inside a quoted field -> (error, last index read)
    records = 0
    at = [0, -1]  # the next line index to hand out; the current record's first line (-1: none)

    def feed() -> Iterator[str]:
        while at[0] < count:
            index = at[0]
            if at[1] < 0:
                at[1] = index
            elif index in failures:
                raise _KnownFailure(failures[index])
            at[0] = index + 1
            yield lines[index]

    reader = csv.reader(feed(), strict=True)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except (csv.Error, _KnownFailure) as err:
            first = at[1]
            message, last = err.failure if isinstance(err, _KnownFailure) else (str(err), at[0] - 1)
            for index in range(first + 1, at[0]):  # lines this record read inside its quoted field
                failures[index] = (message, last)
            before = raws[-1].cells if raws else {}
            if before.get("__broken__") == message and before["__through__"] == first:  # the line before, alike
                before["__through__"] = first + 1  # one problem over a run of lines: said once, with its range
            else:
                row = Location(file, first + 1, 1, path=(first + 1,))
                raws.append(_Raw({"__broken__": message, "__through__": first + 1}, {}, row))
            records += 1
            ended = isinstance(err, _KnownFailure) or at[0] >= count  # the feed was raised through, or ran out
            at[0], at[1] = first + 1, -1  # resume on the line after the one the record started on
            if ended:
                reader = csv.reader(feed(), strict=True)
            continue
        first, last = at[1], at[0] - 1
        at[1] = -1
        if header is None:
            header = [h.strip() for h in cells]
            header_line = first + 1
            problems.extend(_duplicate_columns(file, header, first + 1))
            continue
        if not any(c.strip() for c in cells):
            continue  # a blank line is not a record
        records += 1
        if last > first:
            spans.append((first + 1, last + 1))
        row = Location(file, first + 1, 1, path=(first + 1,))
        if len(cells) != len(header):
            raws.append(_Raw({"__shape__": len(cells)}, {}, row))
            continue
        where = {h: Location(file, first + 1, i + 1, path=(first + 1, h)) for i, h in enumerate(header)}
        raws.append(_Raw(dict(zip(header, cells, strict=True)), where, row, header=header_line))
    if header is None:
        return [], [_no_header(file)]
    if any(d.severity is Severity.ERROR for d in problems):
        return [], problems  # which of two same-named columns holds the data cannot be told
    for first, last in spans:
        problems.append(
            Diagnostic.make(
                "SM512", Location(file, first, 1, path=(first,)), first=first, last=last, records=records, lines=count
            )
        )
    return raws, problems


def _no_header(file: str) -> Diagnostic:
    """SM502 for a table without a header line (an empty file or sheet)."""
    return Diagnostic.make(
        "SM502", Location(file, 1, 1), columns="all of them", found="none (no header line)", repeated="", repeated_zh=""
    )


def _duplicate_columns(file: str, header: list[str], line: int) -> list[Diagnostic]:
    """SM513 for each header named twice: the data would come from one of the two, unseen."""
    seen: dict[str, int] = {}
    found = []
    for i, name in enumerate(header):
        if name in seen:
            found.append(
                Diagnostic.make(
                    "SM513",
                    Location(file, line, i + 1, path=(line, name)),
                    column=name,
                    first=seen[name] + 1,
                    second=i + 1,
                )
            )
        else:
            seen[name] = i
    return found


def _read_json(file: str, text: str) -> tuple[list[_Raw], list[Diagnostic]]:
    duplicated: list[dict[str, Any]] = []  # objects that repeat a key, in the order they close

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                if not duplicated or duplicated[-1] is not out:
                    duplicated.append(out)
            else:
                out[key] = value
        return out

    try:
        data = json.loads(text, parse_float=Decimal, parse_int=Decimal, object_pairs_hook=pairs)
    except json.JSONDecodeError as err:
        return [], [Diagnostic.make("SM501", Location(file, err.lineno, err.colno), reason=f"broken JSON: {err.msg}")]
    except RecursionError:
        return [], [_too_deep(file, text)]
    if _depth(data) > MAX_JSON_DEPTH:
        return [], [_too_deep(file, text)]
    raws, problems = _records(data, file)
    if duplicated:
        # the objects close in the same order in both scans: the n-th object with a repeated
        # key is the n-th group of located repeats
        located = dict(zip((id(o) for o in duplicated), _json_duplicate_keys(file, text), strict=True))
        for i, raw in enumerate(raws):
            repeats = located.pop(raw.source, None)
            if repeats is not None:
                raws[i] = _Raw({"__duplicate__": tuple(repeats)}, {}, raw.row)
        for repeats in located.values():  # an object nested in a cell or around the records
            problems.extend(Diagnostic.make("SM514", where, key=key) for key, where in repeats)
    return raws, problems


def _too_deep(file: str, text: str) -> Diagnostic:
    line, column = _json_too_deep(text)
    reason = f"the JSON nests deeper than {MAX_JSON_DEPTH} levels; a data file is a list of flat records"
    return Diagnostic.make("SM501", Location(file, line, column), reason=reason)


#: How deep a JSON data file may nest: a list of records of cells, wrapped once at most.
MAX_JSON_DEPTH = 48
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _depth(data: Any) -> int:
    """How deep ``data`` nests (iteratively: a hostile file cannot exhaust the stack)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, level)
            stack.extend((v, level + 1) for v in (value.values() if isinstance(value, dict) else value))
    return deepest


def _json_too_deep(text: str) -> tuple[int, int]:
    """(line, column) of the bracket that opens level ``MAX_JSON_DEPTH + 1``; one pass."""
    level = 0
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token in "[{":
            level += 1
            if level > MAX_JSON_DEPTH:
                return _line_column(text, match.start())
        elif token in "]}":
            level -= 1
    return 1, 1


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _json_duplicate_keys(file: str, text: str) -> list[list[tuple[str, Location]]]:
    """For each object that repeats a key, in the order objects close: each repeated key,
    located at the repeat.

    Only run when a repeat was found: the standard library's pure-Python scanner gives
    each object's position, which its C scanner does not.
    """
    found: list[list[tuple[str, Location]]] = []
    key_at = re.compile(r'[\s,]*("(?:[^"\\]|\\.)*")\s*:\s*')
    skip = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[arg-type]  # the C scanner, to step over a value

    def parse_object(s_and_end: tuple[str, int], *args: Any, **kwargs: Any) -> tuple[Any, int]:
        source, start = s_and_end
        result, end = json.decoder.JSONObject(s_and_end, *args, **kwargs)  # type: ignore[attr-defined]
        keys: set[str] = set()
        repeats: list[tuple[str, Location]] = []
        position = start
        for key, _ in result:  # each key is where the text after the value before it starts
            match = key_at.match(source, position)
            if match is None:  # pragma: no cover - every key of the object is in its text
                break
            position = skip(source, match.end())[1]
            if key in keys:
                line, column = _line_column(source, match.start(1))
                repeats.append((key, Location(file, line, column)))
            keys.add(key)
        if repeats:
            found.append(repeats)
        return result, end

    decoder = json.JSONDecoder(object_pairs_hook=list, parse_float=Decimal, parse_int=Decimal)
    decoder.parse_object = parse_object  # type: ignore[attr-defined]
    decoder.scan_once = json.scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]
    decoder.decode(text)
    return found


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
            return [], [_no_header(file)]
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
        raws.append(_Raw({str(k): v for k, v in item.items()}, where, row, id(item)))
    return raws, []


# ---- typing one record ---------------------------------------------------------------


#: Problems of the columns: said at the first row they are found in, with the count of the others.
_SAID_ONCE = frozenset({"SM502", "SM508"})


class _Bad(Exception):
    def __init__(self, diagnostic: Diagnostic) -> None:
        self.diagnostic = diagnostic


def _typed(
    table: str, raw: _Raw, required: tuple[str, ...], optional: tuple[str, ...]
) -> tuple[Record | None, list[Diagnostic]]:
    if "__broken__" in raw.cells:
        through = raw.cells["__through__"]
        if through == raw.row.line:
            problem = f"broken CSV quoting ({raw.cells['__broken__']}); check the quotes on this line"
            return None, [Diagnostic.make("SM503", raw.row, column="(row)", problem=problem)]
        rows = through - raw.row.line + 1
        problem = (
            f"broken CSV quoting ({raw.cells['__broken__']}) on each of lines {raw.row.line} to {through} "
            f"({rows:,} rows, said once); check the quotes from this line on"
        )
        at = replace(raw.row, end_line=through)
        return None, [Diagnostic.make("SM503", at, column="(row)", problem=problem)]
    if "__duplicate__" in raw.cells:
        row = raw.row.path[:1]
        return None, [
            Diagnostic.make("SM514", Location(w.file, w.line, w.column, path=(*row, key)), key=key)
            for key, w in raw.cells["__duplicate__"]
        ]
    if "__shape__" in raw.cells:
        shape = raw.cells["__shape__"]
        detail = f"{shape} cells" if isinstance(shape, int) else f"a {shape}"
        return None, [
            Diagnostic.make("SM503", raw.row, column="(row)", problem=f"the row has {detail}; a record is needed")
        ]
    problems: list[Diagnostic] = []
    missing = [c for c in required if c not in raw.cells]
    header = Location(raw.row.file, raw.header, 1, path=(raw.header,)) if raw.header else raw.row
    if missing:  # a problem of the header, when there is one: said there
        found = ", ".join(raw.cells) or "none"
        lacking = Diagnostic.make("SM502", header, columns=", ".join(missing), found=found, repeated="", repeated_zh="")
        return None, [lacking]
    unknown = [c for c in raw.cells if c not in required and c not in optional]
    for c in unknown:
        at = raw.where.get(c, raw.row)
        if raw.header:
            at = Location(at.file, raw.header, at.column, path=(raw.header, c))
        problems.append(Diagnostic.make("SM508", at, column=c, table=table, repeated="", repeated_zh=""))
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
    given = raw.cells.get("entity")
    if type(given) is int or (
        isinstance(given, Decimal) and given.is_finite() and given == given.to_integral_value() and given >= 0
    ):  # an integer id from a database or JSON: its decimal text (123 -> "123")
        raw.cells["entity"] = str(int(given))
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
    if parse_period(text) is None:
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
    elif isinstance(value, str) and _LOOSE_NUMBER.match(value.strip()):
        raise _Bad(
            Diagnostic.make(
                "SM503",
                _cell(raw, column),
                column=column,
                problem=f"'{value.strip()}' is not written in plain digits (write e.g. 1500, 0.5 or 12.5: "
                "a spreadsheet's 1.5E+3 may have dropped digits)",
            )
        )
    else:
        shown = value if isinstance(value, str) else f"a {type(value).__name__}"
        raise _Bad(
            Diagnostic.make(
                "SM503", _cell(raw, column), column=column, problem=f"'{shown}' is not a number (write e.g. 95 or 12.5)"
            )
        )
    problem = number_problem(number)
    if problem is not None:
        raise _Bad(Diagnostic.make("SM503", _cell(raw, column), column=column, problem=problem))
    if number.is_zero():
        return number.copy_abs()  # -0 is 0
    exponent = number.as_tuple().exponent
    return number.quantize(Decimal(1)) if isinstance(exponent, int) and exponent > 0 else number  # 1E+2 is 100


def _value(raw: _Raw) -> Decimal | str:
    value = raw.cells.get("value")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and value.strip().lower() in YES | NO:
        return value.strip()  # a yes/no answer; checked against the KPI in the evaluation
    try:
        return _number(raw, "value")
    except _Bad as bad:
        if isinstance(value, str) and value.strip() and not _LOOSE_NUMBER.match(value.strip()):
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
