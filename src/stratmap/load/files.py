"""Find strategy files, follow ``include:`` and group files into strategies.

A *root* is a file that declares ``organisation``; its strategy is the root plus every
file it includes, directly or through other files. Files named on the command line (or
found in a folder) that no root reaches are *orphans*: they are still read and checked
on their own, and reported with SM208.

In a folder, ``*.yaml`` and ``*.yml`` files are strategy files when they carry a
top-level ``stratmap:`` key; other YAML files (CI configs and the like) are skipped.
"""

from __future__ import annotations

import fnmatch
import glob
import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from stratmap._files import not_regular
from stratmap.diagnostics import Diagnostic, Location
from stratmap.i18n import Text
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
    or it is over the size limit (the reader reports SM106 without reading it all), or
    it is no regular file (a FIFO, a socket, a device: the reader reports it unopened)."""
    if _not_regular(os.fspath(path)) is not None:
        return True
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
        #: folder entries the globs of the whole run may still look at
        self.glob_budget = limits.max_glob_entries
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
                    problem=Text("'stratmap: 1' (the format version) is missing", "缺少“stratmap: 1”(格式版本)"),
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
                    problem=Text(
                        f"format version {shown} is not supported; write the number 1 (this stratmap reads 1)",
                        f"不支持格式版本 {shown};请写数字 1(本版 stratmap 读取版本 1)",
                    ),
                )
            )
            return LocatedDocument(doc.file, None)
        return doc


def _inside(real: str, boundary: str) -> bool:
    return real == boundary or real.startswith(boundary.rstrip(os.sep) + os.sep)


def _not_regular(path: str) -> str | None:
    """Why ``path`` is no file to read (following links), or None for a regular file."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    return None if stat.S_ISREG(mode) else not_regular(mode)


#: Why an include is outside the folder: (en, zh), completed by "the strategy's folder".
_WHY = {
    "leads": ("leads outside", "指向"),
    "absolute": (
        "is an absolute path; includes are relative to the including file and stay inside",
        "是绝对路径;include 相对于当前文件,且只能位于",
    ),
    "wildcard": (
        "has '..' after a wildcard, which could lead anywhere; includes stay inside",
        "在通配符之后含有“..”,可能指向任何位置;include 只能位于",
    ),
}


def _outside(where: Location, shown: str, real: str, boundary: str, why: str = "leads") -> Diagnostic:
    via = f" (to {real})" if real != shown else ""
    via_zh = f"(实际为 {real})" if real != shown else ""
    en, zh = _WHY[why]
    return Diagnostic.make("SM210", where, path=shown, real=Text(via, via_zh), root=boundary, why=Text(en, zh))


def _match_glob(start: str, parts: Sequence[str], budget: int) -> tuple[list[str], bool, int]:
    """Paths under ``start`` matching the glob ``parts`` (shell rules, ``**`` any depth).

    Names starting with ``.`` match only a part that starts with ``.``, as in ``glob``;
    ``**`` does not descend into symbolic links to folders, so a link cycle cannot make
    the walk endless. Returns the matches, whether ``budget`` folder entries ran out, and
    the budget left.
    """
    found: list[str] = []
    pending: list[tuple[str, int]] = [(start, 0)]
    done: set[tuple[str, int]] = set()
    last = len(parts) - 1
    while pending:
        folder, index = pending.pop()
        if (folder, index) in done:
            continue
        done.add((folder, index))
        part = parts[index]
        if part == "**" and index < last:
            pending.append((folder, index + 1))  # '**' matches no folder at all, too
        if not glob.has_magic(part) and part != "**":
            child = os.path.join(folder, part)
            if index == last:
                if os.path.lexists(child):
                    found.append(child)
            elif os.path.isdir(child):
                pending.append((child, index + 1))
            continue
        try:
            with os.scandir(folder) as entries:
                listing = list(entries)
        except OSError:
            continue
        budget -= len(listing)
        if budget < 0:
            return found, True, 0
        for entry in listing:
            name = entry.name
            if name.startswith(".") and not part.startswith("."):
                continue
            if part == "**":
                if entry.is_dir(follow_symlinks=False):
                    pending.append((entry.path, index))
                elif index == last:
                    found.append(entry.path)
            elif fnmatch.fnmatchcase(name, part):
                if index == last:
                    found.append(entry.path)
                elif entry.is_dir():
                    pending.append((entry.path, index + 1))
    return found, False, budget


