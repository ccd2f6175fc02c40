"""``python -m stratmap`` runs the command line."""

from stratmap.cli import main

raise SystemExit(main())
