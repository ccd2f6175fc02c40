"""Every diagnostic code is documented, and its documented examples are its fixtures.

Each page in ``stratmap/_codedocs`` has an "Example" whose files must report that code
and no other, at the ``expect=`` position (among others of the same code), and a
"Use instead" whose files must be clean.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from stratmap.api import check
from stratmap.codes import CODES
from stratmap.data import read_table
from stratmap.diagnostics import Diagnostic
from tests.helpers import chdir

FENCE = re.compile(r"^```(\w+)([^\n]*)\n(.*?)^```", re.S | re.M)
HEADINGS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead")
#: Codes that no file can trigger today; each is covered by a unit test named here.
NO_FILE_FIXTURE = {
    "SM126": "tests/test_schema.py::test_unmapped_keywords_are_reported_not_dropped",
    "SM211": "tests/load/test_files.py::test_a_glob_is_bounded",
    "SM361": "tests/rules/test_plans.py::test_overdue_actions_only_with_an_as_of_date",
    "SM364": "tests/e2e/test_review.py::test_review_of_the_bundled_example",
    "SM410": "tests/formula/test_formula.py::test_missing_value_and_wrong_types_are_typed_errors",
    "SM411": "tests/formula/test_formula.py::test_missing_value_and_wrong_types_are_typed_errors",
    "SM412": "tests/formula/test_formula.py::test_batch_column_errors",
    "SM501": "tests/evaluate/test_data.py::test_unreadable_file",
    "SM502": "tests/evaluate/test_data.py::test_missing_and_unknown_columns",
    "SM503": "tests/evaluate/test_data.py::test_each_bad_row_is_reported_and_the_others_kept",
    "SM504": "tests/evaluate/test_engine.py::test_bad_rows_are_rejected_and_the_rest_evaluated",
    "SM505": "tests/evaluate/test_engine.py::test_bad_rows_are_rejected_and_the_rest_evaluated",
    "SM506": "tests/evaluate/test_engine.py::test_bad_rows_are_rejected_and_the_rest_evaluated",
    "SM507": "tests/evaluate/test_engine.py::test_bad_rows_are_rejected_and_the_rest_evaluated",
    "SM508": "tests/evaluate/test_data.py::test_missing_and_unknown_columns",
    "SM509": "tests/evaluate/test_engine.py::test_unused_rows_are_reported",
    "SM510": "tests/evaluate/test_engine.py::test_rated_item_without_ratings_fails_the_result",
    "SM511": "tests/evaluate/test_engine.py::test_unscorable_rating_is_reported",
    "SM516": "tests/evaluate/test_measures.py::test_a_reported_value_of_a_computed_kpi_is_checked_or_refused",
    "SM517": "tests/evaluate/test_engine.py::test_bad_rows_are_rejected_and_the_rest_evaluated",
    "SM518": "tests/e2e/test_evaluate_cli.py::test_a_missing_bonus_base_is_said_and_the_total_says_what_it_leaves_out",
    "SM519": "tests/evaluate/test_engine.py::test_a_skipped_report_does_not_reset_escalation",
    "SM520": "tests/evaluate/test_engine.py::test_manufacturing_example_exercises_every_gate",
    "SM521": "tests/evaluate/test_partial_year.py::test_a_partial_year_is_refused_by_default",
}


@dataclass
class Fixture:
    files: dict[str, bytes] = field(default_factory=dict)
    #: the encoding a data table is read with (``read=gb18030`` on its fence)
    read: dict[str, str] = field(default_factory=dict)
    paths: list[str] = field(default_factory=lambda: ["."])
    expect: tuple[str, int, int] | None = None


def _attrs(text: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in text.split() if "=" in part)


def parse_section(section: str) -> Fixture:
    fx = Fixture()
    for lang, info, body in FENCE.findall(section):
        attrs = _attrs(info)
        if lang == "console":
            command = body.strip().removeprefix("$ ").split()
            assert command[:2] == ["stratmap", "validate"], command
            fx.paths = command[2:] or ["."]
            if "expect" in attrs:
                file, line, col = attrs["expect"].rsplit(":", 2)
                fx.expect = (file, int(line), int(col))
            continue
        name = attrs["file"]
        data = body.encode(attrs.get("encoding", "utf-8"))
        if "pad" in attrs:
            filler = b"# " + b"x" * 1021 + b"\n"
            data += filler * (int(attrs["pad"]) // len(filler) + 1)
        fx.files[name] = data
        if "read" in attrs:
            fx.read[name] = attrs["read"]
        if "expect" in attrs:
            line, col = attrs["expect"].split(":")
            fx.expect = (name, int(line), int(col))
    return fx


def sections(code: str) -> tuple[str, str]:
    text = CODES[code].documentation()
    example = text.split("## Example", 1)[1].split("## Use instead", 1)[0]
    fixed = text.split("## Use instead", 1)[1].split("\n## ", 1)[0]
    return example, fixed


def materialise(fx: Fixture, folder: Path) -> None:
    for name, data in fx.files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


@pytest.mark.parametrize("code", sorted(CODES))
def test_page_has_the_sections(code: str) -> None:
    text = CODES[code].documentation()
    assert text.startswith(f"# {code} {CODES[code].slug}\n")
    for heading in HEADINGS:
        assert heading in text, f"{code} lacks {heading!r}"


DATA_SUFFIXES = (".csv", ".json")


def _is_data(fx: Fixture) -> bool:
    """A fixture of data tables (``actuals.csv``...): read with read_data, not checked."""
    return bool(fx.files) and all(name.endswith(DATA_SUFFIXES) for name in fx.files)


def _read_tables(fx: Fixture) -> list[Diagnostic]:
    """Every problem met reading the fixture's tables, each named after its file."""
    found: list[Diagnostic] = []
    for name in fx.files:
        table = read_table(name, Path(name).stem, encoding=fx.read.get(name, "utf-8"))  # type: ignore[arg-type]
        found.extend(table.problems)
    return found


