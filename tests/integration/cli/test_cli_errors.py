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
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.sandbox.launcher import Sandbox
from adapters.sandbox.shipstation.state import DEMO_API_KEY, DEMO_API_SECRET
from adapters.sandbox.temu.state import DEMO_ACCESS_TOKEN, DEMO_APP_KEY, DEMO_APP_SECRET
from flows.cli.boundary import explain
from tests.integration.cli.helpers import api_calls, every_row, refused
from tests.integration.sync.sync_helpers import Cli, flat

PASSWORD = "S3cretPw0rd-not-to-be-shown"
UNKNOWN_ORDER = "PO-211-00000000000000000"
WRONG_KEY = "this database's credentials were encrypted with another key: set TEMUSHIP_SECRET_KEY"
OTHER_KEY = "another-key-than-the-shops-were-saved-with"


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
    """Every command that takes a shop (or an order): exit 2 in one line, nothing asked of
    either API, nothing written."""

    @pytest.mark.parametrize(
        "args",
        [
            ("status", "nosuch"),
            ("status", "nosuch", "--json"),
            ("check", "nosuch"),
            ("carriers", "nosuch"),
            ("carriers", "nosuch", "--json"),
            ("carriers", "nosuch", "--map", "ups=1"),
            ("carriers", "nosuch", "--unmap", "ups"),
            ("sync", "nosuch"),
            ("sync", "nosuch", "--json"),
            ("sync", "{shop}", "nosuch"),
            ("sync", "nosuch", "--plan"),
            ("sync", "nosuch", "--since", "2024-01-01"),
            ("reauthorize", "nosuch", "--access-token", "x" * 40, "--no-catch-up"),
            ("reauthorize", "nosuch", "--access-token", "x" * 40),
            ("history", UNKNOWN_ORDER, "--shop", "nosuch"),
            ("disconnect", "nosuch", "--yes"),
            ("disconnect", "nosuch"),  # refused before it asks
            ("disconnect", "nosuch", "--yes", "--delete-orders"),
        ],
    )
    def test_an_unknown_shop_exits_2_with_one_line(
        self, cli: Cli, sandbox: Sandbox, shop: str, args: tuple[str, ...]
    ):
        before, calls = every_row(cli.database_url, bookkeeping=True), api_calls(sandbox)
        result = cli(*(shop if a == "{shop}" else a for a in args))
        refused(result, 2, "no shop named", "nosuch")
        assert "nosuch" in result.stderr and len(result.stderr.strip().splitlines()) == 1
        assert result.stdout.strip() == ""  # no empty table, no `[]` for scripts, no question
        assert every_row(cli.database_url, bookkeeping=True) == before
        assert api_calls(sandbox) == calls

    @pytest.mark.parametrize("extra", [(), ("--json",), ("--shop", "{shop}")])
    def test_an_unknown_order_exits_2_with_one_line(
        self, cli: Cli, sandbox: Sandbox, shop: str, extra: tuple[str, ...]
    ):
        before, calls = every_row(cli.database_url, bookkeeping=True), api_calls(sandbox)
        result = cli("history", UNKNOWN_ORDER, *(shop if a == "{shop}" else a for a in extra))
        refused(result, 2, f"no history for {UNKNOWN_ORDER}", "no such order")
        assert len(result.stderr.strip().splitlines()) == 1
        assert result.stdout.strip() == ""
        assert every_row(cli.database_url, bookkeeping=True) == before
        assert api_calls(sandbox) == calls


def nothing_made(home: Path) -> None:
    """A refused command made no database file, no key file and no Prefect database."""
    prefect_db = home.parent / "prefect-home" / "prefect.db"
    for made in (home / "temuship.db", home / "secret.key", prefect_db):
        assert not made.exists(), made


