"""Scratch PostgreSQL databases for tests and benchmarks: made on the server a URL names, next to
the database it names (never that one itself), and dropped after use with their connections.

The tests' session database (tests/conftest.py), the tests' databases of their own (a key of
their own, a read-only home) and the benchmarks' (bench/scratch_db.py) are all made here.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

PG_ENV = "TEMUSHIP_TEST_DATABASE_URL"


@contextmanager
def scratch_database(server_url: str, prefix: str) -> Iterator[str]:
    """The URL of a fresh database named `<prefix>_<12 hex digits>` on `server_url`'s server,
    dropped on exit (WITH (FORCE): connections still open are terminated)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(server_url)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        from adapters.db.engine import dispose_all

        dispose_all()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def own_database(database_url: str, prefix: str) -> Iterator[str]:
    """A database of one test alone: `database_url` itself when it is not PostgreSQL (a SQLite
    file is already the test's own), else a scratch database next to it."""
    if not database_url.startswith("postgresql"):
        yield database_url
        return
    with scratch_database(database_url, prefix) as url:
        yield url
