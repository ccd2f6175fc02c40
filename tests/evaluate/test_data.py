"""Reading the data tables: every bad row reported at its row and column, the others kept."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stratmap.data import Actual, _raw, read_data, read_table

HEADER = "entity,kpi,period,value\n"


def _codes(table: object) -> list[tuple[str, int, int]]:
    return [(d.code, d.location.line, d.location.column) for d in table.problems]  # type: ignore[attr-defined]


def test_csv_with_bom_and_text_ids(tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    f.write_bytes(("\ufeff" + HEADER + "00123,sales_volume,2026-03,95.50\n").encode())
    table = read_table(f, "actuals")
    [row] = table.rows
    assert isinstance(row, Actual)
    assert (row.entity, row.value, row.at.line, row.at.column) == ("00123", Decimal("95.50"), 2, 4)
    assert table.problems == () and table.read == 1


def test_gb18030_needs_to_be_asked_for(tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    f.write_bytes((HEADER + "销售部,sales_volume,2026-03,1\n").encode("gb18030"))
    table = read_table(f, "actuals")
    assert [d.code for d in table.problems] == ["SM501"] and "GB18030" in table.problems[0].message()
    table = read_table(f, "actuals", encoding="gb18030")
    assert table.rows[0].entity == "销售部"


def test_each_bad_row_is_reported_and_the_others_kept(tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    f.write_text(
        HEADER
        + "a1,sales_volume,2026-03,95\n"  # 2: fine
        + "a2,sales_volume,2026-03,9 5\n"  # 3: not a number
        + "a3,Sales,2026-03,95\n"  # 4: not an id
        + "a4,sales_volume,March,95\n"  # 5: not a period
        + "a5,sales_volume,2026-03,\n"  # 6: empty
        + "a6,sales_volume,2026-03\n"  # 7: too few cells
        + "a7,sales_volume,2026-03,=1+1\n"  # 8: a spreadsheet formula
        + "a8,sales_volume,2026-03,是\n",  # 9: a yes/no answer, checked against the KPI later
        encoding="utf-8",
    )
    table = read_table(f, "actuals")
    assert _codes(table) == [
        ("SM503", 3, 4),
        ("SM503", 4, 2),
        ("SM503", 5, 3),
        ("SM503", 6, 4),
        ("SM503", 7, 1),
        ("SM503", 8, 4),
    ]
    assert [r.entity for r in table.rows] == ["a1", "a8"]
    assert table.read == 8 and table.rejected == 6


def test_missing_and_unknown_columns(tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    f.write_text("entity,kpi,period,valu\nx,k,2026,1\n", encoding="utf-8")
    table = read_table(f, "actuals")
    assert [d.code for d in table.problems] == ["SM502"]
    f.write_text("entity,kpi,period,value,comment\nx,k,2026,1,hi\n", encoding="utf-8")
    table = read_table(f, "actuals")
    assert [d.code for d in table.problems] == ["SM508"] and len(table.rows) == 1


def test_a_problem_of_the_header_is_said_once(tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    f.write_text("entity,kpi,period,valu\n" + "x,k,2026,1\n" * 340, encoding="utf-8")
    table = read_table(f, "actuals")
    assert [d.code for d in table.problems] == ["SM502"]
    assert table.problems[0].location.line == 1  # at the header, which every row takes its columns from
    assert "(and in 339 more rows, said once)" in table.problems[0].message("en")
    f.write_text("entity,kpi,period,value,comment\n" + "x,k,2026,1,hi\n" * 340, encoding="utf-8")
    table = read_table(f, "actuals")
    assert [d.code for d in table.problems] == ["SM508"] and len(table.rows) == 340
    assert "另有 339 行相同" in table.problems[0].message("zh")
    # records that differ are said apart
    rows: list[dict[str, Any]] = [
        {"entity": "x", "kpi": "k", "period": "2026"},
        {"entity": "x", "kpi": "k", "value": 1},
    ]
    table = read_table(rows, "actuals")
    assert [d.code for d in table.problems] == ["SM502", "SM502"]


def test_json_yaml_and_mappings(tmp_path: Path) -> None:
    j = tmp_path / "a.json"
    j.write_text(
        '[{"entity": "x1", "kpi": "k", "period": 2026, "value": 1.5}, {"entity": 12.5, "kpi": "k", '
        '"period": "2026", "value": 1}, {"entity": 123, "kpi": "k", "period": "2026", "value": 2}]',
        encoding="utf-8",
    )
    table = read_table(j, "actuals")
    assert [r.period for r in table.rows] == ["2026", "2026"] and [d.code for d in table.problems] == ["SM503"]
    assert 'write "12.5"' in table.problems[0].message()
    assert table.rows[1].entity == "123"  # an integer id from a database is its decimal text
    y = tmp_path / "a.yaml"
    y.write_text(
        "- {entity: '00123', kpi: k, period: 2026-03, value: 95}\n- {entity: x, kpi: k, period: 2026-03, value: [1]}\n",
        encoding="utf-8",
    )
    table = read_table(y, "actuals")
    assert table.rows[0].entity == "00123"
    assert [(d.code, d.location.line) for d in table.problems] == [("SM503", 2)]
    data = read_data(actuals=[{"entity": "x", "kpi": "k", "period": "2026-03", "value": Decimal(1)}])
    assert len(data.actuals.rows) == 1


def test_unreadable_file() -> None:
    table = read_table("/nonexistent/actuals.csv", "actuals")
    assert [d.code for d in table.problems] == ["SM501"]


def test_pandas_and_polars_dataframes_are_read_with_row_and_column() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {
            "entity": ["00123", "00124", "00125"],
            "kpi": ["sales_volume", "sales_volume", "sales_volume"],
            "period": ["2026-03", "2026-03", "2026-03"],
            "value": [95.5, float("nan"), 0.1],
        }
    )
    table = read_table(frame, "actuals")
    assert [(r.entity, r.value) for r in table.rows] == [("00123", Decimal("95.5")), ("00125", Decimal("0.1"))]
    assert [(d.code, d.location.line, d.location.column) for d in table.problems] == [("SM503", 2, 4)]
    pl = pytest.importorskip("polars")
    table = read_table(pl.DataFrame({"entity": [1.5], "kpi": ["k"], "period": [2026], "value": [1]}), "actuals")
    assert [(d.code, d.location.line, d.location.column) for d in table.problems] == [("SM503", 1, 1)]
    table = read_table(pl.DataFrame({"entity": [123], "kpi": ["k"], "period": [2026], "value": [1]}), "actuals")
    assert [r.entity for r in table.rows] == ["123"]  # an integer id is its decimal text


def test_excel_workbook_cells_are_located(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    import datetime

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["entity", "kpi", "period", "value"])
    sheet.append(["00123", "sales_volume", "2026-03", 95])
    sheet.append(["00124", "sales_volume", datetime.datetime(2026, 3, 1), 96])  # Excel turned it into a date
    sheet.append(["00125", "sales_volume", 2026, "九十"])
    book.save(tmp_path / "actuals.xlsx")
    table = read_table(tmp_path / "actuals.xlsx", "actuals")
    assert [r.entity for r in table.rows] == ["00123"]
    assert [(d.code, d.location.line, d.location.column) for d in table.problems] == [("SM503", 3, 3), ("SM503", 4, 4)]
    assert "a date" in table.problems[0].message()


def test_broken_quoting_loses_only_its_own_row(tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    f.write_text(
        HEADER + "a1,sales_volume,2026-03,1\n" + 'a2,sales_volume,2026-03,"10"8\n' + "a3,sales_volume,2026-03,3\n",
        encoding="utf-8",
    )
    table = read_table(f, "actuals")
    assert [r.entity for r in table.rows] == ["a1", "a3"]
    assert [(d.code, d.location.line) for d in table.problems] == [("SM503", 3)]
    assert table.read == 3 and table.rejected == 1
    f.write_text(
        HEADER + "a1,sales_volume,2026-03,1\n" + 'a2,sales_volume,2026-03,"10\n' + "a3,sales_volume,2026-03,3\n",
        encoding="utf-8",
    )
    table = read_table(f, "actuals")  # an unclosed quote: the record that opens it is the bad one
    assert [(d.code, d.location.line) for d in table.problems] == [("SM503", 3)]
    assert [r.entity for r in table.rows] == ["a1", "a3"]


def _reread_reader(file: str, text: str) -> list[tuple[int, object]]:
    """The reader as it was: re-reads the rest of the file after each broken record (the oracle)."""
    lines = text.splitlines(keepends=True)
    out: list[tuple[int, object]] = []
    header = None
    offset = 0
    while offset < len(lines):
        reader = csv.reader(io.StringIO("".join(lines[offset:]), newline=""), strict=True)
        done = 0
        try:
            for cells in reader:
                first = offset + done + 1
                done = reader.line_num
                if header is None:
                    header = cells
                    continue
                if any(c.strip() for c in cells):
                    out.append((first, cells if len(cells) == len(header) else len(cells)))
        except csv.Error:
            bad = offset + done + 1
            out.append((bad, "broken"))
            offset = bad
            continue
        break
    return out


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a,b", '"a,b', 'a"",b', '"a""', '"', '""', 'x,"y"z', '"x', "p,q,r", ""]), max_size=12))
def test_one_pass_csv_reading_finds_what_re_reading_found(lines: list[str]) -> None:
    text = "h1,h2\n" + "\n".join(lines) + "\n"
    raws, _ = _raw._read_csv("f.csv", text)
    got: list[tuple[int, object]] = []
    for raw in raws:
        if "__broken__" in raw.cells:  # a run of lines broken alike is one record per line
            got.extend((line, "broken") for line in range(raw.row.line, raw.cells["__through__"] + 1))
        else:
            got.append((raw.row.line, raw.cells.get("__shape__", list(raw.cells.values()))))
    assert got == _reread_reader("f.csv", text)


def test_many_broken_lines_are_each_reported_once(tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    rows = [f'a{i},sales_volume,2026-03,"1"x' for i in range(2000)]
    rows += ['"open""quote' for _ in range(2000)]  # each opens a field that the next one breaks
    rows.append("z1,sales_volume,2026-03,5")
    f.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    table = read_table(f, "actuals")
    assert [r.entity for r in table.rows] == ["z1"]
    assert table.read == 4001 and table.rejected == 4000
    # a run of lines broken alike is said once, with its lines: here every line but the last
    # quoted field, which runs into the end of the file
    assert [(d.location.line, d.location.end_line) for d in table.problems] == [(2, 4000), (4001, 0)]
    assert "on each of lines 2 to 4000 (3,999 rows, said once)" in table.problems[0].message("en")
    assert "unexpected end of data" in table.problems[1].message("en")


def test_a_repeated_column_refuses_the_table(tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    f.write_text("entity,kpi,period,value,value\na1,sales_volume,2026-03,1,2\n", encoding="utf-8")
    table = read_table(f, "actuals")
    assert table.rows == ()
    assert [(d.code, d.location.line, d.location.column) for d in table.problems] == [("SM513", 1, 5)]
    assert "columns 4 and 5" in table.problems[0].message()


def test_a_repeated_json_key_rejects_its_record_only(tmp_path: Path) -> None:
    f = tmp_path / "a.json"
    f.write_text(
        '[{"entity": "a1", "kpi": "sales_volume", "period": "2026-03", "value": 1},\n'
        ' {"entity": "a2", "kpi": "sales_volume", "period": "2026-03", "value": 1, "value": 2},\n'
        ' {"entity": "a3", "kpi": {"x": 1, "x": 2}, "period": "2026-03", "value": 3}]\n',
        encoding="utf-8",
    )
    table = read_table(f, "actuals")
    assert [r.entity for r in table.rows] == ["a1"]
    found = [(d.code, d.location.line, d.location.column) for d in table.problems]
    assert ("SM514", 2, 75) in found and ("SM514", 3, 35) in found
    assert table.read == 3 and table.rejected == 2


def test_a_quoted_field_across_lines_is_read_with_a_warning(tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    f.write_text(
        "entity,kpi,period,value,note\n" + 'a1,sales_volume,2026-03,1,"left\n' + 'a2,sales_volume,2026-03,2,"\n',
        encoding="utf-8",
    )
    table = read_table(f, "actuals")
    assert [r.entity for r in table.rows] == ["a1"]
    assert [(d.code, d.severity.value, d.location.line) for d in table.problems] == [("SM512", "warning", 2)]
    assert "lines 2-3" in table.problems[0].message() and "1 record(s) on 3 lines" in table.problems[0].message()


def test_identical_event_and_rating_rows_are_duplicates(tmp_path: Path) -> None:
    events = tmp_path / "e.csv"
    events.write_text(
        "entity,event,period,count\na1,late,2026-03,1\na1,late,2026-03,1\na1,late,2026-03,2\n", encoding="utf-8"
    )
    table = read_table(events, "events")
    assert [r.count for r in table.rows] == [1, 2]
    assert [(d.code, d.location.line) for d in table.problems] == [("SM506", 3)]
    ratings = tmp_path / "r.csv"
    ratings.write_text(
        "entity,kpi,period,rater,rating,rater_id\n"
        "a1,k,2026-03,peer,B,p1\na1,k,2026-03,peer,B,p2\na1,k,2026-03,peer,B,p1\n",
        encoding="utf-8",
    )
    table = read_table(ratings, "ratings")
    assert [r.rater_id for r in table.rows] == ["p1", "p2"]
    assert [(d.code, d.location.line) for d in table.problems] == [("SM506", 4)]
    ratings.write_text("entity,kpi,period,rater,rating\na1,k,2026-03,peer,B\na1,k,2026-03,peer,B\n", encoding="utf-8")
    assert [d.code for d in read_table(ratings, "ratings").problems] == ["SM506"]


@pytest.mark.parametrize("number", ["1e999999999", "-1e999999999", "1e15", "0." + "0" * 4999 + "1", "1e-999999999"])
@pytest.mark.parametrize(
    ("table", "text"),
    [
        ("actuals", "entity,kpi,period,value\na1,k,2026-03,{}\n"),
        ("events", "entity,event,period,count,amount\na1,late,2026-03,1,{}\n"),
        ("events", "entity,event,period,count\na1,late,2026-03,{}\n"),
        ("bonus_base", "entity,period,amount\na1,2026-03,{}\n"),
    ],
)
def test_numbers_beyond_exact_arithmetic_are_located_errors(tmp_path: Path, table: str, text: str, number: str) -> None:
    f = tmp_path / "t.csv"
    f.write_text(text.format(number), encoding="utf-8")
    found = read_table(f, table).problems  # type: ignore[arg-type]
    assert [(d.code, d.location.line) for d in found] == [("SM503", 2)]
    said = found[0].message()
    assert "1e15" in said or "12 decimal places" in said or ("not written in plain digits" in said and "e" in number)


def test_numbers_in_text_are_plain_digits(tmp_path: Path) -> None:
    f = tmp_path / "t.csv"
    f.write_text("entity,kpi,period,value\na1,k,2026-03,1.5E+3\na1,k,2026-04,.5\na1,k,2026-05,5.\n"
                 "a1,k,2026-06,-0\na1,k,2026-07,+5\n", encoding="utf-8")  # fmt: skip
    table = read_table(f, "actuals")
    assert [(d.code, d.location.line) for d in table.problems] == [("SM503", 2), ("SM503", 3), ("SM503", 4)]
    assert "a spreadsheet's 1.5E+3 may have dropped digits" in table.problems[0].message()
    assert [str(r.value) for r in table.rows] == ["0", "5"]  # -0 is 0


def test_very_deep_json_is_a_located_error(tmp_path: Path) -> None:
    f = tmp_path / "a.json"
    f.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    found = read_table(f, "actuals").problems
    assert [(d.code, d.location.line, d.location.column) for d in found] == [("SM501", 1, 49)]
    f.write_text("[" * 60 + "]" * 60, encoding="utf-8")
    assert [d.code for d in read_table(f, "actuals").problems] == ["SM501"]


@pytest.mark.parametrize(
    ("kwargs", "names"),
    [({"encoding": None}, "encoding"), ({"actuals": 5}, "actuals"), ({"actuals": b"a.csv"}, "actuals")],
)
def test_wrong_argument_types_name_the_argument(kwargs: dict[str, object], names: str) -> None:
    with pytest.raises(TypeError, match=names):
        read_data(**kwargs)  # type: ignore[arg-type]


def test_utf8_read_as_gb18030_is_said_first(tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    f.write_text("entity,kpi,period,value\n华东,k,2026-03,1\n", encoding="utf-8")  # its bytes are GB18030 too
    table = read_table(f, "actuals", encoding="gb18030")
    assert [d.code for d in table.problems][:1] == ["SM515"]
    assert (table.problems[0].location.line, table.problems[0].location.column) == (1, 1)
    assert "read as gb18030" in table.problems[0].message("en")
    assert read_table(f, "actuals").problems == ()
    f.write_text("entity,kpi,period,value\n销售部,k,2026-03,1\n", encoding="utf-8")  # its bytes are not
    [unread] = read_table(f, "actuals", encoding="gb18030").problems
    assert unread.code == "SM501" and "it is UTF-8: pass --encoding utf-8" in unread.message("en")
    f.write_bytes("entity,kpi,period,value\n销售部,k,2026-03,1\n".encode("gb18030"))
    assert read_table(f, "actuals", encoding="gb18030").problems == ()  # GB18030 text read as GB18030
    f.write_text("entity,kpi,period,value\nsales,k,2026-03,1\n", encoding="utf-8")
    assert read_table(f, "actuals", encoding="gb18030").problems == ()  # ASCII reads the same either way


def test_a_json_number_in_exponent_form_is_its_plain_value(tmp_path: Path) -> None:
    f = tmp_path / "a.json"
    f.write_text('[{"entity": "a1", "kpi": "k", "period": "2026-03", "value": 1e2}]', encoding="utf-8")
    [row] = read_table(f, "actuals").rows
    assert str(row.value) == "100"