BAD_URLS = {
    "unparsable": (
        f"not a url://temuship:{PASSWORD}@db.example/temuship",
        ("TEMUSHIP_DATABASE_URL is not a database URL", "postgresql+psycopg://"),
    ),
    "port not a number": (
        f"postgresql+psycopg://temuship:{PASSWORD}@db.example:fivefour/temuship",
        ("TEMUSHIP_DATABASE_URL is not a database URL",),
    ),
    "another kind of database": (
        f"mysql://temuship:{PASSWORD}@db.example/temuship",
        ("TEMUSHIP_DATABASE_URL names a 'mysql' database", "PostgreSQL or SQLite"),
    ),
    "an asynchronous driver": (
        f"postgresql+asyncpg://temuship:{PASSWORD}@db.example/temuship",
        ("TEMUSHIP_DATABASE_URL asks for the asynchronous driver 'asyncpg'",),
    ),
    "unreachable": (
        f"postgresql+psycopg://temuship:{PASSWORD}@127.0.0.1:{{port}}/ts",
        ("could not connect to the database", "postgresql+psycopg://temuship:***@127.0.0.1:",
         "TEMUSHIP_DATABASE_URL"),
    ),
    "a SQLite file under a file": (
        "sqlite:///{tmp}/a-file/temuship.db",
        ("cannot use the SQLite file", "a-file/temuship.db", "TEMUSHIP_DATABASE_URL",
         "not a directory"),
    ),
}  # fmt: skip


class TestDatabase:
    """Each bad TEMUSHIP_DATABASE_URL: exit 1, the setting named, its password never shown,
    nothing asked of either API and nothing made or written."""

    @pytest.mark.parametrize(
        ("kind", "command"),
        [(kind, "status") for kind in BAD_URLS]
        + [(kind, command) for kind in ("unparsable", "unreachable")
           for command in ("connect", "sync")],
    )  # fmt: skip
    def test_a_bad_database_url_is_named_and_nothing_is_written(
        self, tmp_path: Path, sandbox: Sandbox, kind: str, command: str
    ):
        (tmp_path / "a-file").write_text("")
        raw, words = BAD_URLS[kind]
        url = raw.format(port=closed_port(), tmp=tmp_path)
        home = tmp_path / "home"
        args = {"status": ["status"], "connect": connect_args(sandbox, "new-shop"),
                "sync": ["sync"]}[command]  # fmt: skip
        text = told(run_temuship(*args, home=home, TEMUSHIP_DATABASE_URL=url), 1, *words)
        assert PASSWORD not in text
        assert len(text.splitlines()) <= 2
        nothing_made(home)
        assert api_calls(sandbox) == (0, 0)

    @pytest.mark.skipif(
        not os.environ.get("TEMUSHIP_TEST_DATABASE_URL"),
        reason="needs a PostgreSQL server: set TEMUSHIP_TEST_DATABASE_URL",
    )
    @pytest.mark.parametrize("command", ["status", "connect"])
    def test_a_missing_database_says_to_create_it_and_is_not_made(
        self, tmp_path: Path, sandbox: Sandbox, command: str
    ):
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        server = make_url(os.environ["TEMUSHIP_TEST_DATABASE_URL"])
        missing = server.set(
            database=f"temuship_missing_{uuid.uuid4().hex[:8]}",
            password=server.password or PASSWORD,  # trust auth ignores it; shown nowhere
        )
        home = tmp_path / "home"
        args = ["status"] if command == "status" else connect_args(sandbox, "new-shop")
        done = run_temuship(
            *args, home=home, TEMUSHIP_DATABASE_URL=missing.render_as_string(hide_password=False)
        )
        shown = told(done, 1, "does not exist", missing.database or "", "TEMUSHIP_DATABASE_URL")
        assert str(missing.password) not in shown
        nothing_made(home)
        assert api_calls(sandbox) == (0, 0)
        admin = create_engine(server)
        try:
            with admin.connect() as conn:
                found = conn.execute(
                    text("SELECT 1 FROM pg_database WHERE datname = :name"),
                    {"name": missing.database},
                ).first()
        finally:
            admin.dispose()
        assert found is None


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Iterator[Path]:
    """A directory (mode 0700) that this process cannot write to: mode 0500 for a user, made
    immutable (`chattr +i`) for root, who writes anyway; skipped where neither works."""
    path = tmp_path / "read-only"
    path.mkdir(mode=0o700)
    immutable = os.geteuid() == 0
    if immutable:
        made = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
        if made.returncode != 0:
            pytest.skip(f"root, and no `chattr +i` here: {made.stderr.decode().strip()}")
    else:
        path.chmod(0o500)
    try:
        yield path
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        path.chmod(0o700)


