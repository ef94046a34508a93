"""The environment temuship sets for Prefect by default."""

from __future__ import annotations

import os

OFFLINE_DEFAULTS = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
}


def apply_offline_defaults() -> None:
    """Telemetry off unless the user turned it on: temuship works offline."""
    for key, value in OFFLINE_DEFAULTS.items():
        os.environ.setdefault(key, value)
