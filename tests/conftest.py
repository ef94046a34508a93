"""Settings every test layer shares. Prefect reads its settings at import, so they go first."""

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.scratch_databases import PG_ENV, scratch_database

# pytest-xdist's workers (pyproject: -n 2) inherit the controller's environment: each gets
# Prefect and temuship homes of its own, so their temporary servers never share a database.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
for _name, _prefix in (
    ("PREFECT_HOME", "temuship-prefect-home-"),
    ("TEMUSHIP_HOME", "temuship-home-"),
):
    if WORKER or _name not in os.environ:
        os.environ[_name] = tempfile.mkdtemp(prefix=f"{_prefix}{WORKER}")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.pop("PREFECT_API_URL", None)
os.environ.setdefault("TEMUSHIP_SECRET_KEY", "test-secret-key-not-for-production")


# --- shared fixtures -------------------------------------------------------------------------

BACKENDS = ["sqlite", "postgresql"] if os.environ.get(PG_ENV) else ["sqlite"]


@pytest.fixture(params=BACKENDS)
def any_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh SQLite file, and (when TEMUSHIP_TEST_DATABASE_URL is set) the session's
    PostgreSQL database: tests using it run once per backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/temuship.db"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL database of this session's own, made on the server that
    TEMUSHIP_TEST_DATABASE_URL names and dropped at the end: runs never see each other's rows."""
    with scratch_database(os.environ[PG_ENV], "temuship_test") as url:
        yield url


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One Prefect test server for the whole session (PREFECT-NOTES §6), started on first use."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with (
        temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}),
        prefect_test_harness(server_startup_timeout=60),
    ):
        yield
