"""Where temuship keeps its local files, and which database it uses."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import platformdirs
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from domain.errors import TemushipError

HOME_ENV = "TEMUSHIP_HOME"
DATABASE_URL_ENV = "TEMUSHIP_DATABASE_URL"
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
URL_EXAMPLES = (
    "postgresql+psycopg://USER:PASSWORD@HOST:5432/DATABASE or sqlite:////path/temuship.db"
)
BACKENDS = ("postgresql", "sqlite")


class UnusableDatabaseUrl(TemushipError):
    """The database URL cannot be used as written: the message names the setting and how to
    write it, and never repeats the URL (it may hold a password)."""


def data_dir() -> Path:
    """The per-user data directory (TEMUSHIP_HOME overrides it): owner-only (0700) whatever the
    umask, also when it existed before. Only group's and others' bits are taken away: a
    directory its owner made read-only stays so (and temuship says it cannot write there)."""
    path = Path(os.environ.get(HOME_ENV) or platformdirs.user_data_dir("temuship"))
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    _owner_only(path)
    return path


def private_file(path: Path) -> Path:
    """Create `path` if missing, owner read/write only (0600) whatever the umask; an existing
    file is narrowed to 0600 too. Its content is left alone."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
    try:
        if stat.S_IMODE(os.fstat(fd).st_mode) != PRIVATE_FILE:
            os.fchmod(fd, PRIVATE_FILE)
    finally:
        os.close(fd)
    return path


def _owner_only(path: Path) -> None:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        os.chmod(path, mode & PRIVATE_DIR)


def database_url(url: str | URL | None = None) -> URL:
    """The given URL, else TEMUSHIP_DATABASE_URL, else a SQLite file in the data directory.

    A URL temuship cannot use (unparsable, another kind of database, a driver that is not
    installed or is asynchronous) is refused with UnusableDatabaseUrl naming the setting."""
    if url:
        return checked_url(url, "the database URL")
    from_env = os.environ.get(DATABASE_URL_ENV)
    if from_env:
        return checked_url(from_env, DATABASE_URL_ENV)
    return URL.create("sqlite", database=str(data_dir() / "temuship.db"))


def checked_url(raw: str | URL, setting: str) -> URL:
    """`raw` as a URL of a database temuship works with; `setting` names where it came from."""
    try:
        url = raw if isinstance(raw, URL) else make_url(raw)
    except (ArgumentError, ValueError, TypeError):
        raise UnusableDatabaseUrl(
            f"{setting} is not a database URL: write it like {URL_EXAMPLES}"
        ) from None
    if url.drivername in ("postgres", "postgresql"):
        url = url.set(drivername="postgresql+psycopg")
    backend = url.get_backend_name()
    if backend not in BACKENDS:
        raise UnusableDatabaseUrl(
            f"{setting} names a {backend!r} database: temuship works with PostgreSQL or "
            f"SQLite, written like {URL_EXAMPLES}"
        )
    try:
        dialect = url.get_dialect()
        asynchronous = bool(getattr(dialect, "is_async", False))
        if not asynchronous:
            dialect.import_dbapi()
    except (NoSuchModuleError, ImportError):
        raise UnusableDatabaseUrl(
            f"{setting} asks for the driver {url.get_driver_name()!r}, which is not installed: "
            f"write it like {URL_EXAMPLES}"
        ) from None
    if asynchronous:
        raise UnusableDatabaseUrl(
            f"{setting} asks for the asynchronous driver {url.get_driver_name()!r}: write it "
            f"like {URL_EXAMPLES}"
        )
    return url
