"""Engines: a SQLite file by default, PostgreSQL when TEMUSHIP_DATABASE_URL points at one."""

from __future__ import annotations

import contextlib
import json
import os
import stat
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.pool import StaticPool

from adapters.db.location import PRIVATE_FILE, database_url, private_file
from adapters.db.migrate import ensure_migrated

SQLITE_BUSY_TIMEOUT_MS = 30_000
_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def make_engine(url: str | URL | None = None, *, migrate: bool = True, **options: Any) -> Engine:
    """A new engine for the URL (default: TEMUSHIP_DATABASE_URL or the local SQLite file).

    The schema is migrated to the latest revision on the first use of a URL in this process.
    """
    resolved = _normalise(database_url(url))
    engine = create_engine(resolved, **{**_options_for(resolved), **options})
    if resolved.get_backend_name() == "sqlite":
        if not _in_memory(resolved):
            _private_sqlite_files(Path(str(resolved.database)).expanduser())
        event.listen(engine, "connect", _sqlite_on_connect)
    if migrate:
        ensure_migrated(engine)
    return engine


def engine_for(url: str | URL | None = None) -> Engine:
    """The process-wide engine for a URL (one pool per database), made on first call."""
    key = _normalise(database_url(url)).render_as_string(hide_password=False)
    with _engines_lock:
        if key not in _engines:
            _engines[key] = make_engine(key)
        return _engines[key]


def dispose_all() -> None:
    """Close every cached engine's connections (tests dropping their database, shutdown)."""
    with _engines_lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


def _normalise(url: URL) -> URL:
    if url.drivername in ("postgresql", "postgres"):
        return url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() == "sqlite" and not _in_memory(url):
        Path(str(url.database)).expanduser().parent.mkdir(parents=True, exist_ok=True)
    return url


def _private_sqlite_files(path: Path) -> None:
    """The database file is 0600 whatever the umask (made empty now if missing: SQLite takes
    an empty file for a new database, and gives its -wal and -shm files the same mode)."""
    private_file(path)
    for suffix in ("-wal", "-shm", "-journal"):
        companion = path.with_name(path.name + suffix)
        with contextlib.suppress(FileNotFoundError):
            if stat.S_IMODE(companion.stat().st_mode) != PRIVATE_FILE:
                os.chmod(companion, PRIVATE_FILE)


def _in_memory(url: URL) -> bool:
    return url.database in (None, "", ":memory:")


def _options_for(url: URL) -> dict[str, Any]:
    options: dict[str, Any] = {"json_serializer": _dump_json}
    if url.get_backend_name() == "sqlite":
        options["connect_args"] = {"check_same_thread": False}
        if _in_memory(url):
            options["poolclass"] = StaticPool
    else:
        options["pool_pre_ping"] = True
    return options


def _dump_json(value: Any) -> str:
    return json.dumps(value, default=str)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # The busy timeout first: switching to WAL takes a lock another new connection may hold.
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
