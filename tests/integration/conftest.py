"""Integration fixtures: a database URL for SQLite (a temp file), and PostgreSQL when asked.

PostgreSQL runs when TEMUSHIP_TEST_DATABASE_URL is set, for example
postgresql+psycopg://postgres@127.0.0.1:5432/test. Tests share that database, so each uses
its own shop ids (`shop_id` fixture).
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests.conftest import BACKENDS


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL per backend: a fresh SQLite file, or the session's PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'temuship.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def shop_id() -> str:
    """A shop id no other test uses, so tests can share a database."""
    return f"shop-{uuid.uuid4().hex[:12]}"
