"""Where temuship keeps its local files, and which database it uses."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs
from sqlalchemy.engine import URL, make_url

HOME_ENV = "TEMUSHIP_HOME"
DATABASE_URL_ENV = "TEMUSHIP_DATABASE_URL"


def data_dir() -> Path:
    """The per-user data directory (TEMUSHIP_HOME overrides it), created owner-only."""
    path = Path(os.environ.get(HOME_ENV) or platformdirs.user_data_dir("temuship"))
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def database_url(url: str | URL | None = None) -> URL:
    """The given URL, else TEMUSHIP_DATABASE_URL, else a SQLite file in the data directory."""
    chosen = url or os.environ.get(DATABASE_URL_ENV)
    if chosen:
        return make_url(chosen)
    return URL.create("sqlite", database=str(data_dir() / "temuship.db"))
