"""A scratch PostgreSQL database for a benchmark, made on the server that
TEMUSHIP_TEST_DATABASE_URL names and dropped afterwards (never the shared one itself).

The database itself is made and dropped by tests/scratch_databases.py, as the tests' are."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[1])
if ROOT not in sys.path:  # a bench runs as `python bench/X.py`: the repo root holds `tests`
    sys.path.insert(0, ROOT)

from tests.scratch_databases import PG_ENV, scratch_database  # noqa: E402


@contextmanager
def scratch_postgres() -> Iterator[str | None]:
    """The URL of a fresh database, or None when TEMUSHIP_TEST_DATABASE_URL is not set."""
    base_url = os.environ.get(PG_ENV)
    if not base_url:
        yield None
        return
    with scratch_database(base_url, "temuship_bench") as url:
        yield url
