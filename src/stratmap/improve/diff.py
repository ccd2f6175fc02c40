"""What changed between two versions of a strategy: ids, targets, weights and driver shares.

``stratmap diff OLD NEW`` compares two loaded strategies (two paths, or two git revisions
of a path written ``REV:PATH``) and lists every added, removed and changed driver,
department, position, KPI, scorecard, item (target, threshold, stretch, weight, policy) and
key indicator, then how each driver's company-wide weight share moved.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from stratmap.model import Strategy
from stratmap.model.scorecard import Item, Scorecard


@dataclass(frozen=True)
class Change:
    """One difference: ``op`` is ``added``, ``removed`` or ``changed`` (then ``field``, ``old``, ``new``)."""

    kind: str
    id: str
    op: str
    field: str | None = None
    old: str | None = None
    new: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "op": self.op, "field": self.field, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class ShareChange:
    """A driver's company-wide weight share (percent) before and after."""

    driver: str
    old: Decimal
    new: Decimal

    @property
    def delta(self) -> Decimal:
        return self.new - self.old

    def as_dict(self) -> dict[str, str]:
        return {"driver": self.driver, "old": str(self.old), "new": str(self.new), "delta": str(self.delta)}


@dataclass(frozen=True)
class StrategyDiff:
    changes: tuple[Change, ...]
    shares: tuple[ShareChange, ...]

    @property
    def empty(self) -> bool:
        return not self.changes and all(s.delta == 0 for s in self.shares)

    def as_dict(self) -> dict[str, Any]:
        return {"changes": [c.as_dict() for c in self.changes], "driver_shares": [s.as_dict() for s in self.shares]}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _fields(kind: str, key: str, old: Any, new: Any, names: Sequence[str]) -> Iterator[Change]:
    for name in names:
        a, b = getattr(old, name, None), getattr(new, name, None)
        if a != b:
            yield Change(kind, key, "changed", name, _text(a), _text(b))


def _compare(kind: str, old: Mapping[str, Any], new: Mapping[str, Any], names: Sequence[str]) -> Iterator[Change]:
    for key in old:
        if key not in new:
            yield Change(kind, key, "removed", old=_text(getattr(old[key], "name", None)))
    for key in new:
        if key not in old:
            yield Change(kind, key, "added", new=_text(getattr(new[key], "name", None)))
        else:
            yield from _fields(kind, key, old[key], new[key], names)


def _scoring(scoring: Any) -> str:
    """The scoring policy and the parameters that differ from its defaults, in one line."""
    from dataclasses import fields

    from stratmap.model.scorecard import Scoring

    default = Scoring()
    parts = [scoring.policy]
    for f in fields(scoring):
        value = getattr(scoring, f.name)
        if f.name != "policy" and value != getattr(default, f.name):
            shown = dict(value) if isinstance(value, Mapping) else value
            parts.append(f"{f.name}={shown}")
    return " ".join(str(p) for p in parts)


def _actions(actions: Sequence[Any]) -> str:
    return "; ".join(f"{a.what} ({a.owner or '-'}, {a.due or '-'}, {a.status})" for a in actions)


def _items(card: Scorecard) -> dict[str, Item]:
    return {item.kpi: item for item in card.items}