@pytest.mark.parametrize("code", sorted(set(CODES) - set(NO_FILE_FIXTURE)))
def test_bad_example_reports_exactly_its_code_at_its_position(code: str, tmp_path: Path) -> None:
    example, _ = sections(code)
    fx = parse_section(example)
    assert fx.expect is not None, f"{code}: the example has no expect=LINE:COL"
    materialise(fx, tmp_path)
    with chdir(tmp_path):
        found = _read_tables(fx) if _is_data(fx) else check(*fx.paths)
    got = [
        (d.code, Path(d.location.file).as_posix().removeprefix("./"), d.location.line, d.location.column)
        for d in found
        if d.code != "SM343" or code == "SM343"  # the note that findings across the cascade wait for errors
    ]
    if code == "SM343":  # it comes with the errors whose consequences wait
        assert (code, *fx.expect) in got, got
        return
    assert {g[0] for g in got} == {code}, got
    assert (code, *fx.expect) in got


@pytest.mark.parametrize("code", sorted(CODES))
def test_fixed_example_is_clean(code: str, tmp_path: Path) -> None:
    _, fixed = sections(code)
    fx = parse_section(fixed)
    assert fx.files, f"{code}: the fix has no files"
    materialise(fx, tmp_path)
    with chdir(tmp_path):
        if _is_data(fx):
            assert _read_tables(fx) == []
        else:
            assert check(*fx.paths) == []


def test_docs_codes_md_is_up_to_date() -> None:
    import importlib.util

    from tests.helpers import ROOT

    spec = importlib.util.spec_from_file_location("generate_docs", ROOT / "scripts" / "generate_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    current = (ROOT / "docs" / "codes.md").read_text(encoding="utf-8")
    assert current == module.render(), "docs/codes.md is stale: run python scripts/generate_docs.py"
