"""`stratmap diff`: two versions of an example, including a weight move between drivers."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import EXAMPLES, chdir, run_cli


def _moved(folder: Path) -> Path:
    """The manufacturing example with 10 points of sales weight moved from volume to mix."""
    shutil.copytree(EXAMPLES / "manufacturing", folder)
    _moved_in_place(folder / "departments" / "sales.yaml")
    return folder


def _moved_in_place(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "      - kpi: sales_volume\n        weight: 30", "      - kpi: sales_volume\n        weight: 20", 1
    )
    text = text.replace("      - kpi: mix_volume\n        weight: 40", "      - kpi: mix_volume\n        weight: 50", 1)
    path.write_text(text, encoding="utf-8")


def test_a_weight_move_between_drivers(tmp_path: Path) -> None:
    new = _moved(tmp_path / "new")
    code, out, _ = run_cli("diff", str(EXAMPLES / "manufacturing"), str(new))
    assert code == 1
    assert "~ item sales_monthly/sales_volume: weight 30 -> 20" in out
    assert "~ item sales_monthly/mix_volume: weight 40 -> 50" in out
    assert "volume_share: 42.06 -> 40.81 (-1.25)" in out and "mix_profit: 41.06 -> 42.31 (+1.25)" in out
    code, out, _ = run_cli("diff", str(EXAMPLES / "manufacturing"), str(new), "--format", "json")
    doc = json.loads(out)
    assert {(c["id"], c["field"], c["old"], c["new"]) for c in doc["changes"]} == {
        ("sales_monthly/sales_volume", "weight", "30", "20"),
        ("sales_monthly/mix_volume", "weight", "40", "50"),
    }
    assert {s["driver"]: s["delta"] for s in doc["driver_shares"]}["mix_profit"] == "1.25"


def test_no_differences_exit_0() -> None:
    code, out, _ = run_cli("diff", str(EXAMPLES / "bank"), str(EXAMPLES / "bank"))
    assert (code, out) == (0, "no differences\n")


def test_added_and_removed_ids(tmp_path: Path) -> None:
    new = tmp_path / "new"
    shutil.copytree(EXAMPLES / "fast_food", new)
    root = new / "strategy.yaml"
    text = root.read_text(encoding="utf-8")
    text = text.replace(
        "drivers:\n", "drivers:\n  - id: delivery_speed\n    name: 外卖速度\n    rationale: 外卖增长\n", 1
    )
    root.write_text(text, encoding="utf-8")
    code, out, _ = run_cli("diff", str(EXAMPLES / "fast_food"), str(new))
    assert code == 1 and "+ driver delivery_speed (外卖速度)" in out


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_two_git_revisions_of_a_path(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)

    git("init", "-q")
    git("config", "user.email", "t@example.com")
    git("config", "user.name", "t")
    shutil.copytree(EXAMPLES / "manufacturing", repo / "strategy")
    git("add", ".")
    git("commit", "-qm", "v1")
    shutil.rmtree(repo / "strategy")
    _moved(repo / "strategy")
    git("commit", "-qam", "v2")
    with chdir(repo):
        code, out, err = run_cli("diff", "HEAD~1:strategy", "HEAD:strategy")
    assert code == 1, err
    assert "~ item sales_monthly/mix_volume: weight 40 -> 50" in out
    with chdir(repo):
        code, _, err = run_cli("diff", "HEAD~5:strategy", "HEAD:strategy")
    assert code == 2 and "HEAD~5:strategy" in err


def test_revisions_and_per_period_targets_are_differences(tmp_path: Path) -> None:
    new = tmp_path / "new"
    shutil.copytree(EXAMPLES / "manufacturing", new)
    sales = new / "departments" / "sales.yaml"
    text = sales.read_text(encoding="utf-8")
    text = text.replace("    value: 3300\n", "    value: 3400\n", 1)
    sales.write_text(text, encoding="utf-8")
    code, out, _ = run_cli("diff", str(EXAMPLES / "manufacturing"), str(new))
    assert code == 1 and "~ revision" in out and "value 3300 -> 3400" in out


def _repo(folder: Path) -> Callable[..., str]:
    folder.mkdir()

    def git(*args: str, stdin: str | None = None) -> str:
        done = subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True, text=True, input=stdin)
        return done.stdout.strip()

    git("init", "-q")
    git("config", "user.email", "t@example.com")
    git("config", "user.name", "t")
    return git


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_tree_entry_named_dot_dot_is_never_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    git = _repo(tmp_path / "repo")
    blob = git("hash-object", "-w", "--stdin", stdin="stratmap: 1\n")
    inner = git("mktree", stdin=f"100644 blob {blob}\tescaped.yaml\n")
    tree = git("mktree", stdin=f"040000 tree {inner}\t..\n100644 blob {blob}\tstrategy.yaml\n")  # git accepts it
    commit = git("commit-tree", tree, "-m", "hostile")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    with chdir(tmp_path / "repo"):
        code, _, err = run_cli("diff", f"{commit}:.", f"{commit}:.")
    assert code == 2 and "'../escaped.yaml'" in err and "outside the checkout" in err
    assert list(tmp_path.rglob("escaped.yaml")) == []


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_non_ascii_file_names_are_read_from_git(tmp_path: Path) -> None:
    git = _repo(tmp_path / "repo")
    folder = tmp_path / "repo" / "strategy"
    shutil.copytree(EXAMPLES / "manufacturing", folder)
    (folder / "departments" / "sales.yaml").rename(folder / "departments" / "销售部.yaml")
    assert "departments/*.yaml" in (folder / "strategy.yaml").read_text(encoding="utf-8")
    git("add", ".")
    git("commit", "-qm", "v1")
    _moved_in_place(folder / "departments" / "销售部.yaml")
    git("commit", "-qam", "v2")
    with chdir(tmp_path / "repo"):
        code, out, err = run_cli("diff", "HEAD~1:strategy/strategy.yaml", "HEAD:strategy/strategy.yaml")
    assert code == 1, err
    assert "~ item sales_monthly/mix_volume: weight 40 -> 50" in out


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_monorepo_revision_reads_includes_under_the_include_root(tmp_path: Path) -> None:
    git = _repo(tmp_path / "repo")
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLES / "manufacturing", repo / "m")
    (repo / "shared").mkdir()
    (repo / "m" / "departments" / "supply.yaml").rename(repo / "shared" / "supply.yaml")
    root = repo / "m" / "strategy.yaml"
    root.write_text(
        root.read_text(encoding="utf-8").replace(
            "  - departments/*.yaml\n", "  - departments/*.yaml\n  - ../shared/*.yaml\n"
        ),
        encoding="utf-8",
    )
    git("add", ".")
    git("commit", "-qm", "v1")
    with chdir(repo):
        code, out, err = run_cli("diff", "HEAD:m", "m", "--include-root", ".")
        assert (code, out) == (0, "no differences\n"), err
        code, _, err = run_cli("diff", "HEAD:m", "m")
        assert code == 2 and "SM210" in err  # without the wider root the shared file is outside
        code, _, err = run_cli("diff", "--", "-c:m", "m")
        assert code == 2 and "'-c' is not a revision" in err


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_link_in_a_revision_is_refused(tmp_path: Path) -> None:
    git = _repo(tmp_path / "repo")
    link = git("hash-object", "-w", "--stdin", stdin="/etc/passwd")
    blob = git("hash-object", "-w", "--stdin", stdin="stratmap: 1\n")
    tree = git("mktree", stdin=f"100644 blob {blob}\tstrategy.yaml\n120000 blob {link}\tlink.yaml\n")
    commit = git("commit-tree", tree, "-m", "a link")
    with chdir(tmp_path / "repo"):
        code, _, err = run_cli("diff", f"{commit}:.", f"{commit}:.")
    assert code == 2 and "'link.yaml' as a symbolic link" in err
