"""Commands quoted in sentences are printed as this shell must type them."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from flows.cli import output


def test_a_quoted_command_takes_the_path_this_shell_needs(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(output, "command", lambda name="temuship": f".venv/bin/{name}")
    said = output.pasteable("Why: expired: run `temuship reauthorize s --access-token ...`")
    assert said == "Why: expired: run `.venv/bin/temuship reauthorize s --access-token ...`"
    assert output.pasteable("see `prefect server start`") == "see `.venv/bin/prefect server start`"


def test_a_word_that_is_not_a_quoted_command_is_left_alone(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(output, "command", lambda name="temuship": f".venv/bin/{name}")
    assert output.pasteable("temuship sync of shop a") == "temuship sync of shop a"


def test_with_the_virtualenv_on_path_the_bare_name_stays(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent))
    assert output.pasteable("run `temuship status`") == "run `temuship status`"
