"""Reading a table's raw records from CSV, JSON, YAML, Excel, a DataFrame or Python mappings,
with where each cell is."""

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
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from stratmap._files import read_pipe, read_regular
from stratmap.diagnostics import Diagnostic, Location, Severity


@dataclass(frozen=True, slots=True)
class Raw:
    """One record before typing: column -> text (or JSON/YAML scalar), and where each cell is."""

    cells: dict[str, Any]
    where: dict[str, Location]
    row: Location
    source: int = 0  # id() of the mapping it was read from, when it was one
    header: int = 0  # the line of the header its columns come from (CSV), when it has one


def _is_pipe(path: Path) -> bool:
    """A pipe (``--actuals <(query)``) is read to its end like a file; other non-files are refused."""
    try:
        return stat.S_ISFIFO(os.stat(path).st_mode)
    except OSError:
        return False


def read_file(path: Path, encoding: str) -> tuple[list[Raw], list[Diagnostic]]:
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


def _read_csv(file: str, text: str) -> tuple[list[Raw], list[Diagnostic]]:
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
    raws: list[Raw] = []
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
                raws.append(Raw({"__broken__": message, "__through__": first + 1}, {}, row))
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
            raws.append(Raw({"__shape__": len(cells)}, {}, row))
            continue
        where = {h: Location(file, first + 1, i + 1, path=(first + 1, h)) for i, h in enumerate(header)}
        raws.append(Raw(dict(zip(header, cells, strict=True)), where, row, header=header_line))
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
        "SM502", Location(file, 1, 1), columns="all of them", found="none (no header line)", repeated=""
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


def _read_json(file: str, text: str) -> tuple[list[Raw], list[Diagnostic]]:
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
                raws[i] = Raw({"__duplicate__": tuple(repeats)}, {}, raw.row)
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


def _read_yaml(path: Path, raw: bytes) -> tuple[list[Raw], list[Diagnostic]]:
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
            Raw(
                record.cells,
                {k: Location(w.file, w.line, w.column, path=(i, k)) for k, w in where.items()},
                Location(row.file, row.line, row.column, path=(i,)),
            )
        )
    return located, found


def frame_records(source: Any) -> tuple[list[str], list[list[Any]]] | None:
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


def read_frame(frame: tuple[list[str], list[list[Any]]], name: str) -> list[Raw]:
    """A DataFrame's rows: row r (1-based, in order) and column c are the cell's location."""
    columns, rows = frame
    raws = []
    for r, values in enumerate(rows, start=1):
        where = {col: Location(name, r, c + 1, path=(r, col)) for c, col in enumerate(columns)}
        cells = {col: _plain(v) for col, v in zip(columns, values, strict=True)}
        raws.append(Raw(cells, where, Location(name, r, 1, path=(r,))))
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


def _read_excel(path: Path) -> tuple[list[Raw], list[Diagnostic]]:
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
            raws.append(Raw(cells, where, Location(file, r, 1, path=(r,))))
        return raws, []
    finally:
        book.close()


def _records(data: Any, file: str) -> tuple[list[Raw], list[Diagnostic]]:
    if isinstance(data, dict) and len(data) == 1 and isinstance(next(iter(data.values())), list):
        data = next(iter(data.values()))  # {"actuals": [...]}
    if not isinstance(data, list):
        return [], [Diagnostic.make("SM501", Location(file, 1, 1), reason="expected a list of records")]
    return read_mappings(data, file)


def read_mappings(rows: Iterable[Any], file: str) -> tuple[list[Raw], list[Diagnostic]]:
    raws: list[Raw] = []
    for i, item in enumerate(rows):
        row = Location(file, i + 1, 0, path=(i,))
        if not isinstance(item, Mapping):
            raws.append(Raw({"__shape__": type(item).__name__}, {}, row))
            continue
        where = {str(k): Location(file, i + 1, 0, path=(i, str(k))) for k in item}
        raws.append(Raw({str(k): v for k, v in item.items()}, where, row, id(item)))
    return raws, []
