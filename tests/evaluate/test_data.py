"""Reading the data tables: every bad row reported at its row and column, the others kept."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from stratmap.data import Actual, read_data, read_table

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


def test_json_yaml_and_mappings(tmp_path: Path) -> None:
    j = tmp_path / "a.json"
    j.write_text(
        '[{"entity": "x1", "kpi": "k", "period": 2026, "value": 1.5}, {"entity": 123, "kpi": "k", '
        '"period": "2026", "value": 1}]',
        encoding="utf-8",
    )
    table = read_table(j, "actuals")
    assert [r.period for r in table.rows] == ["2026"] and [d.code for d in table.problems] == ["SM503"]
    assert 'write "123"' in table.problems[0].message()
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
    table = read_table(pl.DataFrame({"entity": [123], "kpi": ["k"], "period": [2026], "value": [1]}), "actuals")
    assert [(d.code, d.location.line, d.location.column) for d in table.problems] == [("SM503", 1, 1)]


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