class TestDataDirectory:
    def test_a_data_directory_that_cannot_be_made_is_named(self, tmp_path: Path):
        (tmp_path / "a-file").write_text("")
        home = tmp_path / "a-file" / "temuship"
        told(run_temuship("status", home=home), 1, str(home), "TEMUSHIP_HOME")

    @pytest.mark.parametrize("command", ["status", "connect"])
    def test_a_read_only_data_directory_is_named_and_left_as_it_was(
        self, read_only_dir: Path, sandbox: Sandbox, command: str
    ):
        args = ["status"] if command == "status" else connect_args(sandbox, "new-shop")
        told(run_temuship(*args, home=read_only_dir), 1, str(read_only_dir), "TEMUSHIP_HOME")
        assert list(read_only_dir.iterdir()) == []
        assert api_calls(sandbox) == (0, 0)

    def test_a_read_only_data_directory_with_the_database_elsewhere_stops_connect_first(
        self, read_only_dir: Path, sandbox: Sandbox, own_database_url: str
    ):
        """The database is fine (SQLite elsewhere, or PostgreSQL), but the key file would go
        in the data directory: refused before either API is asked, nothing written."""
        before = every_row(own_database_url, bookkeeping=True)
        done = run_temuship(
            *connect_args(sandbox, "new-shop"), home=read_only_dir,
            TEMUSHIP_DATABASE_URL=own_database_url,
        )  # fmt: skip
        told(done, 1, f"cannot use {read_only_dir / 'secret.key'}", "TEMUSHIP_HOME")
        assert every_row(own_database_url, bookkeeping=True) == before
        assert api_calls(sandbox) == (0, 0)
        assert list(read_only_dir.iterdir()) == []


def _rows_and_calls(cli: Cli, sandbox: Sandbox) -> tuple[Any, tuple[int, int]]:
    return every_row(cli.database_url, bookkeeping=True), api_calls(sandbox)


KEYED_COMMANDS = [
    ("status",),
    ("status", "{shop}", "--json"),
    ("check", "{shop}"),
    ("carriers", "{shop}"),
    ("carriers", "{shop}", "--map", "ups=1"),
    ("carriers", "{shop}", "--unmap", "ups"),
    ("sync", "{shop}"),
    ("sync", "{shop}", "--plan"),
    ("reauthorize", "{shop}", "--access-token", "y" * 40),
    ("disconnect", "{shop}", "--yes"),
    ("connect", "{new}"),
    ("connect", "{shop}", "--replace"),
]


def run_keyed(cli: Cli, shop: str, args: tuple[str, ...]) -> Any:
    named = [shop if a == "{shop}" else a for a in args]
    if named[0] == "connect":
        target = f"{shop}-new" if named[1] == "{new}" else shop
        return cli.connect(target, *named[2:])
    return cli(*named)


