"""Finding files: no FIFO, socket or device is opened, and includes stay in the strategy's folder."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from stratmap import Limits, check
from stratmap.data import read_table
from stratmap.load import collect
from tests.helpers import MINIMAL, chdir, run_cli, write_files

T = TypeVar("T")
DEPT = "stratmap: 1\ndepartments:\n  - id: sales\n    name: 销售部\n"


def _codes(diags: object) -> list[tuple[str, str]]:
    return [(d.code, d.location.file) for d in diags]  # type: ignore[attr-defined]


def _root(include: str) -> str:
    return MINIMAL + f"include: [{include}]\n"


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    """A FIFO named like a strategy file, in a folder: opening it to read would block."""
    path = tmp_path / "strategy" / "pipe.yaml"
    path.parent.mkdir()
    os.mkfifo(path)
    return path


def _within(seconds: float, work: Callable[[], T]) -> T:
    """``work()``, failing the test instead of hanging when it blocks."""
    done: list[T] = []
    worker = threading.Thread(target=lambda: done.append(work()), daemon=True)
    worker.start()
    worker.join(seconds)
    assert done, f"still running after {seconds} s: it blocked"
    return done[0]


def test_a_fifo_in_a_folder_is_reported_and_never_opened(fifo: Path) -> None:
    write_files(fifo.parent, {"strategy.yaml": MINIMAL})
    found = _within(10, lambda: check(fifo.parent))
    assert [(d.code, Path(d.location.file).name) for d in found] == [("SM100", "pipe.yaml")]
    assert "FIFO" in found[0].message("en")


def test_a_fifo_named_or_included_is_reported_and_never_opened(fifo: Path) -> None:
    write_files(fifo.parent, {"strategy.yaml": _root("pipe.yaml"), "glob.yaml": _root("'*.yaml'")})
    assert [d.code for d in _within(10, lambda: check(fifo))] == ["SM100"]
    named = _within(10, lambda: check(fifo.parent / "strategy.yaml"))
    assert [(d.code, d.location.line) for d in named] == [("SM100", 5)]
    assert "pipe.yaml" in named[0].message("en")
    globbed = _within(10, lambda: check(fifo.parent / "glob.yaml"))
    assert ("SM100", 5) in [(d.code, d.location.line) for d in globbed]


def test_a_socket_and_a_device_are_refused(tmp_path: Path) -> None:
    write_files(tmp_path, {"strategy.yaml": _root("dev.yaml")})
    (tmp_path / "dev.yaml").symlink_to("/dev/zero")
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(tmp_path / "sock.yaml"))
        with chdir(tmp_path):
            found = check(".")
        got = sorted((d.code, Path(d.location.file).name, d.location.line) for d in found)
        # the link to a device leads outside the folder, in the walk and in the include;
        # the socket is no file
        assert got == [("SM100", "sock.yaml", 0), ("SM210", "dev.yaml", 0), ("SM210", "strategy.yaml", 5)]
        assert any("a socket, not a regular file" in d.message("en") for d in found)
        named = check("/dev/zero")
        assert [d.code for d in named] == ["SM100"] and "a device, not a regular file" in named[0].message("en")
    finally:
        server.close()


def test_a_data_table_from_a_device_is_refused_and_a_pipe_is_read(tmp_path: Path) -> None:
    table = read_table("/dev/zero", "actuals")
    assert [d.code for d in table.problems] == ["SM501"]
    assert "device" in table.problems[0].message("en")
    pipe = tmp_path / "actuals.csv"
    os.mkfifo(pipe)

    def feed() -> None:
        with open(pipe, "w", encoding="utf-8") as fh:
            fh.write("entity,kpi,period,value\nann,sales,2026-03,5\n")

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    table = read_table(pipe, "actuals")
    writer.join(timeout=5)
    assert table.problems == () and len(table.rows) == 1


@pytest.mark.parametrize(
    "include",
    [
        "/etc/passwd",
        "../outside.yaml",
        "sub/../../outside.yaml",
        "'../*.yaml'",
        "'*/../../outside.yaml'",
        "'/usr/**'",
        "'~/x.yaml'",
    ],
)
def test_an_include_outside_the_root_folder_is_an_error(tmp_path: Path, include: str) -> None:
    write_files(tmp_path, {"outside.yaml": DEPT, "strategy/strategy.yaml": _root(include), "strategy/sub/a.yaml": DEPT})
    found = check(tmp_path / "strategy" / "strategy.yaml")
    assert [(d.code, d.location.line, d.location.column) for d in found] == [("SM210", 5, 11)]
    assert "the strategy's folder" in found[0].message("en")


def test_a_symlink_out_of_the_folder_is_an_error_in_includes_globs_and_walks(tmp_path: Path) -> None:
    write_files(tmp_path, {"elsewhere/dept.yaml": DEPT, "strategy/strategy.yaml": _root("'departments/*.yaml'")})
    (tmp_path / "strategy" / "departments").mkdir()
    (tmp_path / "strategy" / "departments" / "dept.yaml").symlink_to(tmp_path / "elsewhere" / "dept.yaml")
    found = check(tmp_path / "strategy" / "strategy.yaml")
    assert [(d.code, d.location.line) for d in found] == [("SM210", 5)]
    assert str(tmp_path / "elsewhere" / "dept.yaml") in found[0].message("en")
    walked = check(tmp_path / "strategy")  # the walk meets the link too, and reports it once per way in
    assert {d.code for d in walked} == {"SM210"}


def test_a_wider_include_root_is_an_explicit_opt_in(tmp_path: Path) -> None:
    write_files(tmp_path, {"shared/dept.yaml": DEPT, "strategy/strategy.yaml": _root("../shared/dept.yaml")})
    root = tmp_path / "strategy" / "strategy.yaml"
    assert [d.code for d in check(root)] == ["SM210"]
    assert check(root, limits=Limits(include_root=str(tmp_path)), ignore=["SM3"]) == []
    code, out, _ = run_cli("validate", str(root), "--include-root", str(tmp_path), "--ignore", "SM3")
    assert code == 0, out
    code, out, _ = run_cli("validate", str(root))
    assert code == 1 and "SM210" in out and "--include-root" in out


def test_a_symlink_inside_the_folder_is_followed(tmp_path: Path) -> None:
    write_files(tmp_path, {"strategy/strategy.yaml": _root("'departments/*.yaml'"), "strategy/real/dept.yaml": DEPT})
    (tmp_path / "strategy" / "departments").mkdir()
    (tmp_path / "strategy" / "departments" / "dept.yaml").symlink_to(tmp_path / "strategy" / "real" / "dept.yaml")
    assert check(tmp_path / "strategy" / "strategy.yaml", ignore=["SM3"]) == []


def test_globs_match_like_the_shell_and_do_not_follow_folder_links(tmp_path: Path) -> None:
    files = {
        "strategy.yaml": _root("'**/*.yaml'"),
        "a/one.yaml": DEPT,
        "a/b/two.yaml": DEPT.replace("sales", "ops"),
        "a/.hidden/three.yaml": DEPT.replace("sales", "hr"),
        ".hidden.yaml": DEPT.replace("sales", "it"),
    }
    write_files(tmp_path, files)
    for n in range(3):  # link cycles: '**' would walk 2**depth paths if it followed them
        (tmp_path / "a" / f"loop{n}").symlink_to(tmp_path)
    fileset = collect([tmp_path / "strategy.yaml"])
    assert fileset.diagnostics == ()
    names = [Path(d.file).relative_to(tmp_path).as_posix() for d in fileset.strategies[0].documents]
    assert names == ["strategy.yaml", "a/b/two.yaml", "a/one.yaml"]


def test_a_glob_is_bounded(tmp_path: Path) -> None:
    write_files(tmp_path, {"strategy.yaml": _root("'**/*.yaml'")})
    for n in range(30):
        (tmp_path / f"d{n}").mkdir()
    found = check(tmp_path / "strategy.yaml", limits=Limits(max_glob_entries=10))
    assert [(d.code, d.location.line) for d in found] == [("SM211", 5)]
    assert "look at more than 10 folder entries" in found[0].message("en")


def test_a_fifo_given_as_a_data_file_is_read_only_while_written(tmp_path: Path) -> None:
    pipe = tmp_path / "actuals.csv"
    os.mkfifo(pipe)
    table = _within(10, lambda: read_table(pipe, "actuals"))  # nobody writes to it: no hang
    assert [d.code for d in table.problems] == ["SM501"]
    assert "nothing was written to" in table.problems[0].message("en")


def test_the_glob_bound_is_for_the_whole_run(tmp_path: Path) -> None:
    globs = ", ".join(f"'d{n}/**/*.yaml'" for n in range(6))
    write_files(tmp_path, {"strategy.yaml": _root(globs)})
    for n in range(6):
        for m in range(5):
            (tmp_path / f"d{n}" / f"e{m}").mkdir(parents=True)
    found = check(tmp_path / "strategy.yaml", limits=Limits(max_glob_entries=40))
    assert "SM211" in {d.code for d in found}  # each glob alone looks at 30 entries; together more than 40


def test_why_an_include_is_outside_is_said(tmp_path: Path) -> None:
    write_files(tmp_path, {"strategy.yaml": _root("/usr/x.yaml, 'departments/*.yaml/..'")})
    messages = [d.message("en") for d in check(tmp_path / "strategy.yaml", limits=Limits(include_root="/"))]
    assert any("is an absolute path" in m for m in messages)
    assert any("has '..' after a wildcard" in m for m in messages)
