"""Run stratmap's benchmarks: ``python -m benchmarks [--smoke] [--only NAME]``.

Every figure is measured beside its baseline in the same run (interleaved repeats,
medians), because only ratios mean anything on a shared, noisy machine. Results are
printed as a table and written to ``benchmarks/results/latest.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
from pathlib import Path

from benchmarks.suites import SUITES, Figure


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes and one repeat: checks the suite runs (CI)")
    parser.add_argument("--only", action="append", choices=sorted(SUITES), help="run only these suites")
    parser.add_argument("--repeat", type=int, default=None, help="repeats per measurement (default 7, smoke 1)")
    parser.add_argument("--output", type=Path, default=Path(__file__).parent / "results" / "latest.json")
    args = parser.parse_args(argv)
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
        "machine": {"python": sys.version.split()[0], "platform": platform.platform(), "processor": platform.machine()},
        "smoke": args.smoke,
        "repeat": repeat,
        "figures": [f.as_dict() for f in figures],
    }
    args.output.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    print(f"written: {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
