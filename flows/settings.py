"""Where temuship keeps its data, and the environment it sets for Prefect by default."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

OFFLINE_DEFAULTS = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
}


def data_dir() -> Path:
    path = Path(os.environ.get("TEMUSHIP_HOME") or platformdirs.user_data_dir("temuship"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str | None:
    return os.environ.get("TEMUSHIP_DATABASE_URL") or None


def apply_offline_defaults() -> None:
    """Telemetry off unless the user turned it on: temuship works offline."""
    for key, value in OFFLINE_DEFAULTS.items():
        os.environ.setdefault(key, value)