def _includes(doc: LocatedDocument, reader: _Reader, boundary: str) -> list[tuple[int, Path, str]]:
    """(index of the include entry, path, shown name) for each file ``doc`` includes.

    Every included file lies in ``boundary`` (a real path) after following links; one
    that does not, a non-file and a glob that looks at too many entries are reported at
    the entry and skipped.
    """
    data = doc.data or {}
    entries = data.get("include")
    if not isinstance(entries, list):
        return []
    base = os.path.dirname(doc.file)
    own = os.path.realpath(doc.file)
    out: list[tuple[int, Path, str]] = []
    for i, pattern in enumerate(entries):
        if not isinstance(pattern, str) or not pattern:
            continue  # the schema reports it
        where = doc.locate(("include", i), key=False)

        def outside(shown: str, real: str, why: str = "leads", *, where: Location = where) -> None:
            reader.diagnostics.append(_outside(where, shown, real, boundary, why))

        if os.path.isabs(pattern) or pattern.startswith("~"):
            outside(pattern, pattern, "absolute")
            continue
        parts = [p for p in pattern.replace(os.sep, "/").split("/") if p not in ("", ".")]
        fixed = 0
        while fixed < len(parts) and not glob.has_magic(parts[fixed]):
            fixed += 1
        start = os.path.normpath(os.path.join(base, *parts[:fixed])) if fixed else os.path.normpath(base or ".")
        if fixed == len(parts):  # a plain path
            candidates, overflow = [start], False
        elif ".." in parts[fixed:]:
            outside(pattern, pattern, "wildcard")  # where it lands depends on the match
            continue
        elif not _inside(os.path.realpath(start), boundary):
            outside(pattern, os.path.realpath(start))
            continue
        else:
            candidates, overflow, left = _match_glob(start, parts[fixed:], reader.glob_budget)
            reader.glob_budget = left
            if overflow:
                reader.diagnostics.append(
                    Diagnostic.make("SM211", where, pattern=pattern, limit=reader.limits.max_glob_entries)
                )
                continue
        matched = 0
        for shown in sorted(candidates):
            real = os.path.realpath(shown)
            if fixed < len(parts) and (real == own or os.path.isdir(shown)):
                continue  # a glob takes files only, and never the including file
            if not _inside(real, boundary):
                outside(shown, real)
                matched += 1
                continue
            if not os.path.lexists(shown):
                continue
            matched += 1
            reason = _not_regular(shown)
            if reason is not None:
                reader.diagnostics.append(Diagnostic.make("SM100", where, path=shown, reason=reason))
                continue
            out.append((i, Path(shown), shown))
        if not matched:
            reader.diagnostics.append(Diagnostic.make("SM204", where, pattern=pattern))
    return out


def _closure(root: LocatedDocument, reader: _Reader) -> list[LocatedDocument]:
    """The root and every file it includes, depth first, in include order.

    Iterative, so that a long chain of includes cannot exhaust Python's stack; a file
    already on the current chain closes a cycle (SM205). Includes stay inside the
    root file's folder, or ``Limits.include_root`` when given (SM210).
    """
    wider = reader.limits.include_root
    boundary = os.path.realpath(wider if wider is not None else os.path.dirname(root.file) or ".")
    ordered: list[LocatedDocument] = [root]
    seen: set[str] = {os.path.realpath(root.file)}
    chain: list[tuple[LocatedDocument, Iterator[tuple[int, Path, str]]]] = [
        (root, iter(_includes(root, reader, boundary)))
    ]
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
        chain.append((child, iter(_includes(child, reader, boundary))))
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
            walked = os.path.realpath(limits.include_root if limits.include_root is not None else path)
            for full, name in _discover(path, shown):
                real = os.path.realpath(full)
                if not _inside(real, walked):  # a link to a file elsewhere
                    if _looks_like_strategy(Path(real), limits):
                        reader.diagnostics.append(_outside(Location(name), name, real, walked))
                    continue
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
