"""The garbage-collector policy of a run: off while it allocates, restored after."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for one run (a check, a read of data, an evaluation).

    A run allocates millions of small objects, nearly none of them in reference cycles
    (values, positions, model objects, graph dicts); the collector would rescan them again
    and again as they pile up, which made large strategies quadratic in practice. The
    previous state is restored afterwards, and the few cycles a run leaves are collected as
    usual from then on. (The command line goes further: it keeps the collector off for
    the whole short-lived process; see :func:`stratmap.cli.main.entry`.)
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
