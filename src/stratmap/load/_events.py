"""YAML events to values with positions: the loader's hot loop, one call per node, and the
plain-scalar rules of the strict format (no YAML 1.1 guesses: only JSON-like numbers, true/false, null)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from stratmap.diagnostics import Diagnostic, Location, Related
from stratmap.exact import number_problem
from stratmap.load.document import Limits, Path, Span

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _Loader = yaml.SafeLoader


_INT_BOUND = 10**15  # an int this large is checked as a number (stratmap.exact)
_INT = re.compile(r"-?(?:0|[1-9][0-9]*)\Z")
_DEC = re.compile(r"-?(?:0|[1-9][0-9]*)\.[0-9]+\Z")
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_NUMBER_START = frozenset("-0123456789")
_TRUES = frozenset({"true", "True", "TRUE"})
_FALSES = frozenset({"false", "False", "FALSE"})
FULLWIDTH = {"\uff1a": ":", "\uff0c": ",", "\uff1b": ";", "\uff3b": "[", "\uff3d": "]", "\uff5b": "{", "\uff5d": "}"}
_COMPLEX_KEY = "\x00complex-key"
_STR_TAGS = frozenset({"tag:yaml.org,2002:str", "!"})
_MAP_TAGS = frozenset({"tag:yaml.org,2002:map"})
_SEQ_TAGS = frozenset({"tag:yaml.org,2002:seq"})


_KEY_TYPO = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\uff1a")


def full_width_mistake(text: str) -> int | None:
    """Index of a full-width punctuation mark typed where YAML syntax was meant, or None."""
    match = _KEY_TYPO.match(text)
    if match:
        return match.end() - 1
    stripped = "".join(ch for ch in text if ch not in FULLWIDTH)
    if stripped != text and stripped.isascii():
        return next(i for i, ch in enumerate(text) if ch in FULLWIDTH)
    return None


def resolve_plain(text: str) -> Any:
    """The value of a plain (unquoted) scalar under stratmap's strict rules."""
    if text in _NULLS:
        return None
    if text in _TRUES:
        return True
    if text in _FALSES:
        return False
    if text[0] not in _NUMBER_START:  # most plain scalars are words: no pattern to try
        return text
    if _INT.match(text):
        # beyond 18 digits an int gains nothing and Python caps int() at 4,300 digits
        return int(text) if len(text) <= 18 else Decimal(text)
    if _DEC.match(text):
        return Decimal(text)
    return text


def _span(event: Any) -> Span:
    s, e = event.start_mark, event.end_mark
    return (s.line + 1, s.column + 1, e.line + 1, e.column + 1)


def _loc(file: str, event: Any, path: Path = ()) -> Location:
    sp = _span(event)
    return Location(file, sp[0], sp[1], sp[2], sp[3], path)


