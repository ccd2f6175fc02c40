"""The hooks in .pre-commit-hooks.yaml, run by the real pre-commit tool (try-repo)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.helpers import EXAMPLES, ROOT, write_files

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is needed")

GOOD = EXAMPLES / "manufacturing"


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def _try_repo(repo: Path, home: Path, hook: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "LANG": "C.UTF-8", "PRE_COMMIT_COLOR": "never"}
    env.pop("LC_ALL", None)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), hook, *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_hook_manifest_is_well_formed() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    by_id = {h["id"]: h for h in hooks}
    assert set(by_id) == {"stratmap-validate-file", "stratmap-validate"}
    assert by_id["stratmap-validate"]["pass_filenames"] is False
    assert "--scope file" in by_id["stratmap-validate-file"]["entry"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    repo = tmp_path / "hr-strategy"
    shutil.copytree(GOOD, repo / "strategy")
    write_files(repo, {".github/workflows/ci.yaml": "on: push\njobs: {}\n"})
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    return repo


def test_hooks_pass_on_a_clean_strategy(project: Path, pre_commit_home: Path) -> None:
    for hook in ("stratmap-validate-file", "stratmap-validate"):
        proc = _try_repo(project, pre_commit_home, hook, "--all-files")
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_file_hook_fails_a_bad_file_with_its_location(project: Path, pre_commit_home: Path) -> None:
    sales = project / "strategy" / "departments" / "sales.yaml"
    text = sales.read_text(encoding="utf-8")
    line = text[: text.index("weight: 40")].count("\n") + 1
    sales.write_text(text.replace("weight: 40", "weight: 40%", 1), encoding="utf-8")
    _git(project, "add", "-A")
    proc = _try_repo(project, pre_commit_home, "stratmap-validate-file", "--files", "strategy/departments/sales.yaml")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"strategy/departments/sales.yaml:{line}:" in proc.stdout
    assert "SM122" in proc.stdout


def test_project_hook_fails_a_broken_reference(project: Path, pre_commit_home: Path) -> None:
    sales = project / "strategy" / "departments" / "sales.yaml"
    text = sales.read_text(encoding="utf-8")
    line = text[: text.index("owner: sales\n")].count("\n") + 1
    sales.write_text(text.replace("owner: sales\n", "owner: sale\n", 1), encoding="utf-8")
    _git(project, "add", "-A")
    proc = _try_repo(project, pre_commit_home, "stratmap-validate", "--all-files")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"strategy/departments/sales.yaml:{line}:" in proc.stdout
    assert "SM201" in proc.stdout
