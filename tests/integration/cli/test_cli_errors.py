"""One error boundary for the `temuship` command (flows/cli/boundary.py): an expected failure
prints its cause and the fix in a line or two, never a traceback (unless --debug), with the same
exit codes for every command: 0 done, 1 a shop failed or temuship could not work, 2 bad usage or
an unknown shop or order. Where the process matters (settings read at start, Prefect, what is
printed at exit), the command runs as `python -m flows.cli` with a fresh environment."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from adapters.sandbox.launcher import Sandbox
from adapters.sandbox.shipstation.state import DEMO_API_KEY, DEMO_API_SECRET
from adapters.sandbox.temu.state import DEMO_ACCESS_TOKEN, DEMO_APP_KEY, DEMO_APP_SECRET
from flows.cli.boundary import explain
from tests.integration.sync.sync_helpers import Cli, flat

PASSWORD = "S3cretPw0rd-not-to-be-shown"
UNKNOWN_ORDER = "PO-211-00000000000000000"


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_temuship(
    *args: str, home: Path, timeout: float = 120, **env: str
) -> subprocess.CompletedProcess[str]:
    """`python -m flows.cli ...` with no TEMUSHIP_* or PREFECT_* setting but the given ones (the
    data directory `home`, Prefect's home beside it)."""
    fresh = {k: v for k, v in os.environ.items() if not k.startswith(("TEMUSHIP_", "PREFECT_"))}
    fresh |= {"TEMUSHIP_HOME": str(home), "PREFECT_HOME": str(home.parent / "prefect-home"),
              "COLUMNS": "200", "DO_NOT_TRACK": "1"}  # fmt: skip
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", *args],
        env=fresh | env, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


def told(done: subprocess.CompletedProcess[str], code: int, *words: str) -> str:
    """The exit code is `code`, nothing shows a traceback, every word is said; the output."""
    text = flat(done.stdout + done.stderr)
    assert done.returncode == code, text
    assert "Traceback" not in text, text
    for word in words:
        assert word in text, text
    return text


def connect_args(sandbox: Sandbox, name: str) -> list[str]:
    return ["connect", name, "--app-key", DEMO_APP_KEY, "--app-secret", DEMO_APP_SECRET,
            "--access-token", DEMO_ACCESS_TOKEN, "--shipstation-key", DEMO_API_KEY,
            "--shipstation-secret", DEMO_API_SECRET, "--temu-url", sandbox.temu_url,
            "--shipstation-url", sandbox.shipstation_url]  # fmt: skip


class TestUnknownShopOrOrder:
    @pytest.mark.parametrize(
        "args",
        [
            ("status", "nosuch"),
            ("status", "nosuch", "--json"),
            ("check", "nosuch"),
            ("carriers", "nosuch"),
            ("carriers", "nosuch", "--json"),
            ("sync", "nosuch"),
            ("sync", "nosuch", "--plan"),
            ("reauthorize", "nosuch", "--access-token", "x" * 40, "--no-catch-up"),
            ("history", UNKNOWN_ORDER, "--shop", "nosuch"),
        ],
    )
    def test_an_unknown_shop_exits_2_with_one_line(self, cli: Cli, args: tuple[str, ...]):
        result = cli(*args)
        assert result.exit_code == 2, result.output
        assert "no shop named" in flat(result.stderr) and "nosuch" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert "Traceback" not in result.output
        assert result.stdout.strip() == ""  # no empty table, no `[]` for scripts

    @pytest.mark.parametrize("json", [(), ("--json",)])
    def test_an_unknown_order_exits_2_with_one_line(
        self, cli: Cli, shop: str, json: tuple[str, ...]
    ):
        result = cli("history", UNKNOWN_ORDER, *json)
        assert result.exit_code == 2, result.output
        assert f"no history for {UNKNOWN_ORDER}" in flat(result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1
        assert result.stdout.strip() == ""


class TestDatabase:
    def test_an_unparsable_url_names_the_setting_not_the_password(self, tmp_path: Path):
        done = run_temuship(
            "status", home=tmp_path / "home",
            TEMUSHIP_DATABASE_URL=f"not a url://temuship:{PASSWORD}@db.example/temuship",
        )  # fmt: skip
        text = told(done, 1, "TEMUSHIP_DATABASE_URL", "is not a database URL")
        assert PASSWORD not in text

    def test_an_unreachable_database_is_named_without_its_password(self, tmp_path: Path):
        port = closed_port()
        done = run_temuship(
            "status", home=tmp_path / "home",
            TEMUSHIP_DATABASE_URL=f"postgresql+psycopg://temuship:{PASSWORD}@127.0.0.1:{port}/ts",
        )  # fmt: skip
        text = told(
            done, 1, "could not connect", f"postgresql+psycopg://temuship:***@127.0.0.1:{port}/ts",
            "TEMUSHIP_DATABASE_URL",
        )  # fmt: skip
        assert PASSWORD not in text

    @pytest.mark.skipif(
        not os.environ.get("TEMUSHIP_TEST_DATABASE_URL"),
        reason="needs a PostgreSQL server: set TEMUSHIP_TEST_DATABASE_URL",
    )
    def test_a_missing_database_says_to_create_it(self, tmp_path: Path):
        from sqlalchemy.engine import make_url

        server = make_url(os.environ["TEMUSHIP_TEST_DATABASE_URL"])
        missing = server.set(
            database=f"temuship_missing_{uuid.uuid4().hex[:8]}",
            password=server.password or PASSWORD,  # trust auth ignores it; shown nowhere
        )
        done = run_temuship(
            "status", home=tmp_path / "home",
            TEMUSHIP_DATABASE_URL=missing.render_as_string(hide_password=False),
        )  # fmt: skip
        text = told(done, 1, "does not exist", missing.database or "", "TEMUSHIP_DATABASE_URL")
        assert str(missing.password) not in text


class TestDataDirectory:
    def test_a_data_directory_that_cannot_be_made_is_named(self, tmp_path: Path):
        (tmp_path / "a-file").write_text("")
        home = tmp_path / "a-file" / "temuship"
        told(run_temuship("status", home=home), 1, str(home), "TEMUSHIP_HOME")

    def test_a_read_only_data_directory_is_named(self, tmp_path: Path):
        home = tmp_path / "home"
        home.mkdir()
        home.chmod(0o500)
        if os.access(home, os.W_OK):  # root writes anyway: a read-only file system then
            home = Path("/sys/kernel")
            if not home.is_dir() or _writable(home):
                pytest.skip("no read-only directory to try (root, and no read-only /sys)")
        try:
            told(run_temuship("status", home=home), 1, str(home), "TEMUSHIP_HOME")
        finally:
            (tmp_path / "home").chmod(0o700)


def _writable(path: Path) -> bool:
    probe = path / f".temuship-probe-{uuid.uuid4().hex[:6]}"
    try:
        probe.write_text("")
    except OSError:
        return False
    probe.unlink()
    return True


class TestSecretKey:
    def test_another_key_says_which_setting_to_fix(
        self, cli: Cli, shop: str, monkeypatch: pytest.MonkeyPatch
    ):
        monkeypatch.setenv("TEMUSHIP_SECRET_KEY", "another-key-than-the-shops-were-saved-with")
        for args in (("check", shop), ("carriers", shop), ("sync", shop, "--plan")):
            result = cli(*args)
            text = flat(result.output)
            assert result.exit_code == 1, text
            assert "encrypted with another key" in text and "TEMUSHIP_SECRET_KEY" in text
            assert "Traceback" not in text

    def test_debug_lets_the_exception_through(
        self, cli: Cli, shop: str, monkeypatch: pytest.MonkeyPatch
    ):
        from domain.errors import TemushipError

        monkeypatch.setenv("TEMUSHIP_SECRET_KEY", "another-key-than-the-shops-were-saved-with")
        with pytest.raises(TemushipError):
            cli("--debug", "carriers", shop)
        monkeypatch.setenv("TEMUSHIP_DEBUG", "1")
        with pytest.raises(TemushipError):
            cli("carriers", shop)


class TestNetwork:
    def test_an_api_that_went_away_is_named(self, cli: Cli, sandbox: Sandbox):
        name = f"shop-{uuid.uuid4().hex[:10]}"
        with Sandbox() as gone:
            urls = {"--temu-url": gone.temu_url, "--shipstation-url": gone.shipstation_url}
            assert cli.connect(name, **urls).exit_code == 0
        result = cli("carriers", name)
        text = flat(result.output)
        assert result.exit_code == 1, text
        assert f"could not reach {gone.temu_url}" in text and "Traceback" not in text

    def test_a_connection_error_names_the_url_without_its_query(self):
        request = httpx.Request("GET", "https://api.example.test/openapi/router?sign=abc123")
        problem = explain(httpx.ConnectError("[Errno 111] Connection refused", request=request))
        assert problem.code == 1
        assert problem.text.startswith("could not reach https://api.example.test/openapi/router")
        assert "abc123" not in problem.text

    def test_an_unexpected_error_is_one_line_and_points_at_debug(self):
        problem = explain(KeyError("surprise"))
        assert problem.code == 1
        assert "KeyError" in problem.text and "--debug" in problem.text


class TestPrefect:
    def test_commands_that_run_no_flow_never_need_prefect(self, sandbox: Sandbox, tmp_path: Path):
        home = tmp_path / "home"
        unreachable = f"http://127.0.0.1:{closed_port()}/api"
        told(
            run_temuship(*connect_args(sandbox, "quiet"), home=home, PREFECT_API_URL=unreachable), 0
        )
        for args in (("status",), ("status", "quiet"), ("check", "quiet"),
                     ("carriers", "quiet"), ("--help",)):  # fmt: skip
            told(run_temuship(*args, home=home, PREFECT_API_URL=unreachable), 0)
        told(run_temuship("history", UNKNOWN_ORDER, home=home, PREFECT_API_URL=unreachable), 2)
        # and no temporary server was started either: it would have made Prefect's database
        assert not (tmp_path / "prefect-home" / "prefect.db").exists()

    def test_an_unreachable_prefect_api_says_what_to_do(self, sandbox: Sandbox, tmp_path: Path):
        home = tmp_path / "home"
        url = f"http://127.0.0.1:{closed_port()}/api"
        told(run_temuship(*connect_args(sandbox, "p"), home=home), 0)
        done = run_temuship("sync", "p", home=home, PREFECT_API_URL=url)
        told(done, 1, f"Prefect's API at {url}", "did not answer", "prefect server start")

    @pytest.mark.slow
    def test_a_temporary_server_too_slow_to_start_gets_advice_not_a_traceback(
        self, sandbox: Sandbox, tmp_path: Path
    ):
        home = tmp_path / "home"
        told(run_temuship(*connect_args(sandbox, "slow"), home=home), 0)
        done = run_temuship(
            "sync", "slow", home=home, PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="1"
        )
        told(
            done, 1, "temporary server did not start within 1", "prefect server start",
            "PREFECT_API_URL=http://127.0.0.1:4200/api",
            "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS",
        )  # fmt: skip
        assert len(done.stderr.strip().splitlines()) <= 2, done.stderr
        assert sandbox.shipstation.orders == {}

    @pytest.mark.slow
    def test_a_first_sync_on_a_fresh_prefect_home_ends_quietly(
        self, sandbox: Sandbox, tmp_path: Path
    ):
        home = tmp_path / "home"
        sandbox.temu.seed_orders(20, seed=3)
        told(run_temuship(*connect_args(sandbox, "fresh"), home=home), 0)
        done = run_temuship("sync", "fresh", home=home, timeout=280)
        told(done, 0, "fresh ok")
        assert done.stderr.strip() == "", done.stderr  # nothing from Prefect shutting down