def diff(old: Strategy, new: Strategy) -> StrategyDiff:
    """Every difference between ``old`` and ``new`` that changes what people are assessed on."""
    from stratmap.coverage import coverage

    changes: list[Change] = []
    changes += _compare("driver", {d.id: d for d in old.drivers}, {d.id: d for d in new.drivers}, ("name", "rationale"))
    changes += _compare(
        "department",
        {d.id: d for d in old.departments},
        {d.id: d for d in new.departments},
        ("name", "parent"),
    )
    changes += _compare(
        "position",
        {p.id: p for p in old.positions},
        {p.id: p for p in new.positions},
        ("name", "department", "reports_to", "headcount"),
    )
    changes += _compare(
        "purpose", {p.id: p for p in old.purposes}, {p.id: p for p in new.purposes}, ("statement", "serves")
    )
    changes += _compare(
        "kpi",
        {k.id: k for k in old.kpis},
        {k.id: k for k in new.kpis},
        ("name", "unit", "owner", "direction", "frequency", "aggregation", "serves", "answers", "formula"),
    )
    old_cards = {c.id: c for c in old.scorecards}
    new_cards = {c.id: c for c in new.scorecards}
    changes += _compare("scorecard", old_cards, new_cards, ("entity", "tier", "frequency", "bonus"))
    for card_id in old_cards.keys() & new_cards.keys():
        before, after = old_cards[card_id], new_cards[card_id]
        for kpi, item in _items(before).items():
            if kpi not in _items(after):
                changes.append(Change("item", f"{card_id}/{kpi}", "removed", old=f"weight {item.weight}"))
        for kpi, item in _items(after).items():
            was = _items(before).get(kpi)
            key = f"{card_id}/{kpi}"
            if was is None:
                changes.append(Change("item", key, "added", new=f"weight {item.weight}"))
                continue
            changes += _fields("item", key, was, item, ("weight", "target", "threshold", "stretch", "missing"))
            for period in sorted(set(was.targets) | set(item.targets)):
                t_old, t_new = was.targets.get(period), item.targets.get(period)
                if t_old != t_new:
                    changes.append(Change("item", key, "changed", f"targets[{period}]", _text(t_old), _text(t_new)))
            if was.scoring != item.scoring:
                changes.append(Change("item", key, "changed", "scoring", _scoring(was.scoring), _scoring(item.scoring)))
        changes += _compare(
            "key indicator",
            {k.id: k for k in before.key_indicators},
            {k.id: k for k in after.key_indicators},
            ("kpi", "veto_when", "bonus_factor"),
        )
    changes += _compare(
        "revision",
        {r.id: r for r in old.revisions},
        {r.id: r for r in new.revisions},
        ("scorecard", "kpi", "field", "value", "effective", "reason", "approved_by", "date"),
    )
    changes += _compare(
        "plan",
        {p.id: p for p in old.plans},
        {p.id: p for p in new.plans},
        ("entity", "kpi", "period", "goal", "root_cause"),
    )
    for plan_id in {p.id for p in old.plans} & {p.id for p in new.plans}:
        a_plan = next(p for p in old.plans if p.id == plan_id)
        b_plan = next(p for p in new.plans if p.id == plan_id)
        if a_plan.actions != b_plan.actions:
            changes.append(
                Change("plan", plan_id, "changed", "actions", _actions(a_plan.actions), _actions(b_plan.actions))
            )
    changes.sort(key=lambda c: (c.kind, c.id, {"removed": 0, "added": 1, "changed": 2}[c.op], c.field or ""))
    share_old, share_new = coverage(old).company, coverage(new).company
    shares = tuple(
        ShareChange(d, share_old.get(d, Decimal(0)), share_new.get(d, Decimal(0)))
        for d in dict.fromkeys([*share_old, *share_new])
    )
    return StrategyDiff(tuple(changes), shares)


# ---- reading a version ----------------------------------------------------------------


def is_revision(arg: str) -> bool:
    """``REV:PATH`` names a path at a git revision (unless it is an existing path)."""
    return ":" in arg and not os.path.exists(arg) and not (len(arg) > 1 and arg[1] == ":")  # not C:\\


