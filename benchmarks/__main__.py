"""Run stratmap's benchmarks: ``python -m benchmarks [--smoke] [--only NAME]``.

Every figure is measured beside its baseline in the same run (interleaved repeats,
medians), because only ratios mean anything on a shared, noisy machine. Results are
printed as a table and written to ``benchmarks/results/latest.json`` (a full run;
``latest-smoke.json`` and ``latest-partial.json`` for the others).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from pathlib import Path

from benchmarks.suites import SUITES, Figure


def _memory_gib() -> float | None:
    try:
        return round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (AttributeError, ValueError, OSError):  # not a POSIX system
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes and one repeat: checks the suite runs (CI)")
    parser.add_argument("--only", action="append", choices=sorted(SUITES), help="run only these suites")
    parser.add_argument("--repeat", type=int, default=None, help="repeats per measurement (default 7, smoke 1)")
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="where to write the JSON (default: results/latest.json for a full run, "
        "latest-smoke.json or latest-partial.json otherwise, so a partial run never replaces a full one)",
    )
    args = parser.parse_args(argv)
    if args.output is None:
        kind = "latest-smoke" if args.smoke else "latest-partial" if args.only else "latest"
        args.output = Path(__file__).parent / "results" / f"{kind}.json"
    repeat = args.repeat or (1 if args.smoke else 7)
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="stratmap-bench-") as tmp:
        for name in args.only or sorted(SUITES):
            figures.extend(SUITES[name](Path(tmp), smoke=args.smoke, repeat=repeat))
    width = max(len(f.name) for f in figures)
    print(f"{'benchmark':<{width}}  {'value':>12}  {'goal':>14}  status")
    for f in figures:
        print(f"{f.name:<{width}}  {f.shown():>12}  {f.goal_text:>14}  {f.status()}")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    doc = {
        "machine": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "processor": platform.machine(),
            "cpus": os.cpu_count(),
            "memory_gib": _memory_gib(),
        },
        "suites": args.only or sorted(SUITES),
        "smoke": args.smoke,
        "repeat": repeat,
        "figures": [f.as_dict() for f in figures],
    }
    args.output.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    print(f"written: {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
