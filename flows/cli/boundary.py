"""The command's one error boundary: an expected failure prints its cause and the fix in a line or
two, never a traceback (unless --debug or TEMUSHIP_DEBUG=1), and the same exit codes for every
command:

    0  done
    1  a shop failed or needs a person, or temuship could not do its work (a setting, the
       database, Prefect or the network: the message says which)
    2  bad usage, or an unknown shop or order
"""

from __future__ import annotations

import errno
import logging
import os
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import typer
from typer.core import TyperGroup

from flows.cli.output import err

DONE, FAILED, USAGE = 0, 1, 2
DEBUG_ENV = "TEMUSHIP_DEBUG"
PREFECT_LOG = "prefect.log"
WRONG_KEY = (
    "this database's credentials were encrypted with another key: set TEMUSHIP_SECRET_KEY to "
    "the key used when the shops were connected"
)
PREFECT_ADVICE = (
    "run `prefect server start` in another terminal and set "
    "PREFECT_API_URL=http://127.0.0.1:4200/api, or raise "
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"
)
EPHEMERAL_TIMEOUT = "Timed out while attempting to connect to ephemeral Prefect API server"
_debug = False


@dataclass(frozen=True)
class Problem:
    """What the person sees (a line or two) and the exit code."""

    text: str
    code: int = FAILED


class PrefectUnavailable(Exception):
    """Prefect's API did not answer (or its temporary server did not start), retried once."""


def set_debug(on: bool) -> None:
    """--debug: let exceptions through with their traceback, and the API clients' notes on
    retries reach the terminal. Without it those notes are not printed (Python would print
    them on stderr when nothing else handles them): the command says how each call ended."""
    global _debug
    _debug = on
    quiet = logging.getLogger("adapters")
    held = [h for h in quiet.handlers if isinstance(h, logging.NullHandler)]
    if debug_enabled():
        for handler in held:
            quiet.removeHandler(handler)
    elif not held:
        quiet.addHandler(logging.NullHandler())


def debug_enabled() -> bool:
    return _debug or os.environ.get(DEBUG_ENV, "").strip().lower() in ("1", "true", "yes", "on")


class GuardedGroup(TyperGroup):
    """The `temuship` command group: every command runs inside the boundary, so the installed
    command, `python -m flows.cli` and in-process runners (tests) answer alike."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise  # exit codes and usage errors: Typer prints and exits as usual
        except BrokenPipeError:  # the reader of stdout went away (`temuship --help | head`)
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # quiet at exit
            raise typer.Exit(0) from None
        except Exception as error:
            if debug_enabled():
                raise
            problem = explain(error)
            err.print(problem.text, style="red", highlight=False, markup=False, soft_wrap=True)
            raise typer.Exit(problem.code) from None


def finish(code: Any) -> NoReturn:
    """Leave the process with the command's exit code; a successful command's shutdown quiet."""
    if code in (None, DONE) and "prefect" in sys.modules and not debug_enabled():
        quiet_shutdown()
    raise SystemExit(code)


def quiet_shutdown() -> None:
    """After a successful command: whatever Prefect prints while the interpreter shuts down
    (its services cancelled mid-write, log handlers closing, the temporary server stopping) is
    appended to Prefect's log file in the data directory, not shown. The command's own output
    is complete by now; a failed command keeps its stderr."""
    logging.raiseExceptions = False
    sys.stdout.flush()
    sys.stderr.flush()
    path = prefect_log()
    try:
        if path is None:
            raise OSError
        log = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    except OSError:
        log = os.open(os.devnull, os.O_WRONLY)
    os.dup2(log, sys.stderr.fileno())
    os.close(log)


def prefect_log() -> Path | None:
    """Where Prefect's own output goes (its temporary server's, and what it prints at exit);
    None when the data directory cannot be used."""
    from adapters.db.location import data_dir

    try:
        return data_dir() / PREFECT_LOG
    except OSError:
        return None


def explain(error: BaseException) -> Problem:
    """The first known failure in the exception's chain, else a short note of the unexpected;
    the database's password masked wherever it would appear."""
    for cause in _chain(error):
        for rule in RULES:
            problem = rule(cause)
            if problem is not None:
                return _masked(problem)
    detail = _first_line(str(error))
    return _masked(
        Problem(
            f"temuship stopped on an unexpected error: {type(error).__name__}"
            + (f": {detail}" if detail else "")
            + f"\nRun it again with --debug (or {DEBUG_ENV}=1) to see where."
        )
    )


def _masked(problem: Problem) -> Problem:
    password = _configured_database()[1]
    if not password or len(password) < 4 or password not in problem.text:  # as domain scrubs
        return problem
    return Problem(problem.text.replace(password, "***"), problem.code)


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _first_line(text: str, limit: int = 300) -> str:
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


# ---- the rules, most specific first -------------------------------------------------------


def _wrong_key(error: BaseException) -> Problem | None:
    """A credential that does not open. (The storage's own WrongSecretKey, a TemushipError,
    says more: which key the database expects.)"""
    from cryptography.fernet import InvalidToken

    if isinstance(error, InvalidToken) or type(error).__name__ == "SecretKeyMismatch":
        return Problem(WRONG_KEY)
    return None


