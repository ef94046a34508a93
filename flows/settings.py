"""The environment temuship sets for Prefect by default."""

from __future__ import annotations

import os

OFFLINE_DEFAULTS = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    # Prefect gives its temporary server 20 s to start; a fresh PREFECT_HOME on a busy 2-core
    # machine needs more (migrations included). Prefect's own setting still wins when set.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
}
QUIET_CONSOLE = {
    # The terminal shows temuship's own summary; run logs still reach the Prefect server.
    "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "WARNING",
}


def apply_offline_defaults() -> None:
    """Telemetry off unless the user turned it on; a long start-up window for Prefect."""
    for key, value in OFFLINE_DEFAULTS.items():
        os.environ.setdefault(key, value)


def apply_cli_defaults() -> None:
    """For the `temuship` command: offline, and Prefect's console logs at WARNING."""
    apply_offline_defaults()
    for key, value in QUIET_CONSOLE.items():
        os.environ.setdefault(key, value)
