"""temuship's Prefect defaults: a start-up window long enough for a fresh home on a busy machine."""

from __future__ import annotations

import os
import subprocess
import sys

READ_SETTING = (
    "import flows.cli.app\n"
    "from prefect.settings import PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS as s\n"
    "print(s.value())\n"
)


def _startup_window(env_extra: dict[str, str]) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_SERVER_EPHEMERAL")}
    env.update(env_extra)
    done = subprocess.run(
        [sys.executable, "-c", READ_SETTING], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


class TestEphemeralStartupWindow:
    def test_the_temuship_command_gives_prefects_temporary_server_two_minutes(self):
        assert _startup_window({}) == "120"

    def test_prefects_own_setting_wins_when_the_user_sets_it(self):
        assert _startup_window({"PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "300"}) == "300"
