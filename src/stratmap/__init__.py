"""stratmap: the 4232 strategic-performance model as checkable code.

The public API is small::

    import stratmap
    strategy = stratmap.load("examples/manufacturing")      # raises StratmapError
    problems = stratmap.check("examples/")                  # never raises for bad input

Everything not named in ``__all__`` is private and may change.
"""

from typing import TYPE_CHECKING, Any

from stratmap.api import check, load
from stratmap.diagnostics import Diagnostic, Location, Severity, StratmapError
from stratmap.load.document import Limits

if TYPE_CHECKING:
    from stratmap.model import Strategy

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # the model's classes are imported on first use, keeping ``import stratmap`` light
    if name == "Strategy":
        from stratmap.model import Strategy

        return Strategy
    raise AttributeError(f"module 'stratmap' has no attribute {name!r}")


__all__ = [
    "Diagnostic",
    "Limits",
    "Location",
    "Severity",
    "Strategy",
    "StratmapError",
    "__version__",
    "check",
    "load",
]
