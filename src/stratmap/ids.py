"""What an id looks like, in one place: the schema's pattern, the reference checks and the
data tables all read it from here (a test holds the shipped schema to it)."""

from __future__ import annotations

import re

#: An id (标识符): a lower-case ASCII letter, then letters, digits or '_', at most 64.
ID_PATTERN = "^[a-z][a-z0-9_]{0,63}$"
ID = re.compile(ID_PATTERN.rstrip("$") + r"\Z")
