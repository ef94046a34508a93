"""Where temuship keeps its local files, and which database it uses."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import platformdirs
from sqlalchemy.engine import URL, make_url

HOME_ENV = "TEMUSHIP_HOME"
DATABASE_URL_ENV = "TEMUSHIP_DATABASE_URL"
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def data_dir() -> Path:
    """The per-user data directory (TEMUSHIP_HOME overrides it): owner-only (0700) whatever the
    umask, also when it existed before."""
    path = Path(os.environ.get(HOME_ENV) or platformdirs.user_data_dir("temuship"))
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    _owner_only(path, PRIVATE_DIR)
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


def _owner_only(path: Path, mode: int) -> None:
    if stat.S_IMODE(path.stat().st_mode) != mode:
        os.chmod(path, mode)


def database_url(url: str | URL | None = None) -> URL:
    """The given URL, else TEMUSHIP_DATABASE_URL, else a SQLite file in the data directory."""
    chosen = url or os.environ.get(DATABASE_URL_ENV)
    if chosen:
        return make_url(chosen)
    return URL.create("sqlite", database=str(data_dir() / "temuship.db"))
