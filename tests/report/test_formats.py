"""Output formats: SARIF against the normative 2.1.0 schema, JSON's stable shape."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from stratmap.api import check_strategies
from stratmap.codes import CODES
from stratmap.report import DIAGNOSTIC_FORMATS, renderer
from tests.helpers import MINIMAL, SHARED, write_files

SARIF_SCHEMA = SHARED / "peer" / "sarif" / "sarif-schema-2.1.0.json"

BROKEN = {
    "strategy.yaml": MINIMAL + "include: [depts/*.yaml, missing.yaml]\ndrivers:\n  - id: share\n    name: 份额\n",
    "depts/sales.yaml": "stratmap: 1\ndepartments:\n  - id: share\n    name: 销售部,华东\n    parnt: x\n",
    "stray.yaml": "stratmap: 1\ndrivers: []\n",
}


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    return write_files(tmp_path, BROKEN)


def test_sarif_is_valid_against_the_2_1_0_schema(broken: Path) -> None:
    if not SARIF_SCHEMA.exists():
        pytest.skip("../shared/peer/sarif is not beside this checkout")
    result = check_strategies(broken)
    assert {d.code for d in result.diagnostics} >= {"SM121", "SM202", "SM204", "SM208"}
    for lang in ("en", "zh"):
        doc = json.loads(renderer("sarif")(result.diagnostics, result.files, lang))
        schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
        jsonschema.Draft7Validator(schema).validate(doc)
        run0 = doc["runs"][0]
        assert [r["id"] for r in run0["tool"]["driver"]["rules"]] == sorted(CODES)
        assert len(run0["results"]) == len(result.diagnostics)
        dup = next(r for r in run0["results"] if r["ruleId"] == "SM202")
        assert dup["relatedLocations"][0]["physicalLocation"]["region"]["startLine"] == 7


def test_every_format_renders_every_code_and_a_clean_run(broken: Path) -> None:
    result = check_strategies(broken)
    for fmt in DIAGNOSTIC_FORMATS:
        for lang in ("en", "zh"):
            assert renderer(fmt)(result.diagnostics, result.files, lang)
            assert renderer(fmt)((), result.files, lang) is not None


def test_json_shape(broken: Path) -> None:
    result = check_strategies(broken)
    doc = json.loads(renderer("json")(result.diagnostics, result.files, "en"))
    assert set(doc) == {"version", "files", "summary", "diagnostics"}
    first = doc["diagnostics"][0]
    assert set(first) == {
        "code",
        "severity",
        "message",
        "hint",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "path",
        "related",
    }


def test_reports_are_deterministic(broken: Path) -> None:
    outs = {
        renderer("json")(check_strategies(broken).diagnostics, check_strategies(broken).files, "en") for _ in range(3)
    }
    assert len(outs) == 1
