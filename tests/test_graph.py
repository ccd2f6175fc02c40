"""Unit tests of ``stratmap.graph.build_graph``: the shape of the cascade graph."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

import stratmap
from stratmap.graph import build_graph, edge_location, links
from stratmap.model import Scorecard
from stratmap.rules import run_model_rules
from tests.helpers import EXAMPLES, run_cli
from tests.rules.test_cascade_rules import BASE


def load(tmp_path: Path, data: dict[str, Any]) -> stratmap.Strategy:
    path = tmp_path / "strategy.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return stratmap.load(path)


def relations(links: tuple[dict[str, Any], ...]) -> list[str]:
    return [link["relation"] for link in links]


def test_nodes_carry_kind_label_and_location() -> None:
    g = build_graph(stratmap.load(EXAMPLES / "manufacturing"))
    kinds = {data["kind"] for _, data in g.nodes(data=True)}
    assert {"driver", "purpose", "department", "kpi", "scorecard", "key_indicator", "tier"} <= kinds
    for _, data in g.nodes(data=True):
        assert {"kind", "label", "location"} <= set(data)
    assert g.nodes["volume_share"]["location"].line > 0


def test_every_edge_lists_its_links_and_by_relation_indexes_them() -> None:
    g = build_graph(stratmap.load(EXAMPLES / "manufacturing"))
    flat = list(links(g))
    indexed = [(s, d, attrs["links"][0]) for entries in g.graph["by_relation"].values() for s, d, attrs in entries]
    assert sorted((s, d, lk["relation"]) for s, d, lk in flat) == sorted((s, d, lk["relation"]) for s, d, lk in indexed)
    for src, dst, link in flat:
        assert {"relation", "contributes"} <= set(link)
        assert edge_location(g, src, dst, link).line > 0


def test_a_kpi_twice_on_one_card_is_one_edge_with_two_links(tmp_path: Path) -> None:
    data = copy.deepcopy(BASE)
    data["scorecards"][0]["items"] = [
        {"kpi": "volume", "weight": 60, "target": 100},
        {"kpi": "volume", "weight": 40, "target": 120},
    ]
    g = build_graph(load(tmp_path, data))
    found = g.edges["sales_m", "volume"]["links"]
    assert relations(found) == ["measures", "measures"]
    assert [(link["item"], link["weight"]) for link in found] == [(0, 60), (1, 40)]
    lines = [edge_location(g, "sales_m", "volume", link).line for link in found]
    assert lines == sorted(set(lines))


def test_two_relations_between_the_same_kpis_keep_both(tmp_path: Path) -> None:
    data = copy.deepcopy(BASE)
    data["kpis"][1]["formula"] = "volume / 2"  # rep_volume reads volume and cascades to it
    g = build_graph(load(tmp_path, data))
    found = g.edges["rep_volume", "volume"]["links"]
    assert sorted(relations(found)) == ["cascades_to", "computed_from"]
    assert {link["contributes"] for link in found} == {True}


def test_links_to_unknown_ids_are_left_out(tmp_path: Path) -> None:
    strategy = load(tmp_path, copy.deepcopy(BASE))
    volume = replace(strategy.kpis[0], serves=("grow", "nowhere"))
    g = build_graph(replace(strategy, kpis=(volume, *strategy.kpis[1:])))  # as if references were not checked
    assert "nowhere" not in g
    assert relations(g.edges["volume", "grow"]["links"]) == ["serves"]
    assert all(dst != "nowhere" for _, dst, _ in links(g))
    assert all(dst != "nowhere" for _, dst, _ in g.graph["by_relation"]["serves"])


def test_building_does_not_change_the_model_and_is_repeatable() -> None:
    strategy = stratmap.load(EXAMPLES / "manufacturing")
    before = repr(strategy)
    first, second = build_graph(strategy), build_graph(strategy)
    assert repr(strategy) == before
    assert list(first.nodes(data="kind")) == list(second.nodes(data="kind"))
    assert [(s, d, lk["relation"]) for s, d, lk in links(first)] == [
        (s, d, lk["relation"]) for s, d, lk in links(second)
    ]


def test_json_map_lists_one_edge_per_link(tmp_path: Path) -> None:
    data = copy.deepcopy(BASE)
    data["scorecards"][0]["items"] = [
        {"kpi": "volume", "weight": 60, "target": 100},
        {"kpi": "volume", "weight": 40, "target": 120},
    ]
    path = tmp_path / "strategy.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    _, out, _ = run_cli("graph", str(path), "--format", "json")
    doc = json.loads(out)
    items = [e for e in doc["edges"] if e["relation"] == "measures" and e["source"] == "sales_m"]
    assert [(e["item"], e["weight"]) for e in items] == [(0, "60"), (1, "40")]
    check = run_model_rules(stratmap.load(path))
    assert len(doc["edges"]) == len(list(links(check.graph)))


def test_the_module_examples_run() -> None:
    import doctest

    import stratmap.graph
    from tests.helpers import ROOT, chdir

    with chdir(ROOT):
        result = doctest.testmod(stratmap.graph)
    assert result.attempted >= 3 and result.failed == 0


def test_rules_read_an_edited_graph_once_its_index_is_dropped() -> None:
    from stratmap.rules.registry import Context

    g = build_graph(stratmap.load(EXAMPLES / "manufacturing"))
    g.remove_edge("output", "prod_volume_on_time")
    del g.graph["by_relation"]
    ctx = Context(stratmap.load(EXAMPLES / "manufacturing"), g)
    assert all((s, d) != ("output", "prod_volume_on_time") for s, d, _ in ctx.edges("serves"))


def test_links_are_read_only_and_say_where_they_are_written(tmp_path: Path) -> None:
    g = build_graph(stratmap.load(EXAMPLES / "manufacturing"))
    src, dst, link = next(entry for entry in links(g) if entry[2]["relation"] == "serves")
    try:
        link["relation"] = "answers"  # type: ignore[index]
    except TypeError:
        pass
    else:  # pragma: no cover - a shared link must not be editable
        raise AssertionError("a link could be changed")
    assert link["relation"] == "serves" and "index" in link
    assert edge_location(g, src, dst, link).line > 0


def test_an_id_declared_twice_still_gives_every_node_its_attributes(tmp_path: Path) -> None:
    strategy = load(tmp_path, copy.deepcopy(BASE))
    twin = replace(strategy.kpis[0], name="twin")
    g = build_graph(replace(strategy, kpis=(*strategy.kpis, twin)))  # as if duplicates were not reported
    assert all({"kind", "label", "location"} <= set(data) for _, data in g.nodes(data=True))
    assert g.nodes[twin.id]["label"] == "twin"  # the later declaration wins, as with any mapping
    assert [n for n, data in g.nodes(data=True) if data["kind"] == "kpi"] == [k.id for k in strategy.kpis]


def test_each_link_is_located_at_the_key_that_writes_it(tmp_path: Path) -> None:
    data = copy.deepcopy(BASE)
    data["departments"].append({"id": "region", "name": "大区", "purposes": []})
    data["departments"][0]["parent"] = "region"
    data["kpis"].append(
        {"id": "half", "name": "半量", "unit": "吨", "owner": "sales", "serves": ["grow"], "formula": "volume / 2"}
    )
    strategy = load(tmp_path, data)
    g = build_graph(strategy)
    sales, volume = strategy.get("sales"), strategy.get("volume")
    half, card = strategy.get("half"), strategy.get("sales_m")
    assert sales is not None and volume is not None and half is not None and isinstance(card, Scorecard)
    expected = {
        ("sales", "region", "part_of"): sales.where.at("parent"),
        ("half", "volume", "computed_from"): half.where.at("formula"),
        ("volume", "grow", "serves"): volume.where.at("serves", 0),
        ("sales_m", "volume", "measures"): card.items[0].where.at("kpi"),
        ("sales_m", "tier:short_term", "in_tier"): card.where.at("tier"),
        ("sales", "grow", "has_purpose"): g.nodes["grow"]["location"],
        ("rep_volume", "volume", "cascades_to"): strategy.kpi("rep_volume").where.at("parent"),
    }
    found = {(s, d, link["relation"]): edge_location(g, s, d, link) for s, d, link in links(g)}
    for key, location in expected.items():
        assert found[key] == location, key


def test_the_json_map_gives_a_weight_by_its_value(tmp_path: Path) -> None:
    data = copy.deepcopy(BASE)
    data["scorecards"][0]["items"][0]["weight"] = 100.0
    data["scorecards"][1]["items"][0]["weight"] = 100
    path = tmp_path / "strategy.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    _, out, _ = run_cli("graph", str(path), "--format", "json")
    weights = [e["weight"] for e in json.loads(out)["edges"] if e["relation"] == "measures"]
    assert weights == ["100", "100"]


def test_value_traversals_are_plain_functions_of_the_graph() -> None:
    from stratmap.graph import reached_from, reaches_a_driver, value_sources

    g = build_graph(stratmap.load(EXAMPLES / "manufacturing"))
    sources = value_sources(g)
    assert sources == value_sources(g, g.graph["by_relation"])  # the index given or read: one answer
    drivers = [n for n in g if g.nodes[n]["kind"] == "driver"]
    reaching = reaches_a_driver(g, drivers, sources)
    assert set(drivers) <= reaching
    for node in reaching - set(drivers):  # each node said to reach a driver has a path to one
        assert any(reached_from(g, d, {node}, sources) for d in drivers), node
    measured = {k for k in g if g.nodes[k]["kind"] == "kpi"}
    assert all(reached_from(g, d, measured, sources) for d in drivers if d in sources)
    assert not reached_from(g, "no_such_driver", measured, sources)
    assert not reached_from(g, drivers[0], {drivers[0]}, sources)  # a driver is not its own source


def test_a_derived_kpi_links_what_its_formula_names_read_by_the_formula_lexer(tmp_path: Path) -> None:
    data = copy.deepcopy(BASE)
    data["kpis"].append({"id": "e5", "name": "E5", "unit": "吨", "owner": "sales", "serves": ["grow"]})
    # 1e5 is a number, not the KPI e5; volume is read twice and linked once
    data["kpis"].append(
        {
            "id": "per_head",
            "name": "人均",
            "formula": "volume / 1e5 + volume",
            "unit": "吨",
            "owner": "sales",
            "serves": ["grow"],
        }
    )
    g = build_graph(load(tmp_path, data))
    assert [dst for _, dst, lk in links(g) if lk["relation"] == "computed_from"] == ["volume"]


def test_names_in_reads_a_broken_formula_leniently() -> None:
    from stratmap.formula import names_in

    assert names_in("if a > b then c else d") == ["a", "b", "then", "c", "d"]
    assert names_in("销量 + sales_volume * 2 ** x") == ["sales_volume", "x"]
    assert names_in("not (True and x1)") == ["x1"]
    assert names_in("") == []