class EventBuilder:
    """Consumes YAML events and builds values, positions and diagnostics.

    This is the loader's hot loop (one call per YAML node), so it keeps its state in
    parallel stacks and positions as plain tuples.
    """

    def __init__(self, file: str, limits: Limits) -> None:
        self.file = file
        self.limits = limits
        self.values: dict[Path, Span] = {}
        self.keys: dict[Path, Span] = {}
        self.diagnostics: list[Diagnostic] = []
        # one entry per open collection: container, its path, pending key, first-key lines
        self.containers: list[Any] = []
        self.paths: list[Path] = []
        self.pending: list[str | None] = []
        self.seen: list[dict[str, int] | None] = []
        self.root: Any = None
        self.documents = 0
        self.aborted = False
        self.flagged: set[Path] = set()

    def run(self, events: Iterator[Any]) -> None:
        values = self.values
        containers, paths, pending, seen = self.containers, self.paths, self.pending, self.seen
        for event in events:
            cls = event.__class__
            if cls is ScalarEvent:
                if event.anchor is not None:
                    self._anchor(event)
                in_list = False
                if not containers:
                    path: Path = ()
                elif seen[-1] is None:  # in a list
                    in_list = True
                    path = (*paths[-1], len(containers[-1]))
                elif pending[-1] is None:  # a mapping key
                    key: str = event.value
                    table = seen[-1]
                    if event.tag is None and key.isascii() and key not in table and key != "<<" and key[:1] != "\t":
                        # the common case, inlined: a new plain ASCII key
                        sm, em = event.start_mark, event.end_mark
                        table[key] = sm.line + 1
                        self.keys[(*paths[-1], key)] = (sm.line + 1, sm.column + 1, em.line + 1, em.column + 1)
                        pending[-1] = key
                        continue
                    if event.tag is not None:
                        self._check_tag(event, _STR_TAGS, (*paths[-1], key))
                    self._take_key(event, key)
                    if self.aborted:
                        return
                    continue
                else:
                    path = (*paths[-1], pending[-1])
                text: str = event.value
                if event.tag is not None:
                    self._check_tag(event, _STR_TAGS, path)
                    value: Any = text
                elif event.style is None or event.style == "":
                    if not text.isascii():
                        self._fullwidth(event, text, path)
                    value = resolve_plain(text)
                    if (type(value) is int and not -_INT_BOUND < value < _INT_BOUND) or type(value) is Decimal:
                        self._number(event, value, path)
                else:
                    value = text
                sm, em = event.start_mark, event.end_mark
                values[path] = (sm.line + 1, sm.column + 1, em.line + 1, em.column + 1)
                if in_list:
                    containers[-1].append(value)  # _place, inlined for the common case
                else:
                    self._place(value)
            elif cls is MappingStartEvent or cls is SequenceStartEvent:
                self._start(event, mapping=cls is MappingStartEvent)
                if self.aborted:
                    return
            elif cls is MappingEndEvent or cls is SequenceEndEvent:
                container = containers.pop()
                path = paths.pop()
                pending.pop()
                seen.pop()
                if len(path) == 3 and path[0] == _COMPLEX_KEY:  # a list or mapping used as a key ends
                    self._take_key(event, f"?{path[1]}:{path[2]}", report=False)
                    continue
                span = values[path]
                em = event.end_mark
                values[path] = (span[0], span[1], em.line + 1, em.column + 1)
                self._place(container)
            elif cls is AliasEvent:
                self._alias(event)
            elif cls is DocumentStartEvent:
                self.documents += 1
                if self.documents > 1:
                    self.diagnostics.append(Diagnostic.make("SM110", _loc(self.file, event), count="more than 1"))
                    self.aborted = True
                    return

    def open_flow(self, text: str) -> tuple[int, int, str] | None:
        """The innermost collection still open when parsing stopped, if it opened with a
        bracket: (line, column) from 0, and the bracket."""
        if not self.paths:
            return None
        span = self.values.get(self.paths[-1])
        if span is None:
            return None
        line_start = 0
        for _ in range(span[0] - 1):  # the start of its line, without splitting the whole text
            line_start = text.index("\n", line_start) + 1
        bracket = text[line_start + span[1] - 1 : line_start + span[1]]
        return (span[0] - 1, span[1] - 1, bracket) if bracket in ("[", "{") else None

    def _place(self, value: Any) -> None:
        containers = self.containers
        if not containers:
            self.root = value
            return
        top = containers[-1]
        seen = self.seen[-1]
        if seen is None:
            top.append(value)
            return
        key = self.pending[-1]
        self.pending[-1] = None
        if key is not None and key not in top and not key.startswith("\x00dup"):
            top[key] = value

    def _take_key(self, event: Any, text: str, *, report: bool = True) -> None:
        seen = self.seen[-1]
        assert seen is not None
        path = (*self.paths[-1], text)
        line = event.start_mark.line + 1
        if not report:  # a stand-in key for a complex key already reported
            self.flagged.add(path)
            seen[text] = line
            self.keys[path] = self.values.pop((_COMPLEX_KEY, *path), _span(event))
            self.pending[-1] = text
            return
        if text in seen:
            self.diagnostics.append(
                Diagnostic.make(
                    "SM103",
                    _loc(self.file, event, path),
                    key=text,
                    first_line=seen[text],
                    related=[Related(self.locate_key(path), "first occurrence")],
                )
            )
            self.pending[-1] = "\x00dup"  # the value that follows is parsed, then dropped
            return
        seen[text] = line
        if text.startswith(("\u3000", "\t")):
            # the indentation is wrong, so the structure below cannot be trusted: stop here
            what = "a full-width space (U+3000)" if text.startswith("\u3000") else "a tab"
            self.diagnostics.append(Diagnostic.make("SM109", _loc(self.file, event, path), what=what))
            self.aborted = True
            return
        if not text.isascii():
            self._fullwidth(event, text, path)
        if text == "<<":
            self.diagnostics.append(Diagnostic.make("SM104", _loc(self.file, event, path), what="merge key", name="<<"))
            self.flagged.add(path)
        self.keys[path] = _span(event)
        self.pending[-1] = text

    def locate_key(self, path: Path) -> Location:
        sp = self.keys.get(path)
        if sp is None:
            return Location(self.file, path=path)
        return Location(self.file, sp[0], sp[1], sp[2], sp[3], path)

    def _next_path(self) -> Path | None:
        """The path of the next node, or None when it is a mapping key."""
        if not self.containers:
            return ()
        if self.seen[-1] is None:
            return (*self.paths[-1], len(self.containers[-1]))
        key = self.pending[-1]
        return None if key is None else (*self.paths[-1], key)

    def _alias(self, event: Any) -> None:
        path = self._next_path()
        loc = _loc(self.file, event, path or ())
        self.diagnostics.append(Diagnostic.make("SM104", loc, what="alias", name=f"*{event.anchor}"))
        if path is None:
            self._take_key(event, f"*{event.anchor}", report=False)
        else:
            self.flagged.add(path)
            self._place(None)

    def _anchor(self, event: Any) -> None:
        """An anchor is reported where it is defined; its node is read as usual."""
        loc = _loc(self.file, event, self._next_path() or ())
        self.diagnostics.append(Diagnostic.make("SM104", loc, what="anchor", name=f"&{event.anchor}"))

    def _check_tag(self, event: Any, allowed: frozenset[str], path: Path) -> None:
        tag = event.tag
        if tag is not None and tag not in allowed:
            self.diagnostics.append(Diagnostic.make("SM105", _loc(self.file, event, path), tag=tag))
            self.flagged.add(path)

    def _number(self, event: Any, value: int | Decimal, path: Path) -> None:
        """A number beyond what stratmap computes on exactly is reported where it is written."""
        problem = number_problem(Decimal(value))
        if problem is not None:
            text: str = event.value
            shown = text if len(text) <= 40 else f"{text[:20]}...{text[-8:]} ({len(text)} characters)"
            self.diagnostics.append(
                Diagnostic.make("SM114", _loc(self.file, event, path), number=shown, problem=problem)
            )
            self.flagged.add(path)

    def _fullwidth(self, event: Any, text: str, path: Path) -> None:
        """Flag full-width punctuation typed where YAML syntax was meant.

        Two shapes are mistakes, not Chinese prose: an ASCII word followed by a
        full-width colon (``weight：30``, ``name：销售部``: a key typed with a Chinese
        input method), and ASCII words joined by full-width punctuation (``a，b``).
        """
        index = full_width_mistake(text)
        if index is None:
            return
        mark, end = event.start_mark, event.end_mark
        if mark.line == end.line and "\n" not in text:
            loc = Location(self.file, mark.line + 1, mark.column + 1 + index, path=path)
        else:  # a folded multi-line scalar: the index cannot be mapped to a column
            loc = Location(self.file, mark.line + 1, mark.column + 1, path=path)
        ch = text[index]
        self.diagnostics.append(Diagnostic.make("SM108", loc, char=ch, ascii=FULLWIDTH[ch]))
        self.flagged.add(path)

    def _start(self, event: Any, *, mapping: bool) -> None:
        if event.anchor is not None:
            self._anchor(event)
        path = self._next_path()
        if len(self.containers) >= self.limits.max_depth:
            self.diagnostics.append(
                Diagnostic.make("SM107", _loc(self.file, event, path or ()), limit=self.limits.max_depth)
            )
            self.aborted = True
            return
        if path is None:  # a collection used as a key: parsed, then replaced by a stand-in key
            self.diagnostics.append(
                Diagnostic.make("SM113", _loc(self.file, event), found="mapping" if mapping else "list")
            )
            mark = event.start_mark
            path = (_COMPLEX_KEY, mark.line + 1, mark.column + 1)
        else:
            self._check_tag(event, _MAP_TAGS if mapping else _SEQ_TAGS, path)
        self.values[path] = _span(event)
        self.containers.append({} if mapping else [])
        self.paths.append(path)
        self.pending.append(None)
        self.seen.append({} if mapping else None)