def _prefect(error: BaseException) -> Problem | None:
    if isinstance(error, PrefectUnavailable):
        return Problem(str(error))
    if isinstance(error, RuntimeError) and EPHEMERAL_TIMEOUT in str(error):
        return Problem(ephemeral_timeout_text())
    if isinstance(error, ValueError) and "No Prefect API URL provided" in str(error):
        return Problem(
            "Prefect has no API: set PREFECT_API_URL (after `prefect server start` in another "
            "terminal, http://127.0.0.1:4200/api), or allow its temporary server with "
            "PREFECT_SERVER_EPHEMERAL_ENABLED=true"
        )
    return None


def ephemeral_timeout_text(log: Path | None = None) -> str:
    from prefect.settings import PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS as TIMEOUT

    seen = f" (its output: {log})" if log else ""
    return (
        f"Prefect's temporary server did not start within {TIMEOUT.value()} s, twice{seen}.\n"
        f"To fix: {PREFECT_ADVICE}."
    )


def _database_url(error: BaseException) -> Problem | None:
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    if isinstance(error, NoSuchModuleError):
        return Problem(
            "TEMUSHIP_DATABASE_URL names a database temuship cannot use "
            f"({_first_line(str(error))}): use postgresql+psycopg://… or sqlite:///…"
        )
    if isinstance(error, ArgumentError) and "URL" in str(error):
        return Problem(
            "TEMUSHIP_DATABASE_URL is not a database URL: write it like "
            "postgresql+psycopg://USER:PASSWORD@HOST:5432/DATABASE or sqlite:////path/temuship.db"
        )
    return None


def _database(error: BaseException) -> Problem | None:
    from sqlalchemy.exc import DBAPIError

    if not isinstance(error, DBAPIError):
        return None
    shown, _, sqlite_file = _configured_database()
    reason = _first_line(str(error.orig) if error.orig is not None else str(error))
    lowered = reason.lower()
    if sqlite_file is not None and (
        "unable to open database" in lowered or "readonly database" in lowered
    ):
        return Problem(
            f"cannot open the database file {sqlite_file} ({reason}): make "
            f"{sqlite_file.parent} writable, or set TEMUSHIP_HOME (or TEMUSHIP_DATABASE_URL) "
            "to a place temuship may write"
        )
    if re.search(r'database "[^"]*" does not exist', lowered):
        return Problem(
            f"the database {shown} does not exist: create it (e.g. `createdb`), or fix "
            "TEMUSHIP_DATABASE_URL"
        )
    if any(word in lowered for word in ("connect", "resolve", "could not translate", "timeout")):
        return Problem(
            f"could not connect to the database {shown} ({reason}): is it running and "
            "reachable? Check TEMUSHIP_DATABASE_URL"
        )
    return Problem(f"the database {shown} failed: {reason}")


def _configured_database() -> tuple[str, str | None, Path | None]:
    """(the database as shown, with no password; its password; the SQLite file, if one)."""
    from sqlalchemy.engine import make_url

    from adapters.db.location import DATABASE_URL_ENV

    raw = os.environ.get(DATABASE_URL_ENV)
    if not raw:
        path = _home() / "temuship.db"
        return f"the local file {path}", None, path
    try:
        url = make_url(raw)
    except Exception:
        return "TEMUSHIP_DATABASE_URL", None, None
    shown = f"{url.render_as_string(hide_password=True)} (TEMUSHIP_DATABASE_URL)"
    in_file = url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
    return shown, url.password and str(url.password), Path(str(url.database)) if in_file else None


def _home() -> Path:
    import platformdirs

    from adapters.db.location import HOME_ENV

    return Path(os.environ.get(HOME_ENV) or platformdirs.user_data_dir("temuship"))


FILE_ERRNOS = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOENT, errno.ENOTDIR, errno.EEXIST,
               errno.EISDIR, errno.ENOSPC}  # fmt: skip


def _files(error: BaseException) -> Problem | None:
    if not isinstance(error, OSError) or not error.filename or error.errno not in FILE_ERRNOS:
        return None
    path = Path(os.fsdecode(error.filename))
    home = _home()
    what = error.strerror or type(error).__name__
    if path == home or home in path.parents or path in home.parents:
        return Problem(
            f"cannot use {path} ({what}): temuship keeps its files in the data directory "
            f"{home}: make it a writable directory, or set TEMUSHIP_HOME to one"
        )
    return Problem(f"cannot use {path} ({what})")


def _network(error: BaseException) -> Problem | None:
    import httpx

    if not isinstance(error, httpx.TransportError):
        return None
    try:
        url = error.request.url
        shown = str(url.copy_with(query=None, fragment=None))
    except RuntimeError:  # no request attached
        shown = "a server"
    detail = _first_line(str(error)) or type(error).__name__
    prefect_api = _prefect_api_url()
    if prefect_api and shown.startswith(prefect_api.rstrip("/")):
        return Problem(
            f"could not reach Prefect's API at {prefect_api} ({detail}): start it with "
            "`prefect server start` in another terminal, or unset PREFECT_API_URL to let "
            "temuship start a temporary one"
        )
    return Problem(f"could not reach {shown} ({detail})")


def _prefect_api_url() -> str | None:
    if "prefect" not in sys.modules:
        return os.environ.get("PREFECT_API_URL")
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value()


def _domain(error: BaseException) -> Problem | None:
    from domain.errors import TemushipError
    from domain.usecases.shops import Mistake

    if isinstance(error, Mistake):  # an unknown shop or order, a name taken: bad usage
        return Problem(str(error), USAGE)
    if isinstance(error, TemushipError):
        return Problem(str(error))
    return None


RULES: tuple[Callable[[BaseException], Problem | None], ...] = (
    _wrong_key,
    _prefect,
    _database_url,
    _database,
    _network,
    _domain,
    _files,
)
