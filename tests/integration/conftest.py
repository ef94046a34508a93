"""Integration fixtures: a database URL for SQLite (a temp file), and PostgreSQL when asked.

PostgreSQL runs when TEMUSHIP_TEST_DATABASE_URL is set, for example
postgresql+psycopg://postgres@127.0.0.1:5432/test: each session gets a database of its own
there, shared by its tests, so each test uses its own shop ids (`shop_id` fixture).
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from adapters.sandbox.launcher import Sandbox
from tests.integration.sync.sync_helpers import Cli


@pytest.fixture
def database_url(any_database_url: str) -> str:
    """Integration tests run on every backend (tests/conftest.py)."""
    return any_database_url


@pytest.fixture
def shop_id() -> str:
    """A shop id no other test uses, so tests can share a database."""
    return f"shop-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def cli(database_url: str, tmp_path: Path, sandbox: Sandbox) -> Cli:
    """The `temuship` command run in this process against the test's database and sandbox
    (each directory that uses it gives its own `sandbox`)."""
    return Cli(database_url, tmp_path / "home", sandbox)


@pytest.fixture
def shop(cli: Cli) -> str:
    """A connected shop with a name no other test uses."""
    name = f"shop-{uuid.uuid4().hex[:10]}"
    result = cli.connect(name)
    assert result.exit_code == 0, result.output
    return name
