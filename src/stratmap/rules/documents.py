"""What a document rule reads: the loaded files of one strategy (or every file read, for a
rule over each file) and what the run's other strategies declare."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from stratmap.diagnostics import Diagnostic
    from stratmap.load import LocatedDocument


@dataclass(frozen=True)
class Documents:
    """The documents a document rule checks.

    ``foreign_problems`` maps the problems the other strategies of the same run declare to
    their organisation, so that answering one of them is reported as such (SM209).
    """

    files: Sequence[LocatedDocument]
    foreign_problems: Mapping[str, str] = field(default_factory=dict)


#: What a document rule reads: each file read, or one strategy's files.
Reads = Literal["file", "strategy"]

#: A document rule: a plain function of the documents, yielding located diagnostics.
DocumentRule = Callable[[Documents], Iterable["Diagnostic"]]

#: The list of document rules: the codes each reports, what it reads, the rule.
DocumentRules = tuple[tuple[str, Reads, DocumentRule], ...]
