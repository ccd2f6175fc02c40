"""Read one strategy file strictly: bytes, text, YAML events, values with positions.

The YAML is parsed into events by libyaml when it is present (PyYAML's pure-Python
parser otherwise) and the values are built here, iteratively, so that every rule of the
format's strict reading is applied in one pass:

* plain scalars mean what the user sees: only ``null``/``~``/empty, ``true``/``false``
  and plain decimal numbers are not text. ``yes``, ``on``, ``NO``, ``0123``, ``1:20``,
  ``1e3`` and ``2026-03-01`` stay strings; numbers load as ``int`` or exact ``Decimal``;
* a duplicate key is reported at the second key; aliases, merge keys and tags other than
  ``!!str`` are refused; nesting depth and file size are bounded;
* full-width punctuation and indentation mistakes get a located error with a hint.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path as FsPath
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

from stratmap._files import read_regular
from stratmap.diagnostics import Diagnostic, Location, Related
from stratmap.exact import number_problem
from stratmap.load.document import DEFAULT_LIMITS, Limits, LocatedDocument, Path, Span

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
_FULLWIDTH = {"\uff1a": ":", "\uff0c": ",", "\uff1b": ";", "\uff3b": "[", "\uff3d": "]", "\uff5b": "{", "\uff5d": "}"}
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
    stripped = "".join(ch for ch in text if ch not in _FULLWIDTH)
    if stripped != text and stripped.isascii():
        return next(i for i, ch in enumerate(text) if ch in _FULLWIDTH)
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


class _Builder:
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
        self.diagnostics.append(Diagnostic.make("SM108", loc, char=ch, ascii=_FULLWIDTH[ch]))
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


def decode_bytes(raw: bytes, file: str) -> tuple[str | None, list[Diagnostic]]:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        line_start = before.rfind(b"\n") + 1
        column = len(before[line_start:].decode("utf-8", errors="replace")) + 1
        guess = ""
        for enc, name in (("gb18030", "GB18030/GBK"), ("utf-16", "UTF-16")):
            try:
                raw.decode(enc)
            except UnicodeDecodeError:
                continue
            guess = f" (it looks like {name})"
            break
        loc = Location(file, line, column)
        return None, [Diagnostic.make("SM101", loc, byte=f"{raw[exc.start]:02x}", guess=guess)]


_LINE_KEY_TYPO = re.compile(
    r"\s*(?:-\s+)?(?:[A-Za-z_][A-Za-z0-9_-]*(\uff1a|:\u3000)|[^\s:\uff1a]{1,30}(\uff1a)\s*(?:-?[0-9]|[A-Za-z_]|$))"
)
#: How much of a line the hints after a syntax error look at: the heuristics scan a
#: bounded window, so a pathological line (100 KB of ``[``) costs no more than a short one.
HINT_WINDOW = 4096
_WORD = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")


def _flow_typo(body: str, *, inside: bool = False) -> int | None:
    """Column of a full-width ``，`` or ``：`` typed inside a flow collection right after
    an ASCII word (``[a，b]``, ``{k：v}``), or None. One pass over ``body``; ``inside``
    when ``body`` starts inside a flow collection opened before it."""
    open_ = inside
    last = ""  # the last character that is not white space, since the opener
    for col, ch in enumerate(body):
        if ch in "[{":
            open_, last = True, ch
        elif ch in "]}":
            open_, last = False, ch
        elif ch in "\uff0c\uff1a" and open_ and last in _WORD:
            return col
        elif not ch.isspace():
            last = ch
    return None


def _hazard_on(line: str, around: int | None = None) -> tuple[int, str] | None:
    """(0-based column, what) of a typing hazard on one line of source, or None.

    Indentation and key typos sit at the start of the line; a flow typo is looked for in
    the window that ends at ``around`` (the error's column; the line's end when None).
    Both windows are bounded, so a pathological line costs no more than a short one.
    """
    body = line[:HINT_WINDOW].split("#", 1)[0]
    indent = len(body) - len(body.lstrip(" \t\u3000"))
    for col, ch in enumerate(body[:indent]):
        if ch in "\t\u3000":
            return col, "indent"
    match = _LINE_KEY_TYPO.match(body)
    if match:
        group = 1 if match.group(1) else 2
        return match.start(group), "punct"
    end = len(line) if around is None else min(len(line), around + 1)
    start = max(0, end - HINT_WINDOW)
    if "#" in line[:start]:
        return None  # a comment may have started before the window: its text is not YAML
    before = line[:start]
    opened = max(before.rfind("["), before.rfind("{")) > max(before.rfind("]"), before.rfind("}"))
    found = _flow_typo(line[start:end].split("#", 1)[0], inside=opened)
    return None if found is None else (start + found, "punct")


#: libyaml's own bound on nesting (PyYAML >= 6.0.3 wheels); the parser stops with this problem.
_PARSER_DEPTH_PROBLEM = "exceeded maximum nesting depth"
PARSER_MAX_DEPTH = 1000


def _syntax_error(
    exc: yaml.MarkedYAMLError, text: str, file: str, open_flow: tuple[int, int, str] | None = None
) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    lines = text.splitlines() or [""]
    if mark is None:
        return Diagnostic.make("SM102", Location(file, 1, 1), problem=_problem_text(exc.problem or str(exc)))
    line_no = min(mark.line, len(lines) - 1)
    # A typing mistake at or just above the error is the likelier cause.
    for lineno in range(line_no, max(line_no - 4, -1), -1):
        found = _hazard_on(lines[lineno], mark.column if lineno == mark.line else None)
        if found is None:
            continue
        col, kind = found
        ch = lines[lineno][col]
        loc = Location(file, lineno + 1, col + 1)
        if kind == "indent":
            what = "a full-width space (U+3000)" if ch == "\u3000" else "a tab"
            return Diagnostic.make("SM109", loc, what=what)
        if ch == ":":  # ':' followed by a full-width space
            return Diagnostic.make("SM108", Location(file, lineno + 1, col + 2), char="\u3000", ascii=" ")
        return Diagnostic.make("SM108", loc, char=ch, ascii=_FULLWIDTH[ch])
    problem = _problem_text(exc.problem or exc.context or "invalid YAML")
    related: list[Related] = []
    opened = exc.context_mark
    if exc.context in _FLOW_CONTEXTS and opened is not None:
        open_flow = (opened.line, opened.column, _FLOW_CONTEXTS[exc.context])
    if open_flow is not None and open_flow[:2] < (mark.line, mark.column):
        line, column, bracket = open_flow
        where = Location(file, line + 1, column + 1)
        problem = f"the '{bracket}' at line {line + 1}, column {column + 1} is not closed ({problem})"
        related.append(Related(where, f"the '{bracket}' opened here"))
    if mark.line >= len(lines):  # the parser gave up at the end of the file
        at = Location(file, len(lines), len(lines[-1]) + 1)
    else:
        at = Location(file, mark.line + 1, mark.column + 1)
    return Diagnostic.make("SM102", at, problem=problem, related=related)


#: The parser's context for an open flow collection, and the bracket that opened it.
_FLOW_CONTEXTS = {"while parsing a flow sequence": "[", "while parsing a flow mapping": "{"}


def _problem_text(problem: str) -> str:
    return " ".join(problem.split())


def _reader_error(exc: yaml.reader.ReaderError, text: str, file: str) -> Diagnostic:
    """A character YAML does not allow (control characters): located by its offset."""
    before = text[: exc.position]
    line = before.count("\n") + 1
    column = exc.position - (before.rfind("\n") + 1) + 1
    char = exc.character if isinstance(exc.character, str) else chr(exc.character)
    problem = f"character U+{ord(char):04X} is not allowed in YAML"
    return Diagnostic.make("SM102", Location(file, line, column), problem=problem)


def parse_text(
    text: str, file: str, limits: Limits = DEFAULT_LIMITS, *, list_root: bool = False
) -> tuple[LocatedDocument, list[Diagnostic]]:
    """Parse YAML text under the strict rules; never raises for bad input.

    A strategy file's top level is a mapping; ``list_root`` also accepts a list (data files).
    """
    builder = _Builder(file, limits)
    try:
        builder.run(yaml.parse(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        if _PARSER_DEPTH_PROBLEM in (exc.problem or ""):  # the parser's own nesting bound
            mark = exc.problem_mark
            loc = Location(file, mark.line + 1, mark.column + 1) if mark else Location(file, 1, 1)
            builder.diagnostics.append(Diagnostic.make("SM107", loc, limit=min(limits.max_depth, PARSER_MAX_DEPTH)))
            return LocatedDocument(file, None), builder.diagnostics
        found = _syntax_error(exc, text, file, builder.open_flow(text))
        # the reader may have reported the same mistake, less precisely: keep this one
        same = (found.code, found.location.line)
        builder.diagnostics = [d for d in builder.diagnostics if (d.code, d.location.line) != same]
        builder.diagnostics.append(found)
        return LocatedDocument(file, None), builder.diagnostics
    except yaml.reader.ReaderError as exc:  # control characters and the like
        builder.diagnostics.append(_reader_error(exc, text, file))
        return LocatedDocument(file, None), builder.diagnostics
    except yaml.YAMLError as exc:  # pragma: no cover - every other YAML error carries a mark
        builder.diagnostics.append(Diagnostic.make("SM102", Location(file, 1, 1), problem=_problem_text(str(exc))))
        return LocatedDocument(file, None), builder.diagnostics
    if builder.aborted:
        return LocatedDocument(file, None), builder.diagnostics
    if builder.documents == 0:
        builder.diagnostics.append(Diagnostic.make("SM110", Location(file, 1, 1), count=0))
        return LocatedDocument(file, None), builder.diagnostics
    root = builder.root
    if list_root and isinstance(root, list):
        located = LocatedDocument(file, root, builder.values, builder.keys, frozenset(builder.flagged))  # type: ignore[arg-type]
        return located, builder.diagnostics
    if not isinstance(root, dict):
        kind = "list" if isinstance(root, list) else "null" if root is None else "text or number"
        builder.diagnostics.append(Diagnostic.make("SM111", Location(file, 1, 1), found=kind))
        return LocatedDocument(file, None), builder.diagnostics
    return LocatedDocument(file, root, builder.values, builder.keys, frozenset(builder.flagged)), builder.diagnostics


def read_document(
    path: str | FsPath, limits: Limits = DEFAULT_LIMITS, *, display: str | None = None
) -> tuple[LocatedDocument, list[Diagnostic]]:
    """Read and parse one file. Problems come back as diagnostics, never as exceptions."""
    file = display if display is not None else str(path)
    try:
        raw = read_regular(path, limits.max_bytes + 1)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return LocatedDocument(file, None), [Diagnostic.make("SM100", Location(file), path=file, reason=reason)]
    if len(raw) > limits.max_bytes:
        size = FsPath(path).stat().st_size
        diag = Diagnostic.make("SM106", Location(file, 1, 1), size=size, limit=limits.max_bytes)
        return LocatedDocument(file, None), [diag]
    text, diags = decode_bytes(raw, file)
    if text is None:
        return LocatedDocument(file, None), diags
    return parse_text(text, file, limits)
