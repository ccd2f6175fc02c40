"""``python -m stratmap`` runs the command line."""

from stratmap.cli import entry

entry()
