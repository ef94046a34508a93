"""Integration fixtures: a database URL for SQLite (a temp file), and PostgreSQL when asked.

PostgreSQL runs when TEMUSHIP_TEST_DATABASE_URL is set, for example
postgresql+psycopg://postgres@127.0.0.1:5432/test. Tests share that database, so each uses
its own shop ids (`shop_id` fixture).
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

PG_ENV = "TEMUSHIP_TEST_DATABASE_URL"

BACKENDS = ["sqlite", "postgresql"] if os.environ.get(PG_ENV) else ["sqlite"]


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL per backend: a fresh SQLite file, or the shared PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'temuship.db'}"
    return os.environ[PG_ENV]


@pytest.fixture
def shop_id() -> str:
    """A shop id no other test uses, so tests can share a database."""
    return f"shop-{uuid.uuid4().hex[:12]}"
