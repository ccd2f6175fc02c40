"""The CLI end to end: the examples, broken copies of them, every output format."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from stratmap.codes import CODES
from tests.helpers import EXAMPLES, chdir, run_cli

EXAMPLE_NAMES = sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir())


@pytest.fixture
def manufacturing(tmp_path: Path) -> Path:
    target = tmp_path / "manufacturing"
    shutil.copytree(EXAMPLES / "manufacturing", target)
    return target


def _replace(path: Path, old: str, new: str) -> int:
    """Replace the first ``old`` in ``path``; return its 1-based line number."""
    text = path.read_text(encoding="utf-8")
    index = text.index(old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[:index].count("\n") + 1


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_example_validates_clean(name: str) -> None:
    code, out, _ = run_cli("--lang", "en", "validate", str(EXAMPLES / name))
    assert code == 0, out
    assert out.splitlines()[-1].startswith("All checks passed")
    assert " error " not in out and " warning " not in out


def test_all_examples_at_once() -> None:
    code, out, _ = run_cli("--lang", "en", "validate", str(EXAMPLES))
    assert code == 0
    assert "13 files" in out


def test_broken_copy_reports_file_line_col(manufacturing: Path) -> None:
    sales = manufacturing / "departments" / "sales.yaml"
    line = _replace(sales, "weight: 40", "weight: 40%")
    code, out, _ = run_cli("--lang", "en", "validate", str(manufacturing))
    assert code == 1
    first = out.splitlines()[0]
    assert first.startswith(f"{sales}:{line}:")
    assert " error SM122 " in first
    assert "hint: Write the number without '%'" in out
    assert out.rstrip().endswith("in 2 of 4 files.")  # the note SM343 is on the root file


def test_one_bad_file_does_not_hide_another(manufacturing: Path) -> None:
    _replace(manufacturing / "departments" / "sales.yaml", "weight: 40", "wieght: 40")
    (manufacturing / "departments" / "supply.yaml").write_bytes("stratmap: 1\nx: 名称\n".encode("gb18030"))
    code, out, _ = run_cli("--lang", "en", "validate", str(manufacturing), "--no-hints")
    assert code == 1
    codes = {line.split()[2] for line in out.splitlines()[:-1]}
    assert {"SM121", "SM101"} <= codes
    assert "did you mean 'weight'?" in out


def test_unknown_reference_across_files(manufacturing: Path) -> None:
    line = _replace(manufacturing / "departments" / "sales.yaml", "owner: sales\n", "owner: sale\n")
    code, out, _ = run_cli("--lang", "en", "validate", "--format", "json", str(manufacturing))
    assert code == 1
    doc = json.loads(out)
    [diag] = [d for d in doc["diagnostics"] if d["severity"] == "error"]
    assert (diag["code"], diag["line"]) == ("SM201", line)
    assert "did you mean 'sales'?" in diag["message"]
    assert diag["path"].startswith("$.kpis[")
    # the KPI without its owner is left out of the model checks; what follows across the
    # cascade waits for the fix (SM343)
    assert doc["summary"] == {"error": 1, "warning": 0, "info": 1}
    assert [d["code"] for d in doc["diagnostics"] if d["severity"] == "info"] == ["SM343"]


def test_chinese_messages(manufacturing: Path) -> None:
    _replace(manufacturing / "departments" / "sales.yaml", "weight: 40", "weight: 40%")
    code, out, _ = run_cli("--lang", "zh", "validate", str(manufacturing))
    assert code == 1
    assert "应为数字" in out and "提示:" in out and "发现 1 个错误" in out


def test_locale_picks_chinese(manufacturing: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    _, out, _ = run_cli("validate", str(manufacturing))
    assert "检查通过" in out


def test_github_format(manufacturing: Path) -> None:
    line = _replace(manufacturing / "departments" / "sales.yaml", "weight: 40", "weight: 40%")
    code, out, _ = run_cli("--lang", "en", "validate", "--format", "github", str(manufacturing))
    assert code == 1
    assert out.startswith(f"::error file={manufacturing}/departments/sales.yaml,line={line},col=")
    assert ",title=SM122::" in out and "%0A" in out


def test_github_format_is_default_in_actions(manufacturing: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    _replace(manufacturing / "departments" / "sales.yaml", "weight: 40", "weight: 40%")
    _, out, _ = run_cli("--lang", "en", "validate", str(manufacturing))
    assert out.startswith("::error ")


def test_output_file(manufacturing: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    code, out, _ = run_cli("validate", "--format", "json", "-o", str(report), str(manufacturing))
    assert code == 0 and out == ""
    assert json.loads(report.read_text(encoding="utf-8"))["summary"] == {"error": 0, "warning": 0, "info": 1}


def test_warnings_alone_exit_0_unless_strict(manufacturing: Path) -> None:
    (manufacturing / "departments" / "extra.yaml").unlink(missing_ok=True)
    stray = manufacturing / "stray.yaml"
    stray.write_text("stratmap: 1\ndepartments:\n  - id: stray_dept\n    name: 游离部门\n", encoding="utf-8")
    code, out, _ = run_cli("--lang", "en", "validate", str(manufacturing))
    assert code == 0 and "warning SM208" in out
    code, _, _ = run_cli("validate", "--strict", str(manufacturing))
    assert code == 1


def test_file_scope_checks_each_file_alone(manufacturing: Path) -> None:
    sales = manufacturing / "departments" / "sales.yaml"
    code, out, _ = run_cli("--lang", "en", "validate", "--scope", "file", str(sales))
    assert code == 0, out  # references to the root's drivers are not checked here
    _replace(sales, "weight: 40", "weight: 40%")
    code, out, _ = run_cli("--lang", "en", "validate", "--scope", "file", str(sales))
    assert code == 1 and "SM122" in out


def test_strategy_files_only_skips_other_yaml(tmp_path: Path) -> None:
    other = tmp_path / "ci.yaml"
    other.write_text("on: push\njobs: {}\n", encoding="utf-8")
    code, _, _ = run_cli("validate", str(other))
    assert code == 1  # named explicitly without 'stratmap:': SM112
    code, _, _ = run_cli("validate", "--scope", "file", "--strategy-files-only", str(other))
    assert code == 0


def test_missing_path_is_reported(tmp_path: Path) -> None:
    code, out, _ = run_cli("--lang", "en", "validate", str(tmp_path / "nope.yaml"))
    assert code == 1 and "SM100" in out


def test_default_path_is_the_current_folder(manufacturing: Path) -> None:
    with chdir(manufacturing):
        code, out, _ = run_cli("--lang", "en", "validate")
    assert code == 0 and "4 files" in out


def test_usage_errors_exit_2() -> None:
    assert run_cli("validate", "--format", "xml")[0] == 2
    assert run_cli("frobnicate")[0] == 2
    assert run_cli()[0] == 2
    code, _, err = run_cli("explain", "SM1O3")
    assert code == 2 and "unknown code" in err and "did you mean SM1" in err


def test_rules_lists_every_code() -> None:
    code, out, _ = run_cli("--lang", "en", "rules")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == list(CODES)
    code, out, _ = run_cli("--lang", "zh", "rules", "--format", "json")
    rows = json.loads(out)
    assert {r["code"] for r in rows} == set(CODES)
    assert any("重复" in r["summary"] for r in rows)


def test_explain_prints_the_page_with_both_examples() -> None:
    code, out, _ = run_cli("explain", "sm103")
    assert code == 0
    assert out.startswith("# SM103 duplicate-key")
    assert "## Example" in out and "## Use instead" in out


def test_version() -> None:
    code, out, _ = run_cli("--version")
    assert code == 0 and out.startswith("stratmap ")


def test_console_script_and_module_entry_points(manufacturing: Path) -> None:
    exe = Path(sys.executable).parent / "stratmap"
    for cmd in ([str(exe)], [sys.executable, "-m", "stratmap"]):
        if cmd[0] == str(exe) and not exe.exists():
            continue
        proc = subprocess.run([*cmd, "--lang", "en", "validate", str(manufacturing)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "All checks passed" in proc.stdout


def test_lang_after_the_subcommand(manufacturing: Path) -> None:
    code, out, _ = run_cli("validate", "--lang", "zh", str(manufacturing))
    assert code == 0 and "检查通过" in out


def test_unwritable_output_is_a_usage_error(manufacturing: Path, tmp_path: Path) -> None:
    code, _, err = run_cli("validate", "-o", str(tmp_path / "missing" / "x.txt"), str(manufacturing))
    assert code == 2 and "cannot write" in err
    code, _, err = run_cli("validate", "-o", str(tmp_path), str(manufacturing))
    assert code == 2


def test_undecodable_files_in_a_folder_are_reported_not_skipped(tmp_path: Path) -> None:
    (tmp_path / "sales.yaml").write_bytes("stratmap: 1\n".encode("utf-16"))
    code, out, _ = run_cli("--lang", "en", "validate", str(tmp_path))
    assert code == 1 and "SM101" in out and "UTF-16" in out


@pytest.mark.parametrize(("value", "shown"), [("1.0", "1.0"), ('"1"', "quoted text '1'"), ("true", "true"), ("2", "2")])
def test_format_version_must_be_the_number_1(tmp_path: Path, value: str, shown: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(f"stratmap: {value}\norganisation: {{id: a, name: b}}\n", encoding="utf-8")
    code, out, _ = run_cli("--lang", "en", "validate", str(path))
    assert code == 1
    assert f"format version {shown} is not supported" in out


def test_a_glob_does_not_include_its_own_file(tmp_path: Path) -> None:
    (tmp_path / "strategy.yaml").write_text(
        "stratmap: 1\norganisation: {id: a, name: b}\ninclude: ['*.yaml']\n", encoding="utf-8"
    )
    (tmp_path / "other.yaml").write_text("stratmap: 1\n", encoding="utf-8")
    code, out, _ = run_cli("--lang", "en", "validate", str(tmp_path))
    assert code == 0, out


def test_a_long_include_chain(tmp_path: Path) -> None:
    for i in range(1500):
        include = f"include: [f{i + 1}.yaml]\n" if i < 1499 else ""
        org = "organisation: {id: a, name: b}\n" if i == 0 else ""
        (tmp_path / f"f{i}.yaml").write_text(f"stratmap: 1\n{include}{org}", encoding="utf-8")
    code, out, _ = run_cli("--lang", "en", "validate", str(tmp_path / "f0.yaml"))
    assert code == 0 and "1500 files" in out


def test_impossible_dates(manufacturing: Path) -> None:
    line = _replace(manufacturing / "departments" / "production.yaml", "due: 2026-", "due: 2026-02-30  # ")
    code, out, _ = run_cli("--lang", "en", "validate", str(manufacturing))
    assert code == 1
    assert f"production.yaml:{line}:" in out and "'2026-02-30' is not a date" in out


def test_unreadable_root_does_not_claim_no_organisation(manufacturing: Path) -> None:
    _replace(manufacturing / "strategy.yaml", "stratmap: 1", "stratmap: 2")
    code, out, _ = run_cli("--lang", "en", "validate", str(manufacturing))
    assert code == 1 and "SM112" in out and "SM206" not in out


def test_select_and_ignore(manufacturing: Path) -> None:
    code, out, _ = run_cli("--lang", "en", "validate", "--select", "SM31", str(manufacturing))
    assert code == 0 and "SM314" in out
    code, out, _ = run_cli("--lang", "en", "validate", "--ignore", "SM314", str(manufacturing))
    assert code == 0 and "SM314" not in out and "no problems." in out
    _replace(manufacturing / "departments" / "sales.yaml", "weight: 40", "weight: 40%")
    code, out, _ = run_cli("--lang", "en", "validate", "--ignore", "sm1", str(manufacturing))
    assert code == 0 and "SM122" not in out
    assert run_cli("validate", "--select", "XX", str(manufacturing))[0] == 2


def test_ignoring_the_cascade_does_not_import_networkx(manufacturing: Path) -> None:
    probe = "import sys, stratmap; stratmap.check(sys.argv[1], ignore=['SM3']); print('networkx' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe, str(manufacturing)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
