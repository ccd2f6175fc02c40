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
from pathlib import Path as FsPath

import yaml

from stratmap._files import read_regular
from stratmap.diagnostics import Diagnostic, Location, Related
from stratmap.load._events import FULLWIDTH, EventBuilder
from stratmap.load.document import DEFAULT_LIMITS, Limits, LocatedDocument

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _Loader = yaml.SafeLoader


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
        return Diagnostic.make("SM108", loc, char=ch, ascii=FULLWIDTH[ch])
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
    builder = EventBuilder(file, limits)
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
