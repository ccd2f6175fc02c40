"""The sound parts of a strategy whose files have errors, so that every check runs in one pass.

A strategy with a reading, schema, reference or formula error cannot be evaluated, but
the model checks (SM3xx) can still look at the parts that are sound. ``sound_parts``
takes out what each error is about, as little as it can, and checks again until no
error is left:

- a reference in a list of references (``serves: [typo]``): that entry;
- a key of a list entry (``weight: "40%"``, ``direction: up``): that key; if the entry
  needs the key, the next round reports it missing and the entry goes;
- a list entry itself (a KPI without an id): the entry.

It says which entries lost something: findings about them would be about a half-read
entry. (Checks that follow links across the cascade do not run on sound parts at all:
what they find missing could be missing only because of an error.)
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from stratmap.diagnostics import Diagnostic, Severity
from stratmap.load.document import LocatedDocument, Path

#: Lists whose entries are references: an unknown one is taken out alone.
REFERENCE_LISTS = frozenset(
    {"serves", "answers", "holds_back", "include", "tie_break", "conflicts_with", "cascades_to", "holds"}
)
#: Top-level keys without which there is no strategy at all.
ESSENTIAL = frozenset({"stratmap", "organisation"})
#: Rounds of taking out and checking again before giving up.
MAX_ROUNDS = 8


@dataclass(frozen=True)
class SoundParts:
    """Documents without the parts that have errors, and what was taken out."""

    documents: tuple[LocatedDocument, ...]
    #: ids of the entries something was taken out of, or that were taken out
    touched: frozenset[str]
    #: (file, path as written) of those entries
    touched_paths: frozenset[tuple[str, Path]]


def prunable(diagnostic: Diagnostic) -> bool:
    """Errors that make a part unsound: reading, schema, references and formulas."""
    return diagnostic.severity is Severity.ERROR and not diagnostic.code.startswith(("SM3", "SM5"))


def sound_parts(
    documents: Sequence[LocatedDocument],
    errors: Iterable[Diagnostic],
    recheck: Callable[[Sequence[LocatedDocument]], list[Diagnostic]],
) -> SoundParts | None:
    """The sound parts of ``documents`` given their ``errors``; ``recheck`` finds the
    errors of a pruned set. None when no sound model is left (the organisation itself is
    in error, or taking parts out does not end the errors)."""
    docs = {doc.file: _Pruning(doc) for doc in documents}
    pending = [d for d in errors if prunable(d)]
    for _ in range(MAX_ROUNDS):
        progress = False
        for diagnostic in pending:
            pruning = docs.get(diagnostic.location.file)
            path = diagnostic.location.path
            if pruning is None or pruning.data is None or not path:
                continue  # an unread file has no parts; the rest stands without it
            outcome = pruning.take_out(path)
            if outcome == "essential":
                return None
            progress = progress or outcome != "gone"
        every = tuple(p.document() for p in docs.values())  # unread ones too: references into them are not errors
        current = tuple(doc for doc in every if doc.data is not None)
        pending = [d for d in recheck(every) if prunable(d)]
        if not pending:
            touched = {i for p in docs.values() for i in p.touched_ids}
            paths = {(p.file, t) for p in docs.values() for t in p.touched}
            return SoundParts(current, frozenset(touched), frozenset(paths))
        if not progress:
            return None
    return None


class _Pruning:
    """One document being pruned: a copy of its data and the entries taken out so far."""

    def __init__(self, doc: LocatedDocument) -> None:
        self.original = doc
        self.file = doc.file
        self.data: dict[str, Any] | None = copy.deepcopy(doc.data)
        self.removed: dict[Path, list[int]] = {}
        self.touched: set[Path] = set()
        self.touched_ids: set[str] = set()

    def document(self) -> LocatedDocument:
        removed = {path: tuple(sorted(indexes)) for path, indexes in self.removed.items()}
        return replace(self.original, data=self.data, removed=removed)

    def _current(self, written: Path) -> Path | None:
        """The path into the pruned data of a path as written; None when it was taken out."""
        out: list[str | int] = []
        for i, part in enumerate(written):
            if isinstance(part, int):
                gone = self.removed.get(written[:i], [])
                if part in gone:
                    return None
                part -= sum(1 for g in gone if g < part)
            out.append(part)
        return tuple(out)

    def take_out(self, written: Path) -> str:
        """Take out what an error at ``written`` is about: 'taken', 'essential' (it is what
        makes a strategy: nothing is taken), or 'gone' when it was taken out already."""
        path = self._current(written)
        if path is None or not _exists(self.data, path):
            return "gone"
        last_index = max((i for i, part in enumerate(path) if isinstance(part, int)), default=None)
        if last_index is None:
            if len(path) == 1 and path[0] in ESSENTIAL:
                return "essential"
            # a key of a top-level section (one entry of the severity table), or the section
            target = path[:3] if path[:2] == ("organisation", "severity") else path[:2]
        elif last_index == len(path) - 1 and len(path) >= 2 and path[-2] in REFERENCE_LISTS:
            target = path  # one reference of a list of references
        elif last_index < len(path) - 1:
            target = path[: last_index + 2]  # the key of the entry the error is in
        else:
            target = path  # the entry itself
        self._touch(written, target)
        parent = _get(self.data, target[:-1])
        key = target[-1]
        if isinstance(parent, list) and isinstance(key, int):
            parent.pop(key)
            written_list = written[: len(target) - 1]
            self.removed.setdefault(written_list, []).append(written[len(target) - 1])  # type: ignore[arg-type]
            return "taken"
        if isinstance(parent, dict):
            del parent[key]
            return "taken"
        return "gone"

    def _touch(self, written: Path, target: Path) -> None:
        """Record every entry on the way to ``target`` (and its id) as touched."""
        node: Any = self.data
        for i, part in enumerate(target):
            node = node[part]
            if isinstance(part, int):
                self.touched.add(written[: i + 1])
                if isinstance(node, dict) and isinstance(node.get("id"), str):
                    self.touched_ids.add(node["id"])


def _get(data: Any, path: Path) -> Any:
    for part in path:
        data = data[part]
    return data


def _exists(data: Any, path: Path) -> bool:
    node = data
    for part in path:
        if isinstance(node, list):
            if not isinstance(part, int) or not 0 <= part < len(node):
                return False
        elif not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True
