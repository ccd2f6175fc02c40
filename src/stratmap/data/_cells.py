"""Typing one raw record: required columns, text ids, plain numbers, periods; each problem
located in its cell."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

from stratmap.data._raw import Raw
from stratmap.data.records import NO, YES, Actual, BonusBase, Event, Person, Rating, Record
from stratmap.diagnostics import Diagnostic, Location
from stratmap.exact import number_problem
from stratmap.ids import ID
from stratmap.periods import parse_period

#: A number in a text cell: plain decimal digits, an optional sign and decimal point.
NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?\Z")
#: What spreadsheets write for numbers too long to show: an exponent, or a point at an end.
_LOOSE_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")
MAX_ENTITY = 128


SAID_ONCE = frozenset({"SM502", "SM508"})


class _Bad(Exception):
    def __init__(self, diagnostic: Diagnostic) -> None:
        self.diagnostic = diagnostic


def typed(
    table: str, raw: Raw, required: tuple[str, ...], optional: tuple[str, ...]
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
        lacking = Diagnostic.make("SM502", header, columns=", ".join(missing), found=found, repeated="")
        return None, [lacking]
    unknown = [c for c in raw.cells if c not in required and c not in optional]
    for c in unknown:
        at = raw.where.get(c, raw.row)
        if raw.header:
            at = Location(at.file, raw.header, at.column, path=(raw.header, c))
        problems.append(Diagnostic.make("SM508", at, column=c, table=table, repeated=""))
    try:
        record = _build(table, raw)
    except _Bad as bad:
        return None, [*problems, bad.diagnostic]
    return record, problems


def _cell(raw: Raw, column: str) -> Location:
    return raw.where.get(column, raw.row)


def _text(raw: Raw, column: str, *, required: bool = True) -> str | None:
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


def _id(raw: Raw, column: str) -> str:
    value = _text(raw, column)
    assert value is not None
    if not ID.match(value):
        raise _Bad(
            Diagnostic.make("SM503", _cell(raw, column), column=column, problem=f"'{value}' is not an id (a-z, 0-9, _)")
        )
    return value


def _entity(raw: Raw) -> str:
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


def _period(raw: Raw) -> str:
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


def _number(raw: Raw, column: str, default: Decimal | None = None) -> Decimal:
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


def _value(raw: Raw) -> Decimal | str:
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


def _build(table: str, raw: Raw) -> Record:
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
