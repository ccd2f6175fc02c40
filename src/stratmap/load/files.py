"""Find strategy files, follow ``include:`` and group files into strategies.

A *root* is a file that declares ``organisation``; its strategy is the root plus every
file it includes, directly or through other files. Files named on the command line (or
found in a folder) that no root reaches are *orphans*: they are still read and checked
on their own, and reported with SM208.

In a folder, ``*.yaml`` and ``*.yml`` files are strategy files when they carry a
top-level ``stratmap:`` key; other YAML files (CI configs and the like) are skipped.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from stratmap.diagnostics import Diagnostic, Location
from stratmap.load.document import DEFAULT_LIMITS, Limits, LocatedDocument
from stratmap.load.reader import read_document

_SKIP_DIRS = frozenset({".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".mypy_cache"})
_SUFFIXES = (".yaml", ".yml")
SUPPORTED_VERSIONS = frozenset({1})


@dataclass(frozen=True)
class StrategyFiles:
    """The documents of one strategy: the root first, then its includes in order."""

    root: LocatedDocument
    documents: tuple[LocatedDocument, ...]


@dataclass(frozen=True)
class FileSet:
    """Everything read for one run."""

    strategies: tuple[StrategyFiles, ...]
    orphans: tuple[LocatedDocument, ...]
    documents: tuple[LocatedDocument, ...]
    diagnostics: tuple[Diagnostic, ...] = field(default=())


def _discover(folder: Path, shown: str) -> list[tuple[Path, str]]:
    found: list[tuple[Path, str]] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS and not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith(_SUFFIXES):
                full = Path(dirpath) / name
                rel = os.path.relpath(full, folder)
                found.append((full, os.path.normpath(os.path.join(shown, rel))))
    return found


def _looks_like_strategy(path: Path, limits: Limits) -> bool:
    """Worth reading: it mentions ``stratmap``, or it is not UTF-8 (so it could, unseen),
    or it is over the size limit (the reader reports SM106 without reading it all)."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(limits.max_bytes + 1)
    except OSError:
        return True  # let the reader report it
    if len(raw) > limits.max_bytes:
        return True
    if b"stratmap" in raw:
        return True
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return True  # e.g. UTF-16 or GB18030: the reader reports SM101
    return False


class _Reader:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.docs: dict[str, LocatedDocument] = {}
        self.diagnostics: list[Diagnostic] = []

    def read(self, path: Path, shown: str, *, discovered: bool = False) -> LocatedDocument | None:
        """Read a file once. A discovered file without ``stratmap:`` is no strategy file: None."""
        key = os.path.realpath(path)
        doc = self.docs.get(key)
        if doc is None:
            doc, diags = read_document(path, self.limits, display=shown)
            if discovered and doc.data is not None and "stratmap" not in doc.data:
                return None
            self.diagnostics.extend(diags)
            doc = self._check_version(doc)
            self.docs[key] = doc
        return doc

    def must_read(self, path: Path, shown: str) -> LocatedDocument:
        doc = self.read(path, shown)
        assert doc is not None
        return doc

    def _check_version(self, doc: LocatedDocument) -> LocatedDocument:
        if doc.data is None:
            return doc
        if "stratmap" not in doc.data:
            self.diagnostics.append(
                Diagnostic.make(
                    "SM112",
                    Location(doc.file, 1, 1),
                    problem="'stratmap: 1' (the format version) is missing",
                    problem_zh="缺少“stratmap: 1”(格式版本)",
                )
            )
            return LocatedDocument(doc.file, None)
        version = doc.data["stratmap"]
        if type(version) is not int or version not in SUPPORTED_VERSIONS:
            shown = "quoted text " + repr(version) if isinstance(version, str) else str(version).lower()
            self.diagnostics.append(
                Diagnostic.make(
                    "SM112",
                    doc.locate(("stratmap",), key=False),
                    problem=f"format version {shown} is not supported; write the number 1 (this stratmap reads 1)",
                    problem_zh=f"不支持格式版本 {shown};请写数字 1(本版 stratmap 读取版本 1)",
                )
            )
            return LocatedDocument(doc.file, None)
        return doc


