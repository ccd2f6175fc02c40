"""Stage 1, loading: files on disk to located documents.

``read_document`` turns one file into a :class:`LocatedDocument` (its data plus a side
table of source positions) and the diagnostics met on the way; ``collect`` follows
``include:`` and groups files into strategies. Nothing here raises for bad input.
"""

from stratmap.load.document import Limits, LocatedDocument, Span
from stratmap.load.files import FileSet, StrategyFiles, collect
from stratmap.load.reader import read_document

__all__ = [
    "FileSet",
    "Limits",
    "LocatedDocument",
    "Span",
    "StrategyFiles",
    "collect",
    "read_document",
]
