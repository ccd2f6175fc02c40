"""The benchmark suites. Each takes a scratch folder and returns its figures."""

from __future__ import annotations

import contextlib
import math
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
        if self.goal is None or self.value != self.value:  # no goal, or not measured (NaN)
            return None
        return self.value <= self.goal

    def status(self) -> str:
        met = self.met()
        text = "" if met is None else ("ok" if met else "MISSED")
        return f"{text} {self.note}".strip()

    def shown(self) -> str:
        return f"{self.value:.3g} {self.unit}" if self.unit != "x" else f"{self.value:.2f} x"

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "value": self.value,
            "unit": self.unit,
            "goal": self.goal,
            "met": self.met(),
            "note": self.note,
        }


def _run(cmd: Sequence[str]) -> float:
    """Wall time of one whole process, in seconds. A process that fails would be timed as a
    fast one, so every measured command must exit 0."""
    start = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {done.returncode}: {done.stderr.decode(errors='replace')[-500:]}")
    return elapsed


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
    figures.append(
        Figure(f"{label}: full check peak memory", rss, "MB", goal_mb)
        if rss is not None
        else Figure(f"{label}: full check peak memory", math.nan, "MB", goal_mb, note="not measured: no GNU time")
    )
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

    from stratmap.api import check_strategies
    from stratmap.rules import run_model_rules

    n_kpis = 500 if smoke else 50_000
    path = write_strategy(tmp, n_kpis)
    [strategy] = check_strategies(path, ignore=["SM3"]).strategies
    import networkx as nx

    from stratmap.graph import build_graph

    # the floor: NetworkX inserting the same nodes and edges, prepared in advance
    shape = build_graph(strategy)
    node_list = list(shape.nodes(data=True))
    edge_list = list(shape.edges(data=True))

    def bare() -> object:
        g: nx.DiGraph[str] = nx.DiGraph()
        g.add_nodes_from(node_list)
        g.add_edges_from(edge_list)
        return g

    times: list[float] = []
    floor: list[float] = []
    for _ in range(max(1, min(repeat, 5))):
        for fn, into in ((lambda: run_model_rules(strategy), times), (bare, floor)):  # interleaved
            gc.collect()  # a real run builds one graph in a fresh process: free the last one first
            was = gc.isenabled()
            gc.disable()  # as in a real run (stratmap.api pauses the collector)
            start = time.perf_counter()
            result = fn()
            into.append(time.perf_counter() - start)
            del result
            if was:
                gc.enable()
    label = f"cascade graph + rules, {n_kpis:,} KPIs (beyond loading)"
    nodes, edges = shape.number_of_nodes(), shape.number_of_edges()
    ours, bare_ms = statistics.median(times) * 1000, statistics.median(floor) * 1000
    return [
        Figure(label, ours, "ms", 1000, note=f"{nodes:,} nodes, {edges:,} edges"),
        Figure(
            f"cascade: NetworkX inserting the same {nodes:,} nodes and {edges:,} edges, prepared in advance",
            bare_ms,
            "ms",
            note=f"the floor for any NetworkX graph of this strategy; graph + rules = {ours / bare_ms:.1f}x it",
        ),
    ]


def _best_of(fns: dict[str, Callable[[], object]], repeat: int, loops: int = 20) -> dict[str, float]:
    """Median seconds per call of each callable, run interleaved so that drift hits all alike."""
    times: dict[str, list[float]] = {k: [] for k in fns}
    for fn in fns.values():
        fn()  # warm: compile, allocate
    for _ in range(repeat):
        for key, fn in fns.items():
            start = time.perf_counter()
            for _ in range(loops):
                fn()
            times[key].append((time.perf_counter() - start) / loops)
    return {k: statistics.median(v) for k, v in times.items()}


