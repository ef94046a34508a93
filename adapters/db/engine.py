"""Engines: a SQLite file by default, PostgreSQL when TEMUSHIP_DATABASE_URL points at one."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.pool import StaticPool

from adapters.db.location import (
    DATABASE_URL_ENV,
    PRIVATE_FILE,
    UnusableDatabaseUrl,
    database_url,
    private_file,
)
from adapters.db.migrate import ensure_migrated

SQLITE_BUSY_TIMEOUT_MS = 30_000
_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def make_engine(url: str | URL | None = None, *, migrate: bool = True, **options: Any) -> Engine:
    """A new engine for the URL (default: TEMUSHIP_DATABASE_URL or the local SQLite file).

    The schema is migrated to the latest revision on the first use of a URL in this process.
    """
    return _make(_resolved(url), _setting(url), migrate=migrate, **options)


def engine_for(url: str | URL | None = None) -> Engine:
    """The process-wide engine for a URL (one pool per database), made on first call."""
    resolved = _resolved(url)
    key = resolved.render_as_string(hide_password=False)
    with _engines_lock:
        if key not in _engines:
            _engines[key] = _make(resolved, _setting(url))
        return _engines[key]


def _make(resolved: URL, setting: str | None, *, migrate: bool = True, **options: Any) -> Engine:
    if resolved.get_backend_name() == "sqlite" and not _in_memory(resolved):
        with _named_file(setting, resolved):
            _private_sqlite_files(Path(str(resolved.database)).expanduser())
    engine = create_engine(resolved, **{**_options_for(resolved), **options})
    if resolved.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_on_connect)
    if migrate:
        ensure_migrated(engine)
    return engine


def dispose_all() -> None:
    """Close every cached engine's connections (tests dropping their database, shutdown)."""
    with _engines_lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


def _resolved(url: str | URL | None) -> URL:
    """The URL to use (location.database_url), its SQLite file's directory made."""
    resolved = database_url(url)
    with _named_file(_setting(url), resolved):
        return _normalise(resolved)


def _setting(given: str | URL | None) -> str | None:
    """Where the URL came from, for messages; None for the default file in the data directory."""
    if given:
        return "the database URL"
    return DATABASE_URL_ENV if os.environ.get(DATABASE_URL_ENV) else None


@contextlib.contextmanager
def _named_file(setting: str | None, url: URL) -> Iterator[None]:
    """A SQLite file that cannot be made or opened, when a URL named it: the error names the
    file and the setting (the default file's OSError goes on: it names the data directory)."""
    try:
        yield
    except OSError as error:
        if setting is None or url.get_backend_name() != "sqlite":
            raise
        what = "not a directory" if error.errno == errno.EEXIST else error.strerror or "OSError"
        where = f": {os.fsdecode(error.filename)}" if error.filename else ""
        raise UnusableDatabaseUrl(
            f"cannot use the SQLite file {url.database} that {setting} names ({what}{where}): "
            "name a file in a directory temuship may write"
        ) from error


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