class TestSecretKey:
    """A key that cannot open the database's credentials: every command that needs them says
    why in one line, exit 1, and asks nothing of either API and writes nothing. `status`
    still shows every shop (it decrypts nothing), then that line."""

    @pytest.mark.parametrize("args", KEYED_COMMANDS)
    def test_another_key_is_named_by_every_command_and_nothing_is_written(
        self,
        cli: Cli,
        sandbox: Sandbox,
        shop: str,
        monkeypatch: pytest.MonkeyPatch,
        args: tuple[str, ...],
    ):
        before = _rows_and_calls(cli, sandbox)
        monkeypatch.setenv("TEMUSHIP_SECRET_KEY", OTHER_KEY)
        result = run_keyed(cli, shop, args)
        text = refused(result, 1, WRONG_KEY, "fingerprint")
        assert OTHER_KEY not in text
        assert _rows_and_calls(cli, sandbox) == before
        if args[0] == "status":
            assert shop in result.stdout  # still shown, before the key's line
        else:
            assert len(result.output.strip().splitlines()) == 1

    @pytest.mark.parametrize(
        ("fault", "args"),
        [("readable by others", args) for args in KEYED_COMMANDS]
        + [(fault, args) for fault in ("empty", "short passphrase")
           for args in (("status",), ("check", "{shop}"), ("sync", "{shop}"),
                        ("connect", "{new}"))],
    )  # fmt: skip
    def test_a_key_file_that_is_refused_says_what_to_run_and_nothing_is_written(
        self,
        own_database_url: str,
        tmp_path: Path,
        sandbox: Sandbox,
        monkeypatch: pytest.MonkeyPatch,
        args: tuple[str, ...],
        fault: str,
    ):
        monkeypatch.delenv("TEMUSHIP_SECRET_KEY")
        cli = Cli(own_database_url, tmp_path / "home", sandbox)
        shop = f"shop-{uuid.uuid4().hex[:10]}"
        assert cli.connect(shop).exit_code == 0  # the key file is made, 0600
        key = cli.home / "secret.key"
        if fault == "readable by others":
            key.chmod(0o644)
            words: tuple[str, ...] = (f"permissions 0644 for the key file {key} are too open",
                                      f"`chmod 600 {key}`")  # fmt: skip
        elif fault == "empty":
            key.write_text("\n")
            words = (f"the key file {key} is empty",)
        else:
            key.write_text("fifteen-chars-x\n")
            words = ("is a passphrase of 15 characters: use at least 16",)
        before = _rows_and_calls(cli, sandbox)
        result = run_keyed(cli, shop, args)
        if args[0] == "check":
            refused(result, 1, "credentials", *words)  # its red credentials line
        else:
            refused(result, 1, *words)
        assert _rows_and_calls(cli, sandbox) == before

    def test_debug_lets_the_exception_through(
        self, cli: Cli, shop: str, monkeypatch: pytest.MonkeyPatch
    ):
        from domain.errors import TemushipError

        monkeypatch.setenv("TEMUSHIP_SECRET_KEY", OTHER_KEY)
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
                     ("carriers", "quiet"), ("sync", "quiet", "--plan"), ("--help",),
                     ("sync", "--help"), ("disconnect", "quiet", "--yes")):  # fmt: skip
            told(run_temuship(*args, home=home, PREFECT_API_URL=unreachable), 0)
        told(run_temuship("history", UNKNOWN_ORDER, home=home, PREFECT_API_URL=unreachable), 2)
        told(run_temuship("sync", "quiet", home=home, PREFECT_API_URL=unreachable), 2, "no shop")
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
    def test_a_shop_that_fails_is_told_in_the_commands_lines_not_prefects(
        self, sandbox: Sandbox, tmp_path: Path
    ):
        """Prefect logs a failed task or flow run with its traceback; the terminal gets the
        command's own line per shop (the run logs still reach the Prefect server)."""
        home = tmp_path / "home"
        told(run_temuship(*connect_args(sandbox, "lapsed"), home=home), 0)
        sandbox.temu.expire_token()
        done = run_temuship("sync", "lapsed", home=home, timeout=280)
        text = told(done, 1, "lapsed: the shop is paused", "expired", "temuship reauthorize lapsed")
        assert "Finished in state" not in text and "| ERROR" not in text, text

    @pytest.mark.slow
    def test_a_first_sync_on_a_fresh_prefect_home_ends_quietly(
        self, sandbox: Sandbox, tmp_path: Path
    ):
        home = tmp_path / "home"
        sandbox.temu.seed_orders(20, seed=3)
        told(run_temuship(*connect_args(sandbox, "fresh"), home=home), 0)
        done = run_temuship("sync", "fresh", home=home, timeout=280)
        told(done, 0, "fresh: done:")
        assert done.stderr.strip() == "", done.stderr  # nothing from Prefect shutting down


class TestOutput:
    def test_a_problem_is_one_line_as_written_in_any_terminal_width(
        self, monkeypatch: pytest.MonkeyPatch
    ):
        import io

        from rich.console import Console

        from flows.cli import output

        written = io.StringIO()
        monkeypatch.setattr(output, "err", Console(file=written, width=40))
        said = "Temu refused the new token for shop-a: temu error 400 [answer: {'x': [1]}] " * 3
        output.problem(said)
        assert written.getvalue() == said + "\n"  # no wrapping, brackets not read as markup