def suite_formula(tmp: Path, *, smoke: bool, repeat: int) -> list[Figure]:
    """The formula language's batch path against hand-written NumPy on the same columns."""
    import numpy as np

    from stratmap.formula import parse

    n = 10_000 if smoke else 1_000_000
    rng = np.random.default_rng(7)
    actual = np.round(rng.uniform(50, 130, n), 2)
    actual[rng.random(n) < 0.01] = np.nan  # 1% missing actuals
    target = np.full(n, 100.0)
    threshold = np.where(rng.random(n) < 0.001, 100.0, 60.0)  # a few rows divide by zero
    cols = {"actual": actual, "target": target, "threshold": threshold}

    def linear_numpy() -> Any:
        # the same meaning, written by hand: division by zero and overflow give NaN
        span = target - threshold
        with np.errstate(all="ignore"):
            q = (actual - threshold) / span
        q[span == 0] = np.nan
        r = q * 40 + 60
        r[~np.isfinite(r)] = np.nan
        return r

    def clamp_numpy() -> Any:
        return np.maximum(0, np.minimum(110, 100 - (target - actual) * 5))

    def veto_numpy() -> Any:
        known = ~np.isnan(actual)
        return np.ma.MaskedArray((actual < 95) & known, mask=~known)

    linear = parse("(actual - threshold) / (target - threshold) * 40 + 60", names=list(cols))
    clamp = parse("max(0, min(110, 100 - (target - actual) * 5))", names=list(cols))
    veto = parse("actual < 95", names=list(cols))
    halved = parse("actual / 2", names=list(cols))  # two-decimal actuals: half the rows end on .xx5
    thirds = parse("actual / 3", names=list(cols))  # a repeating decimal: binary64 with error bounds
    assert np.array_equal(linear.evaluate_batch(cols), linear_numpy(), equal_nan=True)
    assert np.array_equal(clamp.evaluate_batch(cols), clamp_numpy(), equal_nan=True)
    reps = max(repeat, 3)
    t = {
        **_best_of({"linear": lambda: linear.evaluate_batch(cols), "linear_numpy": linear_numpy}, reps),
        **_best_of({"clamp": lambda: clamp.evaluate_batch(cols), "clamp_numpy": clamp_numpy}, reps),
        **_best_of({"veto": lambda: veto.evaluate_batch(cols), "veto_numpy": veto_numpy}, reps),
        **_best_of({"published": lambda: clamp.evaluate_batch(cols, places=2)}, reps, loops=3),
        **_best_of({"ties": lambda: halved.evaluate_batch(cols, places=2)}, 1, loops=1),
        **_best_of({"thirds": lambda: thirds.evaluate_batch(cols, places=2)}, 1, loops=1),
    }
    rows = f"{n:,} rows"
    hostile = [
        "(" * 5000,
        "-" * 500 + "1",
        "not " * 300 + "True",
        "x + " * 25_000 + "x",
        "1" * 1_000_000,
        " + ".join(["x"] * 600),
        "'stuff'" * 20_000,
        "x." + "y." * 2000 + "z",
        "9**9**9**9",
        "max(x, x, key=exec)",
    ]
    peer = Path(__file__).resolve().parents[2] / "shared" / "peer" / "formulas" / "hostile.json"
    if peer.is_file():
        import json

        for case in json.loads(peer.read_text(encoding="utf-8"))["cases"]:
            text = case["expression"]
            hostile.append(text if text is not None else "".join(p * c for p, c in case["build"]))
    slowest = 0.0
    for text in hostile:
        start = time.perf_counter()
        with contextlib.suppress(Exception):
            parse(text, names=["x", "a", "actual", "target"])
        slowest = max(slowest, time.perf_counter() - start)
    return [
        Figure(
            f"formula parse, slowest of {len(hostile)} hostile formulas refused",
            slowest * 1000,
            "ms",
            100,
            note="each refused with a typed FormulaError (tests/formula/test_hostile.py)",
        ),
        *(
            Figure(
                f"formula batch, {what}, {rows} (vs NumPy)",
                t[key] / t[f"{key}_numpy"],
                "x",
                1.5,
                note=f"{t[key] * 1000:.1f} ms vs {t[f'{key}_numpy'] * 1000:.1f} ms",
            )
            for key, what in (("linear", "linear score"), ("clamp", "clamped score"), ("veto", "veto condition"))
        ),
        Figure(
            f"formula batch, clamped score published to 2 places, {rows} (vs NumPy, unrounded)",
            t["published"] / t["clamp_numpy"],
            "x",
            note=f"{t['published'] * 1000:.1f} ms; exact in fixed point (two-decimal actuals)",
        ),
        Figure(
            f"formula batch, actual / 2 published to 2 places, {rows}, half of them exact ties",
            t["ties"] * 1000,
            "ms",
            note="every tie exact in fixed point (two-decimal actuals)",
        ),
        Figure(
            f"formula batch, actual / 3 published to 2 places, {rows} (no fixed point: thirds repeat)",
            t["thirds"] * 1000,
            "ms",
            note="binary64 with error bounds; rows near a tie settled exactly",
        ),
    ]