def checkout(arg: str, folder: Path, include_root: str | None = None) -> tuple[Path, Path | None]:
    """Write the strategy files of ``REV:PATH`` under ``folder`` (as they are in that revision).

    Returns the path to read and, with ``include_root`` (a folder of the working tree,
    as ``--include-root`` names it), where that folder is in the checkout: the files
    under it are written, so that includes reaching above PATH's folder are read. The
    names come from ``git ls-tree -z`` (so ``销售部.yaml``
    is not quoted away) and the contents from one ``git cat-file --batch``. Only regular
    blobs are written, and only at a name made of ordinary parts whose place stays inside
    ``folder``: a tree entry named ``..`` (git stores such trees) is refused, never
    followed. Raises ``ValueError`` when git cannot give the files or a name is refused.
    """
    rev, _, path = arg.partition(":")
    path = path or "."
    if rev.startswith("-"):
        raise ValueError(f"{rev!r} is not a revision")  # never an option of git's
    top = _git(["rev-parse", "--show-toplevel"], Path.cwd()).strip()
    if os.path.isabs(path):  # an absolute path: relative to the repository's top
        inside = os.path.relpath(os.path.realpath(path), os.path.realpath(top)).replace(os.sep, "/")
        if inside.startswith(".."):
            raise ValueError(f"{path!r} is outside the repository at {top}")
    else:
        prefix = _git(["rev-parse", "--show-prefix"], Path.cwd()).strip()
        inside = os.path.normpath(os.path.join(prefix, path)).replace(os.sep, "/")
    inside = "" if inside == "." else inside
    entries = _tree(rev, inside or ".", Path(top))
    if not entries:
        raise ValueError(f"{path!r} does not exist at revision {rev!r}")
    wider: str | None = None
    if include_root is not None:
        wider = os.path.relpath(os.path.realpath(include_root), os.path.realpath(top)).replace(os.sep, "/")
        if wider.startswith(".."):
            raise ValueError(f"the include root {include_root!r} is outside the repository at {top}")
        wider = "" if wider == "." else wider
        if wider and inside != wider and not inside.startswith(wider + "/"):
            raise ValueError(f"{path!r} is not inside the include root {include_root!r}")
        entries = _tree(rev, wider or ".", Path(top))
    elif [name for _, name in entries] == [inside]:  # a root file: its folder too, for the files it includes
        entries = _tree(rev, os.path.dirname(inside) or ".", Path(top))
    wanted = [(obj, name) for obj, name in entries if name.endswith((".yaml", ".yml"))]
    base = os.path.realpath(folder)
    targets = [_target(base, name) for _, name in wanted]
    for target, data in zip(targets, _blobs([obj for obj, _ in wanted], Path(top)), strict=True):
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "xb") as fh:  # never through a file or link already there
            fh.write(data)
    root = None if wider is None else (folder / wider if wider else folder)
    return (folder / inside if inside else folder), root


def _tree(rev: str, where: str, top: Path) -> list[tuple[str, str]]:
    """(object id, path) of every regular file under ``where`` at ``rev``."""
    out = _git(["ls-tree", "-r", "-z", "--full-tree", rev, "--", where], top)
    entries = []
    for record in out.split("\0"):
        if not record:
            continue
        meta, _, name = record.partition("\t")
        mode, kind, obj = meta.split(" ")
        if kind == "blob" and mode in ("100644", "100755"):  # no submodules
            entries.append((obj, name))
        elif mode == "120000" and name.endswith((".yaml", ".yml")):
            raise ValueError(f"the revision holds {name!r} as a symbolic link; links in a revision are not followed")
    return entries


def _target(base: str, name: str) -> str:
    """Where the file ``name`` of a tree goes under ``base``; ValueError when it would leave it."""
    parts = name.split("/")
    if any(part in ("", ".", "..") or "\\" in part or "\0" in part for part in parts) or os.path.isabs(name):
        raise ValueError(f"the revision holds a file named {name!r}, which would be written outside the checkout")
    target = os.path.join(base, *parts)
    real = os.path.realpath(os.path.dirname(target))
    if real != base and not real.startswith(base + os.sep):
        raise ValueError(f"the revision holds a file named {name!r}, which would be written outside the checkout")
    return target


def _blobs(objects: Sequence[str], top: Path) -> list[bytes]:
    """The contents of ``objects``, in order, from one ``git cat-file --batch``."""
    if not objects:
        return []
    try:
        done = subprocess.run(
            ["git", "cat-file", "--batch"],
            cwd=top,
            input="".join(f"{obj}\n" for obj in objects).encode("ascii"),
            capture_output=True,
            check=False,
        )
    except OSError as err:
        raise ValueError(f"git is not available: {err}") from None
    if done.returncode != 0:
        raise ValueError(done.stderr.decode("utf-8", "replace").strip() or "git cat-file failed")
    out, at, blobs = done.stdout, 0, []
    for obj in objects:
        end = out.index(b"\n", at)
        header = out[at:end].split(b" ")
        if len(header) != 3 or header[1] != b"blob":
            raise ValueError(f"git cannot give object {obj}: {out[at:end].decode('utf-8', 'replace')}")
        size = int(header[2])
        blobs.append(out[end + 1 : end + 1 + size])
        at = end + 1 + size + 1  # the contents end with a newline
    return blobs


def _git(args: list[str], cwd: Path) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except OSError as err:
        raise ValueError(f"git is not available: {err}") from None
    if done.returncode != 0:
        raise ValueError(done.stderr.strip() or f"git {' '.join(args)} failed")
    return done.stdout


def temporary_folder() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="stratmap-diff-")
