"""A scratch PostgreSQL database for a benchmark, made on the server that
TEMUSHIP_TEST_DATABASE_URL names and dropped afterwards (never the shared one itself)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PG_ENV = "TEMUSHIP_TEST_DATABASE_URL"


@contextmanager
def scratch_postgres() -> Iterator[str | None]:
    """The URL of a fresh database, or None when TEMUSHIP_TEST_DATABASE_URL is not set."""
    base_url = os.environ.get(PG_ENV)
    if not base_url:
        yield None
        return
    base = make_url(base_url)
    name = f"temuship_bench_{uuid.uuid4().hex[:12]}"
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