def suite_evaluate(tmp: Path, *, smoke: bool, repeat: int) -> list[Figure]:
    """The evaluator's batch path on 10k, 100k and 1M employee-periods against its baselines."""

    import stratmap
    from benchmarks.workloads import evaluation_strategy_yaml

    (tmp / "evaluation.yaml").write_text(evaluation_strategy_yaml(), encoding="utf-8")
    strategy = stratmap.load(tmp / "evaluation.yaml")
    sizes = [2_000] if smoke else [10_000, 100_000, 1_000_000]
    figures: list[Figure] = []
    for n in sizes:
        figures += _evaluate_size(strategy, n, repeat, per_row=n <= 100_000)
    return figures


def _evaluate_size(strategy: Any, n: int, repeat: int, *, per_row: bool) -> list[Figure]:
    import tracemalloc

    import numpy as np

    from benchmarks.workloads import EVALUATION_KPIS
    from stratmap.evaluation import evaluate_batch

    rng = np.random.default_rng(11)
    ranges = {
        "volume": (300, 650),
        "mix_volume": (80, 230),
        "new_customers": (0, 5),
        "receivables_days": (25, 70),
        "satisfaction": (70, 100),
        "returns_rate": (0.5, 4),
        "inventory": (400, 800),
        "visits": (20, 60),
    }
    actuals = {}
    for kpi, _, _ in EVALUATION_KPIS:
        lo, hi = ranges[kpi]
        col = np.round(rng.uniform(lo, hi, n), 0 if kpi == "new_customers" else 2)
        col[rng.random(n) < 0.005] = np.nan  # a few not reported
        actuals[kpi] = col
    fake = (rng.random(n) < 0.001).astype(float)
    amount = fake * rng.uniform(0, 20000, n)
    base = np.round(rng.uniform(3000, 9000, n), 0)
    entities = np.array([f"E{i:07d}" for i in range(n)])

    def ours() -> Any:
        return evaluate_batch(
            strategy,
            "rep_monthly",
            period="2026-03",
            entities=entities,
            actuals=actuals,
            events={"fake_sale": fake},
            event_amounts={"fake_sale": amount},
            bonus_base=base,
        )

    def half_up(x: Any) -> Any:
        return np.floor(x * 100 + 0.5) / 100

    def by_hand() -> Any:
        # what a careful engineer would write for this scorecard: same rules, binary floats
        a = actuals
        with np.errstate(all="ignore"):
            s = [
                np.clip(a["volume"] / 500 * 100, 0, 120),
                np.where(
                    a["mix_volume"] >= 200,
                    120,
                    np.where(
                        a["mix_volume"] >= 150,
                        100 + (a["mix_volume"] - 150) / 50 * 20,
                        np.where(a["mix_volume"] >= 100, 60 + (a["mix_volume"] - 100) / 50 * 40, 0),
                    ),
                ),
                np.where(a["new_customers"] >= 2, 100, 40),
                np.where(
                    a["receivables_days"] <= 30,
                    120,
                    np.where(
                        a["receivables_days"] <= 45,
                        100 + (a["receivables_days"] - 45) / -15 * 20,
                        np.where(a["receivables_days"] <= 60, 60 + (a["receivables_days"] - 60) / -15 * 40, 0),
                    ),
                ),
                np.select([a["satisfaction"] < 80, a["satisfaction"] < 90], [0, 80], 100),
                np.where(a["returns_rate"] == 0, 120, np.clip(2 / a["returns_rate"] * 100, 0, 120)),
                np.where(
                    np.abs(a["inventory"] - 600) <= 50,
                    100,
                    np.maximum(0, 100 - 0.1 * (np.abs(a["inventory"] - 600) - 50)),
                ),
                np.clip(a["visits"] / 40 * 100, 0, 120),
            ]
            weights = (20, 20, 10, 10, 10, 10, 10, 10)
            missing = np.zeros(n, dtype=bool)
            for kpi, _, _ in EVALUATION_KPIS:
                missing |= np.isnan(a[kpi])
            total = sum(half_up(half_up(si) * w / 100) for si, w in zip(s, weights, strict=True))
            score = np.where(missing, np.nan, half_up(total))
            hit = (fake >= 1) | (amount >= 10000)
            score = np.where(hit, np.minimum(score, 60), score)
            grade = np.select([score >= 90, score >= 75, score >= 60], ["A", "B", "C"], "D")
            veto = (a["mix_volume"] < 120) | np.isnan(a["mix_volume"])
            factor = np.select([score >= 110, score >= 95, score >= 80, score >= 60], [1.2, 1, 0.8, 0.5], 0)
            factor = np.where(veto | hit, 0, factor)
            bonus = half_up(base * factor)
            order = np.lexsort((entities, -score))
            rank = np.empty(n, dtype=np.int64)
            rank[order] = np.arange(1, n + 1)
        return score, grade, bonus, rank

    def hu(num: Any, den: Any) -> Any:
        """num / den rounded half up, in integers (num >= 0, den > 0)."""
        q, r = np.divmod(num, den)
        return q + (2 * r >= den)

    def exact_by_hand() -> Any:
        # the same figures, exactly: fixed-point integers in cents, as a careful engineer would
        # write this scorecard by hand (every actual has at most 2 decimals)
        a = actuals
        missing = np.zeros(n, dtype=bool)
        cents = {}
        for kpi, _, _ in EVALUATION_KPIS:
            missing |= np.isnan(a[kpi])
            cents[kpi] = np.rint(np.nan_to_num(a[kpi]) * 100).astype(np.int64)
        vol, mix, new, rec = cents["volume"], cents["mix_volume"], cents["new_customers"], cents["receivables_days"]
        sat, ret, inv, vis = cents["satisfaction"], cents["returns_rate"], cents["inventory"], cents["visits"]
        s = [
            np.clip(hu(np.maximum(vol, 0), 5), 0, 12000),  # a / 500 x 100, in cents
            np.where(
                mix >= 20000,
                12000,
                np.where(
                    mix >= 15000,
                    10000 + hu(2 * (mix - 15000), 5),
                    np.where(mix >= 10000, 6000 + hu(4 * (mix - 10000), 5), 0),
                ),
            ),
            np.where(new >= 200, 10000, 4000),
            np.where(
                rec <= 3000,
                12000,
                np.where(
                    rec <= 4500,
                    10000 + hu(4 * (4500 - rec), 3),
                    np.where(rec <= 6000, 6000 + hu(8 * (6000 - rec), 3), 0),
                ),
            ),
            np.select([sat < 8000, sat < 9000], [0, 8000], 10000),
            np.where(ret == 0, 12000, np.clip(hu(2_000_000, np.maximum(ret, 1)), 0, 12000)),
            np.where(
                np.abs(inv - 60000) <= 5000, 10000, np.maximum(0, hu(np.maximum(105000 - np.abs(inv - 60000), 0), 10))
            ),
            np.clip(hu(5 * np.maximum(vis, 0), 2), 0, 12000),
        ]
        weights = (20, 20, 10, 10, 10, 10, 10, 10)
        total = sum(hu(si * w, 100) for si, w in zip(s, weights, strict=True))
        hit = (fake >= 1) | (amount >= 10000)
        total = np.where(hit, np.minimum(total, 6000), total)
        score = np.where(missing, np.nan, total / 100)
        veto = (cents["mix_volume"] < 12000) | np.isnan(a["mix_volume"])
        factor = np.select([total >= 11000, total >= 9500, total >= 8000, total >= 6000], [12000, 10000, 8000, 5000], 0)
        factor = np.where(veto | hit, 0, factor)
        bonus = np.where(missing, np.nan, hu(base.astype(np.int64) * factor, 100) / 100)
        order = np.lexsort((entities, -np.nan_to_num(score, nan=-1.0)))
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.arange(1, n + 1)
        return score, bonus, rank

    def python_loop() -> Any:
        # the same figures, one row at a time in plain Python integers (cents)
        def hu1(num: int, den: int) -> int:
            q, r = divmod(num, den)
            return q + (2 * r >= den)

        score = np.full(n, np.nan)
        bonus = np.full(n, np.nan)
        cols = [actuals[k].tolist() for k, _, _ in EVALUATION_KPIS]
        fakes, amounts, bases = fake.tolist(), amount.tolist(), base.tolist()
        for i in range(n):
            row = [c[i] for c in cols]
            if any(v != v for v in row):
                continue
            vol, mix, new, rec, sat, ret, inv, vis = (round(v * 100) for v in row)
            s = [
                min(max(hu1(max(vol, 0), 5), 0), 12000),
                12000
                if mix >= 20000
                else 10000 + hu1(2 * (mix - 15000), 5)
                if mix >= 15000
                else 6000 + hu1(4 * (mix - 10000), 5)
                if mix >= 10000
                else 0,
                10000 if new >= 200 else 4000,
                12000
                if rec <= 3000
                else 10000 + hu1(4 * (4500 - rec), 3)
                if rec <= 4500
                else 6000 + hu1(8 * (6000 - rec), 3)
                if rec <= 6000
                else 0,
                0 if sat < 8000 else 8000 if sat < 9000 else 10000,
                12000 if ret == 0 else min(max(hu1(2_000_000, max(ret, 1)), 0), 12000),
                10000 if abs(inv - 60000) <= 5000 else max(0, hu1(max(105000 - abs(inv - 60000), 0), 10)),
                min(max(hu1(5 * max(vis, 0), 2), 0), 12000),
            ]
            total = sum(hu1(si * w, 100) for si, w in zip(s, (20, 20, 10, 10, 10, 10, 10, 10), strict=True))
            hit = fakes[i] >= 1 or amounts[i] >= 10000
            if hit:
                total = min(total, 6000)
            factor = (
                12000
                if total >= 11000
                else 10000
                if total >= 9500
                else 8000
                if total >= 8000
                else 5000
                if total >= 6000
                else 0
            )
            if mix < 12000 or hit:
                factor = 0
            score[i] = total / 100
            bonus[i] = hu1(int(bases[i]) * factor, 100) / 100
        return score, bonus

    def simpleeval_rows() -> Any:
        # per row, the policies as pre-parsed formulas run by simpleeval (stratmap's scalar path)
        from decimal import ROUND_HALF_UP, Decimal

        from stratmap.evaluation._policies import policy_formula
        from stratmap.evaluation._scoring import anchors_for
        from stratmap.formula import ITEM_NAMES, parse

        card = strategy.get("rep_monthly")
        items = [
            (
                parse(
                    policy_formula(it.scoring, strategy.kpi(it.kpi).direction, anchors_for(it, "2026-03", {})),
                    names=ITEM_NAMES,
                ),
                it.kpi,
                it.weight,
            )
            for it in card.items
        ]
        cent = Decimal("0.01")
        score = np.full(n, np.nan)
        bonus = np.full(n, np.nan)
        cols = {k: actuals[k].tolist() for k, _, _ in EVALUATION_KPIS}
        for i in range(n):
            total = Decimal(0)
            for formula, kpi, weight in items:
                value = cols[kpi][i]
                if value != value:
                    break
                s = formula.evaluate({"actual": Decimal(repr(value))})
                s = s.quantize(cent, rounding=ROUND_HALF_UP)  # type: ignore[union-attr]
                total += (s * weight / 100).quantize(cent, rounding=ROUND_HALF_UP)
            else:
                hit = fake[i] >= 1 or amount[i] >= 10000
                if hit:
                    total = min(total, Decimal(60))
                factor = next((f for m, f in ((110, "1.2"), (95, "1"), (80, "0.8"), (60, "0.5")) if total >= m), "0")
                if cols["mix_volume"][i] < 120 or hit:
                    factor = "0"
                score[i] = float(total)
                bonus[i] = float(
                    (Decimal(repr(float(base[i]))) * Decimal(factor)).quantize(cent, rounding=ROUND_HALF_UP)
                )
        return score, bonus

    def differing(x: Any, y: Any) -> int:
        return int(np.sum(~((x == y) | (np.isnan(x) & np.isnan(y)))))

    # equal before timing counts: the exact baseline must publish the same scores, bonuses
    # and ranks (of the complete results) as the batch path
    tracemalloc.start()
    result = ours()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    exact_score, exact_bonus, exact_rank = exact_by_hand()
    same = differing(result.score, exact_score) + differing(result.bonus, exact_bonus)
    assert same == 0, f"the exact baseline and the batch path differ on {same} figures"
    complete = ~np.isnan(result.score)
    assert np.array_equal(result.rank[complete], exact_rank[complete]), "the ranks differ"
    float_score, _, float_bonus, _ = by_hand()
    off = differing(result.score, float_score) + differing(result.bonus, float_bonus)
    t = _best_of({"ours": ours, "exact": exact_by_hand, "float": by_hand}, max(1, min(repeat, 3)), loops=1)
    rows = f"{n:,} employee-periods, 8 KPIs, a veto, a high-voltage line"
    per_row_figures: list[Figure] = []
    if per_row:
        timed: dict[str, float] = {}
        for name, fn in (("loop", python_loop), ("simpleeval", simpleeval_rows)):
            start = time.perf_counter()
            got_score, got_bonus = fn()
            timed[name] = time.perf_counter() - start
            wrong = differing(result.score, got_score) + differing(result.bonus, got_bonus)
            assert wrong == 0, f"{name}: {wrong} figures differ from the batch path"  # equal before timing counts
        per_row_figures = [
            Figure(
                f"evaluate batch path, {rows}: plain Python loop / batch",
                timed["loop"] / t["ours"],
                "x",
                note=f"{timed['loop']:.2f} s; same figures",
            ),
            Figure(
                f"evaluate batch path, {rows}: batch / simpleeval per row",
                t["ours"] / timed["simpleeval"],
                "x",
                0.01 if n >= 10_000 else None,
                note=f"simpleeval {timed['simpleeval']:.2f} s, same figures: the batch path at least 100x faster",
            ),
        ]
    goal = None if n < 10_000 else 3.0 if n < 100_000 else 2.0
    return [
        Figure(
            f"evaluate batch path, {rows} (vs hand-written exact NumPy, same figures)",
            t["ours"] / t["exact"],
            "x",
            goal,
            note=f"{t['ours']:.2f} s vs {t['exact']:.2f} s; same scores, bonuses and ranks (checked)",
        ),
        Figure(
            f"evaluate batch path, {rows} (vs hand-written float NumPy, not the same figures)",
            t["ours"] / t["float"],
            "x",
            note=f"{t['float']:.2f} s; the float version publishes {off} of {2 * n:,} figures wrongly",
        ),
        Figure(f"evaluate batch path, {rows}: peak memory", peak / 2**20, "MB"),
        *per_row_figures,
    ]


