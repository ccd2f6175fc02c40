"""The benchmark suites. Each takes a scratch folder and returns its figures."""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.workloads import write_strategy

SCHEMA = Path(__file__).resolve().parents[1] / "schemas" / "stratmap-1.schema.json"


@dataclass(frozen=True)
class Figure:
    """One measured figure and its goal. ``goal`` is an upper bound (None: no goal)."""

    name: str
    value: float
    unit: str
    goal: float | None = None
    note: str = ""

    @property
    def goal_text(self) -> str:
        return "" if self.goal is None else f"<= {self.goal:g} {self.unit}"

    def met(self) -> bool | None:
        return None if self.goal is None else self.value <= self.goal

    def status(self) -> str:
        met = self.met()
        text = "" if met is None else ("ok" if met else "MISSED")
        return f"{text} {self.note}".strip()

    def shown(self) -> str:
        return f"{self.value:.3g} {self.unit}" if self.unit != "x" else f"{self.value:.2f} x"

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "value": self.value, "unit": self.unit, "goal": self.goal, "met": self.met()}


def _run(cmd: Sequence[str]) -> float:
    """Wall time of one whole process, in seconds."""
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def interleaved(commands: dict[str, Sequence[str]], repeat: int, *, warm: bool = True) -> dict[str, float]:
    """Median wall time per command, runs interleaved so that noise hits all alike."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    if warm:
        for cmd in commands.values():  # warm the file cache and .pyc files once
            _run(cmd)
    for _ in range(repeat):
        for name, cmd in commands.items():
            times[name].append(_run(cmd))
    return {name: statistics.median(values) for name, values in times.items()}


def _peak_rss_mb(cmd: Sequence[str]) -> float | None:
    gnu_time = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)
    if gnu_time is None:
        return None
    proc = subprocess.run([gnu_time, "-f", "%M", *cmd], capture_output=True, text=True, check=False)
    try:
        return int(proc.stderr.strip().splitlines()[-1]) / 1024
    except (ValueError, IndexError):
        return None


def _stratmap() -> list[str]:
    return [sys.executable, "-m", "stratmap"]


def suite_import(tmp: Path, *, smoke: bool, repeat: int) -> list[Figure]:
    """``import stratmap``: time beside ``python -c pass``, and what it must not import."""
    heavy = "('numpy', 'pandas', 'networkx', 'jsonschema')"
    probe = f"import stratmap, sys; print([m for m in {heavy} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.strip()
    times = interleaved(
        {"python": [sys.executable, "-c", "pass"], "import": [sys.executable, "-c", "import stratmap"]},
        repeat * 3,
    )
    return [
        Figure("import stratmap (minus python start-up)", (times["import"] - times["python"]) * 1000, "ms", 100),
        Figure("heavy modules imported by 'import stratmap'", float(out != "[]"), "count", 0, note=out),
    ]


def _validate_figures(
    tmp: Path, n_kpis: int, repeat: int, goals: tuple[float, float, float | None], *, warm: bool = True
) -> list[Figure]:
    """Whole-process validate: the per-file path, the full check, and check-jsonschema."""
    per_file_goal, full_goal, goal_mb = goals
    path = write_strategy(tmp, n_kpis)
    commands: dict[str, Sequence[str]] = {
        "python": [sys.executable, "-c", "pass"],
        "per-file": [*_stratmap(), "validate", "--ignore", "SM3", str(path)],
        "full": [*_stratmap(), "validate", str(path)],
    }
    check_jsonschema = shutil.which("check-jsonschema") or str(Path(sys.executable).parent / "check-jsonschema")
    have_cj = Path(check_jsonschema).exists()
    if have_cj:
        commands["check-jsonschema"] = [check_jsonschema, "--schemafile", str(SCHEMA), str(path)]
    times = interleaved(commands, repeat, warm=warm)
    label = f"validate {n_kpis:,} KPIs"
    figures = [
        Figure(f"{label}: per-file path (reading, schema, references)", times["per-file"] * 1000, "ms", per_file_goal),
        Figure(f"{label}: full check (references, cascade graph)", times["full"] * 1000, "ms", full_goal),
        Figure(f"{label}: python -c pass", times["python"] * 1000, "ms"),
    ]
    if have_cj:
        figures.append(Figure(f"{label}: check-jsonschema", times["check-jsonschema"] * 1000, "ms"))
        figures.append(
            Figure(f"{label}: full check / check-jsonschema", times["full"] / times["check-jsonschema"], "x", 1 / 3)
        )
    rss = _peak_rss_mb([*_stratmap(), "validate", str(path)])
    if rss is not None:
        figures.append(Figure(f"{label}: full check peak memory", rss, "MB", goal_mb))
    return figures


def suite_validate(tmp: Path, *, smoke: bool, repeat: int) -> list[Figure]:
    """``stratmap validate`` as a whole process on a typical (1,000 KPI) strategy."""
    return _validate_figures(tmp, 50 if smoke else 1000, repeat, (300, 500, None))


def suite_validate_large(tmp: Path, *, smoke: bool, repeat: int) -> list[Figure]:
    """``stratmap validate`` on a large (50,000 KPI) strategy."""
    # check-jsonschema takes over a minute here: one cold run each keeps the suite short
    return _validate_figures(tmp, 200 if smoke else 50_000, 1, (10_000, 10_000, 1024), warm=False)


def suite_cascade(tmp: Path, *, smoke: bool, repeat: int) -> list[Figure]:
    """Graph construction plus every cascade rule on a loaded 50,000-KPI model, in process."""
    import gc

    from stratmap.api import run
    from stratmap.rules.engine import run_model_rules

    n_kpis = 500 if smoke else 50_000
    path = write_strategy(tmp, n_kpis)
    [strategy] = run([path], ignore=["SM3"]).strategies
    times = []
    for _ in range(max(1, min(repeat, 3))):
        was = gc.isenabled()
        gc.disable()  # as in a real run (stratmap.api pauses the collector)
        start = time.perf_counter()
        check = run_model_rules(strategy)
        times.append(time.perf_counter() - start)
        if was:
            gc.enable()
    label = f"cascade graph + rules, {n_kpis:,} KPIs (beyond loading)"
    nodes, edges = check.graph.number_of_nodes(), check.graph.number_of_edges()
    return [Figure(label, statistics.median(times) * 1000, "ms", 1000, note=f"{nodes:,} nodes, {edges:,} edges")]


SUITES: dict[str, Callable[..., list[Figure]]] = {
    "import": suite_import,
    "validate": suite_validate,
    "validate_large": suite_validate_large,
    "cascade": suite_cascade,
}
