"""The README Quickstart's first command, on a fresh home: `temuship demo` works out of the box."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.slow
class TestQuickstart:
    def test_temuship_demo_on_a_fresh_home_exits_0_and_prints_the_summary(
        self, tmp_path: Path
    ) -> None:
        # The entry point installed beside this interpreter (the venv), whatever PATH says.
        beside = Path(sys.executable).with_name("temuship")
        temuship = str(beside) if beside.exists() else shutil.which("temuship")
        assert temuship, "the temuship entry point is installed with the package"
        unset = ("TEMUSHIP_HOME", "TEMUSHIP_DATABASE_URL", "PREFECT_HOME", "PREFECT_API_URL")
        env = {k: v for k, v in os.environ.items() if k not in unset and not k.startswith("XDG_")}
        env |= {"HOME": str(tmp_path), "COLUMNS": "200"}

        done = subprocess.run(
            [temuship, "demo", "--orders", "60"],
            env=env, cwd=tmp_path, capture_output=True, text=True, timeout=180,
        )  # fmt: skip

        assert done.returncode == 0, done.stdout + done.stderr
        text = " ".join(done.stdout.split())
        for said in (
            "a simulated Temu at http://127.0.0.1:",
            "with 60 orders",
            "Connected the shop 'demo'",
            "What happened",
            "The first sync read",
            "The second sync read",
            "The shop now",
            "eeds a person",  # "Needs a person: N things" or "Nothing needs a person"
            "Where to look next",
        ):
            assert said in text, text
        assert "(s)" not in text and "{" not in text, text  # words, not reprs
        assert (tmp_path / ".local/share/temuship/demo.db").exists()

        # Each command it suggests works pasted as printed, in a shell.
        suggested = done.stdout.split("Where to look next")[1].splitlines()[1:]
        commands = [line.strip() for line in suggested if line.strip()]
        assert len(commands) == 3, commands
        for command in commands:
            pasted = subprocess.run(["bash", "-c", command], env=env, cwd=tmp_path,
                                    capture_output=True, text=True, timeout=120)  # fmt: skip
            assert pasted.returncode == 0, f"{command}\n{pasted.stdout}{pasted.stderr}"