def _run_checked(cmd: Sequence[str]) -> float:
    """Wall time of one whole process that may report problems (exit 0 or 1) but must not
    crash: a traceback or any other exit fails the benchmark."""
    start = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1) or b"Traceback" in done.stderr:
        raise RuntimeError(f"{' '.join(cmd)} exited {done.returncode}: {done.stderr.decode(errors='replace')[-500:]}")
    return elapsed


EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "manufacturing"


def _pathological(tmp: Path, size: int) -> dict[str, tuple[Path, str]]:
    """Hostile or broken inputs of about ``size`` bytes: name -> (file, what reads it)."""
    header = "entity,kpi,period,value\n"
    made: dict[str, tuple[str, str, str]] = {
        "a line of unclosed [": ("flow.yaml", "stratmap: 1\nx: " + "[" * size + "\n", "validate"),
        "a line of unclosed {": ("mapping.yaml", "stratmap: 1\nx: " + "{" * size + "\n", "validate"),
        "an unclosed flow list of entries": (
            "entries.yaml",
            "stratmap: 1\nx: [" + "a, " * (size // 3) + "\n",
            "validate",
        ),
        "deep JSON actuals": ("deep.json", "[" * (size // 2) + "]" * (size // 2), "data"),
        "CSV actuals, every line's quoting broken": (
            "broken.csv",
            header + 'sales,sales_volume,2026-03,"1"x\n' * (size // 31),
            "data",
        ),
        "CSV actuals, every line opens a quote": ("quotes.csv", header + '"open""quote\n' * (size // 13), "data"),
        "CSV actuals, well-formed (the same size, for comparison)": (
            "good.csv",
            header + "".join(f"p{i},sales_volume,2026-03,{i % 1000}\n" for i in range(size // 31)),
            "data",
        ),
    }
    out = {}
    for name, (file, text, kind) in made.items():
        path = tmp / file
        path.write_text(text, encoding="utf-8")
        out[name] = (path, kind)
    return out


def suite_robustness(tmp: Path, *, smoke: bool, repeat: int) -> list[Figure]:
    """Pathological inputs of 1 MiB each, whole process: each is reported, none hangs or crashes.

    Strategy files go through ``stratmap validate``; data files through ``stratmap evaluate``
    on the bundled example (the reading of data is evaluate's). The baseline is the same
    command on the well-formed example, in the same run.
    """
    size = 16 * 1024 if smoke else 1024 * 1024
    inputs = _pathological(tmp, size)
    evaluate = [*_stratmap(), "evaluate", str(EXAMPLE), "--period", "2026-03", "--format", "json"]
    commands: dict[str, Sequence[str]] = {
        "baseline validate": [*_stratmap(), "validate", str(EXAMPLE)],
        "baseline evaluate": [*evaluate, "--actuals", str(EXAMPLE / "data" / "actuals.csv")],
    }
    for name, (path, kind) in inputs.items():
        commands[name] = (
            [*_stratmap(), "validate", str(path)] if kind == "validate" else [*evaluate, "--actuals", str(path)]
        )
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(max(1, repeat // 2)):
        for name, cmd in commands.items():
            times[name].append(_run_checked(cmd))
    medians = {name: statistics.median(values) for name, values in times.items()}
    label = "robustness (1 MiB)" if not smoke else "robustness (16 KiB)"
    figures = [
        Figure(f"{label}: {name}", medians[name] * 1000, "ms") for name in ("baseline validate", "baseline evaluate")
    ]
    figures.extend(
        Figure(f"{label}: {name}", medians[name] * 1000, "ms", None if "well-formed" in name else 1000)
        for name in inputs
    )
    return figures


SUITES: dict[str, Callable[..., list[Figure]]] = {
    "import": suite_import,
    "validate": suite_validate,
    "validate_large": suite_validate_large,
    "cascade": suite_cascade,
    "formula": suite_formula,
    "evaluate": suite_evaluate,
    "robustness": suite_robustness,
}
