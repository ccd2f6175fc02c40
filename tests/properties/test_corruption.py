"""Property: a valid generated strategy loads clean; corrupting any one key is reported
at that key's line and column, and nothing unrelated is reported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st

import stratmap

NAMES = (
    st.text(alphabet="销售生产供应部指标驱动力提高份额利润客户满意度质量 ", min_size=1, max_size=12)
    .map(str.strip)
    .filter(bool)
)


@st.composite
def strategies(draw: st.DrawFn) -> dict[str, Any]:
    n_depts = draw(st.integers(1, 3))
    n_drivers = draw(st.integers(1, n_depts))  # every driver is served by some department
    drivers = [{"id": f"driver_{i}", "name": draw(NAMES), "rationale": draw(NAMES)} for i in range(n_drivers)]
    departments = [
        {
            "id": f"dept_{d}",
            "name": draw(NAMES),
            "purposes": [
                {
                    "id": f"purpose_{d}",
                    "statement": draw(NAMES),
                    "serves": [f"driver_{d % n_drivers}"],
                }
            ],
        }
        for d in range(n_depts)
    ]
    kpis: list[dict[str, Any]] = []
    scorecards: list[dict[str, Any]] = []
    for d in range(n_depts):
        count = draw(st.integers(1, 4))
        weights = [100 // count] * count
        weights[0] += 100 - sum(weights)
        items = []
        for k in range(count):
            kid = f"kpi_{d}_{k}"
            kpis.append(
                {
                    "id": kid,
                    "name": f"{draw(NAMES)} {kid}",  # distinct measures: no accidental SM313
                    "unit": draw(st.sampled_from(["%", "吨", "万元", "天"])),
                    "owner": f"dept_{d}",
                    "direction": draw(st.sampled_from(["higher_is_better", "lower_is_better"])),
                    "serves": [f"purpose_{d}"],
                }
            )
            items.append({"kpi": kid, "weight": weights[k], "target": draw(st.integers(1, 1000))})
        veto = {"id": f"veto_{d}", "kpi": f"kpi_{d}_0", "veto_when": "actual < target * 0.8"}
        scorecards.append(
            {
                "id": f"card_{d}",
                "for": f"dept_{d}",
                "tier": "short_term",
                "frequency": "monthly",
                "items": items,
                "key_indicators": [veto],
            }
        )
    return {
        "stratmap": 1,
        "organisation": {"id": "gen_org", "name": draw(NAMES)},
        "analysis": {"industry": {"summary": draw(NAMES)}, "company": {"summary": draw(NAMES)}},
        "drivers": drivers,
        "departments": departments,
        "kpis": kpis,
        "scorecards": scorecards,
    }


def _key_paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    if isinstance(node, dict):
        for k, v in node.items():
            out.append((*prefix, k))
            out.extend(_key_paths(v, (*prefix, k)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.extend(_key_paths(v, (*prefix, i)))
    return out


def _node_at(text: str, path: tuple[Any, ...]) -> tuple[Any, Any]:
    """(key node, value node) at ``path``, found with PyYAML's own composer: an oracle
    independent of stratmap's reader."""
    node: Any = yaml.compose(text, Loader=yaml.SafeLoader)
    key_node = None
    for part in path:
        if isinstance(part, int):
            key_node, node = None, node.value[part]
        else:
            key_node, node = next((k, v) for k, v in node.value if k.value == part)
    return key_node, node


def _key_position(text: str, path: tuple[Any, ...]) -> tuple[int, int]:
    key_node, _ = _node_at(text, path)
    return key_node.start_mark.line + 1, key_node.start_mark.column + 1


def _mapping_position(text: str, path: tuple[Any, ...]) -> tuple[int, int]:
    """Where stratmap reports a key missing from the mapping at ``path``: the mapping's own
    key, or its first line when it is a list item."""
    key_node, node = _node_at(text, path)
    mark = (key_node or node).start_mark
    return mark.line + 1, mark.column + 1


def _declared_ids(key: str, value: Any) -> set[str]:
    if key == "id":
        return {value}
    found: set[str] = set()
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("id"), str):
                found.add(node["id"])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@given(strategies(), st.data())
def test_corrupting_a_random_key_is_reported_at_that_key(data: dict[str, Any], draw: st.DataObject) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "strategy.yaml"
        text = _dump(data)
        root.write_text(text, encoding="utf-8")
        assert stratmap.check(root) == []
        model = stratmap.load(root)  # the generated model also loads, and means what was written
        assert [k.id for k in model.kpis] == [k["id"] for k in data["kpis"]]
        assert all(card.total_weight == 100 for card in model.scorecards)

        path = draw.draw(st.sampled_from([p for p in _key_paths(data) if p != ("stratmap",)]))
        parent: Any = data
        for part in path[:-1]:
            parent = parent[part]
        old = path[-1]
        new = draw.draw(
            st.sampled_from([old + "x", old[:-1], old.upper(), "x" + old]).filter(lambda k: k not in parent)
        )
        corrupted = {k if k != old else new: v for k, v in parent.items()}
        parent.clear()
        parent.update(corrupted)
        text = _dump(data)
        root.write_text(text, encoding="utf-8")

        key_line, key_col = _key_position(text, (*path[:-1], new))
        found = stratmap.check(root)
        assert ("SM121", key_line, key_col) in [(d.code, d.location.line, d.location.column) for d in found]
        # anything else follows from the change: the key is now missing, or an id it declared is gone
        mapping_loc = _mapping_position(text, tuple(path[:-1]))
        for d in found:
            if d.code == "SM121":
                assert (d.location.line, d.location.column) == (key_line, key_col)
            elif d.code == "SM120":
                assert (d.location.line, d.location.column) == mapping_loc
            elif d.code == "SM206":
                assert old == "organisation", d  # without it there is no root
            elif d.code == "SM343":
                pass  # the note that the checks across the cascade wait for the errors
            else:  # a reference to an id the renamed key used to declare
                assert d.code == "SM201", d
                assert d.arguments["ref"] in _declared_ids(old, parent[new]), d
