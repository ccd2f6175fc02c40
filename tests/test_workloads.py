"""The benchmark workloads are valid strategies shaped like real ones (a benchmark of a
strategy full of findings would measure the wrong thing)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from benchmarks.workloads import write_strategy

import stratmap
from stratmap.graph import build_graph, links


@pytest.mark.parametrize("n_kpis", [5, 17, 250])
def test_the_strategy_workload_is_clean(tmp_path: Path, n_kpis: int) -> None:
    path = write_strategy(tmp_path, n_kpis)
    found = stratmap.check(path)
    assert {d.code for d in found} <= {"SM314"}, [str(d) for d in found if d.code != "SM314"]


def test_the_strategy_workload_exercises_the_cascade(tmp_path: Path) -> None:
    g = build_graph(stratmap.load(write_strategy(tmp_path, 250)))
    relations = Counter(link["relation"] for _, _, link in links(g))
    kinds: Counter[str] = Counter(g.nodes[n]["kind"] for n in g)
    assert relations["cascades_to"] == 50 and relations["part_of"] == 24 and relations["computed_from"] == 50
    assert kinds["position"] == 25 and kinds["high_voltage_line"] == 3 and kinds["kpi"] == 250
    from_purposes = Counter(s for s, _, _ in g.graph["by_relation"]["serves"] if g.nodes[s]["kind"] == "purpose")
    assert sum(1 for n in from_purposes.values() if n == 2) == 5  # every fifth purpose serves two drivers
    to_drivers = [
        s for s, d, _ in g.graph["by_relation"]["serves"] if g.nodes[s]["kind"] == "kpi" and d.startswith("driver")
    ]
    assert to_drivers  # some KPIs serve a driver directly
