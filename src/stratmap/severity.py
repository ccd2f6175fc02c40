"""How serious a finding is: the bottom of the house, below the code catalogue and the
diagnostics that both name it."""

from __future__ import annotations

import enum


class Severity(enum.Enum):
    """How serious a finding is. Errors make ``validate`` exit 1."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
