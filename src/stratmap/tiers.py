"""The three assessment tiers (考核层级), named once: the model, the graph, the evaluation and
the CLI's ``--tier`` read them from here (a module light enough for the CLI's start-up)."""

from __future__ import annotations

from typing import Literal, get_args

Tier = Literal["short_term", "annual", "major_responsibility"]
#: The tiers, in order.
TIERS: tuple[Tier, ...] = get_args(Tier)
