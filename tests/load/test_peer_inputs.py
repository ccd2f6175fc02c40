"""The loader against third-party YAML inputs (read from ../shared/peer, never copied).

Every input gets either a clean read or located diagnostics, never a traceback or a
hang; every input libyaml itself refuses is reported.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from stratmap.load.reader import read_document
from tests.helpers import SHARED

PEER = SHARED / "peer" / "yaml"
FILES = sorted(PEER.glob("*/*.yaml")) if PEER.is_dir() else []

pytestmark = pytest.mark.skipif(not FILES, reason="../shared/peer/yaml is not beside this checkout")


def _libyaml_refuses(path: Path) -> bool:
    """Whether libyaml (the parser stratmap uses) refuses the input.

    PyYAML's pure-Python scanner is stricter than the YAML 1.2 spec about tabs used as
    separators, so libyaml is the oracle here.
    """
    try:
        list(yaml.load_all(path.read_bytes(), Loader=yaml.CSafeLoader))
    except yaml.YAMLError:
        return True
    except Exception:  # PyYAML's constructors raise other errors for odd input (e.g. bad dates)
        return False
    return False


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.name}" for p in FILES])
def test_every_input_is_read_or_reported_with_a_location(path: Path) -> None:
    doc, diags = read_document(path)  # how fast is measured by the benchmarks, not asserted here
    for d in diags:
        assert d.location.file == str(path)
        assert d.code.startswith("SM1")
        assert d.message() and d.message("zh")
        if d.code not in ("SM100", "SM106"):
            assert d.location.line >= 1 and d.location.column >= 1
    if doc.data is None:
        assert diags, "an unreadable document must say why"
    if _libyaml_refuses(path):
        assert diags, "libyaml refuses this input, so stratmap must report it"
