"""A parsed YAML document and where each of its nodes came from."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from stratmap.diagnostics import Location

Path = tuple[str | int, ...]


#: 1-based (line, column, end line, end column) of a node; plain tuples keep loading fast.
Span = tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds that keep a hostile or mistaken file from exhausting the machine.

    ``include_root`` is the folder every included file must lie in (after following
    symbolic links); ``None`` means the folder of the strategy's root file. Widen it for a
    monorepo whose strategies share files above their own folders. ``max_glob_entries``
    bounds the folder entries the ``include:`` globs of one run may look at, together.
    """

    max_bytes: int = 64 * 1024 * 1024
    max_depth: int = 48
    include_root: str | os.PathLike[str] | None = None
    max_glob_entries: int = 100_000

    def __post_init__(self) -> None:
        for name in ("max_bytes", "max_depth", "max_glob_entries"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise TypeError(f"Limits.{name} is a whole number of at least 1, not {value!r}")
        if self.include_root is not None and not isinstance(self.include_root, str | os.PathLike):
            raise TypeError(f"Limits.include_root is a folder path, not {type(self.include_root).__name__}")


#: The limits used when none are given.
DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class LocatedDocument:
    """The data of one file plus the positions of its nodes.

    ``data`` is ``None`` when the file could not be parsed at all. ``values`` maps a
    node's JSON path to its span; ``keys`` maps the path of a mapping entry to the
    span of its key. Positions live beside the data, never inside it. ``flagged`` holds
    the paths of nodes the reader reported and replaced by a stand-in value.

    ``removed`` is set on a copy whose data lost some list entries (the sound parts of a
    document with errors, :mod:`stratmap.load.prune`): for each list, by its path as
    written, the indexes taken out. Paths into ``data`` are then translated to the paths
    as written, so that every position and every reported path stays the file's own.
    """

    file: str
    data: dict[str, Any] | None
    values: dict[Path, Span] = field(default_factory=dict)
    keys: dict[Path, Span] = field(default_factory=dict)
    flagged: frozenset[Path] = frozenset()
    removed: Mapping[Path, tuple[int, ...]] = field(default_factory=dict)

    def written(self, path: Path) -> Path:
        """The path as written in the file of a path into ``data``."""
        if not self.removed:
            return path
        out: list[str | int] = []
        for part in path:
            if isinstance(part, int):
                for gone in self.removed.get(tuple(out), ()):  # ascending
                    if gone <= part:
                        part += 1
            out.append(part)
        return tuple(out)

    def span(self, path: Path) -> Span | None:
        """The span of the value at ``path`` (a path into ``data``), if known."""
        return self.values.get(self.written(path))

    def key_span(self, path: Path) -> Span | None:
        """The span of the key of the mapping entry at ``path``, if known."""
        return self.keys.get(self.written(path))

    def has_key(self, path: Path) -> bool:
        """Whether the node at ``path`` is a mapping entry with a located key."""
        return self.written(path) in self.keys

    def is_flagged(self, path: Path) -> bool:
        """Whether the reader already reported the node at ``path`` (or one above it).

        Later stages stay quiet about such nodes: their value is a stand-in.
        """
        flagged = self.flagged
        if not flagged:
            return False
        path = self.written(path)
        return any(path[:i] in flagged for i in range(len(path) + 1))

    def locate(self, path: Path, *, key: bool = True) -> Location:
        """The location of the node at ``path``: its key when it has one and ``key``."""
        path = self.written(path)
        span = None
        if key:
            span = self.keys.get(path)
        if span is None:
            span = self.values.get(path)
        probe = path
        while span is None and probe:
            probe = probe[:-1]
            span = self.keys.get(probe) or self.values.get(probe)
        if span is None:
            return Location(self.file, 1, 1, path=path)
        return Location(self.file, span[0], span[1], span[2], span[3], path)

    def locate_mapping(self, path: Path) -> Location:
        """Where a mapping starts: its own key if it is a value, else its first node."""
        if self.has_key(path):
            return self.locate(path)
        return self.locate(path, key=False)
