"""Reading a strategy from a git revision (``REV:PATH``): its files are written out with
``git ls-tree`` and ``git cat-file``, confined to the path's folder, for ``stratmap diff``."""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path


def is_revision(arg: str) -> bool:
    """``REV:PATH`` names a path at a git revision (unless it is an existing path)."""
    return ":" in arg and not os.path.exists(arg) and not (len(arg) > 1 and arg[1] == ":")  # not C:\\


def checkout(arg: str, folder: Path, include_root: str | None = None) -> tuple[Path, Path | None]:
    """Write the strategy files of ``REV:PATH`` under ``folder`` (as they are in that revision).

    Returns the path to read and, with ``include_root`` (a folder of the working tree,
    as ``--include-root`` names it), where that folder is in the checkout: the files
    under it are written, so that includes reaching above PATH's folder are read. The
    names come from ``git ls-tree -z`` (so ``销售部.yaml``
    is not quoted away) and the contents from one ``git cat-file --batch``. Only regular
    blobs are written, and only at a name made of ordinary parts whose place stays inside
    ``folder``: a tree entry named ``..`` (git stores such trees) is refused, never
    followed. Raises ``ValueError`` when git cannot give the files or a name is refused.
    """
    rev, _, path = arg.partition(":")
    path = path or "."
    if rev.startswith("-"):
        raise ValueError(f"{rev!r} is not a revision")  # never an option of git's
    top = _git(["rev-parse", "--show-toplevel"], Path.cwd()).strip()
    if os.path.isabs(path):  # an absolute path: relative to the repository's top
        inside = os.path.relpath(os.path.realpath(path), os.path.realpath(top)).replace(os.sep, "/")
        if inside.startswith(".."):
            raise ValueError(f"{path!r} is outside the repository at {top}")
    else:
        prefix = _git(["rev-parse", "--show-prefix"], Path.cwd()).strip()
        inside = os.path.normpath(os.path.join(prefix, path)).replace(os.sep, "/")
    inside = "" if inside == "." else inside
    entries = _tree(rev, inside or ".", Path(top))
    if not entries:
        raise ValueError(f"{path!r} does not exist at revision {rev!r}")
    wider: str | None = None
    if include_root is not None:
        wider = os.path.relpath(os.path.realpath(include_root), os.path.realpath(top)).replace(os.sep, "/")
        if wider.startswith(".."):
            raise ValueError(f"the include root {include_root!r} is outside the repository at {top}")
        wider = "" if wider == "." else wider
        if wider and inside != wider and not inside.startswith(wider + "/"):
            raise ValueError(f"{path!r} is not inside the include root {include_root!r}")
        entries = _tree(rev, wider or ".", Path(top))
    elif [name for _, name in entries] == [inside]:  # a root file: its folder too, for the files it includes
        entries = _tree(rev, os.path.dirname(inside) or ".", Path(top))
    wanted = [(obj, name) for obj, name in entries if name.endswith((".yaml", ".yml"))]
    base = os.path.realpath(folder)
    targets = [_target(base, name) for _, name in wanted]
    for target, data in zip(targets, _blobs([obj for obj, _ in wanted], Path(top)), strict=True):
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "xb") as fh:  # never through a file or link already there
            fh.write(data)
    root = None if wider is None else (folder / wider if wider else folder)
    return (folder / inside if inside else folder), root


def _tree(rev: str, where: str, top: Path) -> list[tuple[str, str]]:
    """(object id, path) of every regular file under ``where`` at ``rev``."""
    out = _git(["ls-tree", "-r", "-z", "--full-tree", rev, "--", where], top)
    entries = []
    for record in out.split("\0"):
        if not record:
            continue
        meta, _, name = record.partition("\t")
        mode, kind, obj = meta.split(" ")
        if kind == "blob" and mode in ("100644", "100755"):  # no submodules
            entries.append((obj, name))
        elif mode == "120000" and name.endswith((".yaml", ".yml")):
            raise ValueError(f"the revision holds {name!r} as a symbolic link; links in a revision are not followed")
    return entries


def _target(base: str, name: str) -> str:
    """Where the file ``name`` of a tree goes under ``base``; ValueError when it would leave it."""
    parts = name.split("/")
    if any(part in ("", ".", "..") or "\\" in part or "\0" in part for part in parts) or os.path.isabs(name):
        raise ValueError(f"the revision holds a file named {name!r}, which would be written outside the checkout")
    target = os.path.join(base, *parts)
    real = os.path.realpath(os.path.dirname(target))
    if real != base and not real.startswith(base + os.sep):
        raise ValueError(f"the revision holds a file named {name!r}, which would be written outside the checkout")
    return target


def _blobs(objects: Sequence[str], top: Path) -> list[bytes]:
    """The contents of ``objects``, in order, from one ``git cat-file --batch``."""
    if not objects:
        return []
    try:
        done = subprocess.run(
            ["git", "cat-file", "--batch"],
            cwd=top,
            input="".join(f"{obj}\n" for obj in objects).encode("ascii"),
            capture_output=True,
            check=False,
        )
    except OSError as err:
        raise ValueError(f"git is not available: {err}") from None
    if done.returncode != 0:
        raise ValueError(done.stderr.decode("utf-8", "replace").strip() or "git cat-file failed")
    out, at, blobs = done.stdout, 0, []
    for obj in objects:
        end = out.index(b"\n", at)
        header = out[at:end].split(b" ")
        if len(header) != 3 or header[1] != b"blob":
            raise ValueError(f"git cannot give object {obj}: {out[at:end].decode('utf-8', 'replace')}")
        size = int(header[2])
        blobs.append(out[end + 1 : end + 1 + size])
        at = end + 1 + size + 1  # the contents end with a newline
    return blobs


def _git(args: list[str], cwd: Path) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except OSError as err:
        raise ValueError(f"git is not available: {err}") from None
    if done.returncode != 0:
        raise ValueError(done.stderr.strip() or f"git {' '.join(args)} failed")
    return done.stdout


def temporary_folder() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="stratmap-diff-")