def _includes(doc: LocatedDocument, reader: _Reader) -> list[tuple[int, Path, str]]:
    """(index of the include entry, path, shown name) for each file ``doc`` includes."""
    data = doc.data or {}
    entries = data.get("include")
    if not isinstance(entries, list):
        return []
    base_real = Path(doc.file).parent
    out: list[tuple[int, Path, str]] = []
    for i, pattern in enumerate(entries):
        if not isinstance(pattern, str) or not pattern:
            continue  # the schema reports it
        joined = os.path.normpath(os.path.join(base_real, pattern))
        if glob.has_magic(pattern):
            own = os.path.realpath(doc.file)
            matches = sorted(
                m for m in glob.glob(joined, recursive=True) if os.path.isfile(m) and os.path.realpath(m) != own
            )
        else:
            matches = [joined] if os.path.isfile(joined) else []
        if not matches:
            reader.diagnostics.append(Diagnostic.make("SM204", doc.locate(("include", i), key=False), pattern=pattern))
        for m in matches:
            out.append((i, Path(m), m))
    return out


def _closure(root: LocatedDocument, reader: _Reader) -> list[LocatedDocument]:
    """The root and every file it includes, depth first, in include order.

    Iterative, so that a long chain of includes cannot exhaust Python's stack; a file
    already on the current chain closes a cycle (SM205).
    """
    ordered: list[LocatedDocument] = [root]
    seen: set[str] = {os.path.realpath(root.file)}
    chain: list[tuple[LocatedDocument, Iterator[tuple[int, Path, str]]]] = [(root, iter(_includes(root, reader)))]
    on_chain: list[str] = [os.path.realpath(root.file)]
    while chain:
        doc, pending = chain[-1]
        step = next(pending, None)
        if step is None:
            chain.pop()
            on_chain.pop()
            continue
        index, path, shown = step
        child = reader.must_read(path, shown)
        child_key = os.path.realpath(child.file)
        if child_key in on_chain:
            start = on_chain.index(child_key)
            cycle = " -> ".join([*(d.file for d, _ in chain[start:]), child.file])
            reader.diagnostics.append(Diagnostic.make("SM205", doc.locate(("include", index), key=False), cycle=cycle))
            continue
        if child_key in seen:
            continue
        seen.add(child_key)
        ordered.append(child)
        chain.append((child, iter(_includes(child, reader))))
        on_chain.append(child_key)
    return ordered


def collect(
    paths: Sequence[str | os.PathLike[str]],
    *,
    limits: Limits = DEFAULT_LIMITS,
    follow_includes: bool = True,
    skip_unmarked: bool = False,
) -> FileSet:
    """Read ``paths`` (files or folders) and group them into strategies.

    Files found in folders are strategy files when they carry ``stratmap:``; files named
    directly must carry it (SM112) unless ``skip_unmarked``, which treats them like files
    found in a folder (for hooks that receive every changed YAML file).
    """
    reader = _Reader(limits)
    given: list[LocatedDocument] = []
    for raw in paths:
        path = Path(raw)
        shown = os.fspath(raw)
        if path.is_dir():
            for full, name in _discover(path, shown):
                if _looks_like_strategy(full, limits):
                    doc = reader.read(full, name, discovered=True)
                    if doc is not None:
                        given.append(doc)
        elif path.exists():
            doc = reader.read(path, shown, discovered=skip_unmarked)
            if doc is not None:
                given.append(doc)
        else:
            reader.diagnostics.append(
                Diagnostic.make("SM100", Location(shown), path=shown, reason="no such file or folder")
            )
    given = _unique(given)
    if not follow_includes:
        return FileSet((), tuple(given), tuple(given), tuple(reader.diagnostics))

    roots = [d for d in given if d.data is not None and "organisation" in d.data]
    strategies: list[StrategyFiles] = []
    reached: set[str] = set()
    for root in roots:
        if os.path.realpath(root.file) in reached:
            continue  # included by an earlier root; SM207 reports the second organisation
        docs = _closure(root, reader)
        reached.update(os.path.realpath(d.file) for d in docs)
        strategies.append(StrategyFiles(root, tuple(docs)))
    orphans = [d for d in given if os.path.realpath(d.file) not in reached]
    for doc in orphans if strategies else ():  # with no root at all, SM206 says it once
        if doc.data is not None:
            reader.diagnostics.append(Diagnostic.make("SM208", Location(doc.file, 1, 1)))
    every = _unique([*given, *(d for s in strategies for d in s.documents)])
    return FileSet(tuple(strategies), tuple(orphans), tuple(every), tuple(reader.diagnostics))


def _unique(docs: Iterable[LocatedDocument]) -> list[LocatedDocument]:
    seen: set[str] = set()
    out: list[LocatedDocument] = []
    for d in docs:
        key = os.path.realpath(d.file)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out
