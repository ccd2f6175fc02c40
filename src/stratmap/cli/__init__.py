"""The ``stratmap`` command line: ``main`` (in-process, returns the exit code) and ``entry``
(the console script). See :mod:`stratmap.cli.main`."""

from stratmap.cli._common import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE
from stratmap.cli.main import entry, main

__all__ = ["EXIT_OK", "EXIT_PROBLEMS", "EXIT_USAGE", "entry", "main"]
