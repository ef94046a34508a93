"""Alembic migrations, applied automatically on the first use of a database in a process.

A database already at `HEAD` costs one query: alembic is imported, and its scripts read, only
when there is something to apply. Every flow run is a process of its own (bench/scale.py runs
200 of them in 15 minutes on two cores), and importing `adapters.db` in one took 0.07-0.09 s
less CPU without alembic (0.44-0.46 s against 0.51-0.53 s, on PostgreSQL)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from adapters.db.tables import TABLE_NAMES

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# The newest revision, read off the file names in migrations/versions (`NNNN_what.py`, whose
# revision is `NNNN`) without importing alembic; tests/integration/db/test_db_schema.py checks
# it against alembic's head.
HEAD = max(
    path.name[:4] for path in (MIGRATIONS_DIR / "versions").glob("[0-9][0-9][0-9][0-9]_*.py")
)
# Any constant will do: it only has to be the same in every temuship process.
MIGRATION_LOCK_KEY = 0x7E5A_5111_0001

_migrated: set[str] = set()
_migrated_lock = threading.Lock()


def alembic_config(connection: Connection | None = None) -> Config:
    """An alembic Config for temuship's migrations, bound to a connection when given."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database, one process at a time (advisory lock / immediate transaction)."""
    from alembic import command

    with engine.connect() as connection:
        _lock_for_migration(connection)
        command.upgrade(alembic_config(connection), revision)
        connection.commit()


def ensure_migrated(engine: Engine) -> None:
    """Upgrade to head once per database URL in this process."""
    key = engine.url.render_as_string(hide_password=False)
    if key in _migrated:
        return
    with _migrated_lock:
        if key not in _migrated:
            if not at_head(engine):
                upgrade(engine)
            _migrated.add(key)


def at_head(engine: Engine) -> bool:
    """Whether the database says it is at `HEAD` (False when it has no alembic_version yet, or
    cannot be read: `upgrade` then applies what is missing, or raises what is wrong)."""
    try:
        with engine.connect() as connection:
            versions = connection.execute(text("SELECT version_num FROM alembic_version"))
            return list(versions.scalars()) == [HEAD]
    except DBAPIError:
        return False


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Only temuship's tables: a shared database may hold others (and alembic_version)."""
    if type_ == "table":
        return name in TABLE_NAMES
    table = getattr(obj, "table", None)
    return table is None or table.name in TABLE_NAMES


def _lock_for_migration(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
    elif connection.dialect.name == "sqlite":
        # The write lock, up front: a second process waits (busy_timeout), then finds head.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
