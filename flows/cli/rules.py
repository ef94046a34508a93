"""What the command checks of its input before anything is asked or written, shared by the
checks and their help text (so the two cannot drift apart)."""

from __future__ import annotations

import re

NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
NAME_RULE = "lower-case letters, digits and '-', starting with a letter or digit, at most 63"
MAX_BACKFILL_DAYS = 365
