"""The environment temuship sets for Prefect by default."""

from __future__ import annotations

import os

OFFLINE_DEFAULTS = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
}
QUIET_CONSOLE = {
    # The terminal shows temuship's own summary; run logs still reach the Prefect server.
    "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "WARNING",
}


def apply_offline_defaults() -> None:
    """Telemetry off unless the user turned it on: temuship works offline."""
    for key, value in OFFLINE_DEFAULTS.items():
        os.environ.setdefault(key, value)


def apply_cli_defaults() -> None:
    """For the `temuship` command: offline, and Prefect's console logs at WARNING."""
    apply_offline_defaults()
    for key, value in QUIET_CONSOLE.items():
        os.environ.setdefault(key, value)
